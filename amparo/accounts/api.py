"""API tokens: obtain one with a username and password, revoke the one in use."""

from django.contrib.auth import authenticate, user_logged_in
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from amparo.accounts import services
from amparo.accounts.authentication import ApiTokenAuthentication
from amparo.accounts.errors import INVALID_CREDENTIALS_MESSAGE, AccountsErrorCode
from amparo.accounts.models import ApiToken, User
from amparo.common.api import ErrorSerializer
from amparo.common.errors import ApplicationError

TAG = "auth"


class TokenObtainApi(APIView):
    """Public: exchange a username and password for a bearer token.

    Goes through django.contrib.auth.authenticate, so django-axes counts failures: after
    AXES_FAILURE_LIMIT (5) failures for one username from one IP address, every attempt gets
    429 until the cool-off ends.
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150, trim_whitespace=False)
        password = serializers.CharField(
            max_length=4096, trim_whitespace=False, style={"input_type": "password"}
        )

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField(help_text="Send as `Authorization: Bearer <token>`. Shown once.")
        expires_at = serializers.DateTimeField()

    @extend_schema(
        operation_id="auth_token_obtain",
        tags=[TAG],
        auth=[],
        request=InputSerializer,
        responses={
            200: OutputSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Missing fields or wrong username/password."),
            429: OpenApiResponse(ErrorSerializer, description="Locked out after too many failures."),
        },
        examples=[
            OpenApiExample("Credentials", value={"username": "ana", "password": "…"}, request_only=True)
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        username = serializer.validated_data["username"]
        # The Django request, not DRF's wrapper: django-axes flags it and its middleware answers 429.
        django_request = request._request
        user = authenticate(
            request=django_request, username=username, password=serializer.validated_data["password"]
        )
        if user is None:
            if not getattr(django_request, "axes_locked_out", False):
                services.login_failed_record(username=username[:150], via="api")
            raise ApplicationError(
                str(INVALID_CREDENTIALS_MESSAGE), code=AccountsErrorCode.INVALID_CREDENTIALS
            )
        # What django.contrib.auth.login announces, without a session: axes resets the
        # failure count and last_login is updated.
        user_logged_in.send(sender=user.__class__, request=django_request, user=user)
        key, token = services.api_token_issue(user=user)
        return Response(self.OutputSerializer({"token": key, "expires_at": token.expires_at}).data)


class TokenRevokeApi(APIView):
    """Revoke the bearer token this request is authenticated with."""

    authentication_classes = [ApiTokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="auth_token_revoke",
        tags=[TAG],
        request=None,
        responses={
            204: OpenApiResponse(description="Revoked; the token no longer authenticates."),
            401: OpenApiResponse(ErrorSerializer, description="No valid bearer token."),
        },
    )
    def post(self, request: Request) -> Response:
        token = request.auth
        if not isinstance(request.user, User) or not isinstance(token, ApiToken):
            raise NotAuthenticated
        services.api_token_revoke(user=request.user, token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)
