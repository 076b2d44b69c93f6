from django.urls import path

from jamsos.claims import views

app_name = "claims"

urlpatterns = [
    path("", views.claim_list, name="claim_list"),
    path("lapor/", views.claim_report, name="claim_report"),
    path("lapor/cek-peserta/", views.membership_lookup, name="membership_lookup"),
    path("dasbor/", views.dashboard, name="dashboard"),
    path("aturan/", views.rules, name="rules"),
    path("aturan/<slug:kind>/<int:pk>/konfirmasi/", views.rule_confirm, name="rule_confirm"),
    path("dokumen/<int:pk>/", views.document_download, name="document_download"),
    path("<int:pk>/", views.claim_detail, name="claim_detail"),
    path("<int:pk>/ahli-waris/", views.heir_add, name="heir_add"),
    path("<int:pk>/dokumen/", views.document_upload, name="document_upload"),
    path("<int:pk>/surat.pdf", views.claim_letter, name="claim_letter"),
    path("<int:pk>/<slug:action>/", views.claim_action, name="claim_action"),
]
