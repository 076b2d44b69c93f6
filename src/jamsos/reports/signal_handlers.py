"""Keep ``MonthlyFigure`` right after the chain's writes (incremental refresh).

Every write of the chain records audit events in its transaction; ``on_events`` picks
the ones that change a figure, and after the transaction commits works out which months
of which kabupaten they touched and enqueues ``figures_refresh_task`` for that range.
A rolled-back write enqueues nothing. What each kind of event touches:

- ``contributions.billing.ran``: the months billed (``data.month``…``data.last_month``);
- a bill or a payment (``contributions.bill.*``, ``contributions.payment.*``,
  ``contributions.credit.*``): the bill's months;
- a membership (``enrollment.membership.*``, ``contributions.membership.*``): its months,
  including those a lapse or a death removed (``before.last_month``);
- a BPJS result on a decree line: this month, plus the new membership's months;
- a decree issued: this month; a proposal batch or row: the batch's month (funnel
  figures count by event month: rows by their batch's upload);
- a claim paid: its payout month.

Before enqueueing, each kabupaten's arrears summary is marked stale
(``contributions.services.arrears_months_stale_mark``); the refresh rebuilds it too.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from django.db import transaction
from django.utils import timezone

from jamsos.audit.signals import events_recorded
from jamsos.lib.errors import DomainError
from jamsos.lib.periods import Month

WATCHED = (
    "contributions.",
    "enrollment.membership.",
    "enrollment.decree_line.",
    "enrollment.bpjs.results_recorded",
    "enrollment.bpjs.file_imported",
    "enrollment.decree.issued",
    "intake.batch.",
    "intake.person.proposed",
    "claims.claim.paid",
)


def _month(text: Any) -> Month | None:
    if not text:
        return None
    try:
        return Month.parse(str(text)[:7])
    except (DomainError, ValueError):
        return None


def _span(first: dt.date | None, last: dt.date | None) -> list[Month]:
    if first is None:
        return []
    return [Month.from_date(first), Month.from_date(last or first)]


def _bill_months(kind: str, pk: str) -> tuple[str, list[Month]] | None:
    from jamsos.contributions.models import Bill, Payment

    if kind == "contributions.payment":
        bill = Bill.objects.filter(pk=Payment.objects.filter(pk=pk).values("bill_id")).first()
    else:
        bill = Bill.objects.filter(pk=pk).first()
    if bill is None:
        return None
    return bill.regency_id, _span(bill.first_month, bill.last_month)


def _membership_months(event: dict[str, Any], pk: str) -> tuple[str, list[Month]] | None:
    from jamsos.enrollment.models import Membership

    membership = Membership.objects.filter(pk=pk).first()
    if membership is None:
        return None
    months = _span(membership.first_month, membership.last_month)
    before = _month((event["before"] or {}).get("last_month"))
    return membership.village_id[:5], [*months, *([before] if before else [])]


def _decree_line_months(today: Month, pk: str) -> tuple[str, list[Month]] | None:
    from jamsos.enrollment.models import DecreeLine, Membership

    line = DecreeLine.objects.filter(pk=pk).values("village_id").first()
    if line is None:
        return None
    membership = Membership.objects.filter(decree_line_id=pk).first()
    extra = _span(membership.first_month, membership.last_month) if membership else []
    return line["village_id"][:5], [today, *extra]


def _batch_months(pk: str, *, row: bool = False) -> tuple[str, list[Month]] | None:
    from jamsos.intake.models import ProposalBatch, ProposalRow

    if row:
        pk = ProposalRow.objects.filter(pk=pk).values_list("batch_id", flat=True).first()
    batch = ProposalBatch.objects.filter(pk=pk).values("created_at", "region_id").first()
    if batch is None or not batch["region_id"]:
        return None
    return batch["region_id"][:5], [Month.from_date(timezone.localdate(batch["created_at"]))]


def _claim_months(today: Month, pk: str) -> tuple[str, list[Month]] | None:
    from jamsos.claims.models import Claim

    claim = Claim.objects.filter(pk=pk).values("payout_date", "village_id").first()
    if claim is None:
        return None
    paid = claim["payout_date"]
    return claim["village_id"][:5], [Month.from_date(paid) if paid else today]


def months_for(event: dict[str, Any]) -> tuple[str, list[Month]]:
    """(kabupaten code, months touched) of one event, read after commit."""
    today = Month.from_date(timezone.localdate(event["occurred_at"]))
    kind, pk = event["object_type"], event["object_id"]
    if event["action"] == "contributions.billing.ran":
        data = event["data"] or {}
        months = [m for m in (_month(data.get("month")), _month(data.get("last_month"))) if m]
        return (event["region_code"] or "")[:5], months
    found: tuple[str, list[Month]] | None = None
    if pk and kind in ("contributions.bill", "contributions.payment"):
        found = _bill_months(kind, pk)
    elif pk and kind == "enrollment.membership":
        found = _membership_months(event, pk)
    elif pk and kind == "enrollment.decreeline":
        found = _decree_line_months(today, pk)
    elif pk and kind in ("intake.proposalbatch", "intake.proposalrow"):
        found = _batch_months(pk, row=kind == "intake.proposalrow")
    elif pk and kind == "claims.claim":
        found = _claim_months(today, pk)
    return found or ((event["region_code"] or "")[:5], [today])


def _refresh_after_commit(events: list[dict[str, Any]]) -> None:
    from jamsos.contributions.services.arrears_months import arrears_months_stale_mark
    from jamsos.reports.tasks import figures_refresh_task

    ranges: dict[str, list[Month]] = {}
    for event in events:
        regency, months = months_for(event)
        if len(regency) != 5 or not months:
            continue
        ranges.setdefault(regency, []).extend(months)
    # The arrears summary is stale from this commit until the refresh below rebuilds it
    # (before ``committed``: a refresh that starts later reads the bumped version).
    arrears_months_stale_mark(regency_codes=sorted(ranges))
    # After the commit: a refresh that starts from now on sees this write, so a queued
    # task may skip itself once its months were recomputed after this moment.
    committed = timezone.now()
    for regency, months in sorted(ranges.items()):
        figures_refresh_task.enqueue(
            regency, str(min(months)), str(max(months)), committed.isoformat()
        )


def on_events(sender: Any, events: list[Any], **kwargs: Any) -> None:
    picked = [
        {
            "action": e.action,
            "object_type": e.object_type,
            "object_id": e.object_id,
            "region_code": e.region_code,
            "occurred_at": e.occurred_at,
            "before": e.before,
            "data": e.data,
        }
        for e in events
        if e.action.startswith(WATCHED)
    ]
    if not picked:
        return
    # One refresh per transaction, however many audit calls it makes: the events gather
    # in a per-thread list flushed by one on-commit callback. A callback no longer queued
    # (committed, or dropped by a rollback) starts a new list, so a rolled-back write's
    # events are forgotten with it.
    connection = transaction.get_connection()
    queued = (
        connection.in_atomic_block
        and getattr(_pending, "open", False)
        and any(func is _flush for _sids, func, *_rest in connection.run_on_commit)
    )
    if queued:
        _pending.events.extend(picked)
        return
    _pending.events, _pending.open = list(picked), True
    transaction.on_commit(_flush)


_pending = threading.local()


def _flush() -> None:
    events, _pending.events, _pending.open = getattr(_pending, "events", []), [], False
    if events:
        _refresh_after_commit(events)


def connect() -> None:
    events_recorded.connect(on_events, dispatch_uid="reports.figures_refresh")
