"""Background work of the reports app (django-tasks; ImmediateBackend in tests)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from jamsos.lib.periods import Month


@task()
def figures_refresh_task(regency_code: str, first: str, last: str, since: str = "") -> int:
    """Recompute the summary rows of one kabupaten for months ``first``…``last``;
    skipped when they were all recomputed after ``since`` (the latest write's time)."""
    from jamsos.reports.services import figures_fresh_since, figures_refresh

    first_month, last_month = Month.parse(first), Month.parse(last)
    if since and figures_fresh_since(
        regency_code=regency_code,
        first=first_month,
        last=last_month,
        since=dt.datetime.fromisoformat(since),
    ):
        return 0
    rows = figures_refresh(regency_code=regency_code, first=first_month, last=last_month)
    _warm(regency_code, list(range(first_month.year, last_month.year + 1)))
    return rows


def _warm(regency_code: str, years: list[int]) -> None:
    from django.conf import settings

    from jamsos.reports.charts import charts_warm

    if settings.REPORTS_WARM_CHARTS:
        charts_warm(regency_code=regency_code, years=years)


@task()
def figures_refresh_year_task(regency_code: str, year: int) -> int:
    """The full recompute of one kabupaten's year."""
    from jamsos.reports.services import figures_refresh_year

    rows = figures_refresh_year(regency_code=regency_code, year=year)
    _warm(regency_code, [year])
    return rows


@task()
def publication_generate_task(
    kind: str, fmt: str, region_code: str, period: str, user_id: int | None
) -> int:
    """Build one report document and keep it as a publication; returns its id."""
    from jamsos.reports.documents import publication_generate

    return publication_generate(
        kind=kind, fmt=fmt, region_code=region_code, period=period, user_id=user_id
    ).pk
