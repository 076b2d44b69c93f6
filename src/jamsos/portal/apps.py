from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "jamsos.portal"
    verbose_name = "Portal publik"

    def ready(self) -> None:
        from jamsos.audit.actions import register_actions

        register_actions(
            {
                "portal.lead.created": _("Calon peserta mendaftar lewat portal"),
                "portal.lead.followed_up": _("Calon peserta ditindaklanjuti"),
                "portal.lead.proposed": _("Calon peserta ditandai sudah diusulkan"),
                "portal.lead.unreachable": _("Calon peserta ditandai tidak dapat dihubungi"),
                "portal.lead.purged": _("Calon peserta lama dihapus (masa simpan habis)"),
                "portal.lead.viewed": _("Nama dan nomor HP calon peserta ditampilkan"),
                "portal.lookup.global_limit_tripped": _(
                    "Batas global cek kepesertaan tercapai (kemungkinan penjelajahan NIK)"
                ),
            }
        )
