from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "jamsos.registry"

    def ready(self) -> None:
        from jamsos.audit.actions import register_actions

        register_actions(
            {
                "registry.person.deceased": _("Peserta dicatat meninggal"),
                "registry.heir.added": _("Ahli waris dicatat"),
                "registry.heir.removed": _("Ahli waris dihapus"),
            }
        )
