from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrollmentConfig(AppConfig):
    name = "jamsos.enrollment"
    verbose_name = "Kepesertaan"

    def ready(self) -> None:
        from jamsos.audit.actions import register_actions
        from jamsos.enrollment import signal_handlers, tasks  # noqa: F401 - task_finished
        from jamsos.enrollment.exports import BPJS_EXPORT_KIND
        from jamsos.enrollment.services.documents import decree_documents_sweep
        from jamsos.lib.generated import export_kind_register, file_sweeper_register

        signal_handlers.connect()
        file_sweeper_register(decree_documents_sweep)
        export_kind_register(BPJS_EXPORT_KIND)
        register_actions(
            {
                "enrollment.decree.drafted": _("Rancangan SK penetapan disusun"),
                "enrollment.decree.texts_updated": _("Isi rancangan SK diubah"),
                "enrollment.decree.approved": _("SK disetujui kepala dinas"),
                "enrollment.decree.issued": _("SK ditetapkan (nomor dan tanggal)"),
                "enrollment.decree.cancelled": _("Rancangan SK dibatalkan"),
                "enrollment.decree.amendment_drafted": _("Rancangan SK perubahan disusun"),
                "enrollment.decree.downloaded": _("Berkas SK diunduh"),
                "enrollment.decree_setting.saved": _("Format SK disimpan"),
                "enrollment.legal_basis.saved": _("Dasar hukum (mengingat) disimpan"),
                "enrollment.decree_line.accepted": _("Diterima BPJS"),
                "enrollment.decree_line.rejected": _("Ditolak BPJS"),
                "enrollment.bpjs.exported": _("Berkas pendaftaran kolektif BPJS diunduh"),
                "enrollment.bpjs.results_recorded": _("Hasil verifikasi BPJS dicatat"),
                "enrollment.bpjs.file_imported": _("Berkas hasil BPJS diimpor"),
                "enrollment.budget.returned": _("Dana peserta ditolak/dicoret kembali ke pagu"),
                "enrollment.membership.ended": _("Kepesertaan diakhiri"),
                "enrollment.membership.ended_by_death": _("Kepesertaan berakhir: meninggal"),
                "enrollment.membership.wage_set": _("Upah dan kelompok risiko PU dicatat"),
                "enrollment.membership.status_changed": _("Status kepesertaan diperbarui"),
                "enrollment.membership.card_printed": _("Kartu peserta dicetak"),
                "enrollment.renewal.proposed": _("Usulan perpanjangan kepesertaan dibuat"),
                "enrollment.renewal.reserved": _("Usulan perpanjangan direservasi"),
            }
        )
