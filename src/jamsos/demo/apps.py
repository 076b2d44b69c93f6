from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class DemoConfig(AppConfig):
    name = "jamsos.demo"
    verbose_name = "Data demo"

    def ready(self) -> None:
        # The base steps (agencies, users, persons), then every app's ``demo`` module,
        # which registers its own step (see ``jamsos.demo.registry``).
        from jamsos.demo import services  # noqa: F401

        autodiscover_modules("demo")
