from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClaimsConfig(AppConfig):
    name = "jamsos.claims"
    verbose_name = "Klaim"

    def ready(self) -> None:
        from jamsos.audit.actions import register_actions

        register_actions(
            {
                "claims.claim.reported": _("Klaim dilaporkan"),
                "claims.claim.documents_completed": _("Berkas klaim dinyatakan lengkap"),
                "claims.claim.submission_prepared": _("Pengajuan klaim disiapkan"),
                "claims.claim.submission_approved": _("Pengajuan klaim disetujui dan diajukan"),
                "claims.claim.submission_returned": _("Pengajuan klaim dikembalikan"),
                "claims.claim.review_started": _("Klaim mulai diperiksa BPJS"),
                "claims.claim.approved": _("Klaim disetujui BPJS"),
                "claims.claim.rejected": _("Klaim ditolak BPJS"),
                "claims.claim.paid": _("Pembayaran klaim dicatat"),
                "claims.claim.withdrawn": _("Klaim dibatalkan"),
                "claims.claim.eligibility_checked": _("Kelayakan klaim diperiksa ulang"),
                "claims.claim.letter_generated": _("Surat pengajuan klaim dibuat"),
                "claims.heir.added": _("Ahli waris klaim ditambahkan"),
                "claims.document.uploaded": _("Dokumen klaim diunggah"),
                "claims.benefit_rule.confirmed": _("Aturan manfaat dikonfirmasi"),
                "claims.parameter.confirmed": _("Parameter klaim dikonfirmasi"),
            }
        )
