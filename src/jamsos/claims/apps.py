from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "jamsos.claims"
    verbose_name = "Klaim"
