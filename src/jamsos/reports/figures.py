"""Computing the monthly summary rows from the chain's own tables.

``figures_compute(regency=, first=, last=)`` answers, for every month of the range and
every (village, funding source) with anything to say, the figures ``MonthlyFigure``
keeps. It is the *definition* of each figure: the stored table is only ever this
function's output (``services.figures_refresh``), and the tests compare the two.

Queries per refresh: one per month for active members, and one grouped query for each
of started, proposals, BPJS results, decrees, bill lines, bill settlement and claims.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from jamsos.claims.models import Claim
from jamsos.contributions.models import Bill, BillLine
from jamsos.enrollment.models import Decree, DecreeLine, Membership
from jamsos.enrollment.selectors import MEMBER_STATUSES_IN_MONTH
from jamsos.intake.models import ProposalRow
from jamsos.lib.periods import Month, month_range

Key = tuple[dt.date, str, int | None]  # (month's first day, village code, source id)

FIELDS = (
    "active",
    "started",
    "proposed",
    "valid",
    "accepted",
    "rejected",
    "in_decree",
    "payable",
    "paid",
    "first_paid",
    "jkk_claims",
    "jkk_amount",
    "jkm_claims",
    "jkm_amount",
)

# Claim types counted as JKK; every other paid claim (JKM, and the scholarship, which is
# paid with a death benefit) is counted as JKM (docs/reports.md).
JKK_TYPES = ("jkk_medical", "jkk_stmb", "jkk_disability", "jkk_death")


def _in_regency(field: str, regency_code: str) -> Q:
    return Q(**{f"{field}__code__startswith": regency_code + "."})


def _month_of(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    return value.replace(day=1)


def _share(total: int, weights: list[int]) -> list[int]:
    """Split ``total`` over ``weights`` pro rata, exact to the unit (largest remainder)."""
    whole = sum(weights)
    if whole <= 0 or total <= 0:
        return [0] * len(weights)
    base = [total * w // whole for w in weights]
    rest = total - sum(base)
    order = sorted(range(len(weights)), key=lambda i: -((total * weights[i]) % whole))
    for i in order[:rest]:
        base[i] += 1
    return base


def figures_compute(*, regency_code: str, first: Month, last: Month) -> dict[Key, dict[str, int]]:
    """Every figure of ``MonthlyFigure`` for the months ``first``…``last`` (inclusive)."""
    out: dict[Key, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIELDS, 0))
    lo, hi = first.first_day(), last.first_day()
    end = last.last_day()
    start = timezone.make_aware(dt.datetime.combine(lo, dt.time.min))
    stop = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))

    members = Membership.objects.filter(
        _in_regency("village", regency_code), status__in=MEMBER_STATUSES_IN_MONTH
    )
    for month in month_range(first, last):
        day = month.first_day()
        rows = (
            members.filter(first_month__lte=day, last_month__gte=day)
            .values("village_id", "funding_source_id")
            .annotate(n=Count("pk"))
        )
        for row in rows:
            out[(day, row["village_id"], row["funding_source_id"])]["active"] = row["n"]
    started = (
        members.filter(first_month__gte=lo, first_month__lte=hi)
        .values("first_month", "village_id", "funding_source_id")
        .annotate(n=Count("pk"))
    )
    for row in started:
        out[(row["first_month"], row["village_id"], row["funding_source_id"])]["started"] = row["n"]

    _proposals(out, regency_code, start, stop)
    _decree_lines(out, regency_code, start, stop)
    _bills(out, regency_code, lo, hi)
    _first_paid(out, regency_code, lo, hi)
    _claims(out, regency_code, lo, end)
    return {key: values for key, values in out.items() if any(values.values())}


def _proposals(out: dict, regency_code: str, start: dt.datetime, stop: dt.datetime) -> None:
    rows = (
        ProposalRow.objects.filter(
            _in_regency("village", regency_code),
            batch__created_at__gte=start,
            batch__created_at__lt=stop,
        )
        .annotate(m=TruncMonth("batch__created_at"))
        .values("m", "village_id")
        .annotate(n=Count("pk"), ok=Count("pk", filter=Q(status=ProposalRow.Status.VALID)))
    )
    for row in rows:
        values = out[(_month_of(row["m"]), row["village_id"], None)]
        values["proposed"] += row["n"]
        values["valid"] += row["ok"]


def _decree_lines(out: dict, regency_code: str, start: dt.datetime, stop: dt.datetime) -> None:
    lines = DecreeLine.objects.filter(
        _in_regency("village", regency_code), action=DecreeLine.Action.ADD
    )
    results = (
        lines.filter(bpjs_recorded_at__gte=start, bpjs_recorded_at__lt=stop)
        .exclude(bpjs_status=DecreeLine.BpjsStatus.PENDING)
        .annotate(m=TruncMonth("bpjs_recorded_at"))
        .values("m", "village_id", "funding_source_id", "bpjs_status")
        .annotate(n=Count("pk"))
    )
    for row in results:
        values = out[(_month_of(row["m"]), row["village_id"], row["funding_source_id"])]
        if row["bpjs_status"] == DecreeLine.BpjsStatus.ACCEPTED:
            values["accepted"] += row["n"]
        else:
            values["rejected"] += row["n"]
    decreed = (
        lines.filter(
            decree__status=Decree.Status.ISSUED,
            decree__issued_at__gte=start,
            decree__issued_at__lt=stop,
        )
        .annotate(m=TruncMonth("decree__issued_at"))
        .values("m", "village_id", "funding_source_id")
        .annotate(n=Count("pk"))
    )
    for row in decreed:
        out[(_month_of(row["m"]), row["village_id"], row["funding_source_id"])]["in_decree"] += row[
            "n"
        ]


def _bills(out: dict, regency_code: str, lo: dt.date, hi: dt.date) -> None:
    """Payable: lines of sent bills. Paid: each bill's settlement (payments and credit)
    goes to its months oldest first (as the transparency report does), then within a
    month to villages pro rata to their lines."""
    bills = Bill.objects.filter(
        regency_id=regency_code,
        status__in=Bill.SENT,
        first_month__lte=hi,
        last_month__gte=lo,
    )
    info = {
        pk: (source, credit + paid)
        for pk, source, credit, paid in bills.values_list(
            "pk", "funding_source_id", "credit_applied", "paid_amount"
        )
    }
    if not info:
        return
    cells: dict[tuple[int, dt.date], list[tuple[str, int]]] = defaultdict(list)
    rows = (
        BillLine.objects.filter(bill_id__in=list(info))
        .values("bill_id", "month", village=F("membership__village_id"))
        .annotate(amount=Sum("amount"))
        .order_by("bill_id", "month", "village")
    )
    for row in rows:
        cells[(row["bill_id"], row["month"])].append((row["village"], int(row["amount"])))
    for (bill_id, month), villages in sorted(cells.items()):
        source, settled = info[bill_id]
        month_total = sum(amount for _, amount in villages)
        paid_here = min(month_total, settled)
        info[bill_id] = (source, settled - paid_here)
        if not lo <= month <= hi:
            continue
        shares = _share(paid_here, [amount for _, amount in villages])
        for (village, amount), share in zip(villages, shares, strict=True):
            values = out[(month, village, source)]
            values["payable"] += amount
            values["paid"] += share


def _first_paid(out: dict, regency_code: str, lo: dt.date, hi: dt.date) -> None:
    """Members whose first month's bill line is on a settled bill, in that first month
    (the funnel's last step; kept here so no page counts bill lines at 1M members).
    Driven by the members starting in the months (start-month index), each looked up
    by its bill line's key (membership, month)."""
    settled = BillLine.objects.filter(
        membership=OuterRef("pk"), month=OuterRef("first_month"), bill__status__in=Bill.SETTLED
    )
    rows = (
        Membership.objects.filter(
            _in_regency("village", regency_code), first_month__gte=lo, first_month__lte=hi
        )
        .filter(Exists(settled))
        .values("first_month", "village_id", "funding_source_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        key = (row["first_month"], row["village_id"], row["funding_source_id"])
        out[key]["first_paid"] += row["n"]


def _claims(out: dict, regency_code: str, lo: dt.date, end: dt.date) -> None:
    rows = (
        Claim.objects.filter(
            _in_regency("village", regency_code),
            status=Claim.Status.PAID,
            payout_date__gte=lo,
            payout_date__lte=end,
        )
        .annotate(m=TruncMonth("payout_date"))
        .values("m", "village_id", "funding_source_id", "claim_type")
        .annotate(n=Count("pk"), amount=Sum("payout_amount"))
    )
    for row in rows:
        values = out[(_month_of(row["m"]), row["village_id"], row["funding_source_id"])]
        prefix = "jkk" if row["claim_type"] in JKK_TYPES else "jkm"
        values[f"{prefix}_claims"] += row["n"]
        values[f"{prefix}_amount"] += int(row["amount"] or 0)


def figures_stored(*, regency_code: str, first: Month, last: Month) -> dict[Key, dict[str, int]]:
    """The stored rows in the same shape as ``figures_compute`` (for checks and tests)."""
    from jamsos.reports.models import MonthlyFigure

    rows = MonthlyFigure.objects.filter(
        regency_id=regency_code, month__gte=first.first_day(), month__lte=last.first_day()
    ).values("month", "village_id", "funding_source_id", *FIELDS)
    return {
        (row.pop("month"), row.pop("village_id"), row.pop("funding_source_id")): row for row in rows
    }


def months_touched(values: Iterable[dt.date | None]) -> list[Month]:
    return sorted({Month.from_date(v) for v in values if v is not None})
