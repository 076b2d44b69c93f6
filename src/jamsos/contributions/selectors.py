"""Reads of the contributions app: scoped lists, bill contents, arrears.

The transparency report, which also reads the claims app, is in ``transparency.py``:
claims read this module (paid months for eligibility), so this module reads nothing of
the claims app and the dependency goes one way.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext

from jamsos.accounts.access import (
    may_see_persons,
    region_code_q,
    scope_queryset,
)
from jamsos.accounts.models import User
from jamsos.budget.models import FundingSource
from jamsos.contributions.models import (
    ArrearsNotice,
    Bill,
    BillAdjustment,
    BillLine,
    BillMonth,
    Credit,
    Discrepancy,
    Payment,
    StatementImport,
)
from jamsos.enrollment.models import Membership
from jamsos.lib.errors import DomainError, PermissionDenied
from jamsos.lib.periods import Month
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


def bills_visible(*, viewer: User) -> bool:
    """Whether the viewer has bills to look at. A kabupaten or province works with every
    bill of its area; a user scoped to a nagari (an agent) sees only its nagari's APB
    Nagari bills, and has none unless the nagari pays for members itself."""
    if not viewer.has_perm("contributions.view_bills"):
        return False
    if viewer.is_superuser or not _below_regency(viewer):
        return True
    return bill_list(viewer=viewer).exists()


def bills_area(*, viewer: User, regency: Region | None) -> Region | None:
    """The area a bill list covers, as its heading names it: the viewer's own nagari or
    kecamatan when it is scoped below the kabupaten, else the kabupaten."""
    return viewer.region if _below_regency(viewer) else regency


def _below_regency(viewer: User) -> bool:
    return viewer.region_id is not None and viewer.region.level in (
        Region.Level.DISTRICT,
        Region.Level.VILLAGE,
    )


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
    if _below_regency(viewer) and not viewer.is_superuser:
        # Below the kabupaten only a nagari's own APB Nagari bills (never the kabupaten's).
        queryset = queryset.filter(funding_source__kind=FundingSource.Kind.APB_NAGARI)
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


def bill_totals(*, bills: QuerySet[Bill]) -> dict[str, int]:
    """Σ of a bill list: billed, credited back (adjustments), settled (SP2D + credit)."""
    sums = bills.order_by().aggregate(
        bills=Count("pk"),
        total=Sum("total", default=0),
        adjusted=Sum("adjusted_amount", default=0),
        credit=Sum("credit_applied", default=0),
        paid=Sum("paid_amount", default=0),
    )
    return {
        "bills": int(sums["bills"]),
        "total": int(sums["total"]),
        "adjusted": int(sums["adjusted"]),
        "settled": int(sums["credit"]) + int(sums["paid"]),
    }


def bill_adjustments(*, bill: Bill) -> QuerySet[BillAdjustment]:
    return BillAdjustment.objects.filter(bill=bill).select_related("membership__person")


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
