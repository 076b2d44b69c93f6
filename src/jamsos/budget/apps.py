from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetConfig(AppConfig):
    name = "jamsos.budget"
    verbose_name = "Anggaran"

    def ready(self) -> None:
        from jamsos.audit.actions import register_actions

        register_actions(
            {
                "budget.fiscal_year.created": _("Tahun anggaran dibuat"),
                "budget.funding_source.created": _("Sumber dana dibuat"),
                "budget.allocation.created": _("Pagu dibuat"),
                "budget.allocation.approved": _("Pagu ditetapkan"),
                "budget.allocation.revised": _("Pagu diubah"),
                "budget.allocation.absorption_recorded": _("Realisasi tagihan/bayar dicatat"),
                "budget.phase.created": _("Tahap dibuat"),
                "budget.nagari_quota.set": _("Kuota nagari ditetapkan"),
                "budget.reservation.created": _("Anggaran direservasi dari pagu"),
                "budget.reservation.released": _("Reservasi anggaran dilepas"),
                "budget.reservation.reduced": _("Reservasi anggaran dikurangi"),
                "budget.income_bracket.created": _("Nilai penghasilan BPU ditambahkan"),
                "budget.income_bracket.confirmed": _("Nilai penghasilan BPU dikonfirmasi"),
                "budget.contribution_rate.created": _("Tarif iuran ditambahkan"),
                "budget.contribution_rate.confirmed": _("Tarif iuran dikonfirmasi"),
                "budget.discount.confirmed": _("Keringanan iuran dikonfirmasi"),
            }
        )
