"""The cost of covering persons for months, computed from the regulation tables.

Algorithm of ``cost_estimate``:

1. Load every income bracket, rate and discount valid at some month of the period
   (three queries, whatever the length).
2. For each month: pick the declared income (BPU: the lowest bracket, or the given value,
   which must be a row of the table) or the wage (PU); compute JKK and JKM per person,
   each rounded half-up to the rupiah (the regulation states monthly amounts per
   programme); apply a discount valid that month unless the payer is excluded, again
   per component.
3. Merge consecutive months with the same amounts into lines; total = Σ line amount ×
   months × persons, exact in integers.

The legal basis of every row used is returned, and unconfirmed rows are listed apart so
that a page or a decree can say which figures still need checking.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext

from jamsos.budget.models import (
    ContributionDiscount,
    ContributionRate,
    IncomeBracket,
    PayerType,
    Programme,
    RegulationRow,
    RiskGroup,
    Segment,
)
from jamsos.lib.errors import DomainError
from jamsos.lib.formats import rupiah
from jamsos.lib.money import percent_of
from jamsos.lib.periods import Month, last_month, month_range

MAX_PERSONS = 10_000_000
MAX_MONTHS = 120
_HUNDRED = Decimal(100)


class EstimateError(DomainError):
    code = "estimate_invalid"


class RateMissing(DomainError):
    code = "rate_missing"


@dataclass(frozen=True)
class CostLine:
    """Months with the same monthly amounts per person."""

    first_month: Month
    last_month: Month
    jkk: int
    jkm: int
    jkk_gross: int
    jkm_gross: int
    discount_percent: Decimal | None = None

    @property
    def months(self) -> int:
        return self.last_month - self.first_month + 1  # type: ignore[operator]

    @property
    def per_person_month(self) -> int:
        return self.jkk + self.jkm

    def as_dict(self) -> dict[str, Any]:
        return {
            "first_month": str(self.first_month),
            "last_month": str(self.last_month),
            "months": self.months,
            "per_person_month": self.per_person_month,
            "jkk": self.jkk,
            "jkm": self.jkm,
            "jkk_before_discount": self.jkk_gross,
            "jkm_before_discount": self.jkm_gross,
            "discount_percent": str(self.discount_percent) if self.discount_percent else None,
        }


@dataclass(frozen=True)
class CostEstimate:
    persons: int
    months: int
    segment: str
    payer: str
    start: Month
    lines: tuple[CostLine, ...]
    legal_basis: tuple[str, ...]
    unconfirmed: tuple[str, ...] = ()
    declared_income: int | None = None
    wage: int | None = None
    risk_group: str = ""
    sector: str | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def end(self) -> Month:
        return self.lines[-1].last_month

    @property
    def per_person_total(self) -> int:
        """What one person costs over the whole period."""
        return sum(line.per_person_month * line.months for line in self.lines)

    @property
    def total(self) -> int:
        return self.per_person_total * self.persons

    @property
    def person_months(self) -> int:
        return self.persons * self.months

    @property
    def is_uniform(self) -> bool:
        return len(self.lines) == 1

    @property
    def per_person_month(self) -> int | None:
        """The monthly amount per person, or None when it changes inside the period."""
        return self.lines[0].per_person_month if self.is_uniform else None

    @property
    def components(self) -> dict[str, int] | None:
        if not self.is_uniform:
            return None
        return {"jkk": self.lines[0].jkk, "jkm": self.lines[0].jkm}

    def as_dict(self) -> dict[str, Any]:
        return {
            "persons": self.persons,
            "months": self.months,
            "per_person_month": self.per_person_month,
            "components": self.components,
            "total": self.total,
            "legal_basis": list(self.legal_basis),
            "segment": str(self.segment),
            "payer": str(self.payer),
            "start": str(self.start),
            "end": str(self.end),
            "declared_income": self.declared_income,
            "wage": self.wage,
            "risk_group": self.risk_group or None,
            "sector": self.sector,
            "person_months": self.person_months,
            "periods": [line.as_dict() for line in self.lines],
            "unconfirmed": list(self.unconfirmed),
            "notes": list(self.notes),
        }


@dataclass
class RateTables:
    """The regulation rows valid somewhere in a period, loaded once."""

    brackets: list[IncomeBracket]
    rates: list[ContributionRate]
    discounts: list[ContributionDiscount]


def _valid_in_q(first: Month, last: Month) -> Q:
    return Q(valid_from__lte=last.first_day()) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=first.first_day())
    )


def rate_tables_load(*, first: Month, last: Month, segment: str) -> RateTables:
    valid = _valid_in_q(first, last)
    return RateTables(
        brackets=list(IncomeBracket.objects.filter(valid).order_by("declared_income"))
        if segment == Segment.BPU
        else [],
        rates=list(ContributionRate.objects.filter(valid, segment=segment)),
        discounts=list(ContributionDiscount.objects.filter(valid, segment=segment)),
    )


def _check_inputs(
    *,
    persons: int,
    months: int,
    segment: str,
    income: int | None,
    wage: int | None,
    risk_group: str | None,
    payer: str,
) -> None:
    if isinstance(persons, bool) or not isinstance(persons, int) or persons < 1:
        raise EstimateError(
            gettext("Jumlah orang harus bilangan bulat ≥ 1 (diberikan: %(persons)s).")
            % {"persons": persons}
        )
    if persons > MAX_PERSONS:
        raise EstimateError(f"Jumlah orang paling banyak {MAX_PERSONS:,}.".replace(",", "."))
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= MAX_MONTHS:
        raise EstimateError(
            gettext("Jumlah bulan harus 1–%(MAX_MONTHS)s (diberikan: %(months)s).")
            % {"MAX_MONTHS": MAX_MONTHS, "months": months}
        )
    if segment not in Segment.values:
        raise EstimateError(
            gettext('Segmen "%(segment)s" tidak dikenal; pilih bpu atau pu.') % {"segment": segment}
        )
    if payer not in PayerType.values:
        raise EstimateError(
            gettext('Pembayar "%(payer)s" tidak dikenal; pilih salah satu: %(values)s.')
            % {"payer": payer, "values": ", ".join(PayerType.values)}
        )
    _check_bases(segment=segment, income=income, wage=wage, risk_group=risk_group)


def _check_bases(
    *, segment: str, income: int | None, wage: int | None, risk_group: str | None
) -> None:
    if segment == Segment.BPU:
        if wage is not None or risk_group:
            raise EstimateError(gettext("Upah dan kelompok risiko hanya untuk segmen PU."))
        if income is not None and income <= 0:
            raise EstimateError(gettext("Nilai penghasilan harus lebih dari 0."))
        return
    if income is not None:
        raise EstimateError(
            gettext("Nilai penghasilan (Lampiran II) hanya untuk segmen BPU; PU memakai upah.")
        )
    if wage is None or wage <= 0:
        raise EstimateError(gettext("Segmen PU memerlukan upah per bulan (Rp)."))
    if risk_group not in RiskGroup.values:
        raise EstimateError(
            gettext('Kelompok risiko "%(value)s" tidak dikenal; pilih salah satu: %(values)s.')
            % {"value": risk_group or "", "values": ", ".join(RiskGroup.values)}
        )


def _rate_for(
    tables: RateTables, *, month: Month, programme: str, risk_group: str
) -> ContributionRate:
    for rate in tables.rates:
        if rate.programme == programme and rate.risk_group == risk_group and rate.applies_in(month):
            return rate
    label = Programme(programme).label
    raise RateMissing(
        f"Tidak ada tarif {label} yang berlaku untuk bulan {month}"
        + (f" (kelompok risiko {risk_group})" if risk_group else "")
        + ". Tambahkan di tabel tarif.",
        month=str(month),
        programme=programme,
    )


def _bracket_for(tables: RateTables, *, month: Month, income: int | None) -> IncomeBracket:
    valid = [b for b in tables.brackets if b.applies_in(month)]
    if not valid:
        raise RateMissing(
            gettext("Tidak ada tabel nilai penghasilan BPU yang berlaku untuk bulan %(month)s.")
            % {"month": month},
            month=str(month),
        )
    if income is None:
        return valid[0]  # ordered by declared income: the lowest bracket
    for bracket in valid:
        if bracket.declared_income == income:
            return bracket
    available = ", ".join(rupiah(b.declared_income) for b in valid)
    raise EstimateError(
        gettext(
            "Nilai penghasilan %(income)s tidak ada di tabel Lampiran II yang "
            "berlaku pada %(month)s. Nilai yang tersedia: %(available)s."
        )
        % {"income": rupiah(income), "month": month, "available": available},
        code="income_not_in_table",
        value=income,
    )


def _discount_for(
    tables: RateTables, *, month: Month, segment: str, payer: str, sector: str | None
) -> ContributionDiscount | None:
    applicable = [
        d
        for d in tables.discounts
        if d.applies_to(month=month, segment=segment, payer=payer, sector=sector)
    ]
    return max(applicable, key=lambda d: d.percent, default=None)


def _component(rate: ContributionRate, base: int) -> int:
    if rate.basis == ContributionRate.Basis.FLAT:
        return int(rate.amount or 0)
    return percent_of(base, rate.percent or Decimal(0))


def cost_estimate(
    *,
    persons: int,
    months: int,
    start: Month,
    segment: str = Segment.BPU,
    income: int | None = None,
    wage: int | None = None,
    risk_group: str | None = None,
    payer: str = PayerType.APBD,
    sector: str | None = None,
    tables: RateTables | None = None,
) -> CostEstimate:
    """What ``persons`` cost for ``months`` months from ``start`` (see module docstring)."""
    _check_inputs(
        persons=persons,
        months=months,
        segment=segment,
        income=income,
        wage=wage,
        risk_group=risk_group,
        payer=payer,
    )
    end = last_month(start, months)
    tables = tables or rate_tables_load(first=start, last=end, segment=segment)
    used: list[RegulationRow] = []
    lines: list[CostLine] = []
    risk = (risk_group or "") if segment == Segment.PU else ""
    bracket_income: int | None = None
    for month in month_range(start, end):
        if segment == Segment.BPU:
            bracket = _bracket_for(tables, month=month, income=income)
            base = bracket.declared_income
            bracket_income = base
            used.append(bracket)
        else:
            base = int(wage or 0)
        jkk_rate = _rate_for(tables, month=month, programme=Programme.JKK, risk_group=risk)
        jkm_rate = _rate_for(tables, month=month, programme=Programme.JKM, risk_group="")
        used += [jkk_rate, jkm_rate]
        jkk = jkk_gross = _component(jkk_rate, base)
        jkm = jkm_gross = _component(jkm_rate, base)
        discount = _discount_for(tables, month=month, segment=segment, payer=payer, sector=sector)
        percent = None
        if discount is not None:
            used.append(discount)
            percent = discount.percent
            # Round what is paid, per component, like the undiscounted amount.
            if Programme.JKK in discount.programmes:
                jkk = percent_of(jkk_gross, _HUNDRED - discount.percent)
            if Programme.JKM in discount.programmes:
                jkm = percent_of(jkm_gross, _HUNDRED - discount.percent)
        line = CostLine(month, month, jkk, jkm, jkk_gross, jkm_gross, percent)
        previous = lines[-1] if lines else None
        if previous and (previous.jkk, previous.jkm, previous.jkk_gross, previous.jkm_gross) == (
            jkk,
            jkm,
            jkk_gross,
            jkm_gross,
        ):
            lines[-1] = CostLine(
                previous.first_month, month, jkk, jkm, jkk_gross, jkm_gross, percent
            )
        else:
            lines.append(line)
    unique_rows = list(dict.fromkeys(used))
    return CostEstimate(
        persons=persons,
        months=months,
        segment=segment,
        payer=payer,
        start=start,
        lines=tuple(lines),
        legal_basis=tuple(dict.fromkeys(row.legal_basis for row in unique_rows)),
        unconfirmed=tuple(str(row) for row in unique_rows if not row.confirmed),
        declared_income=bracket_income if segment == Segment.BPU else None,
        wage=wage if segment == Segment.PU else None,
        risk_group=risk,
        sector=sector,
        notes=_notes(tables, start=start, end=end, segment=segment, payer=payer, sector=sector),
    )


def _notes(
    tables: RateTables, *, start: Month, end: Month, segment: str, payer: str, sector: str | None
) -> tuple[str, ...]:
    """Say why a discount valid in the period was not applied (payer or sector)."""
    notes = []
    for discount in tables.discounts:
        if discount.segment != segment:
            continue
        if payer in discount.excluded_payers:
            notes.append(f"{discount.name} tidak berlaku: iuran dibayar {PayerType(payer).label}.")
        elif discount.sector and sector is None:
            notes.append(
                f"{discount.name} hanya untuk {discount.get_sector_display().lower()}; "
                "sebutkan sektor bila berlaku."
            )
    return tuple(dict.fromkeys(notes))
