from django.urls import path

from jamsos.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("sasaran/", views.targets, name="targets"),
    path("publikasi/<int:pk>/unduh/", views.publication_download, name="publication_download"),
    path("wilayah/<str:code>/", views.area, name="area"),
    path("wilayah/<str:code>/cakupan.csv", views.coverage_csv, name="coverage_csv"),
    path("wilayah/<str:code>/grafik/<slug:key>.csv", views.chart_csv, name="chart_csv"),
    path("wilayah/<str:code>/terbitkan/", views.publish, name="publish"),
]
