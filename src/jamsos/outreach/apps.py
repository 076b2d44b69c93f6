from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "jamsos.outreach"
    verbose_name = "Sosialisasi dan tindak lanjut"

    def ready(self) -> None:
        from jamsos.audit.actions import register_actions

        register_actions(
            {
                "outreach.event.created": _("Kegiatan sosialisasi dicatat"),
                "outreach.event.updated": _("Kegiatan sosialisasi diubah"),
                "outreach.material.uploaded": _("Materi kegiatan diunggah"),
                "outreach.material.downloaded": _("Berkas kegiatan berdata pribadi diunduh"),
                "outreach.followup.opened": _("Tindak lanjut klaim JKM dibuka"),
                "outreach.followup.closed": _("Tindak lanjut klaim JKM ditutup"),
                "outreach.death.reported": _("Kematian peserta dilaporkan"),
                "outreach.death.confirmed": _("Laporan kematian dikonfirmasi pemeriksa kedua"),
                "outreach.deaths.imported": _("Daftar kematian Dukcapil diimpor"),
            }
        )
