from django.urls import path

from amparo.forms import views

app_name = "forms"

urlpatterns = [
    path("", views.form_list, name="form_list"),
    path("new/", views.form_create, name="form_create"),
    path("import/", views.form_import, name="form_import"),
    path("<int:form_id>/", views.form_detail, name="form_detail"),
    path("<int:form_id>/settings/", views.form_settings, name="form_settings"),
    path("<int:form_id>/sections/add/", views.section_edit, name="section_add"),
    path("<int:form_id>/sections/<str:name>/edit/", views.section_edit, name="section_edit"),
    path("<int:form_id>/sections/<str:name>/<str:action>/", views.section_action, name="section_action"),
    path("<int:form_id>/fields/add/", views.field_edit, name="field_add"),
    path("<int:form_id>/fields/<str:name>/edit/", views.field_edit, name="field_edit"),
    path("<int:form_id>/fields/<str:name>/<str:action>/", views.field_action, name="field_action"),
    path("<int:form_id>/options/add/", views.option_list_edit, name="option_list_add"),
    path("<int:form_id>/options/<str:name>/edit/", views.option_list_edit, name="option_list_edit"),
    path("<int:form_id>/options/<str:name>/delete/", views.option_list_delete, name="option_list_delete"),
    path("<int:form_id>/preview/", views.form_preview, name="form_preview"),
    path("<int:form_id>/publish/", views.form_publish, name="form_publish"),
    path("<int:form_id>/versions/", views.version_list, name="version_list"),
    path("<int:form_id>/versions/<int:number>/", views.version_fill, name="version_fill"),
    path("<int:form_id>/export/", views.form_export, name="form_export"),
]
