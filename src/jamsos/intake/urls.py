from django.urls import path

from jamsos.intake import views

app_name = "intake"

urlpatterns = [
    path("", views.batch_list, name="batch_list"),
    path("unggah/", views.batch_upload, name="batch_upload"),
    path("templat.xlsx", views.template_download, name="template_download"),
    path("orang/", views.person_propose, name="person_propose"),
    path("orang/periksa/", views.person_check, name="person_check"),
    path("<int:pk>/", views.batch_detail, name="batch_detail"),
    path("<int:pk>/progres/", views.batch_progress, name="batch_progress"),
    path("<int:pk>/ulangi-validasi/", views.batch_validation_retry, name="batch_validation_retry"),
    path(
        "<int:pk>/batalkan-validasi/", views.batch_validation_cancel, name="batch_validation_cancel"
    ),
    path("<int:pk>/ajukan/", views.batch_submit, name="batch_submit"),
    path("<int:pk>/setujui/", views.batch_approve, name="batch_approve"),
    path("<int:pk>/terapkan-ulang/", views.batch_apply_retry, name="batch_apply_retry"),
    path("<int:pk>/tolak/", views.batch_reject, name="batch_reject"),
    path("<int:pk>/laporan-penolakan.xlsx", views.rejection_report, name="rejection_report"),
    path(
        "<int:pk>/laporan-penolakan/siapkan/",
        views.rejection_report_prepare,
        name="rejection_report_prepare",
    ),
    path("baris/<int:pk>/", views.row_detail, name="row_detail"),
    path("baris/<int:pk>/perbaiki/", views.row_fix, name="row_fix"),
    path("baris/<int:pk>/putuskan/", views.row_decide, name="row_decide"),
]
