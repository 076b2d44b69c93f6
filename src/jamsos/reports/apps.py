from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "jamsos.reports"
    verbose_name = "Laporan"

    def ready(self) -> None:
        from jamsos.audit.actions import register_actions
        from jamsos.reports import signal_handlers

        register_actions(
            {
                "reports.target.saved": _("Sasaran (penyebut cakupan) disimpan"),
                "reports.target.imported": _("Berkas sasaran diimpor"),
                "reports.publication.published": _("Laporan diterbitkan"),
            }
        )
        signal_handlers.connect()
