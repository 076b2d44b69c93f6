from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContributionsConfig(AppConfig):
    name = "jamsos.contributions"
    verbose_name = "Iuran"

    def ready(self) -> None:
        from jamsos.audit.actions import register_actions

        register_actions(
            {
                "contributions.billing.ran": _("Tagihan iuran bulanan dihitung"),
                "contributions.bill.created": _("Tagihan iuran dibuat"),
                "contributions.bill.extended": _("Peserta ditambahkan ke tagihan draf"),
                "contributions.bill.issued": _("Tagihan iuran diterbitkan"),
                "contributions.bill.reconciled": _("Tagihan iuran direkonsiliasi"),
                "contributions.bill.adjusted": _(
                    "Bulan yang tidak terutang dikreditkan (peserta meninggal)"
                ),
                "contributions.payment.recorded": _("Pembayaran iuran (SP2D) dicatat"),
                "contributions.credit.applied": _("Kredit kelebihan bayar dipakai untuk tagihan"),
                "contributions.statement.imported": _("Rekening iuran BPJS diimpor"),
                "contributions.discrepancy.resolved": _("Selisih rekonsiliasi diselesaikan"),
                "contributions.membership.lapsed": _("Kepesertaan nonaktif karena menunggak"),
                "contributions.membership.reactivated": _("Kepesertaan diaktifkan kembali"),
            }
        )
