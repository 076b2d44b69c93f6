"""Writes and reads of generated exports (``GeneratedExport``; kinds in ``lib.generated``).

1. ``generated_export_request`` finds the viewer's export of that object and content
   (its fingerprint) or creates it, ``queued``, and enqueues the build after commit.
2. The task calls ``generated_export_build``: it claims the row with a conditional
   UPDATE (a second worker finds nothing to do), builds the file while writing progress
   to the row, stores it under ``GENERATED_ROOT`` and marks it ``ready`` — or ``failed``
   with the reason.
3. The page polls the row (htmx, ``_export_progress.html``) and offers the file.
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from jamsos.accounts.models import User
from jamsos.audit.services import audit_record
from jamsos.intake.models import GeneratedExport
from jamsos.lib.errors import NotFoundOrForbidden
from jamsos.lib.generated import export_kind

logger = logging.getLogger(__name__)
Status = GeneratedExport.Status
PROGRESS_EVERY = 2000  # rows between two progress writes


@transaction.atomic
def generated_export_request(
    *,
    kind: str,
    object_id: int,
    fingerprint: str,
    rows_total: int,
    region_code: str,
    acting_user: User,
) -> GeneratedExport:
    """The viewer's export of ``kind`` for ``object_id`` with this content; created and
    queued when new (or when the last attempt failed). Audit ``export.requested``."""
    spec = export_kind(kind)
    key = {
        "kind": kind,
        "object_id": object_id,
        "requested_by": acting_user,
        "fingerprint": fingerprint,
    }
    export = GeneratedExport.objects.select_for_update().filter(**key).first()
    if export is not None and export.status != Status.FAILED:
        return export
    if export is None:
        export = GeneratedExport(
            **key,
            region_code=region_code,
            rows_total=rows_total,
            file_name=spec.file_name(object_id),
            content_type=spec.content_type,
        )
        try:
            with transaction.atomic():
                export.save()
        except IntegrityError:  # the same request a moment ago: use that one
            return GeneratedExport.objects.get(**key)
    else:  # failed before: try again
        export.status = Status.QUEUED
        export.rows_done = 0
        export.error = ""
        export.save(update_fields=["status", "rows_done", "error"])
    audit_record(
        action="intake.export.requested",
        acting_user=acting_user,
        obj=export,
        data={"kind": kind, "object_id": object_id, "rows": rows_total},
    )
    export_id = export.pk
    transaction.on_commit(lambda: _enqueue_build(export_id))
    return export


def _enqueue_build(export_id: int) -> None:
    from jamsos.intake.tasks import generated_export_build_task

    generated_export_build_task.enqueue(export_id)


def generated_export_build(*, export_id: int) -> GeneratedExport | None:
    """Build a queued export (the task's one service); a no-op when another worker has
    claimed it or it is done. A failure is recorded on the row, then re-raised."""
    claimed = GeneratedExport.objects.filter(pk=export_id, status=Status.QUEUED).update(
        status=Status.RUNNING, rows_done=0
    )
    if not claimed:
        return None
    export = GeneratedExport.objects.select_related("requested_by").get(pk=export_id)
    spec = export_kind(export.kind)

    def progress(rows_done: int) -> None:
        GeneratedExport.objects.filter(pk=export_id).update(
            rows_done=min(rows_done, export.rows_total)
        )

    try:
        data = spec.build(export.object_id, export.requested_by, progress)
        relative = f"exports/{export.pk}-{export.file_name}"
        target = Path(settings.GENERATED_ROOT) / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    except Exception as exc:
        logger.exception("export %s failed", export_id)
        GeneratedExport.objects.filter(pk=export_id).update(
            status=Status.FAILED,
            error=f"Berkas gagal dibuat karena kesalahan sistem ({exc.__class__.__name__}).",
            finished_at=timezone.now(),
        )
        raise
    GeneratedExport.objects.filter(pk=export_id).update(
        status=Status.READY,
        file_path=relative,
        size=len(data),
        rows_done=export.rows_total,
        finished_at=timezone.now(),
    )
    export.refresh_from_db()
    return export


def access_generated_export(user: User, pk: int) -> GeneratedExport:
    """The user's own export, while they may still download its object; else 404."""
    export = GeneratedExport.objects.filter(pk=pk, requested_by=user).first()
    if export is None or not export_kind(export.kind).may_download(user, export.object_id):
        raise NotFoundOrForbidden("Berkas tidak ditemukan.")
    return export


def generated_export_path(export: GeneratedExport) -> Path:
    return Path(settings.GENERATED_ROOT) / export.file_path
