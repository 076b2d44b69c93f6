from django.urls import path

from jamsos.audit import views

app_name = "audit"

urlpatterns = [
    path("audit/", views.event_list, name="event_list"),
    path("audit/akses-data/", views.access_log, name="access_log"),
]
