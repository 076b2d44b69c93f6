"""The arrears summary (``ArrearsMonth``): what the arrears page and API read.

``arrears_check`` finds who is in arrears from the open bills' lines and every member's
last paid month: at a million members with thousands in arrears, about a second per
page view. The summary keeps its result per kabupaten — every running member's months
due and unpaid after its last paid month, not bounded by a month — so a page counts and
pages rows of one small table, and takes the months up to its own ``as_of``.

How it stays right (docs/reports.md "How the figures stay right"):

1. Every committed write the figures watch (bills issued and paid, credits, billing
   runs, lapses, reactivations, memberships ending) bumps the kabupaten's
   ``ArrearsRefresh.version`` after its commit (``arrears_months_stale_mark``, from
   ``reports.signal_handlers``), then enqueues the figures refresh, which rebuilds the
   summary too (``arrears_months_refresh``; also ``jamsos reports_refresh`` nightly).
2. A rebuild reads ``version`` before any data and records it as ``refreshed_version``.
3. A reader uses the summary only while ``refreshed_version == version``; otherwise (a
   write not yet rebuilt, or never built) it computes as ``arrears_check`` does. So a
   page is never older than the last committed write, give or take the moment between
   a commit and its bump.

The check that writes warnings and lapses (``arrears_check(apply=True)``, scheduled)
never reads the summary.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from jamsos.accounts.models import User
from jamsos.contributions.models import ArrearsMonth, ArrearsRefresh, LapseRule
from jamsos.contributions.services.arrears import (
    ArrearsEntry,
    _unpaid_months,
    arrears_check,
    lapse_rules_valid,
)
from jamsos.contributions.services.common import require
from jamsos.enrollment.models import Membership
from jamsos.lib.idsets import ids_q
from jamsos.lib.periods import Month
from jamsos.regions.models import Region

LIST_ORDER = ("segment", "village_id", "full_name", "membership_id")


def arrears_months_stale_mark(*, regency_codes: list[str]) -> None:
    """A committed write changed what the kabupaten's arrears may be: the summary is
    stale until rebuilt. Runs after the commit (outside the write's transaction, so no
    writer waits on this row), in kabupaten order."""
    for code in sorted(set(regency_codes)):
        if not Region.objects.filter(pk=code, level=Region.Level.REGENCY).exists():
            continue
        ArrearsRefresh.objects.get_or_create(regency_id=code)
        ArrearsRefresh.objects.filter(regency_id=code).update(version=F("version") + 1)


def arrears_months_refresh(*, regency_code: str) -> int:
    """Rebuild the kabupaten's ``ArrearsMonth`` rows; returns how many were written.

    1. Read the kabupaten's ``version`` (before any data: a write committed later bumps
       it past what is recorded here).
    2. Compute every running member's unpaid months after its last paid month, for
       members whose village is in the kabupaten (``arrears_check``'s reads, unbounded).
    3. Replace the rows and record the version read in 1, under a lock on the
       kabupaten's refresh row (two rebuilds do not interleave).
    """
    state, _created = ArrearsRefresh.objects.get_or_create(regency_id=regency_code)
    version = state.version
    scoped = Membership.objects.filter(village__code__startswith=regency_code + ".")
    unpaid = _unpaid_months(segment=None, as_of=None, memberships=scoped)
    info = {
        pk: rest
        for pk, *rest in Membership.objects.filter(ids_q("pk", unpaid)).values_list(
            "pk", "segment", "village_id", "funding_source_id", "person__full_name", "kpj_number"
        )
    }
    rows = [
        ArrearsMonth(
            regency_id=regency_code,
            membership_id=pk,
            month=month.first_day(),
            ordinal=ordinal,
            segment=info[pk][0],
            village_id=info[pk][1],
            funding_source_id=info[pk][2],
            full_name=info[pk][3][:200],
            kpj_number=info[pk][4],
        )
        for pk, months in sorted(unpaid.items())
        if pk in info
        for ordinal, month in enumerate(sorted(months), start=1)
    ]
    with transaction.atomic():
        ArrearsRefresh.objects.select_for_update().filter(regency_id=regency_code).first()
        ArrearsMonth.objects.filter(regency_id=regency_code).delete()
        ArrearsMonth.objects.bulk_create(rows, batch_size=5_000)
        ArrearsRefresh.objects.filter(regency_id=regency_code).update(
            refreshed_version=version, refreshed_at=timezone.now()
        )
    return len(rows)


def arrears_months_current(*, regency_code: str) -> bool:
    """Is the kabupaten's summary as of its last committed write?"""
    return ArrearsRefresh.objects.filter(
        regency_id=regency_code, refreshed_version=F("version")
    ).exists()


class ArrearsRows:
    """One list (to lapse, or to warn) of the summary, lazily: ``len()`` counts it and a
    slice reads just that page, in ``arrears_check``'s order (rule by rule, then
    village, name, membership). A Django ``Paginator`` pages it as it pages a list.

    ``members`` holds one summary row per member of the list (its k-th unpaid month);
    ``months`` all the rows up to ``as_of``, from which a page's members get theirs."""

    def __init__(self, members: QuerySet[ArrearsMonth], months: QuerySet[ArrearsMonth]) -> None:
        self._members = members.order_by(*LIST_ORDER)
        self._months = months
        self._count: int | None = None

    def __len__(self) -> int:
        if self._count is None:
            self._count = self._members.count()
        return self._count

    def count(self) -> int:
        return len(self)

    def __getitem__(self, index: slice) -> list[ArrearsEntry]:
        if not isinstance(index, slice):
            raise TypeError("ArrearsRows is read by slices (pages)")
        rows = list(
            self._members[index].values_list(
                "membership_id", "full_name", "kpj_number", "village_id", "funding_source_id"
            )
        )
        months: dict[int, list[Month]] = defaultdict(list)
        for membership_id, month in (
            self._months.filter(membership_id__in=[row[0] for row in rows])
            .order_by("membership_id", "month")
            .values_list("membership_id", "month")
        ):
            months[membership_id].append(Month.from_date(month))
        return [
            ArrearsEntry(pk, name, kpj, village, source, tuple(months[pk]))
            for pk, name, kpj, village, source in rows
        ]

    def __iter__(self) -> Iterator[ArrearsEntry]:
        return iter(self[:])


@dataclass
class ArrearsListing:
    """The arrears page's and API's view: the rules, and the two lists (lazy rows of
    the summary when it is current, else the lists ``arrears_check`` computed)."""

    as_of: Month
    rules: list[LapseRule] = field(default_factory=list)
    lapses: Any = field(default_factory=list)  # ArrearsRows | list[ArrearsEntry]
    warnings: Any = field(default_factory=list)
    from_summary: bool = False


def arrears_listing(*, as_of: Month, regency: Region, acting_user: User | None) -> ArrearsListing:
    """Who would be warned and lapsed at ``as_of`` in the kabupaten, without writing:
    ``arrears_check(apply=False)``'s answer, read from the summary when it is current."""
    require(acting_user, "contributions.manage_arrears", regency.code)
    if not arrears_months_current(regency_code=regency.code):
        report = arrears_check(as_of=as_of, regency=regency, apply=False, acting_user=acting_user)
        return ArrearsListing(
            as_of=as_of, rules=report.rules, lapses=report.lapses, warnings=report.warnings
        )
    rules = lapse_rules_valid(as_of)
    months = ArrearsMonth.objects.filter(
        regency_id=regency.code,
        month__lte=as_of.first_day(),
        segment__in=[rule.segment for rule in rules],
    )
    if not rules:
        return ArrearsListing(as_of=as_of, from_summary=True)
    lapse, warn = Q(), Q()
    for rule in rules:  # one condition per rule (segment), OR-ed
        lapse |= Q(segment=rule.segment, ordinal=rule.unpaid_months)
        warn |= Q(segment=rule.segment, ordinal=rule.warn_at_months)
    lapsing = months.filter(lapse)
    # Warned: a (warn_at)-th unpaid month up to as_of, but not a lapse (fewer months).
    warned = months.filter(warn).exclude(membership_id__in=lapsing.values("membership_id"))
    return ArrearsListing(
        as_of=as_of,
        rules=rules,
        lapses=ArrearsRows(lapsing, months),
        warnings=ArrearsRows(warned, months),
        from_summary=True,
    )
