from django.urls import path

from jamsos.accounts import views

app_name = "accounts"

urlpatterns = [
    path("pengguna/", views.user_list_view, name="user_list"),
    path("pengguna/baru/", views.user_create_view, name="user_create"),
    path("pengguna/<int:pk>/", views.user_edit_view, name="user_edit"),
    path("pengguna/<int:pk>/sandi/", views.user_password_view, name="user_password"),
    path("pengguna/<int:pk>/nonaktifkan/", views.user_deactivate_view, name="user_deactivate"),
    path("pengguna/<int:pk>/aktifkan/", views.user_activate_view, name="user_activate"),
    path("instansi/", views.agency_list_view, name="agency_list"),
    path("instansi/baru/", views.agency_create_view, name="agency_create"),
    path("peran/", views.role_grant_list_view, name="role_grant_list"),
    path("peran/<int:pk>/putuskan/", views.role_grant_decide_view, name="role_grant_decide"),
    path(
        "profil/sandi-baru/", views.password_change_required_view, name="password_change_required"
    ),
    path("profil/", views.profile_view, name="profile"),
    path("profil/sandi/", views.profile_password_view, name="profile_password"),
    path("profil/token/", views.token_create_view, name="token_create"),
    path("profil/token/<int:pk>/cabut/", views.token_revoke_view, name="token_revoke"),
]
