"""The API's URLs: /api/v1/… endpoints, the OpenAPI schema and its documentation page."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView


class SwaggerDocsView(SpectacularSwaggerView):
    """Swagger UI from our own /static/ (drf-spectacular-sidecar) under the site-wide strict CSP.

    The template moves drf-spectacular's inline <style> into a static file and gives its one
    inline <script> the request's CSP nonce, so no per-view relaxation of the policy is needed.
    (drf-spectacular's ReDoc page is not offered: it loads Google Fonts and injects inline styles.)
    """

    template_name = "api/swagger_ui.html"


urlpatterns = [
    path("v1/", include("amparo.accounts.api_urls")),
    path("v1/", include("amparo.registry.api_urls")),
    path("v1/", include("amparo.cases.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SwaggerDocsView.as_view(url_name="api-schema"), name="api-docs"),
]
