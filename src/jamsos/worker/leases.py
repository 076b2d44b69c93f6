"""Leases for running tasks and the sweep that recovers tasks of dead workers.

django-tasks-db has no recovery of its own: a worker killed by SIGKILL, the OOM killer
or a power cut leaves its task ``RUNNING`` for ever (upstream django-tasks issue #46,
"Unclean exits of the worker leave tasks in limbo"). This module is deliberately small
and depends only on ``DBTaskResult`` and settings, so it could be offered upstream:

- a worker takes a lease when it starts a task (``lease_take``) and its heartbeat renews
  it (``lease_renew``) every ``TASK_LEASE_SECONDS / 4``; it drops it when the task ends;
- ``tasks_sweep`` finds ``RUNNING`` tasks whose lease expired (or that never got one and
  started longer ago than a lease lasts) and either puts them back in the queue (at most
  ``TASK_LEASE_MAX_ATTEMPTS`` runs in all) or fails them with ``LeaseExpired`` and sends
  ``task_finished``, as the worker does for a task that raised.

Tasks are therefore run at least once, and possibly again after a crash: a task must be
idempotent (intake's validation replaces the rows of its batch).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks.signals import task_finished
from django_tasks_db.models import DBTaskResult

from jamsos.worker.models import TaskLease

logger = logging.getLogger(__name__)

RUNNING = "RUNNING"
READY = "READY"


class LeaseExpired(Exception):
    """The worker running the task stopped renewing its lease (it died)."""


def lease_seconds() -> float:
    return float(settings.TASK_LEASE_SECONDS)


def heartbeat_seconds() -> float:
    return lease_seconds() / 4


def lease_take(*, task_result_id: str, worker_id: str) -> TaskLease:
    """Start (or restart, after a sweep) the lease of a task this worker just claimed."""
    now = timezone.now()
    with transaction.atomic():
        lease, created = TaskLease.objects.select_for_update().get_or_create(
            task_result_id=task_result_id,
            defaults={
                "worker_id": worker_id,
                "attempts": 1,
                "heartbeat_at": now,
                "expires_at": now + dt.timedelta(seconds=lease_seconds()),
            },
        )
        if not created:
            lease.worker_id = worker_id
            lease.attempts += 1
            lease.heartbeat_at = now
            lease.expires_at = now + dt.timedelta(seconds=lease_seconds())
            lease.save()
    return lease


def lease_renew(*, task_result_id: str, worker_id: str) -> bool:
    """The heartbeat: extend the lease; False when it is no longer this worker's."""
    now = timezone.now()
    return bool(
        TaskLease.objects.filter(task_result_id=task_result_id, worker_id=worker_id).update(
            heartbeat_at=now, expires_at=now + dt.timedelta(seconds=lease_seconds())
        )
    )


def lease_release(*, task_result_id: str) -> None:
    TaskLease.objects.filter(task_result_id=task_result_id).delete()


def _stalled_filter(now: dt.datetime) -> Q:
    unleased_since = now - dt.timedelta(seconds=lease_seconds())
    return Q(lease__expires_at__lt=now) | Q(lease__isnull=True, started_at__lt=unleased_since)


def task_is_stalled(task_id: str) -> bool:
    """True when the task is gone, finished, or ``RUNNING`` on a dead worker; False
    while it waits in the queue or runs under a live lease. Serves "retry" buttons."""
    if not task_id:
        return True
    try:
        result = DBTaskResult.objects.filter(pk=task_id).first()
    except (ValueError, TypeError):  # not a UUID: the task never was a database task
        return True
    if result is None or result.status not in (READY, RUNNING):
        return True
    if result.status == READY:
        return False
    return DBTaskResult.objects.filter(_stalled_filter(timezone.now()), pk=task_id).exists()


def task_is_over(task_id: str) -> bool:
    """True when the task finished (whatever its outcome) or is gone; False while it
    waits in the queue or runs. A row a task promised to finish is stuck when it is."""
    if not task_id:
        return True
    try:
        status = DBTaskResult.objects.filter(pk=task_id).values_list("status", flat=True).first()
    except (ValueError, TypeError, ValidationError):  # not a UUID: never a database task
        return True
    return status not in (READY, RUNNING)


@dataclass
class SweepReport:
    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def tasks_sweep(*, now: dt.datetime | None = None) -> SweepReport:
    """Recover the tasks of dead workers.

    1. Find ``RUNNING`` tasks whose lease expired before ``now``, or that have no lease
       and started longer than a lease ago (a worker without leases, or one killed
       between claiming and leasing).
    2. For each, in its own short transaction: lock it, check it is still stalled (its
       worker may have renewed meanwhile), then
       a. fewer than ``TASK_LEASE_MAX_ATTEMPTS`` runs: back to ``READY`` (the lease keeps
          its attempt count and waits, ``expires_at`` null, for the next claim);
       b. otherwise: ``FAILED`` with ``LeaseExpired`` and the reason, lease dropped, and
          ``task_finished`` sent after commit so the task's owner can react.
    """
    now = now or timezone.now()
    report = SweepReport()
    max_attempts = int(settings.TASK_LEASE_MAX_ATTEMPTS)
    stalled = list(
        DBTaskResult.objects.filter(_stalled_filter(now), status=RUNNING)
        .order_by()
        .values_list("pk", flat=True)
    )
    for pk in stalled:
        with transaction.atomic():
            result = (
                # of=self: PostgreSQL refuses FOR UPDATE on the outer join's lease side.
                DBTaskResult.objects.select_for_update(of=("self",))
                .filter(_stalled_filter(now), pk=pk, status=RUNNING)
                .first()
            )
            if result is None:
                continue
            lease = TaskLease.objects.filter(task_result_id=pk).first()
            attempts = lease.attempts if lease else 1
            if attempts < max_attempts:
                DBTaskResult.objects.filter(pk=pk, status=RUNNING).update(
                    status=READY, run_after=now
                )
                TaskLease.objects.update_or_create(
                    task_result_id=pk,
                    defaults={"expires_at": None, "attempts": attempts, "heartbeat_at": now},
                    create_defaults={
                        "worker_id": (result.worker_ids or ["?"])[-1][:64],
                        "attempts": attempts,
                        "heartbeat_at": now,
                        "expires_at": None,
                    },
                )
                report.requeued.append(str(pk))
                logger.warning(
                    "task %s (%s): lease expired after attempt %d of %d; queued again",
                    pk,
                    result.task_path,
                    attempts,
                    max_attempts,
                )
            else:
                result.set_failed(
                    LeaseExpired(
                        f"Worker {(result.worker_ids or ['?'])[-1]} stopped renewing its "
                        f"lease; attempt {attempts} of {max_attempts}, not retried."
                    )
                )
                TaskLease.objects.filter(task_result_id=pk).delete()
                report.failed.append(str(pk))
                logger.error(
                    "task %s (%s): lease expired after %d attempts; failed",
                    pk,
                    result.task_path,
                    attempts,
                )
                transaction.on_commit(lambda r=result: _send_finished(r))
    return report


def _send_finished(result: DBTaskResult) -> None:
    try:
        task_result = result.task_result
        sender = type(result.task.get_backend())
    except ImportError:  # the task's code is gone; nothing can listen for it
        return
    task_finished.send(sender=sender, task_result=task_result)
