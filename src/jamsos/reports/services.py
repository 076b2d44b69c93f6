"""Writes of the reports app: refreshing the summary table, importing targets,
publishing reports.

How ``MonthlyFigure`` stays right (docs/reports.md):

- **Hooks after the chain's writes.** Every write of the chain records an audit event
  in its own transaction; ``signal_handlers`` listens to ``audit.signals.events_recorded``,
  works out the kabupaten and months each event touches (billing runs, bills, payments,
  memberships — lapse, death, end, reactivation —, BPJS results, decrees, proposals,
  claims), and after the transaction commits enqueues one ``figures_refresh_task`` per
  kabupaten for just those months (incremental).
- **A task / command for the full recompute**: ``jamsos reports_refresh --region CODE
  --year YYYY`` (and ``figures_refresh_task``) rebuilds a whole year; run it nightly from
  cron as a safety net and after loading data by other means (demo, raw SQL).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from jamsos.accounts.access import region_in_scope, require_perm
from jamsos.accounts.models import User
from jamsos.audit.services import audit_record
from jamsos.contributions.services.arrears_months import arrears_months_refresh
from jamsos.lib.errors import DomainError, NotFoundOrForbidden
from jamsos.lib.periods import Month, month_range
from jamsos.regions.models import Region
from jamsos.reports.figures import FIELDS, figures_compute
from jamsos.reports.models import EligibleTarget, MonthlyFigure, Publication, RefreshedMonth


def figures_fresh_since(
    *, regency_code: str, first: Month, last: Month, since: dt.datetime
) -> bool:
    """Were all months ``first``…``last`` recomputed at or after ``since``?"""
    months = list(month_range(first, last))
    fresh = RefreshedMonth.objects.filter(
        regency_id=regency_code,
        month__in=[m.first_day() for m in months],
        refreshed_at__gte=since,
    ).count()
    return fresh == len(months)


def figures_refresh(*, regency_code: str, first: Month, last: Month) -> int:
    """Recompute and replace the rows of ``first``…``last`` of one kabupaten; returns the
    number of rows written. Refreshes of one kabupaten run one at a time (a row lock on
    the kabupaten's region row), so two commits' refreshes cannot interleave."""
    now = timezone.now()  # before reading: a write committed meanwhile is refreshed again
    values = figures_compute(regency_code=regency_code, first=first, last=last)
    rows = [
        MonthlyFigure(
            regency_id=regency_code,
            month=month,
            village_id=village,
            funding_source_id=source,
            refreshed_at=now,
            **{name: figures[name] for name in FIELDS},
        )
        for (month, village, source), figures in values.items()
    ]
    with transaction.atomic():
        Region.objects.select_for_update().filter(pk=regency_code).first()
        MonthlyFigure.objects.filter(
            regency_id=regency_code, month__gte=first.first_day(), month__lte=last.first_day()
        ).delete()
        MonthlyFigure.objects.bulk_create(rows, batch_size=2000)
        for month in month_range(first, last):
            RefreshedMonth.objects.update_or_create(
                regency_id=regency_code, month=month.first_day(), defaults={"refreshed_at": now}
            )
    # The arrears summary follows the same writes (a whole kabupaten, not months: a
    # payment of one month changes the arrears of every later one).
    arrears_months_refresh(regency_code=regency_code)
    return len(rows)


def figures_refresh_year(*, regency_code: str, year: int) -> int:
    """The full recompute of one kabupaten's year."""
    return figures_refresh(regency_code=regency_code, first=Month(year, 1), last=Month(year, 12))


# --- Targets (the denominator) -------------------------------------------------------------


class TargetImportError(DomainError):
    """The file was refused as a whole; ``errors`` names row, column and value."""

    code = "target_import_invalid"

    def __init__(self, message: str, *, errors: list[str]) -> None:
        super().__init__(message)
        self.errors = errors


@dataclass
class TargetRow:
    row: int
    region: Region
    year: int
    count: int
    basis: str
    source: str
    source_date: dt.date
    is_fictitious: bool


@dataclass
class TargetImportResult:
    created: int = 0
    updated: int = 0
    rows: list[TargetRow] = field(default_factory=list)


@transaction.atomic
def targets_save(*, rows: list[TargetRow], acting_user: User | None) -> TargetImportResult:
    """Create or replace the targets of ``rows`` (already validated) with one audit event
    each; all or nothing."""
    if acting_user is not None:  # None: the import command, run by the operator of the host
        require_perm(acting_user, "reports.manage_targets")
        outside = [r.region.code for r in rows if not region_in_scope(acting_user, r.region.code)]
        if outside:
            raise NotFoundOrForbidden(gettext("Wilayah di luar cakupan Anda."))
    result = TargetImportResult(rows=rows)
    for item in rows:
        existing = EligibleTarget.objects.select_for_update().filter(
            region=item.region, year=item.year
        )
        before = existing.values("count", "source", "source_date").first()
        target, created = EligibleTarget.objects.update_or_create(
            region=item.region,
            year=item.year,
            defaults={
                "count": item.count,
                "basis": item.basis,
                "source": item.source,
                "source_date": item.source_date,
                "is_fictitious": item.is_fictitious,
                "created_by": acting_user,
            },
        )
        target.full_clean()
        if created:
            result.created += 1
        else:
            result.updated += 1
        audit_record(
            action="reports.target.saved",
            acting_user=acting_user,
            obj=target,
            before={**before, "source_date": str(before["source_date"])} if before else None,
            after={
                "count": target.count,
                "source": target.source,
                "source_date": str(target.source_date),
                "fictitious": target.is_fictitious,
            },
        )
    return result


# --- Publications ---------------------------------------------------------------------------


@transaction.atomic
def publication_create(
    *,
    kind: str,
    fmt: str,
    region: Region,
    period: str,
    due_date: dt.date,
    content: bytes,
    file_name: str,
    acting_user: User | None,
) -> Publication:
    """Keep one generated report as an immutable publication with its SHA-256."""
    if acting_user is not None and acting_user.pk:  # None: the scheduled publication
        require_perm(acting_user, "reports.publish")
        if not region_in_scope(acting_user, region.code):
            raise NotFoundOrForbidden(gettext("Wilayah di luar cakupan Anda."))
    if kind not in Publication.Kind.values:
        raise DomainError(gettext("Jenis laporan tidak dikenal."))
    publication = Publication(
        kind=kind,
        format=fmt,
        region=region,
        period=period,
        due_date=due_date,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        published_by=acting_user if acting_user and acting_user.pk else None,
    )
    publication.file.save(file_name, ContentFile(content), save=False)
    publication.full_clean()
    publication.save(force_insert=True)
    audit_record(
        action="reports.publication.published",
        acting_user=acting_user,
        obj=publication,
        after={"sha256": publication.sha256, "period": period, "due_date": str(due_date)},
    )
    return publication
