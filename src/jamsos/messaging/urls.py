from django.urls import path

from jamsos.messaging import views

app_name = "messaging"

urlpatterns = [
    path("", views.message_list, name="message_list"),
    path("<int:pk>/kirim-ulang/", views.message_retry, name="message_retry"),
    path("<int:pk>/batal/", views.message_cancel, name="message_cancel"),
    path("persetujuan/", views.consent_list, name="consent_list"),
]
