"""Reads of the enrollment app. Lists are scoped through ``enrollment.access``; totals are
aggregate queries (DPRD and the executive see only those)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext

from jamsos.accounts.access import may_see_persons, region_code_q, region_q, scope_queryset
from jamsos.accounts.models import User
from jamsos.accounts.roles import Role
from jamsos.budget.models import (
    Allocation,
    FundingSource,
    NagariMinimum,
    Reservation,
    ReservationPerson,
)
from jamsos.budget.selectors import nagari_minimum_in_force
from jamsos.enrollment.access import (
    VIEW_MEMBERSHIPS,
    decree_region_q,
    decrees_visible_to,
    lines_visible_to,
    memberships_visible_to,
)
from jamsos.enrollment.models import (
    BpjsResultImport,
    Decree,
    DecreeDocument,
    DecreeLine,
    LegalBasis,
    Membership,
    MembershipCount,
    RenewalProposal,
)
from jamsos.enrollment.services.decrees import LIVE_DECREE_STATUSES
from jamsos.lib.errors import PermissionDenied
from jamsos.lib.money import ratio_percent
from jamsos.lib.nik import nik_clean
from jamsos.lib.periods import Month
from jamsos.regions.models import Region
from jamsos.registry.models import Person
from jamsos.registry.selectors import person_name_q

BPJS = DecreeLine.BpjsStatus
# A membership counts as covering a month it spans unless it never started (cancelled) or
# has not started yet; lapsed and deceased rows end on their last covered month.
MEMBER_STATUSES_IN_MONTH = (
    Membership.Status.ACTIVE,
    Membership.Status.ENDED,
    Membership.Status.LAPSED,
    Membership.Status.DECEASED,
)


# --- Decrees ---------------------------------------------------------------------------------


def decree_list(
    *, viewer: User, status: str | None = None, year: int | None = None
) -> QuerySet[Decree]:
    """Decrees the viewer may see, newest first, with line counts (all lines: the counts a
    DPRD member may see are totals, not persons)."""
    decrees = decrees_visible_to(viewer).select_related("region", "fiscal_year", "phase", "amends")
    if status:
        decrees = decrees.filter(status=status)
    if year:
        decrees = decrees.filter(fiscal_year__year=year)
    added = Q(lines__action=DecreeLine.Action.ADD)
    return decrees.annotate(
        persons=Count("lines", filter=added),
        accepted=Count("lines", filter=added & Q(lines__bpjs_status=BPJS.ACCEPTED)),
        rejected=Count("lines", filter=added & Q(lines__bpjs_status=BPJS.REJECTED)),
        removed=Count("lines", filter=Q(lines__action=DecreeLine.Action.REMOVE)),
    ).order_by("-fiscal_year__year", "-created_at", "-pk")


@dataclass(frozen=True)
class DecreeCounts:
    persons: int = 0
    pending: int = 0
    accepted: int = 0
    rejected: int = 0
    struck: int = 0
    removes: int = 0

    @property
    def answered_percent(self) -> int:
        return round(100 * (self.accepted + self.rejected) / self.persons) if self.persons else 0


def decree_counts(*, decree: Decree, viewer: User | None = None) -> DecreeCounts:
    """Counts over the decree's lines; with a viewer who sees lines, over their villages
    (a Camat's kecamatan); for aggregate-only roles over all lines (totals only)."""
    lines = DecreeLine.objects.filter(decree=decree)
    if viewer is not None and may_see_persons(viewer):
        lines = lines.filter(region_q(viewer, "village"))
    added = Q(action=DecreeLine.Action.ADD)
    totals = lines.aggregate(
        persons=Count("pk", filter=added),
        pending=Count(
            "pk", filter=added & Q(bpjs_status=BPJS.PENDING, removed_by_line__isnull=True)
        ),
        accepted=Count("pk", filter=added & Q(bpjs_status=BPJS.ACCEPTED)),
        rejected=Count("pk", filter=added & Q(bpjs_status=BPJS.REJECTED)),
        struck=Count("pk", filter=added & Q(removed_by_line__isnull=False)),
        removes=Count("pk", filter=Q(action=DecreeLine.Action.REMOVE)),
    )
    return DecreeCounts(**totals)


@dataclass(frozen=True)
class LineFilters:
    bpjs_status: str = ""
    search: str = ""
    action: str = ""


def decree_lines(
    *, decree: Decree, viewer: User, filters: LineFilters | None = None
) -> QuerySet[DecreeLine]:
    filters = filters or LineFilters()
    lines = lines_visible_to(viewer, decree).select_related(
        "village", "village__parent", "removed_by_line__decree"
    )
    if filters.bpjs_status:
        lines = lines.filter(bpjs_status=filters.bpjs_status)
    if filters.action:
        lines = lines.filter(action=filters.action)
    term = filters.search.strip()
    if term:
        digits = nik_clean(term)
        if digits.isdigit() and len(digits) >= 4:
            lines = lines.filter(nik__startswith=digits)
        else:
            lines = lines.filter(full_name__icontains=term)
    return lines.order_by("action", "line_no")


def decree_amendments(*, decree: Decree) -> QuerySet[Decree]:
    return decree.amendments.exclude(status=Decree.Status.CANCELLED).order_by("created_at")


def decree_documents(*, decree: Decree) -> QuerySet[DecreeDocument]:
    return decree.documents.order_by("-created_at")[:6]


def decree_imports(*, decree: Decree) -> QuerySet[BpjsResultImport]:
    return decree.bpjs_imports.select_related("imported_by").order_by("-imported_at")


# --- Drafting aids ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReservationChoice:
    reservation: Reservation
    used: int
    named: bool

    @property
    def free(self) -> int:
        return max(0, self.reservation.persons - self.used)

    @property
    def label(self) -> str:
        r = self.reservation
        phase = f" · {r.phase.name}" if r.phase_id else ""
        named = " · bernama" if self.named else ""
        first, last = Month.from_date(r.first_month), Month.from_date(r.last_month)
        return (
            f"#{r.pk} {r.allocation.name} ({r.allocation.fiscal_year}){phase}: "
            f"{self.free} dari {r.persons} orang, {first}–{last}{named}"
        )


def reservation_choices(*, viewer: User) -> list[ReservationChoice]:
    """Active reservations of the viewer's kabupaten with persons left for a decree."""
    reservations = scope_queryset(
        viewer,
        Reservation.objects.filter(status=Reservation.Status.ACTIVE).select_related(
            "allocation", "allocation__fiscal_year", "phase"
        ),
        "allocation__fiscal_year__region",
    ).annotate(named=Exists(ReservationPerson.objects.filter(reservation=OuterRef("pk"))))
    reservations = list(reservations.order_by("-allocation__fiscal_year__year", "-pk")[:200])
    used = dict(
        DecreeLine.objects.filter(
            decree__reservation__in=[r.pk for r in reservations],
            decree__status__in=LIVE_DECREE_STATUSES,
            action=DecreeLine.Action.ADD,
            removed_by_line__isnull=True,
        )
        .exclude(bpjs_status=BPJS.REJECTED)
        .order_by()
        .values_list("decree__reservation")
        .annotate(n=Count("pk"))
        .values_list("decree__reservation", "n")
    )
    choices = []
    for reservation in reservations:
        named = bool(reservation.named)  # type: ignore[attr-defined]
        choice = ReservationChoice(reservation, used.get(reservation.pk, 0), named)
        if choice.free:
            choices.append(choice)
    return choices


def decree_candidates(
    *, reservation: Reservation, viewer: User, village: Region | None = None, limit: int = 100
) -> list[int]:
    """Persons a decree on ``reservation`` could name, first registered first: in the
    viewer's scope (and the village or kecamatan chosen, and the reservation's nagari),
    alive, not covered and not named in a live decree for an overlapping month."""
    first, last = reservation.first_month, reservation.last_month
    persons = scope_queryset(viewer, Person.objects.filter(is_deceased=False), "village")
    region = reservation.allocation.fiscal_year.region_id
    persons = persons.filter(village__code__startswith=region + ".")
    named = list(reservation.lines.values_list("person_id", flat=True))
    if named:
        persons = persons.filter(pk__in=named)
    if reservation.nagari_id:
        persons = persons.filter(village_id=reservation.nagari_id)
    if village is not None:
        persons = persons.filter(
            Q(village_id=village.pk) | Q(village__code__startswith=village.pk + ".")
        )
    covered = Membership.objects.filter(
        person=OuterRef("pk"),
        status__in=Membership.COVERING_STATUSES,
        first_month__lte=last,
        last_month__gte=first,
    )
    in_decree = DecreeLine.objects.filter(
        person=OuterRef("pk"),
        action=DecreeLine.Action.ADD,
        removed_by_line__isnull=True,
        bpjs_status=BPJS.PENDING,
        decree__status__in=LIVE_DECREE_STATUSES,
        first_month__lte=last,
        last_month__gte=first,
    )
    persons = persons.exclude(Exists(covered)).exclude(Exists(in_decree))
    return list(persons.order_by("created_at", "pk").values_list("pk", flat=True)[:limit])


def persons_by_nik(*, niks: Iterable[str], viewer: User) -> tuple[list[int], list[str]]:
    """Person ids for NIKs typed or pasted by the operator, and the NIKs not found."""
    wanted = [nik_clean(n) for n in niks if nik_clean(n)]
    found = dict(
        scope_queryset(viewer, Person.objects.filter(nik__in=wanted), "village").values_list(
            "nik", "pk"
        )
    )
    return [found[n] for n in wanted if n in found], [n for n in wanted if n not in found]


# --- Memberships -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MembershipFilters:
    status: str = ""
    year: int | None = None
    search: str = ""
    village: str = ""
    funding_source: int | None = None


# The list's order: newest coverage first, then by name. Pages are read one start month
# at a time (``lib.pagination``, ``grouped``): the name order then comes from the
# person index ``person_name_order_cover``.
MEMBERSHIP_ORDER = ("-first_month", "person__full_name", "pk")


def membership_list(
    *, viewer: User, filters: MembershipFilters | None = None
) -> QuerySet[Membership]:
    if not may_see_persons(viewer):
        raise PermissionDenied(
            gettext("Peran Anda hanya melihat jumlah total kepesertaan."), code="aggregate_only"
        )
    filters = filters or MembershipFilters()
    memberships = memberships_visible_to(viewer).select_related(
        "person", "village", "village__parent", "funding_source"
    )
    if filters.status:
        memberships = memberships.filter(status=filters.status)
    if filters.year:
        memberships = memberships.filter(
            first_month__lte=dt.date(filters.year, 12, 1),
            last_month__gte=dt.date(filters.year, 1, 1),
        )
    if filters.village:
        code = filters.village
        memberships = memberships.filter(
            Q(village_id=code) | Q(village__code__startswith=code + ".")
        )
    if filters.funding_source:
        memberships = memberships.filter(funding_source_id=filters.funding_source)
    term = filters.search.strip()
    if term:
        digits = nik_clean(term)
        if digits.isdigit() and len(digits) >= 4:
            memberships = memberships.filter(
                Q(person__nik__startswith=digits) | Q(kpj_number=digits)
            )
        else:
            memberships = memberships.filter(membership_name_q(term))
    return memberships.order_by(*MEMBERSHIP_ORDER)


# A name search matching at most this many persons is asked of the trigram index once.
NAME_MATCHES_LISTED_UP_TO = 5_000


def membership_name_q(term: str) -> Q:
    """Memberships of persons whose name contains ``term``. A list page asks its
    queryset three times (count, the newest month, the rows); on PostgreSQL the persons
    are found first, once, and the three read the memberships by person (an index
    lookup each) instead of each scanning the trigram index and rechecking the names
    again. A term matching more persons than ``NAME_MATCHES_LISTED_UP_TO`` keeps the
    join (no long list of ids in every query); SQLite asks its FTS table in the join."""
    joined = person_name_q(term, field="person__full_name", person="person_id")
    if connection.vendor != "postgresql":
        return joined
    ids = list(
        Person.objects.filter(person_name_q(term))
        .order_by()
        .values_list("pk", flat=True)[: NAME_MATCHES_LISTED_UP_TO + 1]
    )
    if len(ids) > NAME_MATCHES_LISTED_UP_TO:
        return joined
    return Q(person_id__in=ids)


@dataclass
class MembershipTotals:
    by_status: dict[str, int] = field(default_factory=dict)
    by_district: list[tuple[str, str, int]] = field(default_factory=list)
    by_source: list[tuple[str, int]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


def membership_totals(*, viewer: User, year: int | None = None) -> MembershipTotals:
    """Counts by status, kecamatan and funding source: what DPRD and the executive see.

    Aggregate-only roles count the whole of their scope; others their own villages.
    """
    if not viewer.has_perm(VIEW_MEMBERSHIPS):
        raise PermissionDenied(gettext("Anda tidak berwenang melihat kepesertaan."))
    # From the count summary (``MembershipCount``, kept by triggers): a few thousand
    # groups stand for the memberships, so no page or API call scans a million rows.
    counts = MembershipCount.objects.filter(region_q(viewer, "village"), n__gt=0)
    if year:
        counts = counts.filter(
            first_month__lte=dt.date(year, 12, 1), last_month__gte=dt.date(year, 1, 1)
        )
    groups = (
        counts.order_by()
        .values_list("status", "village_id", "funding_source_id")
        .annotate(n=Sum("n"))
    )
    by_status: dict[str, int] = defaultdict(int)
    by_village: dict[str | None, int] = defaultdict(int)
    by_source: dict[int, int] = defaultdict(int)
    for status, village, source, n in groups:
        by_status[status] += n
        by_village[village] += n
        by_source[source] += n
    parents = dict(
        Region.objects.filter(pk__in=[v for v in by_village if v]).values_list("pk", "parent_id")
    )
    names = dict(
        Region.objects.filter(pk__in={p for p in parents.values() if p}).values_list("pk", "name")
    )
    by_district: dict[str | None, int] = defaultdict(int)
    for village, n in by_village.items():
        by_district[parents.get(village) if village else None] += n
    source_names = dict(
        FundingSource.objects.filter(pk__in=[s for s in by_source if s]).values_list("pk", "name")
    )
    by_source_name: dict[str, int] = defaultdict(int)
    for source, n in by_source.items():
        by_source_name[source_names[source]] += n
    totals = MembershipTotals()
    totals.by_status = dict(by_status)
    totals.by_district = sorted(
        ((code, names.get(code) if code else None, n) for code, n in by_district.items()),
        key=lambda row: row[0] or "",
    )
    totals.by_source = sorted(by_source_name.items())
    return totals


CountKey = tuple[str, int, str, dt.date, dt.date]  # village, source, status, first, last


def membership_counts_computed() -> dict[CountKey, int]:
    """The full recomputation of ``MembershipCount`` from the memberships (tests and the
    rebuild compare and restore with it)."""
    rows = (
        Membership.objects.order_by()
        .values_list("village_id", "funding_source_id", "status", "first_month", "last_month")
        .annotate(n=Count("pk"))
    )
    return {(v, s, st, first, last): n for v, s, st, first, last, n in rows}


def membership_counts_stored() -> dict[CountKey, int]:
    """``MembershipCount`` as stored, in the shape of ``membership_counts_computed``."""
    rows = MembershipCount.objects.exclude(n=0).values_list(
        "village_id", "funding_source_id", "status", "first_month", "last_month", "n"
    )
    return {(v, s, st, first, last): n for v, s, st, first, last, n in rows}


def person_memberships(*, person: Person) -> QuerySet[Membership]:
    return person.memberships.select_related("funding_source", "decree_line__decree").order_by(
        "-first_month"
    )


# --- Rejected persons back in the pool -------------------------------------------------------


@dataclass(frozen=True)
class Rejection:
    person_id: int
    full_name: str
    nik: str
    village: str
    reason: str
    reason_code: str
    decree_id: int
    decree_number: str
    recorded_at: dt.datetime | None


def _rejections(lines: QuerySet[DecreeLine]) -> list[Rejection]:
    rows = lines.filter(
        action=DecreeLine.Action.ADD, bpjs_status=BPJS.REJECTED, decree__status=Decree.Status.ISSUED
    ).values_list(
        "person_id",
        "full_name",
        "nik",
        "village__name",
        "bpjs_reason",
        "bpjs_reason_code",
        "decree_id",
        "decree__number",
        "bpjs_recorded_at",
    )
    return [Rejection(*row) for row in rows.order_by("-bpjs_recorded_at", "-pk")]


def person_bpjs_rejections(*, person_ids: Iterable[int]) -> dict[int, list[Rejection]]:
    """For the registry's person list and page: each person's BPJS rejections, newest
    first (``{person id: [Rejection]}``). Callers have already checked the viewer may see
    these persons (``registry.access``); one query for a page of persons."""
    result: dict[int, list[Rejection]] = {}
    for rejection in _rejections(DecreeLine.objects.filter(person_id__in=list(person_ids))):
        result.setdefault(rejection.person_id, []).append(rejection)
    return result


def rejections_for_viewer(*, viewer: User, limit: int = 500) -> list[Rejection]:
    """Persons BPJS rejected, as the proposer sees them: an agent the persons of its own
    proposals, a Camat its kecamatan, the Dinas and BPJS their kabupaten."""
    from jamsos.intake.models import ProposalRow

    if not viewer.is_active:
        return []
    if viewer.role == Role.AGENT and not viewer.is_superuser:
        proposed = ProposalRow.objects.filter(batch__proposer=viewer, person__isnull=False)
        lines = DecreeLine.objects.filter(person_id__in=proposed.values("person_id"))
    elif viewer.has_perm("enrollment.view_decrees") and may_see_persons(viewer):
        lines = DecreeLine.objects.filter(region_q(viewer, "village"))
    else:
        return []
    return _rejections(lines)[:limit]


# --- Renewals --------------------------------------------------------------------------------


def renewal_list(*, viewer: User) -> QuerySet[RenewalProposal]:
    if not viewer.has_perm("enrollment.view_decrees"):
        return RenewalProposal.objects.none()
    return (
        RenewalProposal.objects.filter(decree_region_q(viewer, "fiscal_year__region"))
        .select_related("fiscal_year", "fiscal_year__region", "created_by")
        .order_by("-fiscal_year__year")
    )


def decree_summary_for_reservation(*, reservation: Reservation) -> list[dict[str, Any]]:
    return list(
        Decree.objects.filter(reservation=reservation)
        .exclude(status=Decree.Status.CANCELLED)
        .values("pk", "number", "status", "title")
    )


# --- "1 Nagari 100 orang": each nagari's progress against the minimum ------------------------


@dataclass(frozen=True)
class BudgetLine:
    """A nagari's APB Nagari pagu for the year (name and amount)."""

    allocation_id: int
    name: str
    pagu: int


@dataclass(frozen=True)
class NagariProgress:
    """One nagari: its residents covered from its own APB Nagari in ``month`` against the
    kabupaten's minimum (rule data, ``budget.NagariMinimum``); over-achievement is fine."""

    code: str
    name: str
    district: str
    members: int
    minimum: int | None
    budget_lines: tuple[BudgetLine, ...] = ()

    @property
    def percent(self) -> Decimal:
        return ratio_percent(self.members, self.minimum or 0)

    @property
    def bar_percent(self) -> Decimal:
        return min(self.percent, Decimal(100))

    @property
    def below(self) -> bool:
        return self.minimum is not None and self.members < self.minimum

    @property
    def shortfall(self) -> int:
        return max(0, (self.minimum or 0) - self.members)

    @property
    def pagu(self) -> int:
        return sum(line.pagu for line in self.budget_lines)


@dataclass(frozen=True)
class NagariMinimumReport:
    month: Month
    rows: list[NagariProgress]
    rules: dict[str, NagariMinimum]  # kabupaten code → the rule row in force

    @property
    def below(self) -> list[NagariProgress]:
        return [row for row in self.rows if row.below]


def nagari_minimum_progress(
    *, viewer: User, month: Month, below_only: bool = False
) -> NagariMinimumReport:
    """Every nagari/desa in the viewer's scope (a Camat: its kecamatan) with its active APB
    Nagari members in ``month``, the minimum in force and its APB Nagari pagu of the year.

    Counts only, no person, so every role that sees membership totals may read it. Four
    queries whatever the number of nagari: villages, member counts, pagu, rules.
    """
    if not viewer.has_perm(VIEW_MEMBERSHIPS):
        raise PermissionDenied("Anda tidak berwenang melihat kepesertaan.")
    villages = list(
        Region.objects.filter(region_code_q(viewer, "code"), level=Region.Level.VILLAGE)
        .select_related("parent")
        .order_by("parent__name", "name")
    )
    first = month.first_day()
    covering = Membership.objects.filter(
        funding_source__kind=FundingSource.Kind.APB_NAGARI,
        funding_source__nagari_id=F("village_id"),
        first_month__lte=first,
        last_month__gte=first,
        status__in=MEMBER_STATUSES_IN_MONTH,
    ).filter(region_q(viewer, "village"))
    members = dict(
        covering.order_by()
        .values_list("village_id")
        .annotate(n=Count("pk"))
        .values_list("village_id", "n")
    )
    lines: dict[str, list[BudgetLine]] = {}
    allocations = Allocation.objects.filter(
        fiscal_year__year=month.year,
        source__kind=FundingSource.Kind.APB_NAGARI,
        status=Allocation.Status.APPROVED,
    ).filter(region_q(viewer, "source__nagari"))
    for pk, name, pagu, nagari in allocations.order_by("pk").values_list(
        "pk", "name", "pagu", "source__nagari_id"
    ):
        lines.setdefault(nagari, []).append(BudgetLine(pk, name, pagu))
    regencies = {".".join(v.code.split(".")[:2]) for v in villages}
    rules = {
        code: rule
        for code in sorted(regencies)
        if (rule := nagari_minimum_in_force(region_id=code, month=month)) is not None
    }
    rows = []
    for village in villages:
        rule = rules.get(".".join(village.code.split(".")[:2]))
        row = NagariProgress(
            code=village.code,
            name=village.name,
            district=village.parent.name if village.parent else "",
            members=members.get(village.code, 0),
            minimum=rule.persons if rule else None,
            budget_lines=tuple(lines.get(village.code, [])),
        )
        if not below_only or row.below:
            rows.append(row)
    return NagariMinimumReport(month=month, rows=rows, rules=rules)


def legal_basis_list() -> QuerySet[LegalBasis]:
    """Every regulation record (reference data, no personal data), in citation order."""
    return LegalBasis.objects.select_related("region", "amends").order_by(
        "kind", "region_id", "year", "number"
    )
