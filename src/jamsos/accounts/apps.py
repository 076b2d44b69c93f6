from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "jamsos.accounts"
    verbose_name = "Akun"

    def ready(self) -> None:
        from jamsos.accounts import signal_handlers  # noqa: F401
