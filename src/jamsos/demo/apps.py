from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "jamsos.demo"
    verbose_name = "Data demo"
