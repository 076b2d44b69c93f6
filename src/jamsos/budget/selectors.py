"""Reads of the budget: scoped lists, absorption, capacity and nagari quota progress.

**Absorption and the early warning** (docs/budget.md explains it for users):

1. ``reserved`` = Σ active reservations of the pagu; ``remaining`` = pagu − reserved.
2. Without billing data, the year-end forecast is ``reserved``: every reservation lies
   inside the fiscal year, so reserved money is spent if the persons stay covered.
3. With billing data up to month B (``billed_through``, written by the contributions app)
   the forecast scales what is still to come by how much of the expected bill was
   actually billed: ``forecast = billed + (reserved − expected_through_B) × billed /
   expected_through_B``. Persons rejected by BPJS, deceased or lapsed thus lower it.
4. ``unspent = pagu − forecast``; the warning is raised when ``unspent`` exceeds
   ``UNSPENT_WARNING_PERCENT`` of the pagu, and it says how many more persons the
   remaining money could still cover from next month to December.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext

from jamsos.accounts.access import region_code_q, scope_queryset
from jamsos.accounts.models import User
from jamsos.budget.estimates import CostEstimate, cost_estimate
from jamsos.budget.models import (
    Allocation,
    ContributionDiscount,
    ContributionRate,
    FiscalYear,
    FundingSource,
    IncomeBracket,
    NagariMinimum,
    NagariQuota,
    Phase,
    Reservation,
)
from jamsos.lib.errors import DomainError, PermissionDenied
from jamsos.lib.formats import angka, bulan, persen, rupiah
from jamsos.lib.money import ratio_percent
from jamsos.lib.periods import Month, months_between
from jamsos.regions.models import Region

# A management threshold, not a regulation figure: how much of a pagu may be forecast to
# stay unspent before the overview warns. Deployments may override it in settings.
UNSPENT_WARNING_PERCENT = Decimal(getattr(settings, "BUDGET_UNSPENT_WARNING_PERCENT", "5"))


def _require_view(viewer: User) -> None:
    if not viewer.has_perm("budget.view_budget"):
        raise PermissionDenied(gettext("Anda tidak berwenang melihat anggaran."))


# --- Lists -----------------------------------------------------------------------------------


def fiscal_year_list(*, viewer: User) -> QuerySet[FiscalYear]:
    _require_view(viewer)
    queryset = FiscalYear.objects.select_related("region")
    return scope_queryset(viewer, queryset, "region").order_by("region_id", "-year")


def fiscal_year_totals(*, years: list[FiscalYear]) -> dict[int, dict[str, int]]:
    """Pagu and active reservations per year, for the year list: two grouped queries."""
    ids = [year.pk for year in years]
    totals = {pk: {"pagu": 0, "reserved": 0} for pk in ids}
    for row in (
        Allocation.objects.filter(fiscal_year_id__in=ids)
        .values("fiscal_year_id")
        .annotate(total=Sum("pagu"))
        .order_by()
    ):
        totals[row["fiscal_year_id"]]["pagu"] = int(row["total"])
    for row in (
        Reservation.objects.filter(
            allocation__fiscal_year_id__in=ids, status=Reservation.Status.ACTIVE
        )
        .values("allocation__fiscal_year_id")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        totals[row["allocation__fiscal_year_id"]]["reserved"] = int(row["total"])
    for values in totals.values():
        values["remaining"] = values["pagu"] - values["reserved"]
        values["percent"] = ratio_percent(values["reserved"], values["pagu"])  # type: ignore[assignment]
    return totals


def funding_source_list(*, viewer: User, region: Region | None = None) -> QuerySet[FundingSource]:
    _require_view(viewer)
    queryset = scope_queryset(
        viewer, FundingSource.objects.select_related("region", "nagari"), "region"
    )
    if region is not None:
        queryset = queryset.filter(region=region)
    return queryset.order_by("kind", "name")


def regency_choices(*, viewer: User) -> QuerySet[Region]:
    """Kabupaten/kota a viewer may keep budgets for: its own, or those of its province."""
    regencies = Region.objects.filter(region_code_q(viewer, "code"), level=Region.Level.REGENCY)
    return regencies.order_by("code")


def nagari_choices(*, fiscal_year: FiscalYear) -> QuerySet[Region]:
    prefix = fiscal_year.region_id + "."
    return (
        Region.objects.filter(level=Region.Level.VILLAGE, code__startswith=prefix)
        .select_related("parent")
        .order_by("parent__name", "name")
    )


def allocation_list(*, fiscal_year: FiscalYear) -> QuerySet[Allocation]:
    return (
        Allocation.objects.filter(fiscal_year=fiscal_year)
        .select_related("source", "source__nagari", "fiscal_year")
        .order_by("pk")
    )


def phase_list(*, fiscal_year: FiscalYear) -> QuerySet[Phase]:
    return (
        Phase.objects.filter(fiscal_year=fiscal_year)
        .select_related("allocation")
        .annotate(
            reserved_persons=Sum("reservations__persons", default=0),
            reservation_count=Count("reservations"),
        )
        .order_by("number")
    )


def reservation_list(*, allocation: Allocation) -> QuerySet[Reservation]:
    return (
        Reservation.objects.filter(allocation=allocation)
        .select_related("phase", "nagari", "created_by")
        .annotate(named_persons=Count("lines"))
        .order_by("-created_at", "-pk")
    )


def allocation_reserved(*, allocation_id: int) -> int:
    """Σ active reservations of one pagu; one indexed query (also used under the lock)."""
    total = Reservation.objects.filter(
        allocation_id=allocation_id, status=Reservation.Status.ACTIVE
    ).aggregate(total=Sum("amount", default=0))["total"]
    return int(total)


def regulation_tables() -> dict[str, QuerySet[Any]]:
    return {
        "brackets": IncomeBracket.objects.order_by("declared_income", "valid_from"),
        "rates": ContributionRate.objects.order_by(
            "segment", "programme", "percent", "amount", "valid_from"
        ),
        "discounts": ContributionDiscount.objects.order_by("segment", "valid_from", "sector"),
    }


# --- Absorption ------------------------------------------------------------------------------


def _amount_through(reservation: dict[str, Any], through: Month) -> int:
    """What a reservation should have been billed for its months up to ``through``."""
    total = 0
    for line in reservation["estimate"].get("periods", []):
        first = Month.parse(line["first_month"])
        last = min(Month.parse(line["last_month"]), through)
        total += line["per_person_month"] * months_between(first, last)
    total *= reservation["persons"]
    # Months given back for persons struck after acceptance are not billed.
    for item in reservation["estimate"].get("returns", []):
        first = Month.parse(item["first_month"])
        for line in reservation["estimate"].get("periods", []):
            start = max(Month.parse(line["first_month"]), first)
            end = min(Month.parse(line["last_month"]), through)
            if start <= end:
                total -= line["per_person_month"] * months_between(start, end)
    return total


@dataclass(frozen=True)
class Absorption:
    pagu: int
    reserved: int
    billed: int
    paid: int
    forecast: int
    as_of: Month
    capacity_persons: int | None = None
    capacity_start: Month | None = None
    # Only a year whose December has passed has ended. No month left to start new
    # members (``capacity_start`` None) is not the same: in December the year is open.
    year_ended: bool = False

    @property
    def remaining(self) -> int:
        return self.pagu - self.reserved

    @property
    def reserved_percent(self) -> Decimal:
        return ratio_percent(self.reserved, self.pagu)

    @property
    def paid_percent(self) -> Decimal:
        return ratio_percent(self.paid, self.pagu)

    @property
    def forecast_unspent(self) -> int:
        return max(0, self.pagu - self.forecast)

    @property
    def unspent_percent(self) -> Decimal:
        return ratio_percent(self.forecast_unspent, self.pagu)

    @property
    def warning(self) -> bool:
        return self.pagu > 0 and self.unspent_percent > UNSPENT_WARNING_PERCENT

    @property
    def warning_message(self) -> str:
        if not self.warning:
            return ""
        text = gettext("Diperkirakan %(amount)s (%(percent)s) tidak terserap pada akhir tahun.") % {
            "amount": rupiah(self.forecast_unspent),
            "percent": persen(self.unspent_percent),
        }
        if self.capacity_persons and self.capacity_start:
            text += " " + gettext(
                "Sisa pagu masih cukup untuk %(persons)s orang mulai %(month)s s.d. Desember."
            ) % {"persons": angka(self.capacity_persons), "month": bulan(str(self.capacity_start))}
        elif self.year_ended:
            text += " " + gettext("Tahun anggaran sudah berakhir.")
        return text

    def as_dict(self) -> dict[str, Any]:
        return {
            "pagu": self.pagu,
            "reserved": self.reserved,
            "remaining": self.remaining,
            "billed": self.billed,
            "paid": self.paid,
            "reserved_percent": str(self.reserved_percent),
            "paid_percent": str(self.paid_percent),
            "forecast_year_end": self.forecast,
            "forecast_unspent": self.forecast_unspent,
            "warning": self.warning,
            "warning_message": self.warning_message,
            "as_of": str(self.as_of),
        }


def _forecast(allocation: Allocation, reserved: int, reservations: list[dict[str, Any]]) -> int:
    if allocation.billed_through is None:
        return reserved
    through = Month.from_date(allocation.billed_through)
    expected = sum(_amount_through(r, through) for r in reservations)
    if expected <= 0:
        return reserved
    billed = allocation.billed_amount
    still_to_come = max(0, reserved - expected)
    # Integer arithmetic: the ratio billed/expected applied to what is still to come.
    return billed + still_to_come * billed // expected


def _next_month_in_year(as_of: Month, year: int) -> Month | None:
    start = max(as_of + 1, Month(year, 1))
    return start if start.year == year else None


def _per_person_cost(
    allocation: Allocation, start: Month, cache: dict[tuple[str, str, Month], int | None] | None
) -> int | None:
    key = (allocation.segment, allocation.payer, start)
    if cache is not None and key in cache:
        return cache[key]
    try:
        cost: int | None = cost_estimate(
            persons=1,
            months=months_between(start, start.december()),
            start=start,
            segment=allocation.segment,
            payer=allocation.payer,
        ).per_person_total
    except DomainError:  # a missing rate (or a PU pagu without a wage) must not break pages
        cost = None
    if cache is not None:
        cache[key] = cost
    return cost


def allocation_absorption(
    *,
    allocation: Allocation,
    as_of: Month | None = None,
    reservations: list[dict[str, Any]] | None = None,
    cost_cache: dict[tuple[str, str, Month], int | None] | None = None,
) -> Absorption:
    """Absorption of one pagu (see the module docstring for the rule).

    ``cost_cache`` lets an overview of many pagu compute the cost of one person per
    (segment, payer, start) once instead of once per pagu.
    """
    as_of = as_of or Month.current()
    if reservations is None:
        reservations = list(
            Reservation.objects.filter(
                allocation=allocation, status=Reservation.Status.ACTIVE
            ).values("allocation_id", "persons", "amount", "estimate")
        )
    reserved = sum(r["amount"] for r in reservations)
    start = _next_month_in_year(as_of, allocation.fiscal_year.year)
    capacity_persons = None
    if start is not None and allocation.pagu > reserved:
        per_person = _per_person_cost(allocation, start, cost_cache)
        capacity_persons = (allocation.pagu - reserved) // per_person if per_person else None
    return Absorption(
        pagu=allocation.pagu,
        reserved=reserved,
        billed=allocation.billed_amount,
        paid=allocation.paid_amount,
        forecast=_forecast(allocation, reserved, reservations),
        as_of=as_of,
        capacity_persons=capacity_persons,
        capacity_start=start,
        year_ended=as_of.year > allocation.fiscal_year.year,
    )


@dataclass(frozen=True)
class YearOverview:
    fiscal_year: FiscalYear
    rows: list[tuple[Allocation, Absorption]]

    def _sum(self, name: str) -> int:
        return sum(getattr(absorption, name) for _, absorption in self.rows)

    @property
    def totals(self) -> Absorption:
        as_of = self.rows[0][1].as_of if self.rows else Month.current()
        capacity = [a.capacity_persons for _, a in self.rows if a.capacity_persons]
        starts = [a.capacity_start for _, a in self.rows if a.capacity_start]
        return Absorption(
            pagu=self._sum("pagu"),
            reserved=self._sum("reserved"),
            billed=self._sum("billed"),
            paid=self._sum("paid"),
            forecast=self._sum("forecast"),
            as_of=as_of,
            capacity_persons=sum(capacity) if capacity else None,
            capacity_start=starts[0] if starts else None,
            year_ended=bool(self.rows) and all(a.year_ended for _, a in self.rows),
        )


def fiscal_year_overview(*, fiscal_year: FiscalYear, as_of: Month | None = None) -> YearOverview:
    """Every pagu of a year with its absorption: two queries plus the rate tables."""
    as_of = as_of or Month.current()
    allocations = list(allocation_list(fiscal_year=fiscal_year))
    by_allocation: dict[int, list[dict[str, Any]]] = {a.pk: [] for a in allocations}
    for row in Reservation.objects.filter(
        allocation__fiscal_year=fiscal_year, status=Reservation.Status.ACTIVE
    ).values("allocation_id", "persons", "amount", "estimate"):
        by_allocation[row["allocation_id"]].append(row)
    cache: dict[tuple[str, str, Month], int | None] = {}
    rows = [
        (
            allocation,
            allocation_absorption(
                allocation=allocation,
                as_of=as_of,
                reservations=by_allocation[allocation.pk],
                cost_cache=cache,
            ),
        )
        for allocation in allocations
    ]
    return YearOverview(fiscal_year=fiscal_year, rows=rows)


# --- Capacity --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Capacity:
    """How many more persons a pagu covers from ``start`` to December."""

    start: Month
    months: int
    remaining: int
    persons: int
    per_person: int
    estimate: CostEstimate | None

    @property
    def leftover(self) -> int:
        return self.remaining - self.persons * self.per_person

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": str(self.start),
            "end": str(self.start.december()),
            "months": self.months,
            "remaining": self.remaining,
            "persons": self.persons,
            "per_person": self.per_person,
            "per_person_month": self.estimate.per_person_month if self.estimate else None,
            "leftover": self.leftover,
            "legal_basis": list(self.estimate.legal_basis) if self.estimate else [],
        }


def allocation_capacity(
    *,
    allocation: Allocation,
    start: Month,
    income: int | None = None,
    wage: int | None = None,
    risk_group: str | None = None,
    sector: str | None = None,
    remaining: int | None = None,
) -> Capacity:
    """Persons the unreserved part of a pagu can still cover from ``start`` to December.

    The cost is linear in persons (rounding is per person per month), so the answer is
    ``remaining // cost of one person``; ``leftover`` is what stays unused.
    """
    year = allocation.fiscal_year.year
    if start.year != year:
        raise DomainError(
            gettext("Bulan mulai %(start)s di luar tahun anggaran %(year)s.")
            % {"start": start, "year": year},
            code="month_outside_year",
            value=str(start),
        )
    if remaining is None:
        remaining = allocation.pagu - allocation_reserved(allocation_id=allocation.pk)
    months = months_between(start, start.december())
    estimate = cost_estimate(
        persons=1,
        months=months,
        start=start,
        segment=allocation.segment,
        income=income,
        wage=wage,
        risk_group=risk_group,
        payer=allocation.payer,
        sector=sector,
    )
    per_person = estimate.per_person_total
    persons = max(0, remaining) // per_person if per_person else 0
    return Capacity(
        start=start,
        months=months,
        remaining=remaining,
        persons=persons,
        per_person=per_person,
        estimate=estimate,
    )


# --- Nagari quotas ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QuotaProgress:
    """A nagari's target with the persons reserved towards it (may pass 100 %)."""

    quota: NagariQuota
    reserved_persons: int

    @property
    def remaining(self) -> int:
        return max(0, self.quota.persons - self.reserved_persons)

    @property
    def percent(self) -> Decimal:
        return ratio_percent(self.reserved_persons, self.quota.persons)

    @property
    def bar_percent(self) -> Decimal:
        return min(self.percent, Decimal(100))

    @property
    def reached(self) -> bool:
        return self.reserved_persons >= self.quota.persons


def nagari_minimum_in_force(*, region_id: str, month: Month) -> NagariMinimum | None:
    """The kabupaten's "1 Nagari 100 orang" rule row valid in ``month`` (or None)."""
    return (
        NagariMinimum.objects.filter(region_id=region_id, valid_from__lte=month.first_day())
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=month.first_day()))
        .order_by("-valid_from")
        .first()
    )


def nagari_reserved_persons(*, fiscal_year_id: int, nagari_id: str | None = None) -> dict[str, int]:
    queryset = Reservation.objects.filter(
        allocation__fiscal_year_id=fiscal_year_id,
        status=Reservation.Status.ACTIVE,
        nagari__isnull=False,
    )
    if nagari_id is not None:
        queryset = queryset.filter(nagari_id=nagari_id)
    rows = queryset.values("nagari_id").annotate(total=Sum("persons")).order_by()
    return {row["nagari_id"]: int(row["total"]) for row in rows}


def nagari_quota_progress(*, fiscal_year: FiscalYear) -> list[QuotaProgress]:
    """Each nagari's quota with the persons reserved against it: two queries."""
    reserved = nagari_reserved_persons(fiscal_year_id=fiscal_year.pk)
    quotas = NagariQuota.objects.filter(fiscal_year=fiscal_year).select_related(
        "nagari", "nagari__parent"
    )
    return [
        QuotaProgress(quota=q, reserved_persons=reserved.get(q.nagari_id, 0))
        for q in quotas.order_by("nagari__parent__name", "nagari__name")
    ]
