"""The public transparency report: contributions and claims per month and funding source.

For one kabupaten and year, per month and funding source — the four numbers the Dinas and
BPJS used to report on paper:

1. *registered*: memberships covering the month (billable statuses), read from the
   count summary ``enrollment.MembershipCount`` (kept by triggers), never the members;
2. *payable*: the month's lines of bills sent to the payer (``BillMonth``: a few rows
   per bill, never the lines), less the months credited back because the member had
   died before them (``BillAdjustment``, the death credit notes);
3. *paid*: what is settled on each bill (payments and credit), allocated to the bill's
   months oldest first — a prepaid bill paid in part has paid its first months;
4. *claims paid*: benefits paid out that month (by payout date) to members funded by the
   source, from the claims app's ``claims_paid_by_month``.

It lives apart from ``selectors.py`` because it reads the claims app, and the claims app
reads ``selectors`` (eligibility needs paid months): kept in one module, the two formed
an import cycle (claims.selectors → claims.eligibility → contributions.selectors →
claims.selectors).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Sum
from django.utils.translation import gettext

from jamsos.accounts.access import region_in_scope
from jamsos.accounts.models import User
from jamsos.budget.models import FundingSource
from jamsos.claims import selectors as claims_selectors
from jamsos.contributions.models import Bill, BillAdjustment, BillMonth
from jamsos.contributions.services.billing import BILLABLE_STATUSES
from jamsos.enrollment.models import MembershipCount
from jamsos.lib.errors import PermissionDenied
from jamsos.lib.periods import Month, month_range
from jamsos.regions.models import Region


def claims_paid_by_month(
    *, regency_code: str, first: Month, last: Month
) -> tuple[dict[tuple[Month, int], int], bool]:
    """Claims paid per (month, funding source) from the claims app, and whether it could
    answer: its selector ``claims_paid_by_month(region_code=, first=, last=)`` returns
    rows with ``month``, ``funding_source_id`` and ``amount``; without it every figure is
    0 and the page says so."""
    source = getattr(claims_selectors, "claims_paid_by_month", None)
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
    """Memberships covering each month, per source: from the count summary
    (``MembershipCount``: one row per source × status × first and last month × village,
    kept by triggers), spread over the months each group covers. Joining a million
    memberships to the twelve months took seconds per view."""
    registered: dict[tuple[Month, int], int] = defaultdict(int)
    groups = (
        MembershipCount.objects.filter(
            funding_source_id__in=source_ids,
            status__in=BILLABLE_STATUSES,
            first_month__lte=months[-1].first_day(),
            last_month__gte=months[0].first_day(),
        )
        .exclude(n=0)
        .order_by()
        .values_list("funding_source_id", "first_month", "last_month")
        .annotate(total=Sum("n"))
    )
    for source_id, first, last, n in groups:
        for month in months:
            if first <= month.first_day() <= last:
                registered[(month, source_id)] += int(n)
    return dict(registered)


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
    # Credit notes: a dead member's later months stay on the sent bill but are not owed.
    credited = {
        (bill_id, month): (int(n), int(amount))
        for bill_id, month, n, amount in BillAdjustment.objects.filter(bill__in=bills)
        .values("bill_id", "month")
        .annotate(n=Count("pk"), total=Sum("amount"))
        .values_list("bill_id", "month", "n", "total")
        .order_by()
    }
    rows = (
        BillMonth.objects.filter(bill__in=bills)
        .values_list("bill_id", "bill__funding_source_id", "month", "lines", "amount")
        .order_by("bill_id", "month")
    )
    for bill_id, source_id, month, lines, amount in rows:
        less_lines, less_amount = credited.get((bill_id, month), (0, 0))
        lines, amount = lines - less_lines, amount - less_amount
        key = (Month.from_date(month), source_id)
        members, total = payable[key]
        payable[key] = (members + lines, total + amount)
        share = min(amount, settled[bill_id])
        settled[bill_id] -= share
        paid[key] += share
    return dict(payable), dict(paid)


def transparency_report(*, viewer: User, regency: Region, year: int) -> Transparency:
    """The four figures per month and funding source (see the module docstring)."""
    if not viewer.has_perm("contributions.view_transparency"):
        raise PermissionDenied(
            "Anda tidak berwenang melihat data ini.", perm="contributions.view_transparency"
        )
    if not region_in_scope(viewer, regency.code):
        raise PermissionDenied(gettext("Kabupaten ini di luar cakupan Anda."), code="outside_scope")
    return transparency_report_unchecked(regency=regency, year=year)


def transparency_report_unchecked(*, regency: Region, year: int) -> Transparency:
    """``transparency_report`` without the viewer's checks: totals only, for the public
    portal (which suppresses small counts before showing them)."""
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
