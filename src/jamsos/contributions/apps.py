from django.apps import AppConfig


class ContributionsConfig(AppConfig):
    name = "jamsos.contributions"
    verbose_name = "Iuran"
