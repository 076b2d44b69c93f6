from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "jamsos.intake"
    verbose_name = "Usulan"

    def ready(self) -> None:
        from jamsos.audit.actions import register_actions
        from jamsos.intake import tasks  # noqa: F401 - connects the task_finished receiver

        register_actions(
            {
                "intake.batch.staged": _("Berkas usulan diunggah"),
                "intake.batch.validated": _("Usulan selesai divalidasi"),
                "intake.batch.failed": _("Usulan gagal dibaca"),
                "intake.batch.validation_retried": _("Validasi usulan diulang"),
                "intake.batch.validation_cancelled": _("Validasi usulan dibatalkan"),
                "intake.batch.submitted": _("Usulan diajukan ke kepala dinas"),
                "intake.batch.approved": _("Usulan disetujui"),
                "intake.batch.rejected": _("Usulan ditolak"),
                "intake.batch.applied": _("Usulan masuk registri"),
                "intake.batch.apply_failed": _("Usulan gagal diterapkan ke registri"),
                "intake.batch.apply_retried": _("Penerapan usulan diulang"),
                "intake.person.proposed": _("Satu orang diusulkan lewat formulir"),
                "intake.row.fixed": _("Baris usulan diperbaiki"),
                "intake.row.decided": _("Keputusan atas baris usulan"),
                "intake.export.requested": _("Berkas ekspor diminta (dibuat di latar)"),
            }
        )
        from jamsos.intake.exports import REJECTION_REPORT_KIND
        from jamsos.lib.generated import export_kind_register

        export_kind_register(REJECTION_REPORT_KIND)
