from django.urls import path

from jamsos.collaboration import views

app_name = "collaboration"

urlpatterns = [
    path("", views.index, name="index"),
    path("baru/", views.forum_create, name="forum_create"),
    path("<int:pk>/", views.forum_detail, name="forum_detail"),
    path("<int:pk>/kalender.ics", views.forum_calendar, name="forum_calendar"),
    path("rapat/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("rapat/<int:pk>/tambah/<slug:what>/", views.meeting_add, name="meeting_add"),
    path("rapat/<int:pk>/dokumen/<slug:kind>/", views.meeting_document, name="meeting_document"),
    path("tindak-lanjut/", views.action_item_list, name="action_item_list"),
    path("tindak-lanjut/<int:pk>/", views.action_item_detail, name="action_item_detail"),
    path("tindak-lanjut/<int:pk>/bukti/", views.action_item_evidence, name="action_item_evidence"),
    path("permintaan/", views.request_list, name="request_list"),
    path("permintaan/<int:pk>/", views.request_detail, name="request_detail"),
    path("perjanjian/", views.agreement_list, name="agreement_list"),
    path("perjanjian/baru/", views.agreement_create, name="agreement_create"),
    path("perjanjian/<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("kewajiban/<int:pk>/", views.instance_detail, name="instance_detail"),
    path("kewajiban/<int:pk>/bukti/", views.instance_evidence, name="instance_evidence"),
    path("rapor/", views.scorecard, name="scorecard"),
    path("rapor/indikator/<str:code>/", views.scorecard_rows, name="scorecard_rows"),
    path("rapor/arsip/<int:pk>/", views.snapshot_detail, name="snapshot_detail"),
    path("rapor/arsip/<int:pk>/pdf/", views.snapshot_pdf, name="snapshot_pdf"),
]
