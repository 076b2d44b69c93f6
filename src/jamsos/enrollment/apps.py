from django.apps import AppConfig


class EnrollmentConfig(AppConfig):
    name = "jamsos.enrollment"
    verbose_name = "Kepesertaan"
