"""The demo's reports step: fictitious targets for every nagari and year, the summary
table equal to a full recomputation, last month's reports published."""

from __future__ import annotations

import datetime as dt

import pytest

from jamsos.demo.services import demo_load
from jamsos.lib.periods import Month
from jamsos.reports.figures import figures_compute, figures_stored
from jamsos.reports.models import EligibleTarget, Publication
from jamsos.reports.selectors import coverage_areas
from jamsos.testing.factories import region

AS_OF = dt.date(2025, 6, 1)


@pytest.mark.django_db
def test_demo_has_targets_history_and_reports():
    demo_load(people=150, seed=3, as_of=AS_OF)
    years = sorted(set(EligibleTarget.objects.values_list("year", flat=True)))
    assert len(years) >= 3 and years[-1] == 2025
    for year in years:
        rows = EligibleTarget.objects.filter(year=year)
        assert rows.count() == 62
        assert all(t.is_fictitious and "FIKTIF" in t.source for t in rows)
    nagari = coverage_areas(region=region("13.03"), year=2025, month=5, by="villages")
    assert len(nagari.areas) == 62
    assert all(a.eligible for a in nagari.areas)
    assert nagari.active > 0 and nagari.active == sum(a.active for a in nagari.areas)
    assert "FIKTIF" in nagari.source
    for year in years:
        first, last = Month(year, 1), Month(year, 12)
        assert figures_stored(regency_code="13.03", first=first, last=last) == figures_compute(
            regency_code="13.03", first=first, last=last
        )
    from jamsos.reports.models import MonthlyFigure

    _funnel_equals_the_rows(sorted({d.year for d in MonthlyFigure.objects.dates("month", "year")}))
    assert set(Publication.objects.values_list("period", "format")) == {
        ("2025-05", "pdf"),
        ("2025-05", "xlsx"),
    }


def _funnel_equals_the_rows(years: list[int]) -> None:
    """The funnel figures summed over each year equal direct counts of the rows."""
    from django.db.models import Sum
    from django.utils import timezone

    from jamsos.enrollment.models import Decree, DecreeLine
    from jamsos.intake.models import ProposalRow
    from jamsos.reports.models import MonthlyFigure

    seen = {"proposed": 0, "accepted": 0, "in_decree": 0}
    for year in years:
        start = timezone.make_aware(dt.datetime(year, 1, 1))
        stop = timezone.make_aware(dt.datetime(year + 1, 1, 1))
        sums = MonthlyFigure.objects.filter(month__year=year).aggregate(
            proposed=Sum("proposed", default=0),
            valid=Sum("valid", default=0),
            accepted=Sum("accepted", default=0),
            rejected=Sum("rejected", default=0),
            in_decree=Sum("in_decree", default=0),
        )
        rows = ProposalRow.objects.filter(
            village__isnull=False, batch__created_at__gte=start, batch__created_at__lt=stop
        )
        assert sums["proposed"] == rows.count()
        assert sums["valid"] == rows.filter(status="valid").count()
        lines = DecreeLine.objects.filter(action="add")
        recorded = lines.filter(bpjs_recorded_at__gte=start, bpjs_recorded_at__lt=stop)
        assert sums["accepted"] == recorded.filter(bpjs_status="accepted").count()
        assert sums["rejected"] == recorded.filter(bpjs_status="rejected").count()
        issued = lines.filter(
            decree__status=Decree.Status.ISSUED,
            decree__issued_at__gte=start,
            decree__issued_at__lt=stop,
        )
        assert sums["in_decree"] == issued.count()
        for name in seen:
            seen[name] += sums[name]
    assert all(seen.values()), seen  # the demo exercises every step of the funnel
