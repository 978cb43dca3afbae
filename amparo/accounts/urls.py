from django.urls import path

from amparo.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:user_id>/", views.user_detail, name="user_detail"),
    path("users/<int:user_id>/edit/", views.user_edit, name="user_edit"),
    path("users/<int:user_id>/password/", views.user_password, name="user_password"),
    path("users/<int:user_id>/grants/", views.grant_add, name="grant_add"),
    path("users/<int:user_id>/grants/form/", views.grant_form, name="grant_form"),
    path("users/<int:user_id>/grants/<int:assignment_id>/revoke/", views.grant_revoke, name="grant_revoke"),
    path("roles/", views.role_list, name="role_list"),
    path("roles/new/", views.role_create, name="role_create"),
    path("roles/<int:role_id>/", views.role_edit, name="role_edit"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/<int:parent_id>/new/", views.unit_create, name="unit_create"),
    path("units/<int:unit_id>/", views.unit_edit, name="unit_edit"),
]
