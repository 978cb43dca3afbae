from django.urls import path

from amparo.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.event_list, name="event_list"),
    path("sessions/", views.session_list, name="session_list"),
    path("sessions/<int:session_id>/end/", views.session_end, name="session_end"),
]
