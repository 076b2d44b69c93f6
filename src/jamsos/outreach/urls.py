from django.urls import path

from jamsos.outreach import views

app_name = "outreach"

urlpatterns = [
    path("", views.event_list, name="event_list"),
    path("baru/", views.event_create, name="event_create"),
    path("<int:pk>/", views.event_detail, name="event_detail"),
    path("<int:pk>/ubah/", views.event_edit, name="event_edit"),
    path("<int:pk>/qr/", views.event_qr, name="event_qr"),
    path("<int:pk>/berkas/", views.material_upload, name="material_upload"),
    path("berkas/<int:pk>/", views.material_download, name="material_download"),
    path("tindak-lanjut/", views.followup_list, name="followup_list"),
    path("tindak-lanjut/<int:pk>/tutup/", views.followup_close, name="followup_close"),
    path("tindak-lanjut/<int:pk>/konfirmasi/", views.death_confirm, name="death_confirm"),
    path("tindak-lanjut/lapor-kematian/", views.death_report, name="death_report"),
    path("tindak-lanjut/impor-kematian/", views.death_import, name="death_import"),
]
