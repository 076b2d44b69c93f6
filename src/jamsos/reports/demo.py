"""Demo data of the reports: a target for every nagari in every demo year, clearly
labelled fictitious, the summary table for every year, and last month's reports.

The targets are invented (no BPS/DTKS figure per nagari is at hand): each row says so in
its source and carries ``is_fictitious``, and every page and document prints the label.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Min
from django.utils import timezone

from jamsos.demo.registry import DemoContext, demo_step
from jamsos.enrollment.models import Membership
from jamsos.lib.periods import Month
from jamsos.regions.models import Region
from jamsos.reports.models import EligibleTarget
from jamsos.reports.services import figures_refresh_year

FICTITIOUS_SOURCE = "FIKTIF — angka contoh demo Jamsos (bukan data BPS, DTKS atau pendataan nagari)"


@demo_step("reports", order=100)
def demo_step_reports(ctx: DemoContext) -> int:
    """Targets per nagari and year, then the full recompute of every demo year."""
    regency = ctx.regency
    first = Membership.objects.filter(village__code__startswith=regency.code + ".").aggregate(
        first=Min("first_month")
    )["first"]
    last_year = ctx.as_of.year
    first_year = min(first.year if first else last_year, last_year - 2)
    rng = ctx.rng("reports")
    villages = list(
        Region.objects.filter(code__startswith=regency.code + ".", level=Region.Level.VILLAGE)
        .order_by("code")
        .values_list("pk", flat=True)
    )
    created = 0
    rows = []
    for code in villages:
        base = rng.randint(60, 420)  # fictitious: a few hundred informal workers per nagari
        for year in range(first_year, last_year + 1):
            rows.append(
                EligibleTarget(
                    region_id=code,
                    year=year,
                    count=base + 5 * (year - first_year),
                    basis=EligibleTarget.Basis.SEMESTA_BPU,
                    source=FICTITIOUS_SOURCE,
                    source_date=dt.date(year - 1, 12, 31),
                    is_fictitious=True,
                )
            )
    created += len(EligibleTarget.objects.bulk_create(rows, ignore_conflicts=True))
    # The chain's own timestamps (proposals, BPJS results, decrees) are real time, so the
    # current year is recomputed too when the demo is set in the past.
    for year in range(first_year, max(last_year, timezone.localdate().year) + 1):
        figures_refresh_year(regency_code=regency.code, year=year)
    created += _publish_last_month(ctx)
    return created


def _publish_last_month(ctx: DemoContext) -> int:
    """Last month's report to the Bupati as PDF and Excel, published on time."""
    from jamsos.reports.documents import publication_generate

    month = Month.from_date(ctx.as_of) - 1
    operator = ctx.users.get("operator")
    for fmt in ("pdf", "xlsx"):
        publication_generate(
            kind="bulanan_bupati",
            fmt=fmt,
            region_code=ctx.regency.code,
            period=str(month),
            user_id=operator.pk if operator else None,
        )
    return 2
