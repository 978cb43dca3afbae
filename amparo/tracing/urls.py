from django.urls import path

from amparo.tracing import views

app_name = "tracing"

urlpatterns = [
    path("", views.request_list, name="request_list"),
    path("new/", views.request_create, name="request_create"),
    path("<int:pk>/", views.request_detail, name="request_detail"),
    path("<int:pk>/edit/", views.request_edit, name="request_edit"),
    path("<int:pk>/close/", views.request_close, name="request_close"),
    path("matches/<int:pk>/", views.match_detail, name="match_detail"),
    path("notifications/", views.notification_list, name="notification_list"),
]
