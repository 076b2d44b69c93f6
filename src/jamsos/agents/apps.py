from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgentsConfig(AppConfig):
    name = "jamsos.agents"
    verbose_name = "Agen Perisai"

    def ready(self) -> None:
        from jamsos.audit.actions import register_actions

        register_actions(
            {
                "agents.institution.created": _("Lembaga agen dicatat"),
                "agents.institution.updated": _("Lembaga agen diubah"),
                "agents.agent.created": _("Agen Perisai dicatat"),
                "agents.agent.updated": _("Data agen Perisai diubah"),
                "agents.agent.status_requested": _("Perubahan status agen diajukan"),
                "agents.agent.status_approved": _("Perubahan status agen disetujui"),
                "agents.agent.status_rejected": _("Perubahan status agen ditolak"),
                "agents.assignment.added": _("Penugasan nagari agen ditambahkan"),
                "agents.assignment.ended": _("Penugasan nagari agen diakhiri"),
                "agents.training.added": _("Pelatihan agen dicatat"),
                "agents.inactivity.warned": _("Agen diperingatkan karena tidak aktif"),
                "agents.inactivity.proposed": _("Agen diusulkan berhenti karena tidak aktif"),
                "agents.statement.drafted": _("Rekap fee agen disusun"),
                "agents.statement.approved": _("Rekap fee agen disetujui"),
                "agents.offline.received": _("Usulan dari aplikasi agen (luring) diterima"),
            }
        )
