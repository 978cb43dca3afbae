from django.urls import path

from amparo.cases import api
from amparo.common.api import route_by_method

urlpatterns = [
    path("cases/", route_by_method(get=api.CaseListApi, post=api.CaseCreateApi), name="api-cases"),
    path(
        "cases/<int:case_id>/",
        route_by_method(get=api.CaseDetailApi, patch=api.CaseUpdateApi),
        name="api-case",
    ),
    path("cases/<int:case_id>/reclassify/", api.CaseReclassifyApi.as_view(), name="api-case-reclassify"),
    path("cases/<int:case_id>/close/", api.CaseCloseApi.as_view(), name="api-case-close"),
    path("cases/<int:case_id>/reopen/", api.CaseReopenApi.as_view(), name="api-case-reopen"),
    path(
        "cases/<int:case_id>/interventions/",
        api.InterventionCreateApi.as_view(),
        name="api-case-interventions",
    ),
]
