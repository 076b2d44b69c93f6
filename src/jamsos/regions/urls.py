from django.urls import path

from jamsos.regions import views

app_name = "regions"

urlpatterns = [
    path("cek-nik/", views.nik_check, name="nik_check"),
]
