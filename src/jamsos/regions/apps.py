from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "jamsos.regions"
    verbose_name = "Wilayah"
