from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "jamsos.intake"
    verbose_name = "Usulan"
