from django.urls import path

from jamsos.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("masuk/", views.LoginView.as_view(), name="login"),
    path("keluar/", views.LogoutView.as_view(), name="logout"),
    path("healthz", views.healthz, name="healthz"),
]
