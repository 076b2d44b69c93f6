"""Generated files: writes, reads and access (``GeneratedFile``; kinds in ``lib.generated``).

1. ``services.generated_file_request`` finds the viewer's file of that kind, object and content
   (its fingerprint) or creates it, ``queued``, and enqueues the build after commit.
2. The task calls ``generated_file_build``: it claims the row with a conditional UPDATE
   that records the task's id (a second worker finds nothing to do; the same task run
   again after its worker died reclaims its own ``running`` row), builds the file while
   writing progress to the row, stores it under ``GENERATED_ROOT`` and marks it
   ``ready`` — or ``failed`` with the reason.
3. The page polls the row (htmx, ``worker/_generated_file_progress.html``) and offers
   the file; the download re-checks the viewer's current rights and scope
   (``access_generated_file``) and logs the persons it lists.
4. Faults and housekeeping: a task failed for good (its worker died on every attempt)
   fails its row (``generated_file_abandon``, from ``task_finished``);
   ``generated_files_reclaim`` fails busy rows whose task is gone; ``generated_files_expire``
   deletes files older than ``GENERATED_RETENTION_HOURS`` and marks their rows expired.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from jamsos.accounts.access import region_in_scope
from jamsos.accounts.models import User
from jamsos.audit.services import personal_data_access_log
from jamsos.lib.errors import NotFoundOrForbidden
from jamsos.lib.generated import export_kind
from jamsos.worker.leases import lease_seconds, task_is_over
from jamsos.worker.models import GeneratedFile

logger = logging.getLogger(__name__)
Status = GeneratedFile.Status
BUSY = (Status.QUEUED, Status.RUNNING)


def generated_file_build(*, file_id: int, task_id: str) -> GeneratedFile | None:
    """Build a queued file (the task's one service); a no-op when another task has
    claimed it or it is done. A failure is recorded on the row, then re-raised.

    The claim takes a ``queued`` row, or a ``running`` row of this same task: its worker
    died mid-build and the worker's sweep queued the task again (``worker.leases``)."""
    claimed = (
        GeneratedFile.objects.filter(pk=file_id)
        .filter(Q(status=Status.QUEUED) | Q(status=Status.RUNNING, task_id=task_id))
        .update(status=Status.RUNNING, task_id=task_id, rows_done=0, started_at=timezone.now())
    )
    if not claimed:
        return None
    generated = GeneratedFile.objects.select_related("owner").get(pk=file_id)
    spec = export_kind(generated.kind)

    def progress(rows_done: int) -> None:
        GeneratedFile.objects.filter(pk=file_id, task_id=task_id).update(
            rows_done=min(rows_done, generated.rows_total)
        )

    relative = f"exports/{generated.pk}-{generated.file_name}"
    try:
        data = spec.build(generated, progress)
        target = Path(settings.GENERATED_ROOT) / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(target.suffix + ".part")
        partial.write_bytes(data)
        partial.replace(target)  # a reader never sees half a file
    except Exception as exc:
        logger.exception("generated file %s failed", file_id)
        GeneratedFile.objects.filter(pk=file_id, task_id=task_id).update(
            status=Status.FAILED,
            error=f"Berkas gagal dibuat karena kesalahan sistem ({exc.__class__.__name__}).",
            finished_at=timezone.now(),
        )
        raise
    GeneratedFile.objects.filter(pk=file_id, task_id=task_id).update(
        status=Status.READY,
        file_path=relative,
        size=len(data),
        rows_done=generated.rows_total,
        finished_at=timezone.now(),
    )
    generated.refresh_from_db()
    return generated


def generated_file_abandon(*, file_id: int, task_id: str, reason: str) -> bool:
    """The task of a busy row failed without the build seeing it (its worker died on
    every attempt, or it failed before claiming): fail the row with a reason the page
    shows next to "coba lagi". A row another task has claimed since is left alone."""
    return bool(
        GeneratedFile.objects.filter(pk=file_id, status__in=BUSY)
        .filter(Q(task_id=task_id) | Q(task_id=""))
        .update(status=Status.FAILED, error=reason, finished_at=timezone.now())
    )


WORKER_DIED = (
    "Pembuatan berkas terhenti karena pekerja latar berhenti (dicoba {attempts} kali). "
    "Silakan coba lagi."
)
TASK_FAILED = "Berkas gagal dibuat karena kesalahan sistem. Silakan coba lagi."
TASK_GONE = "Pembuatan berkas tidak berjalan (tugasnya hilang). Silakan coba lagi."


def task_failure_reason(task_result: Any) -> str:
    """The reason a failed build task gives its row: a worker that died on every attempt
    (``leases.LeaseExpired``, whose message counts the attempts), or any other error."""
    errors = getattr(task_result, "errors", None) or []
    if not errors or not errors[-1].exception_class_path.endswith(".LeaseExpired"):
        return TASK_FAILED
    counted = re.search(r"attempt (\d+) of", errors[-1].traceback or "")
    attempts = int(counted.group(1)) if counted else task_result.attempts
    return WORKER_DIED.format(attempts=attempts)


def generated_files_reclaim(*, now: dt.datetime | None = None) -> list[int]:
    """Fail busy rows whose task is over or gone (its ``task_finished`` was missed, or
    the task was never enqueued because the process died right after the commit).
    Rows younger than one lease are left alone: their task may be on its way."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=lease_seconds())
    failed = []
    busy = GeneratedFile.objects.filter(status__in=BUSY, created_at__lt=cutoff)
    for pk, task_id in busy.values_list("pk", "task_id"):
        if task_is_over(task_id) and generated_file_abandon(
            file_id=pk, task_id=task_id, reason=TASK_GONE
        ):
            failed.append(pk)
    return failed


def generated_files_expire(*, now: dt.datetime | None = None) -> list[int]:
    """Delete the files finished more than ``GENERATED_RETENTION_HOURS`` ago and mark
    their rows ``expired`` (the page offers to make the file again). Each row is
    marked before its file goes: a download racing the sweep gets a 404, never half a
    file."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(hours=float(settings.GENERATED_RETENTION_HOURS))
    expired = []
    old = GeneratedFile.objects.filter(status=Status.READY, finished_at__lt=cutoff)
    for pk, relative in old.values_list("pk", "file_path"):
        if not GeneratedFile.objects.filter(pk=pk, status=Status.READY).update(
            status=Status.EXPIRED, file_path="", size=0
        ):
            continue
        if relative:
            (Path(settings.GENERATED_ROOT) / relative).unlink(missing_ok=True)
        expired.append(pk)
    return expired


def access_generated_file(user: User, pk: int) -> GeneratedFile:
    """The user's own file, while they may still read what it holds; else 404.

    Design goal: a cached file never outlives its viewer's rights. Checked on every
    read: the owner, the file's region against the owner's region now, and the kind's
    own check (the permission and access to its object, as at the request)."""
    generated = GeneratedFile.objects.filter(pk=pk, owner=user).first()
    if generated is None:
        raise NotFoundOrForbidden("Berkas tidak ditemukan.")
    if generated.region_code and not region_in_scope(user, generated.region_code):
        raise NotFoundOrForbidden("Berkas tidak ditemukan.")
    if not export_kind(generated.kind).may_download(user, generated):
        raise NotFoundOrForbidden("Berkas tidak ditemukan.")
    return generated


def generated_file_path(generated: GeneratedFile) -> Path:
    return Path(settings.GENERATED_ROOT) / generated.file_path


def generated_file_download_record(*, generated: GeneratedFile, viewer: User, path: str) -> None:
    """A file listing persons leaves the system: log who received whose data."""
    spec = export_kind(generated.kind)
    if spec.persons is None:
        return
    personal_data_access_log(
        viewer=viewer,
        persons=spec.persons(generated),
        purpose=f"{generated.kind} ({generated.object_id})",
        fields=spec.fields,
        path=path,
    )
