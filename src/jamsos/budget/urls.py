from django.urls import path

from jamsos.budget import views

app_name = "budget"

urlpatterns = [
    path("", views.year_list, name="year_list"),
    path("estimasi/", views.estimate, name="estimate"),
    path("tarif/", views.rate_list, name="rate_list"),
    path("tarif/<slug:kind>/<int:pk>/konfirmasi/", views.rate_confirm, name="rate_confirm"),
    path("sumber-dana/", views.source_list, name="source_list"),
    path("<int:pk>/", views.year_detail, name="year_detail"),
    path("<int:pk>/pagu/baru/", views.allocation_create, name="allocation_create"),
    path("<int:pk>/tahap/", views.phase_list, name="phase_list"),
    path("<int:pk>/kuota/", views.quota_list, name="quota_list"),
    path("pagu/<int:pk>/", views.allocation_detail, name="allocation_detail"),
    path("pagu/<int:pk>/tetapkan/", views.allocation_approve, name="allocation_approve"),
    path("pagu/<int:pk>/reservasi/", views.reservation_create, name="reservation_create"),
    path("reservasi/<int:pk>/lepas/", views.reservation_release, name="reservation_release"),
]
