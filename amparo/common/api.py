"""API plumbing shared by every app.

- One JSON error shape for the whole API: {"error": {"code", "message", "fields"}}, produced by
  `exception_handler` from DRF exceptions, Django's ValidationError/Http404 and ApplicationError.
- `route_by_method`: one URL, one APIView per operation (GET /persons/ → PersonListApi,
  POST /persons/ → PersonCreateApi), so REST paths and the HackSoft "one API per operation" both hold.
- `AutoSchema`: OpenAPI component names taken from the API class (PersonCreateApi.InputSerializer →
  PersonCreateRequest), so nested Input/OutputSerializer classes never collide in the schema.
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponseBase
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from amparo.common.errors import ApplicationError


def _flatten_fields(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF error detail → {"field": [messages]}; nested fields get dotted names ("documents.0.number")."""
    if isinstance(detail, dict):
        fields: dict[str, list[str]] = {}
        for key, value in detail.items():
            if key == api_settings.NON_FIELD_ERRORS_KEY and prefix:
                name = prefix  # {"documents": {"non_field_errors": [...]}} is about "documents"
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            fields.update(_flatten_fields(value, name))
        return fields
    if isinstance(detail, list):
        if any(isinstance(item, dict | list) for item in detail):
            fields = {}
            for index, item in enumerate(detail):
                if item:
                    fields.update(_flatten_fields(item, f"{prefix}.{index}" if prefix else str(index)))
            return fields
        return {prefix or "non_field_errors": [str(item) for item in detail]}
    return {prefix or "non_field_errors": [str(detail)]}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        body = {"error": {"code": exc.code, "message": exc.message, "fields": {}, **exc.extra}}
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "error": {
                "code": "invalid",
                "message": _("The request has invalid fields."),
                "fields": _flatten_fields(exc.detail),
            }
        }
        response.status_code = status.HTTP_400_BAD_REQUEST
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        response.data = {
            "error": {
                "code": codes if isinstance(codes, str) else "error",
                "message": str(exc.detail),
                "fields": {},
            }
        }
    return response


class ErrorSerializer(serializers.Serializer):
    """The body of every error response (documentation only)."""

    class DetailSerializer(serializers.Serializer):
        code = serializers.CharField(help_text="Stable machine-readable code, e.g. `invalid`, `not_found`.")
        message = serializers.CharField(help_text="Human-readable message in the request's language.")
        fields = serializers.DictField(  # type: ignore[assignment]  # a declared field, not Serializer.fields
            child=serializers.ListField(child=serializers.CharField()),
            help_text='Field name → messages (400 only); nested fields are dotted: "documents.0.number".',
        )
        current_version = serializers.IntegerField(
            required=False, help_text="409 only: the record's version now; re-read it and retry."
        )

    error = DetailSerializer()


def route_by_method(**views: type[APIView]) -> Callable[..., HttpResponseBase]:
    """One URL served by one APIView per HTTP method: `route_by_method(get=ListApi, post=CreateApi)`.

    Requests go to the operation's own view (its own serializers, permissions and schema);
    drf-spectacular sees one combined class whose methods are those views' methods.
    """
    handlers = {method.upper(): view.as_view() for method, view in views.items()}
    if "GET" in handlers:
        handlers.setdefault("HEAD", handlers["GET"])
    combined: type[APIView] = type(
        "".join(view.__name__ for view in views.values()), tuple(views.values()), {}
    )
    fallback = combined.as_view()  # OPTIONS, and 405 with the right Allow header

    def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return handlers.get(request.method or "", fallback)(request, *args, **kwargs)

    view.cls = combined  # type: ignore[attr-defined]
    view.initkwargs = {}  # type: ignore[attr-defined]
    view.csrf_exempt = True  # type: ignore[attr-defined]  # DRF's SessionAuthentication enforces CSRF itself
    return view


class AutoSchema(SpectacularAutoSchema):
    """Component names from the API class: `PersonDetailApi.OutputSerializer` → `PersonDetail`."""

    def get_serializer_name(self, serializer: serializers.Serializer, direction: Any) -> str:
        parts = type(serializer).__qualname__.split(".")
        if len(parts) == 1:
            return super().get_serializer_name(serializer, direction)
        names = [part.removesuffix("Serializer").removesuffix("Api") for part in parts]
        if names[0].endswith("List") and names[1] == "Output":
            names[1] = "Item"
        return "".join(name for name in names if name not in ("Input", "Output", "Filter")) or parts[0]

    def get_operation_id(self) -> str:
        """Ids from the path without the version (`persons_documents_destroy`), as the named ones read."""
        return super().get_operation_id().removeprefix("v1_")
