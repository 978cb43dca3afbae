from django.urls import path

from amparo.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("new/", views.case_create, name="case_create"),
    path("export.csv", views.case_export, name="case_export"),
    path("filters/", views.saved_filter_save, name="saved_filter_save"),
    path("filters/<int:pk>/delete/", views.saved_filter_delete, name="saved_filter_delete"),
    path("persons/<int:person_id>/", views.person_cases, name="person_cases"),
    path("types/", views.case_type_list, name="case_type_list"),
    path("types/new/", views.case_type_edit, name="case_type_create"),
    path("types/<int:pk>/", views.case_type_edit, name="case_type_edit"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/forms/<int:form_id>/", views.case_form_edit, name="case_form_edit"),
    path("<int:pk>/reclassify/", views.case_reclassify, name="case_reclassify"),
    # before "<pk>/<action>/", which would otherwise take "persons" for a status change
    path("<int:pk>/persons/", views.case_person_add, name="case_person_add"),
    path(
        "<int:pk>/persons/<int:involvement_id>/remove/",
        views.case_person_remove,
        name="case_person_remove",
    ),
    path("<int:pk>/<str:action>/", views.case_status, name="case_status"),
    path("<int:pk>/interventions/new/", views.intervention_create, name="intervention_create"),
]
