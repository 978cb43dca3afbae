from django.urls import path

from amparo.common.api import route_by_method
from amparo.registry import api

urlpatterns = [
    path("persons/", route_by_method(get=api.PersonListApi, post=api.PersonCreateApi), name="api-persons"),
    path(
        "persons/<str:person_ref>/",
        route_by_method(get=api.PersonDetailApi, patch=api.PersonUpdateApi),
        name="api-person",
    ),
    path("persons/<str:person_ref>/archive/", api.PersonArchiveApi.as_view(), name="api-person-archive"),
    path(
        "persons/<str:person_ref>/documents/", api.PersonDocumentAddApi.as_view(), name="api-person-documents"
    ),
    path("persons/<str:person_ref>/contacts/", api.PersonContactAddApi.as_view(), name="api-person-contacts"),
    path(
        "persons/<str:person_ref>/addresses/", api.PersonAddressAddApi.as_view(), name="api-person-addresses"
    ),
    *(
        path(
            f"persons/<str:person_ref>/{kind}/<int:item_id>/",
            api.PersonDetailRemoveApi.as_view(kind=kind),
            name=f"api-person-{kind}-item",
        )
        for kind in ("documents", "contacts", "addresses")
    ),
    path(
        "households/",
        route_by_method(get=api.HouseholdListApi, post=api.HouseholdCreateApi),
        name="api-households",
    ),
    path(
        "households/<int:household_id>/",
        route_by_method(get=api.HouseholdDetailApi, patch=api.HouseholdUpdateApi),
        name="api-household",
    ),
    path(
        "households/<int:household_id>/members/",
        api.HouseholdMemberAddApi.as_view(),
        name="api-household-members",
    ),
    path(
        "households/<int:household_id>/members/<int:membership_id>/leave/",
        api.HouseholdMemberLeaveApi.as_view(),
        name="api-household-member-leave",
    ),
    path(
        "households/<int:household_id>/archive/",
        api.HouseholdArchiveApi.as_view(),
        name="api-household-archive",
    ),
]
