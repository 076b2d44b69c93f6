"""Reading the claim regulation tables: the rows valid in a month, one parameter's value.

Every figure the claim rules use (amounts, the 2 × 24 hours, the five years, the three
months, the two children…) comes through here from ``BenefitRule`` and ``ClaimParameter``
rows, never from a literal in code (DESIGN.md "Regulation is data").
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from jamsos.budget.models import IncomeBracket
from jamsos.claims.models import BenefitRule, ClaimParameter
from jamsos.lib.errors import DomainError
from jamsos.lib.periods import Month


class RuleMissing(DomainError):
    """The tables hold no row for this month: an admin must add it (CLI exit status 1)."""

    code = "rule_missing"


def valid_in(month: Month) -> Q:
    day = month.first_day()
    return Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))


def benefit_rules(benefit: str, month: Month) -> list[BenefitRule]:
    """The lines of one benefit valid in ``month``, in display order."""
    return list(BenefitRule.objects.filter(valid_in(month), benefit=benefit))


def parameter_row(key: str, month: Month) -> ClaimParameter:
    row = ClaimParameter.objects.filter(valid_in(month), key=key).first()
    if row is None:
        label = ClaimParameter.Key(key).label
        raise RuleMissing(
            gettext(
                "Tidak ada parameter klaim “%(label)s” yang berlaku pada %(month)s. "
                "Tambahkan di tabel parameter klaim."
            )
            % {"label": label, "month": month},
            key=key,
            month=str(month),
        )
    return row


def parameter(key: str, month: Month) -> int:
    return int(parameter_row(key, month).value)


def parameter_rows(month: Month) -> dict[str, ClaimParameter]:
    """Every parameter valid in ``month`` in one query (eligibility needs several)."""
    return {row.key: row for row in ClaimParameter.objects.filter(valid_in(month))}


def lowest_income(month: Month) -> IncomeBracket:
    """The lowest BPU declared income valid in ``month`` (budget's Lampiran II table)."""
    bracket = IncomeBracket.objects.filter(valid_in(month)).order_by("declared_income").first()
    if bracket is None:
        raise RuleMissing(
            gettext("Tidak ada tabel nilai penghasilan BPU yang berlaku pada %(month)s.")
            % {"month": month},
            month=str(month),
        )
    return bracket


def rule_tables() -> dict[str, QuerySet]:
    """All rows, for the rules page."""
    return {
        "rules": BenefitRule.objects.all(),
        "parameters": ClaimParameter.objects.all(),
    }


def as_month(on: dt.date | Month | None) -> Month:
    if on is None:
        return Month.current()
    if isinstance(on, Month):
        return on
    return Month.from_date(on)
