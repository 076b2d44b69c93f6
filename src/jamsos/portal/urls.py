from django.urls import path

from jamsos.portal import views

app_name = "portal"

urlpatterns = [
    # Public, no login.
    path("program/", views.home, name="home"),
    path("program/manfaat/", views.benefits, name="benefits"),
    path("program/hitung-manfaat/", views.calculator, name="calculator"),
    path("program/cara-daftar/", views.join, name="join"),
    path("program/klaim-ahli-waris/", views.heirs, name="heirs"),
    path("privasi/", views.privacy, name="privacy"),
    path("cek-kepesertaan/", views.lookup, name="lookup"),
    path("daftarkan-diri/", views.lead_new, name="lead_new"),
    path("daftarkan-diri/terima-kasih/", views.lead_thanks, name="lead_thanks"),
    path("transparansi/", views.transparency, name="transparency"),
    path("transparansi/cakupan/", views.coverage, name="coverage"),
    path("transparansi/data-terbuka/", views.open_data, name="open_data"),
    path("transparansi/data-terbuka/<slug:name>.csv", views.open_data_csv, name="open_data_csv"),
    # Staff: the queue of leads.
    path("calon-peserta/", views.lead_list, name="lead_list"),
    path("calon-peserta/<int:pk>/", views.lead_detail, name="lead_detail"),
]
