"""Reads of the contributions app: scoped lists, bill contents, arrears, transparency.

**Transparency** (``transparency_report``), for one kabupaten and year, per month and
funding source — the four numbers the Dinas and BPJS used to report on paper:

1. *registered*: memberships covering the month (not pending), one grouped query over
   memberships joined with the year's months;
2. *payable*: the month's lines of bills sent to the payer (``BillMonth``: a few rows
   per bill, never the lines);
3. *paid*: what is settled on each bill (payments and credit), allocated to the bill's
   months oldest first — a prepaid bill paid in part has paid its first months;
4. *claims paid*: benefits paid out that month (by payout date) to members funded by the
   source, from the claims app (``claims_paid_by_month``) when it is installed.
"""

from __future__ import annotations

import importlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext

from jamsos.accounts.access import (
    may_see_persons,
    region_code_q,
    region_in_scope,
    scope_queryset,
)
from jamsos.accounts.models import User
from jamsos.budget.models import FundingSource
from jamsos.contributions.models import (
    ArrearsNotice,
    Bill,
    BillLine,
    BillMonth,
    Credit,
    Discrepancy,
    Payment,
    StatementImport,
)
from jamsos.contributions.services.billing import BILLABLE_STATUSES
from jamsos.contributions.sql import as_month, in_sql, rows_sql
from jamsos.enrollment.models import Membership
from jamsos.lib.errors import DomainError, PermissionDenied
from jamsos.lib.periods import Month, month_range
from jamsos.regions.models import Region


def _require(viewer: User, perm: str) -> None:
    if not viewer.has_perm(perm):
        raise PermissionDenied(gettext("Anda tidak berwenang melihat data ini."), perm=perm)


# --- Lists --------------------------------------------------------------------------------------


def regency_choices(*, viewer: User) -> QuerySet[Region]:
    """Kabupaten/kota the viewer works in: its own, or those of its province."""
    inside = Region.objects.filter(region_code_q(viewer, "code"), level=Region.Level.REGENCY)
    if viewer.region_id and viewer.region.level in (Region.Level.DISTRICT, Region.Level.VILLAGE):
        return Region.objects.filter(pk=viewer.region_id[:5])
    return inside.order_by("code")


def bill_list(
    *,
    viewer: User,
    regency: Region | None = None,
    month: Month | None = None,
    status: str | None = None,
    source_id: int | None = None,
) -> QuerySet[Bill]:
    _require(viewer, "contributions.view_bills")
    queryset = scope_queryset(
        viewer, Bill.objects.select_related("funding_source", "regency", "region"), "region"
    )
    if regency is not None:
        queryset = queryset.filter(regency=regency)
    if month is not None:
        day = month.first_day()
        queryset = queryset.filter(first_month__lte=day, last_month__gte=day)
    if status:
        queryset = queryset.filter(status=status)
    if source_id:
        queryset = queryset.filter(funding_source_id=source_id)
    return queryset.order_by("-first_month", "funding_source__kind", "funding_source__name", "pk")


def bill_months(*, bill: Bill) -> QuerySet[BillMonth]:
    return BillMonth.objects.filter(bill=bill).order_by("month")


def bill_lines(*, bill: Bill) -> QuerySet[BillLine]:
    return (
        BillLine.objects.filter(bill=bill)
        .select_related("membership", "membership__person", "membership__village")
        .order_by("membership__person__full_name", "membership_id", "month")
    )


def bill_payments(*, bill: Bill) -> QuerySet[Payment]:
    return Payment.objects.filter(bill=bill).select_related("created_by").order_by("paid_on", "pk")


def bill_credits(*, bill: Bill) -> QuerySet[Credit]:
    return Credit.objects.filter(Q(bill=bill) | Q(payment__bill=bill)).order_by("created_at", "pk")


def credit_balance(*, source: FundingSource) -> int:
    total = Credit.objects.filter(funding_source=source).aggregate(t=Sum("amount", default=0))
    return int(total["t"])


def funding_sources_for_billing(*, regency: Region) -> QuerySet[FundingSource]:
    return FundingSource.objects.filter(region=regency).order_by("kind", "name")


def funding_sources_match(*, regency: Region, code: str) -> list[FundingSource]:
    """``--source``: an id, a kind (``apbd``, ``apb_nagari`` … all of that kind), a nagari
    code (its APB Nagari), or a source's exact name (any case)."""
    sources = FundingSource.objects.filter(region=regency).order_by("pk")
    text = code.strip()
    if text.isdigit():
        found = list(sources.filter(pk=int(text)))
    elif text.lower() in FundingSource.Kind.values:
        found = list(sources.filter(kind=text.lower()))
    elif text.count(".") == 3:
        found = list(sources.filter(nagari_id=text))
    else:
        found = list(sources.filter(name__iexact=text))
    if not found:
        raise DomainError(
            gettext(
                'Sumber dana "%(code)s" tidak ada di %(name)s. Sebutkan id, jenis (apbd, '
                "apb_nagari, csr, …), kode nagari, atau nama persisnya."
            )
            % {"code": code, "name": regency.name},
            code="source_unknown",
            value=code,
        )
    return found


def statement_list(*, viewer: User, regency: Region | None = None) -> QuerySet[StatementImport]:
    _require(viewer, "contributions.view_bills")
    queryset = scope_queryset(
        viewer, StatementImport.objects.select_related("regency", "uploaded_by"), "regency"
    )
    if regency is not None:
        queryset = queryset.filter(regency=regency)
    return queryset.order_by("-uploaded_at", "-pk")


def discrepancy_list(
    *, statement: StatementImport, viewer: User, status: str | None = None
) -> QuerySet[Discrepancy]:
    queryset = scope_queryset(
        viewer,
        Discrepancy.objects.filter(statement=statement).select_related("resolved_by"),
        "region",
    )
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("status", "kind", "kpj_number", "pk")


def discrepancy_counts(*, statement: StatementImport) -> dict[str, int]:
    counts = {"open": 0, "resolved": 0}
    for row in (
        Discrepancy.objects.filter(statement=statement).values("status").annotate(n=Count("pk"))
    ):
        counts[row["status"]] = int(row["n"])
    return counts


def lapsed_list(*, viewer: User, regency: Region) -> QuerySet[Membership]:
    """Memberships that lapsed for arrears (newest first), with their latest notice."""
    _require(viewer, "contributions.manage_arrears")
    queryset = Membership.objects.filter(
        status=Membership.Status.LAPSED,
        village__code__startswith=regency.code + ".",
        arrears_notices__kind=ArrearsNotice.Kind.LAPSE,
    )
    return (
        scope_queryset(viewer, queryset, "village")
        .select_related("person", "village", "funding_source", "reactivation")
        .distinct()
        .order_by("-status_changed_at", "person__full_name")
    )


def viewer_sees_persons(viewer: User) -> bool:
    return may_see_persons(viewer)


# --- Transparency ---------------------------------------------------------------------------------


def claims_paid_by_month(
    *, regency_code: str, first: Month, last: Month
) -> tuple[dict[tuple[Month, int], int], bool]:
    """Claims paid per (month, funding source) from the claims app, and whether it could
    answer. The claims app is built alongside this one: its selector
    ``claims_paid_by_month(region_code=, first=, last=)`` returns rows with ``month``,
    ``funding_source_id`` and ``amount``; without it every figure is 0 and the page says
    so."""
    if not apps.is_installed("jamsos.claims"):
        return {}, False
    try:
        module = importlib.import_module("jamsos.claims.selectors")
    except ImportError:
        return {}, False
    source = getattr(module, "claims_paid_by_month", None)
    if not callable(source):
        return {}, False
    paid: dict[tuple[Month, int], int] = defaultdict(int)
    for row in source(region_code=regency_code, first=first, last=last):
        paid[(row.month, row.funding_source_id)] += int(row.amount)
    return dict(paid), True


@dataclass
class TransparencyRow:
    month: Month
    source: FundingSource | None  # None: the month's total
    registered: int = 0
    billed_members: int = 0
    payable: int = 0
    paid: int = 0
    claims_paid: int = 0

    @property
    def unpaid(self) -> int:
        return self.payable - self.paid

    def as_dict(self) -> dict[str, Any]:
        return {
            "month": str(self.month),
            "source_id": self.source.pk if self.source else None,
            "source": self.source.name if self.source else "Jumlah",
            "kind": self.source.kind if self.source else "",
            "registered": self.registered,
            "billed_members": self.billed_members,
            "payable": self.payable,
            "paid": self.paid,
            "unpaid": self.unpaid,
            "claims_paid": self.claims_paid,
        }


@dataclass
class Transparency:
    regency: Region
    year: int
    months: list[tuple[TransparencyRow, list[TransparencyRow]]] = field(default_factory=list)
    total: TransparencyRow | None = None
    claims_available: bool = False

    def rows(self) -> list[TransparencyRow]:
        return [row for total, rows in self.months for row in [*rows, total]]


def _registered(source_ids: list[int], months: list[Month]) -> dict[tuple[Month, int], int]:
    months_sql, months_params = rows_sql([("month", "date")], [(m.first_day(),) for m in months])
    sql = (
        "SELECT m.funding_source_id, mo.month, COUNT(*) "  # noqa: S608
        f"FROM {Membership._meta.db_table} m JOIN ({months_sql}) mo "
        "ON m.first_month <= mo.month AND m.last_month >= mo.month "
        f"WHERE m.funding_source_id IN {in_sql(source_ids)} "
        f"AND m.status IN {in_sql(BILLABLE_STATUSES)} "
        "GROUP BY m.funding_source_id, mo.month"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*months_params, *source_ids, *BILLABLE_STATUSES])
        return {(as_month(month), sid): int(n) for sid, month, n in cursor.fetchall()}


def _payable_and_paid(
    regency: Region, year: int
) -> tuple[dict[tuple[Month, int], tuple[int, int]], dict[tuple[Month, int], int]]:
    """(month, source) → (members billed, payable) and → paid (oldest months first)."""
    payable: dict[tuple[Month, int], tuple[int, int]] = defaultdict(lambda: (0, 0))
    paid: dict[tuple[Month, int], int] = defaultdict(int)
    bills = Bill.objects.filter(regency=regency, first_month__year=year, status__in=Bill.SENT)
    settled = {
        pk: credit + amount
        for pk, credit, amount in bills.values_list("pk", "credit_applied", "paid_amount")
    }
    rows = (
        BillMonth.objects.filter(bill__in=bills)
        .values_list("bill_id", "bill__funding_source_id", "month", "lines", "amount")
        .order_by("bill_id", "month")
    )
    for bill_id, source_id, month, lines, amount in rows:
        key = (Month.from_date(month), source_id)
        members, total = payable[key]
        payable[key] = (members + lines, total + amount)
        share = min(amount, settled[bill_id])
        settled[bill_id] -= share
        paid[key] += share
    return dict(payable), dict(paid)


def transparency_report(*, viewer: User, regency: Region, year: int) -> Transparency:
    """The four figures per month and funding source (see the module docstring)."""
    _require(viewer, "contributions.view_transparency")
    if not region_in_scope(viewer, regency.code):
        raise PermissionDenied(gettext("Kabupaten ini di luar cakupan Anda."), code="outside_scope")
    months = list(month_range(Month(year, 1), Month(year, 12)))
    sources = {s.pk: s for s in FundingSource.objects.filter(region=regency)}
    report = Transparency(regency=regency, year=year)
    registered = _registered(sorted(sources), months) if sources else {}
    payable, paid = _payable_and_paid(regency, year)
    claims, report.claims_available = claims_paid_by_month(
        regency_code=regency.code, first=months[0], last=months[-1]
    )
    grand = TransparencyRow(month=months[0], source=None)
    for month in months:
        total = TransparencyRow(month=month, source=None)
        rows = []
        for source in sorted(sources.values(), key=lambda s: (s.kind, s.name)):
            key = (month, source.pk)
            members, amount = payable.get(key, (0, 0))
            row = TransparencyRow(
                month=month,
                source=source,
                registered=registered.get(key, 0),
                billed_members=members,
                payable=amount,
                paid=paid.get(key, 0),
                claims_paid=claims.get(key, 0),
            )
            if row.registered or row.payable or row.paid or row.claims_paid:
                rows.append(row)
                for name in ("registered", "billed_members", "payable", "paid", "claims_paid"):
                    setattr(total, name, getattr(total, name) + getattr(row, name))
        for name in ("payable", "paid", "claims_paid"):
            setattr(grand, name, getattr(grand, name) + getattr(total, name))
        report.months.append((total, rows))
    report.total = grand
    return report
