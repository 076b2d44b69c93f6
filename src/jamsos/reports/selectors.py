"""Reads of the reports app: figures for pages, maps, documents and the CLI.

The public selector API other apps reuse (portal, scale):

- ``coverage_areas(region=, year=, month=, viewer=None) -> Coverage``: active members at
  the month's end, the eligible denominator and coverage for a region and its child
  areas (kecamatan of a kabupaten, nagari of a kecamatan); the areas add up to the total.
- ``monthly_series(region=, year=, viewer=None)``: active per month by funding-source kind.
- ``money_series``, ``claims_series``, ``funnel_by_phase``, ``budget_by_source``,
  ``year_trends``: the chart figures (``reports.charts``).

Every figure is read from ``MonthlyFigure`` (never from person rows), so none of these
can leak a person. ``viewer`` given: the region must lie in the viewer's scope and the
viewer must hold ``reports.view_aggregates`` or see the region as its own area.

Coverage (Satu Data Indonesia 06.02.021): active PBPU members ÷ the eligible universe;
``None`` wherever no denominator was imported (counts only then).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from jamsos.accounts.access import region_in_scope
from jamsos.accounts.models import User
from jamsos.accounts.roles import Role
from jamsos.budget.models import FundingSource, NagariMinimum
from jamsos.lib.errors import DomainError, PermissionDenied
from jamsos.lib.periods import Month
from jamsos.regions.models import Region
from jamsos.reports.models import EligibleTarget, MonthlyFigure

FORMULA = gettext_lazy(
    "Cakupan = peserta aktif akhir bulan ÷ jumlah yang layak (sasaran) × 100% "
    "(Satu Data Indonesia 06.02.021)"
)


def default_month(year: int, today: dt.date | None = None) -> int:
    """December of a past year; this month in the current year (January of a future)."""
    today = today or timezone.localdate()
    if year < today.year:
        return 12
    if year > today.year:
        return 1
    return today.month


def regency_code_of(code: str) -> str:
    return code[:5]


AREA_ROLES = (Role.KECAMATAN_OPERATOR, Role.AGENT)


def check_viewer(viewer: User | None, region: Region) -> None:
    """The viewer may read aggregate figures of ``region`` (none given: the system)."""
    if viewer is None:
        return
    if not region_in_scope(viewer, region.code):
        raise PermissionDenied(gettext("Wilayah ini di luar cakupan Anda."), code="outside_scope")
    if viewer.has_perm("reports.view_aggregates"):
        return
    # The Camat's operator and the agent see their own area's figures on their home.
    if viewer.role in AREA_ROLES:
        return
    raise PermissionDenied(
        gettext("Anda tidak berwenang melihat data ini."), perm="reports.view_aggregates"
    )


@dataclass(frozen=True)
class Node:
    code: str
    name: str
    level: str
    parent: str


@dataclass(frozen=True)
class RegionTree:
    children: tuple[Node, ...]
    villages: tuple[Node, ...]


@lru_cache(maxsize=512)
def region_tree(code: str) -> RegionTree:
    """The child areas and all villages below a region, by code. Cached per process:
    the region table is reference data loaded by migrations, never edited in use."""
    fields = ("code", "name", "level", "parent_id")
    children = Region.objects.filter(parent_id=code).order_by("code").values_list(*fields)
    below = Region.objects.filter(level=Region.Level.VILLAGE).order_by("code")
    depth = code.count(".")
    if depth == 1:  # a kabupaten: villages are grandchildren
        below = below.filter(parent__parent_id=code)
    elif depth == 2:  # a kecamatan
        below = below.filter(parent_id=code)
    else:
        below = below.none()
    return RegionTree(
        children=tuple(Node(*row) for row in children),
        villages=tuple(Node(*row) for row in below.values_list(*fields)),
    )


@dataclass
class Area:
    code: str
    name: str
    level: str
    eligible: int | None
    active: int
    coverage: float | None
    nagari_minimum: int | None
    nagari_funded_active: int
    # Not in the CLI output: where the denominator comes from, for the pages.
    source: str = ""
    fictitious: bool = False

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("source")
        data.pop("fictitious")
        return data


@dataclass
class Coverage:
    region: Region
    year: int
    month: int
    eligible: int | None
    active: int
    coverage: float | None
    source: str
    fictitious: bool
    areas: list[Area] = field(default_factory=list)
    formula: str = field(default_factory=lambda: str(FORMULA))

    def as_json(self) -> dict[str, Any]:
        return {
            "region": self.region.code,
            "year": self.year,
            "month": self.month,
            "eligible": self.eligible,
            "active": self.active,
            "coverage": self.coverage,
            "source": self.source,
            "areas": [area.as_json() for area in self.areas],
        }


def ratio(active: int, eligible: int | None) -> float | None:
    if not eligible:
        return None
    return round(active / eligible, 4)


def _target_label(target: EligibleTarget) -> str:
    label = f"{target.source} ({target.source_date:%d-%m-%Y})"
    if target.is_fictitious and "FIKTIF" not in target.source.upper():
        label = gettext("FIKTIF (data contoh): %(label)s") % {"label": label}
    return label


def targets_for(codes: list[str], year: int) -> dict[str, EligibleTarget]:
    return {t.region_id: t for t in EligibleTarget.objects.filter(region_id__in=codes, year=year)}


def nagari_minimum_for(regency_code: str, month: Month) -> int | None:
    """The "1 Nagari 100 orang" rule value in force that month (``budget.NagariMinimum``)."""
    day = month.first_day()
    row = (
        NagariMinimum.objects.filter(region_id=regency_code, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .order_by("-valid_from")
        .first()
    )
    return row.persons if row else None


def _villages_active(regency_code: str, month: Month) -> tuple[dict[str, int], dict[str, int]]:
    """village → active members at the month's end, and → those paid by its APB Nagari."""
    rows = (
        MonthlyFigure.objects.filter(regency_id=regency_code, month=month.first_day(), active__gt=0)
        .values("village_id", "funding_source__kind", "funding_source__nagari_id")
        .annotate(n=Sum("active"))
    )
    active: dict[str, int] = defaultdict(int)
    funded: dict[str, int] = defaultdict(int)
    for row in rows:
        active[row["village_id"]] += row["n"]
        if (
            row["funding_source__kind"] == FundingSource.Kind.APB_NAGARI
            and row["funding_source__nagari_id"] == row["village_id"]
        ):
            funded[row["village_id"]] += row["n"]
    return active, funded


def coverage_areas(
    *,
    region: Region,
    year: int,
    month: int | None = None,
    viewer: User | None = None,
    by: str = "children",
) -> Coverage:
    """Coverage of ``region`` and its child areas at the end of ``month`` of ``year``.

    ``active`` counts memberships covering the month (``MonthlyFigure.active``). The
    total's ``active`` is the sum of the areas'. ``eligible``: an area's own target row
    for the year, else the sum of its children's when every child has one, else None.
    The region's ``eligible`` likewise prefers the sum of its areas (so they add up).
    ``nagari_minimum``: the per-nagari minimum for a nagari, the sum over its nagari for
    a kecamatan; ``nagari_funded_active``: members paid by their own nagari's APB Nagari.
    ``by="villages"``: the areas are every nagari/desa below the region instead (the
    kabupaten's 62-nagari map); they add up to the total as well.
    """
    check_viewer(viewer, region)
    if region.level == Region.Level.PROVINCE:
        raise DomainError(
            gettext("Cakupan dihitung untuk kabupaten/kota, kecamatan atau nagari."),
            code="invalid_region",
        )
    month = month or default_month(year)
    when = Month(year, month)
    regency_code = regency_code_of(region.code)
    minimum = nagari_minimum_for(regency_code, when)
    active, funded = _villages_active(regency_code, when)

    tree = region_tree(region.code)
    children = list(tree.villages if by == "villages" else tree.children)
    villages = (
        [(v.code, v.parent) for v in tree.villages]
        if region.level != Region.Level.VILLAGE
        else [(region.code, region.parent_id)]
    )
    targets = targets_for(
        [region.code, *[c.code for c in children], *[v for v, _ in villages]], year
    )

    def area_of(node: Node | Region) -> Area:
        if node.level == Region.Level.VILLAGE:
            inside = [node.code]
        else:
            inside = [v for v, _ in villages if v.startswith(node.code + ".")]
        n_active = sum(active.get(v, 0) for v in inside)
        n_funded = sum(funded.get(v, 0) for v in inside)
        own = targets.get(node.code)
        if own is not None:
            eligible, source, fict = own.count, _target_label(own), own.is_fictitious
        elif inside and all(v in targets for v in inside) and node.level != Region.Level.VILLAGE:
            rows = [targets[v] for v in inside]
            eligible = sum(t.count for t in rows)
            source = "; ".join(sorted({_target_label(t) for t in rows}))
            fict = any(t.is_fictitious for t in rows)
        else:
            eligible, source, fict = None, "", False
        n_min = minimum * len(inside) if minimum is not None and inside else None
        return Area(
            code=node.code,
            name=node.name,
            level=node.level,
            eligible=eligible,
            active=n_active,
            coverage=ratio(n_active, eligible),
            nagari_minimum=n_min,
            nagari_funded_active=n_funded,
            source=source,
            fictitious=fict,
        )

    areas = [area_of(child) for child in children]
    total_active = sum(a.active for a in areas) if areas else area_of(region).active
    if areas and all(a.eligible is not None for a in areas):
        eligible = sum(a.eligible or 0 for a in areas)
        source = "; ".join(sorted({a.source for a in areas if a.source}))
        fict = any(a.fictitious for a in areas)
    else:
        own = area_of(region)
        eligible, source, fict = own.eligible, own.source, own.fictitious
    return Coverage(
        region=region,
        year=year,
        month=month,
        eligible=eligible,
        active=total_active,
        coverage=ratio(total_active, eligible),
        source=source,
        fictitious=fict,
        areas=areas,
    )


def figures_in(region: Region) -> Q:
    """``MonthlyFigure`` rows of villages inside ``region`` (or the village itself)."""
    code = region.code
    return Q(regency_id=code[:5]) & (Q(village_id=code) | Q(village__code__startswith=code + "."))


@dataclass
class TransparencyFigures:
    """The seed's four figures (registered, dues payable, payments received, claims
    disbursed) for a region: members at the month's end, money from January on."""

    month: Month
    active: int
    payable: int
    paid: int
    claims: int
    claims_amount: int

    @property
    def absorption(self) -> float | None:
        return round(self.paid / self.payable, 4) if self.payable else None


def transparency_figures(*, region: Region, year: int, month: int) -> TransparencyFigures:
    when = Month(year, month)
    rows = MonthlyFigure.objects.filter(figures_in(region))
    active = rows.filter(month=when.first_day()).aggregate(n=Sum("active", default=0))["n"]
    money = rows.filter(
        month__gte=Month(year, 1).first_day(), month__lte=when.first_day()
    ).aggregate(
        payable=Sum("payable", default=0),
        paid=Sum("paid", default=0),
        jkk=Sum("jkk_claims", default=0),
        jkm=Sum("jkm_claims", default=0),
        jkk_amount=Sum("jkk_amount", default=0),
        jkm_amount=Sum("jkm_amount", default=0),
    )
    return TransparencyFigures(
        month=when,
        active=active,
        payable=money["payable"],
        paid=money["paid"],
        claims=money["jkk"] + money["jkm"],
        claims_amount=money["jkk_amount"] + money["jkm_amount"],
    )
