"""Writes of the worker app: asking for a generated file (and again), and the sweeps.

``generated_file_request`` and ``generated_file_retry`` queue the build task after
commit; the task calls ``files.generated_file_build`` (so this module imports the task,
and the task only ``files``: no cycle).

Sweeps with an audit trail: what the sweeps changed is recorded, not only logged.

``leases.tasks_sweep`` stays free of our audit so it could be offered upstream; these
wrappers are what ``jamsos tasks_sweep``, ``jamsos exports_sweep`` and each worker's
heartbeat (``keeper.LeaseKeeper``) call. An empty sweep writes nothing: a worker sweeps
every ``TASK_SWEEP_SECONDS``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from jamsos.accounts.models import User
from jamsos.audit.services import audit_record
from jamsos.lib.errors import InvalidTransition
from jamsos.lib.generated import FILE_SWEEPERS, export_kind
from jamsos.worker.files import generated_files_expire, generated_files_reclaim
from jamsos.worker.leases import SweepReport, tasks_sweep
from jamsos.worker.models import GeneratedFile
from jamsos.worker.tasks import generated_file_build_task

Status = GeneratedFile.Status


@transaction.atomic
def generated_file_request(
    *,
    kind: str,
    object_id: int,
    fingerprint: str,
    rows_total: int,
    region_code: str,
    acting_user: User,
    params: dict[str, Any] | None = None,
) -> GeneratedFile:
    """The viewer's file of ``kind`` for ``object_id`` with this content; created and
    queued when new (or queued again when the last attempt failed or expired). Audit
    ``worker.generated_file.requested``."""
    spec = export_kind(kind)
    key = {
        "kind": kind,
        "object_id": object_id,
        "owner": acting_user,
        "fingerprint": fingerprint,
    }
    generated = GeneratedFile.objects.select_for_update().filter(**key).first()
    if generated is not None and not generated.retryable:
        return generated
    if generated is None:
        generated = GeneratedFile(
            **key, params=params or {}, region_code=region_code, rows_total=rows_total
        )
        generated.file_name = spec.file_name(generated)
        content_type = spec.content_type
        generated.content_type = content_type(generated) if callable(content_type) else content_type
        try:
            with transaction.atomic():
                generated.save()
        except IntegrityError:  # the same request a moment ago: use that one
            return GeneratedFile.objects.get(**key)
    else:
        _requeue(generated)
    audit_record(
        action="worker.generated_file.requested",
        acting_user=acting_user,
        obj=generated,
        data={"kind": kind, "object_id": object_id, "rows": rows_total},
    )
    file_id = generated.pk
    transaction.on_commit(lambda: _enqueue_build(file_id))
    return generated


def _requeue(generated: GeneratedFile) -> None:
    # A new ask: ``created_at`` restarts, so the sweep gives its task a lease's time to
    # be enqueued before it takes a missing task id for a lost one.
    generated.created_at = timezone.now()
    generated.status = Status.QUEUED
    generated.rows_done = 0
    generated.error = ""
    generated.task_id = ""
    generated.file_path = ""
    generated.size = 0
    generated.started_at = None
    generated.finished_at = None
    generated.save(
        update_fields=[
            "created_at",
            "status",
            "rows_done",
            "error",
            "task_id",
            "file_path",
            "size",
            "started_at",
            "finished_at",
        ]
    )


@transaction.atomic
def generated_file_retry(*, generated: GeneratedFile, acting_user: User) -> GeneratedFile:
    """Build a failed or expired file again (the page's "coba lagi")."""
    generated = GeneratedFile.objects.select_for_update().get(pk=generated.pk)
    if not generated.retryable:
        raise InvalidTransition("Berkas ini tidak perlu dibuat ulang.", code="export_not_retryable")
    _requeue(generated)
    audit_record(
        action="worker.generated_file.retried",
        acting_user=acting_user,
        obj=generated,
        data={"kind": generated.kind, "object_id": generated.object_id},
    )
    file_id = generated.pk
    transaction.on_commit(lambda: _enqueue_build(file_id))
    return generated


def _enqueue_build(file_id: int) -> None:
    result = generated_file_build_task.enqueue(file_id)
    # Known before any worker claims it: a task failed before its claim still finds
    # its row (``generated_file_abandon``). The claim writes the same id.
    GeneratedFile.objects.filter(pk=file_id, status=Status.QUEUED, task_id="").update(
        task_id=str(result.id)[:64]
    )


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
