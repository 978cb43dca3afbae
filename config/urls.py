from django.urls import include, path
from django.views.i18n import set_language

from amparo.accounts.views import healthz
from amparo.registry.views import home

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/", include("amparo.accounts.urls")),
    path("registry/", include("amparo.registry.urls")),
    path("cases/", include("amparo.cases.urls")),
    path("audit/", include("amparo.audit.urls")),
    path("forms/", include("amparo.forms.urls")),
    path("runac/", include("amparo.exchange.urls")),
    path("matching/", include("amparo.matching.urls")),
    path("tracing/", include("amparo.tracing.urls")),
    path("api/", include("config.api")),
]
