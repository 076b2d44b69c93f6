"""Reads of the public portal. Everything here is public except ``lead_list`` (scoped
to the viewer): programme facts from the regulation tables, offices and agents per
kecamatan, coverage and money totals with small counts suppressed."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext

from jamsos.accounts.access import scope_queryset
from jamsos.accounts.models import Agency, User
from jamsos.budget.models import Allocation, ContributionRate, FundingSource, IncomeBracket
from jamsos.claims import rules as claim_rules
from jamsos.claims import selectors as claims_selectors
from jamsos.claims.models import BenefitRule, ClaimParameter, ClaimType, DocumentRequirement
from jamsos.enrollment.models import BpjsResultImport, DecreeLine, Membership
from jamsos.intake.models import EligibilityRule
from jamsos.lib.errors import DomainError
from jamsos.lib.money import round_rupiah
from jamsos.lib.periods import Month
from jamsos.lib.suppression import Relation, suppress
from jamsos.portal.access import may_view_leads
from jamsos.portal.models import Lead
from jamsos.regions.models import Region
from jamsos.reports import maps as report_maps
from jamsos.reports.selectors import targets_for


def portal_regency() -> Region:
    return Region.objects.get(pk=settings.PORTAL_REGENCY_CODE)


def small_cell_min() -> int:
    return settings.PORTAL_SMALL_CELL_MIN


# --- Programme facts -------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeFacts:
    month: Month
    jkm: list[BenefitRule]
    jkk_death: list[BenefitRule]
    jkk_other: list[BenefitRule]
    beasiswa: list[BenefitRule]
    parameters: dict[str, ClaimParameter]
    lowest_income: IncomeBracket | None
    rates: list[ContributionRate]
    sources: list[FundingSource]
    eligibility: EligibilityRule | None
    dues: dict[str, int]  # BPU dues a month at the lowest declared income, per programme

    @property
    def dues_total(self) -> int:
        return sum(self.dues.values())


def programme_facts(*, on: dt.date | None = None) -> ProgrammeFacts:
    """The benefit lines, parameters and dues valid this month, from the tables."""
    month = Month.from_date(on or timezone.localdate())
    rules = list(
        BenefitRule.objects.filter(claim_rules.valid_in(month)).order_by(
            "benefit", "sort_order", "code"
        )
    )
    by_type: dict[str, list[BenefitRule]] = defaultdict(list)
    for rule in rules:
        by_type[rule.benefit].append(rule)
    try:
        lowest = claim_rules.lowest_income(month)
    except claim_rules.RuleMissing:
        lowest = None
    rates = list(
        ContributionRate.objects.filter(claim_rules.valid_in(month), segment="bpu").order_by(
            "programme"
        )
    )
    sources = list(
        FundingSource.objects.filter(region_id=settings.PORTAL_REGENCY_CODE, is_active=True)
        .exclude(kind=FundingSource.Kind.APB_NAGARI)
        .order_by("kind", "name")
    )
    dues: dict[str, int] = {}
    for rate in rates:
        if rate.basis == ContributionRate.Basis.FLAT:
            dues[rate.programme] = int(rate.amount or 0)
        elif lowest is not None and rate.percent is not None:
            dues[rate.programme] = round_rupiah(
                Decimal(lowest.declared_income) * rate.percent / Decimal(100)
            )
    try:
        eligibility = EligibilityRule.in_force(month.first_day())
    except DomainError:
        eligibility = None
    return ProgrammeFacts(
        month=month,
        eligibility=eligibility,
        dues=dues,
        jkm=by_type[ClaimType.JKM],
        jkk_death=by_type[ClaimType.JKK_DEATH],
        jkk_other=[
            *by_type[ClaimType.JKK_MEDICAL],
            *by_type[ClaimType.JKK_STMB],
        ],
        beasiswa=by_type[ClaimType.BEASISWA],
        parameters=claim_rules.parameter_rows(month),
        lowest_income=lowest,
        rates=rates,
        sources=sources,
    )


def heir_documents() -> list[DocumentRequirement]:
    return list(
        DocumentRequirement.objects.filter(claim_type=ClaimType.JKM, is_active=True).order_by(
            "sort_order", "code"
        )
    )


# --- Where to join: nagari offices and agents per kecamatan ----------------------------------


@dataclass
class JoinPlace:
    district: Region
    villages: list[Region] = field(default_factory=list)
    offices: list[Agency] = field(default_factory=list)
    agents: list[tuple[str, str, str]] = field(default_factory=list)  # name, nagari, phone


def join_places(*, regency: Region) -> list[JoinPlace]:
    """Per kecamatan: its nagari, the kecamatan/nagari offices on record and the active
    agents assigned there today (name, nagari, work phone; ``_public_agents``)."""
    districts = Region.objects.filter(parent=regency, level=Region.Level.DISTRICT).order_by("name")
    places = {d.code: JoinPlace(district=d) for d in districts}
    for village in Region.objects.filter(parent__in=districts).order_by("name"):
        places[village.parent_id].villages.append(village)  # type: ignore[index]
    for agency in Agency.objects.filter(
        is_active=True,
        kind__in=[Agency.Kind.KECAMATAN_OFFICE, Agency.Kind.NAGARI],
        region__code__startswith=regency.code + ".",
    ).select_related("region"):
        district_code = ".".join(agency.region_id.split(".")[:3])
        if district_code in places:
            places[district_code].offices.append(agency)
    for name, village, phone in _public_agents(regency):
        district_code = ".".join(village.code.split(".")[:3])
        if district_code in places:
            places[district_code].agents.append((name, village.name, phone))
    return list(places.values())


def _public_agents(regency: Region) -> list[tuple[str, Region, str]]:
    """Active Agen Perisai whose nagari assignment covers today, by name: (name, nagari,
    the work phone of their login). Only what an agent publishes about itself."""
    from jamsos.agents.models import Agent, AgentAssignment

    today = timezone.localdate()
    assignments = (
        AgentAssignment.objects.filter(
            nagari__code__startswith=regency.code + ".",
            valid_from__lte=today,
            agent__status=Agent.Status.ACTIVE,
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .select_related("agent__user", "agent__person", "nagari")
    )
    found = []
    for assignment in assignments:
        user = assignment.agent.user
        name = user.full_name if user is not None else assignment.agent.person.full_name
        found.append((name, assignment.nagari, user.phone if user is not None else ""))
    return sorted(found, key=lambda item: (item[0], item[1].name))


# --- Coverage by kecamatan and nagari --------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A published count: its value, or the mark shown instead ("<5", "x")."""

    value: int
    label: str | None = None

    @property
    def hidden(self) -> bool:
        return self.label is not None


@dataclass
class CoverageRow:
    region: Region
    figure: Figure
    villages: list[tuple[Region, Figure]] = field(default_factory=list)


@dataclass
class Coverage:
    regency: Region
    rows: list[CoverageRow]
    total: Figure
    data_date: dt.date | None


def bpjs_data_date(*, regency: Region) -> dt.date | None:
    """The last BPJS result the kabupaten's figures rest on."""
    imported = BpjsResultImport.objects.filter(decree__region=regency).aggregate(
        last=Max("imported_at")
    )["last"]
    recorded = DecreeLine.objects.filter(decree__region=regency).aggregate(
        last=Max("bpjs_recorded_at")
    )["last"]
    dates = [timezone.localtime(d).date() for d in (imported, recorded) if d]
    return max(dates) if dates else None


def coverage(*, regency: Region) -> Coverage:
    """Active memberships per nagari and kecamatan, small counts suppressed across the
    hierarchy (nagari add up to their kecamatan, kecamatan to the kabupaten)."""
    counts = dict(
        Membership.objects.filter(
            status=Membership.Status.ACTIVE, village__code__startswith=regency.code + "."
        )
        .values_list("village_id")
        .annotate(n=Count("pk"))
        .values_list("village_id", "n")
    )
    districts = list(
        Region.objects.filter(parent=regency, level=Region.Level.DISTRICT).order_by("name")
    )
    villages: dict[str, list[Region]] = defaultdict(list)
    for village in Region.objects.filter(parent__in=districts).order_by("name"):
        villages[village.parent_id].append(village)  # type: ignore[index]
    values: dict[str, int] = {}
    relations: list[Relation[str]] = []
    for district in districts:
        parts = [v.code for v in villages[district.code]]
        for code in parts:
            values[code] = counts.get(code, 0)
        values[district.code] = sum(values[c] for c in parts)
        if parts:
            relations.append((parts, district.code))
    values[regency.code] = sum(values[d.code] for d in districts)
    relations.append(([d.code for d in districts], regency.code))
    threshold = small_cell_min()
    result = suppress(values, relations, threshold=threshold)

    def figure(code: str) -> Figure:
        return Figure(values[code], result.label(code, values[code], threshold=threshold))

    rows = [
        CoverageRow(
            region=district,
            figure=figure(district.code),
            villages=[(v, figure(v.code)) for v in villages[district.code]],
        )
        for district in districts
    ]
    return Coverage(
        regency=regency,
        rows=rows,
        total=figure(regency.code),
        data_date=bpjs_data_date(regency=regency),
    )


# --- Transparency ----------------------------------------------------------------------------


def _suppressed_grid(
    grid: list[list[int]], *, threshold: int
) -> tuple[list[list[Figure]], list[Figure], set[tuple[int, int]]]:
    """Rows × columns of counts with row and column totals; returns the figures, the
    column totals (grand total last) and the hidden interior cells."""
    from jamsos.lib.suppression import table_suppress

    table = table_suppress(grid, threshold=threshold) if grid else None
    if table is None:
        return [], [], set()
    rows = [[Figure(c.value, c.label) for c in row] for row in table.rows]
    totals = [Figure(c.value, c.label) for c in table.totals]
    hidden = {
        (r, c) for r, row in enumerate(table.rows) for c, cell in enumerate(row) if cell.hidden
    }
    return rows, totals, hidden


@dataclass
class ClaimsMonth:
    month: Month
    count: Figure
    amount: int | None  # None: hidden with its count


@dataclass(frozen=True)
class MoneyCell:
    """One month × funding source (or a total): members and the money owed and paid;
    the amounts are hidden (None) wherever the member count is."""

    registered: Figure
    payable: int | None
    paid: int | None


@dataclass
class PublicTransparency:
    regency: Region
    year: int
    sources: list[str]
    rows: list[tuple[Month, list[MoneyCell]]]  # per month: each source, then the total
    totals: list[MoneyCell]  # per source, then the grand total
    claims: list[ClaimsMonth]
    claims_total: Figure
    claims_amount: int
    data_date: dt.date | None
    claims_available: bool


def public_transparency(*, regency: Region, year: int) -> PublicTransparency:
    """The four figures of the staff transparency report (contributions.transparency)
    for the public, per month and funding source: members covered (small counts
    suppressed, with complements), dues payable and paid (hidden with their count, so no
    amount betrays a hidden count), and claims paid per month for the whole kabupaten."""
    from jamsos.contributions.transparency import transparency_report_unchecked

    report = transparency_report_unchecked(regency=regency, year=year)
    names: dict[int, str] = {}
    for _total, rows in report.months:
        for row in rows:
            if row.source is not None:
                names[row.source.pk] = row.source.name
    ids = sorted(names, key=lambda pk: names[pk])
    grid: list[list[int]] = []
    money: list[list[tuple[int, int]]] = []
    for _total, rows in report.months:
        by_source = {row.source.pk: row for row in rows if row.source is not None}
        grid.append([by_source[pk].registered if pk in by_source else 0 for pk in ids])
        money.append(
            [
                (by_source[pk].payable, by_source[pk].paid) if pk in by_source else (0, 0)
                for pk in ids
            ]
        )
    figures, totals, _hidden = _suppressed_grid(grid, threshold=small_cell_min())

    def cell(figure: Figure, payable: int, paid: int) -> MoneyCell:
        if figure.hidden:
            return MoneyCell(figure, None, None)
        return MoneyCell(figure, payable, paid)

    out_rows: list[tuple[Month, list[MoneyCell]]] = []
    for r, (month_total, _rows) in enumerate(report.months):
        cells = [cell(figures[r][c], *money[r][c]) for c in range(len(ids))]
        cells.append(cell(figures[r][len(ids)], month_total.payable, month_total.paid))
        out_rows.append((month_total.month, cells))
    out_totals = [
        cell(
            totals[c],
            sum(money[r][c][0] for r in range(len(money))),
            sum(money[r][c][1] for r in range(len(money))),
        )
        for c in range(len(ids))
    ]
    if ids:
        grand = report.total
        assert grand is not None
        out_totals.append(cell(totals[len(ids)], grand.payable, grand.paid))
    claims, claims_total, claims_amount = claims_by_month(regency=regency, year=year)
    return PublicTransparency(
        regency=regency,
        year=year,
        sources=[names[pk] for pk in ids],
        rows=out_rows if ids else [],
        totals=out_totals,
        claims=claims,
        claims_total=claims_total,
        claims_amount=claims_amount,
        data_date=bpjs_data_date(regency=regency),
        claims_available=report.claims_available,
    )


@dataclass
class BudgetLine:
    source: str
    kind: str
    pagu: int
    billed: int
    paid: int

    @property
    def absorption(self) -> float | None:
        return self.paid / self.pagu * 100 if self.pagu else None


def budget_absorption(*, regency: Region, year: int) -> list[BudgetLine]:
    """Approved allocations of the year per funding source: pagu, billed, paid."""
    rows = (
        Allocation.objects.filter(
            fiscal_year__region=regency, fiscal_year__year=year, status=Allocation.Status.APPROVED
        )
        .values("source__name", "source__kind")
        .annotate(pagu=Sum("pagu"), billed=Sum("billed_amount"), paid=Sum("paid_amount"))
        .order_by("source__kind", "source__name")
    )
    return [
        BudgetLine(
            source=row["source__name"],
            kind=row["source__kind"],
            pagu=int(row["pagu"] or 0),
            billed=int(row["billed"] or 0),
            paid=int(row["paid"] or 0),
        )
        for row in rows
    ]


def claims_by_month(*, regency: Region, year: int) -> tuple[list[ClaimsMonth], Figure, int]:
    """Claims paid per month for the whole kabupaten only (never per nagari, where one
    death is a known family), counts under the threshold suppressed, and the amount of a
    hidden count hidden too."""
    first, last = Month(year, 1), Month(year, 12)
    counts: dict[Month, int] = defaultdict(int)
    amounts: dict[Month, int] = defaultdict(int)
    for row in claims_selectors.claims_paid_by_month(
        region_code=regency.code, first=first, last=last
    ):
        counts[row.month] += row.claims
        amounts[row.month] += row.amount
    months = [Month(year, m) for m in range(1, 13)]
    rows, totals, _hidden = _suppressed_grid(
        [[counts.get(m, 0)] for m in months], threshold=small_cell_min()
    )
    result = [
        ClaimsMonth(
            month=m, count=rows[i][0], amount=None if rows[i][0].hidden else amounts.get(m, 0)
        )
        for i, m in enumerate(months)
    ]
    total_amount = sum(amounts.values())
    return result, totals[0], total_amount


# --- Leads (staff) ---------------------------------------------------------------------------


def lead_list(*, viewer: User, status: str = "") -> QuerySet[Lead]:
    """The leads in the viewer's area (an agent: its nagari; a Camat operator: its
    kecamatan), open ones first."""
    if not may_view_leads(viewer):
        return Lead.objects.none()
    queryset = scope_queryset(viewer, Lead.objects.select_related("village__parent"), "village")
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("status", "-created_at", "-pk")


def lead_open_count(*, viewer: User) -> int:
    return lead_list(viewer=viewer).filter(status__in=Lead.OPEN_STATUSES).count()


def coverage_map_svg(coverage: Coverage, *, year: int) -> str:
    """The nagari map of the public coverage page ("" without polygons): an area is
    coloured by active ÷ eligible only where its count is published; a suppressed count
    ("<5", or hidden to protect one) stays grey, so the colour cannot undo suppression."""
    shapes = report_maps.boundaries_for(coverage.regency, Region.Level.VILLAGE)
    if shapes is None:
        return ""
    villages = [(village, figure) for row in coverage.rows for village, figure in row.villages]
    targets = targets_for([village.code for village, _figure in villages], year)
    areas = []
    for village, figure in villages:
        target = targets.get(village.code)
        value = None
        if not figure.hidden and target is not None and target.count:
            value = figure.value / target.count
        shown = figure.label if figure.hidden else f"{figure.value}"
        areas.append(
            report_maps.MapArea(
                code=village.code,
                name=village.name,
                value=value,
                tooltip=f"{village.name}: {shown}",
            )
        )
    return report_maps.choropleth_svg(
        areas=areas, shapes=shapes, title=gettext("Peta peserta aktif per nagari")
    )
