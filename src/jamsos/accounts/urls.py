from django.urls import path

from jamsos.accounts import views

app_name = "accounts"

urlpatterns = [
    path("pengguna/", views.user_list, name="user_list"),
]
