"""Sweeps with an audit trail: what the sweeps changed is recorded, not only logged.

``leases.tasks_sweep`` stays free of our audit so it could be offered upstream; these
wrappers are what ``jamsos tasks_sweep``, ``jamsos exports_sweep`` and each worker's
heartbeat (``keeper.LeaseKeeper``) call. An empty sweep writes nothing: a worker sweeps
every ``TASK_SWEEP_SECONDS``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from jamsos.audit.services import audit_record
from jamsos.lib.generated import FILE_SWEEPERS
from jamsos.worker.files import generated_files_expire, generated_files_reclaim
from jamsos.worker.leases import SweepReport, tasks_sweep


def tasks_sweep_recorded(*, trigger: str) -> SweepReport:
    """``tasks_sweep``, then one audit event ``worker.tasks.swept`` naming the tasks it
    queued again and those it failed (``trigger``: the command or a worker's id)."""
    report = tasks_sweep()
    if report.requeued or report.failed:
        with transaction.atomic():
            audit_record(
                action="worker.tasks.swept",
                acting_user=None,
                data={
                    "trigger": trigger,
                    "requeued": report.requeued,
                    "failed": report.failed,
                },
                region_code="",
            )
    return report


@dataclass
class FilesSweepReport:
    changed: dict[str, list[int]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not any(self.changed.values())


def generated_files_sweep(*, trigger: str, now: dt.datetime | None = None) -> FilesSweepReport:
    """Fail stuck generated files and expire old ones (ours and every registered
    sweeper's); one audit event ``worker.generated_files.swept`` when anything changed."""
    now = now or timezone.now()
    report = FilesSweepReport(
        {
            "failed": generated_files_reclaim(now=now),
            "expired": generated_files_expire(now=now),
        }
    )
    for sweeper in FILE_SWEEPERS:
        report.changed.update(sweeper(now=now))
    if not report.empty:
        with transaction.atomic():
            audit_record(
                action="worker.generated_files.swept",
                acting_user=None,
                data={"trigger": trigger, **report.changed},
                region_code="",
            )
    return report
