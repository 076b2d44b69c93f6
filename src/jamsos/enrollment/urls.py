from django.urls import path

from jamsos.enrollment import views

app_name = "enrollment"

urlpatterns = [
    path("", views.decree_list, name="decree_list"),
    path("sk/baru/", views.decree_create, name="decree_create"),
    path("sk/<int:pk>/", views.decree_detail, name="decree_detail"),
    path("sk/<int:pk>/ubah/", views.decree_edit, name="decree_edit"),
    path("sk/<int:pk>/setujui/", views.decree_approve, name="decree_approve"),
    path("sk/<int:pk>/tetapkan/", views.decree_issue, name="decree_issue"),
    path("sk/<int:pk>/batalkan/", views.decree_cancel, name="decree_cancel"),
    path("sk/<int:pk>/perubahan/", views.decree_amend, name="decree_amend"),
    path("sk/<int:pk>/unduh/<str:kind>/", views.decree_download, name="decree_download"),
    path("sk/<int:pk>/berkas/", views.decree_documents, name="decree_documents"),
    path("berkas/<int:pk>/", views.document_download, name="document_download"),
    path("sk/<int:pk>/bpjs/ekspor.<str:fmt>", views.bpjs_export, name="bpjs_export"),
    path(
        "sk/<int:pk>/bpjs/siapkan.<str:fmt>",
        views.bpjs_export_prepare,
        name="bpjs_export_prepare",
    ),
    path("sk/<int:pk>/bpjs/impor/", views.bpjs_import, name="bpjs_import"),
    path("sk/<int:pk>/bpjs/catat/", views.bpjs_record, name="bpjs_record"),
    path("peserta/", views.membership_list, name="membership_list"),
    path("nagari-minimum/", views.nagari_minimum, name="nagari_minimum"),
    path("peserta/<int:pk>/", views.membership_detail, name="membership_detail"),
    path("peserta/<int:pk>/kartu.pdf", views.membership_card, name="membership_card"),
    path("peserta/<int:pk>/upah/", views.membership_wage, name="membership_wage"),
    path("ditolak-bpjs/", views.rejection_list, name="rejection_list"),
    path("perpanjangan/", views.renewal_list, name="renewal_list"),
    path("perpanjangan/<int:pk>/", views.renewal_detail, name="renewal_detail"),
    path("format-sk/", views.decree_setting, name="decree_setting"),
    path("dasar-hukum/", views.legal_basis_list, name="legal_basis_list"),
    path("dasar-hukum/<int:pk>/", views.legal_basis_edit, name="legal_basis_edit"),
]
