from django.urls import path

from amparo.accounts.api import TokenObtainApi, TokenRevokeApi

urlpatterns = [
    path("auth/token/", TokenObtainApi.as_view(), name="api-token-obtain"),
    path("auth/token/revoke/", TokenRevokeApi.as_view(), name="api-token-revoke"),
]
