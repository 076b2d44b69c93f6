from django.urls import path

from jamsos.worker import views

app_name = "worker"

urlpatterns = [
    path("<int:pk>/", views.generated_file_detail, name="generated_file_detail"),
    path("<int:pk>/status/", views.generated_file_progress, name="generated_file_progress"),
    path("<int:pk>/unduh/", views.generated_file_download, name="generated_file_download"),
    path("<int:pk>/ulang/", views.generated_file_retry, name="generated_file_retry"),
]
