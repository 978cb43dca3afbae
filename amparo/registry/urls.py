from django.urls import path

from amparo.registry.views import households, persons, picker

app_name = "registry"

urlpatterns = [
    path("persons/", persons.person_list, name="person_list"),
    path("persons/new/", persons.person_create, name="person_create"),
    path("persons/pick/", picker.person_picker, name="person_picker"),
    path("persons/<int:pk>/", persons.person_detail, name="person_detail"),
    path("persons/<int:pk>/edit/", persons.person_edit, name="person_edit"),
    path("persons/<int:pk>/archive/", persons.person_archive, name="person_archive"),
    path("persons/<int:pk>/photo/", persons.person_photo, name="person_photo"),
    path("persons/<int:pk>/documents/add/", persons.person_document_add, name="person_document_add"),
    path("persons/<int:pk>/contacts/add/", persons.person_contact_add, name="person_contact_add"),
    path("persons/<int:pk>/addresses/add/", persons.person_address_add, name="person_address_add"),
    path(
        "persons/<int:pk>/<str:kind>/<int:item_id>/remove/",
        persons.person_detail_remove,
        name="person_detail_remove",
    ),
    path("areas/", persons.area_fields, name="area_fields"),
    path("households/", households.household_list, name="household_list"),
    path("households/new/", households.household_create, name="household_create"),
    path("households/<int:pk>/", households.household_detail, name="household_detail"),
    path("households/<int:pk>/edit/", households.household_edit, name="household_edit"),
    path("households/<int:pk>/archive/", households.household_archive, name="household_archive"),
    path("households/<int:pk>/members/add/", households.household_member_add, name="household_member_add"),
    path(
        "households/<int:pk>/members/<int:membership_id>/leave/",
        households.household_member_leave,
        name="household_member_leave",
    ),
]
