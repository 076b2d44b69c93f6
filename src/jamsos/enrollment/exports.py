"""Enrollment files built in the background (``lib.generated`` kinds, run by
``jamsos.worker``): the BPJS registration file of a big decree.

Measured on the shared 2-core machine (NOTES "exports"): the registration xlsx takes
0.6 s for 2,000 lines and 58 s for 100,000 in a request; as a task the request answers
in 0.15 s. Above ``BPJS_SYNC_MAX_LINES`` the worker makes it and the generated-file page
offers it; smaller decrees still download at once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Count, Max

from jamsos.enrollment import bpjs_layout
from jamsos.enrollment.models import Decree, DecreeLine
from jamsos.lib.errors import NotFoundOrForbidden
from jamsos.lib.generated import ExportKind, Progress

if TYPE_CHECKING:
    from jamsos.accounts.models import User
    from jamsos.worker.models import GeneratedFile

# Above this many lines the BPJS registration file is made in the background.
BPJS_SYNC_MAX_LINES = 2000
BPJS_EXPORT = "enrollment.bpjs_export"
FORMATS = {
    "xlsx": bpjs_layout.XLSX_CONTENT_TYPE,
    "csv": "text/csv; charset=utf-8",
}


def bpjs_export_params(*, fmt: str, pending_only: bool) -> dict[str, Any]:
    return {"format": fmt, "pending_only": pending_only}


def bpjs_export_fingerprint(decree: Decree, *, fmt: str, pending_only: bool) -> str:
    """The file changes when a line is added, struck or gets its BPJS result: the line
    counts per result and the latest result time identify the content."""
    lines = DecreeLine.objects.filter(decree=decree)
    by_status = dict(
        lines.values_list("bpjs_status").annotate(n=Count("pk")).order_by("bpjs_status")
    )
    latest = lines.aggregate(latest=Max("bpjs_recorded_at"))["latest"]
    content = [decree.status, decree.number, by_status, str(latest), fmt, pending_only]
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


def bpjs_stem(decree: Decree) -> str:
    return f"pendaftaran-bpjs-{(decree.number or str(decree.pk)).replace('/', '-')}"


def bpjs_export_allowed(user: Any, decree: Decree) -> bool:
    """Who may take the registration file: BPJS export permission, every line in scope
    (it lists full NIKs and mothers' names), and only once the decree is issued."""
    from jamsos.enrollment import access

    if not user.has_perm("enrollment.export_bpjs"):
        return False
    if not access.may_see_whole_decree(user, decree):
        return False
    return decree.status == Decree.Status.ISSUED


def _decree(file: Any, viewer: Any) -> Decree:
    from jamsos.enrollment import access

    return access.access_decree(viewer, file.object_id)


def _build(file: Any, progress: Progress) -> bytes:
    decree = _decree(file, file.owner)
    if not bpjs_export_allowed(file.owner, decree):
        raise NotFoundOrForbidden("SK tidak ditemukan.")
    pending_only = bool(file.params.get("pending_only", True))
    if file.params.get("format") == "csv":
        return bpjs_layout.bpjs_export_csv(decree, pending_only=pending_only, progress=progress)
    return bpjs_layout.bpjs_export_xlsx(decree, pending_only=pending_only, progress=progress)


def _may_download(viewer: Any, file: Any) -> bool:
    try:
        decree = _decree(file, viewer)
    except NotFoundOrForbidden:
        return False
    return bpjs_export_allowed(viewer, decree)


def _persons(file: Any) -> Iterable[tuple[int, str]]:
    decree = _decree(file, file.owner)
    return bpjs_layout.bpjs_export_persons(
        decree, pending_only=bool(file.params.get("pending_only", True))
    )


def _file_name(file: Any) -> str:
    decree = Decree.objects.get(pk=file.object_id)
    return f"{bpjs_stem(decree)}.{file.params.get('format', 'xlsx')}"


@transaction.atomic
def bpjs_export_request(
    *, decree: Decree, fmt: str, pending_only: bool, acting_user: User
) -> GeneratedFile:
    """Queue the registration file of a big decree for ``acting_user`` (or reuse theirs
    for the same content). Audit ``enrollment.bpjs.exported`` as the direct download
    does; the persons it lists are logged when the file is downloaded."""
    from jamsos.audit.services import audit_record
    from jamsos.worker.services import generated_file_request

    audit_record(
        action="enrollment.bpjs.exported",
        acting_user=acting_user,
        obj=decree,
        data={"format": fmt, "pending_only": pending_only, "background": True},
    )
    return generated_file_request(
        kind=BPJS_EXPORT,
        object_id=decree.pk,
        params=bpjs_export_params(fmt=fmt, pending_only=pending_only),
        fingerprint=bpjs_export_fingerprint(decree, fmt=fmt, pending_only=pending_only),
        rows_total=bpjs_layout.bpjs_export_count(decree, pending_only=pending_only),
        region_code=decree.region_id,
        acting_user=acting_user,
    )


BPJS_EXPORT_KIND = ExportKind(
    name=BPJS_EXPORT,
    build=_build,
    may_download=_may_download,
    file_name=_file_name,
    content_type=lambda file: FORMATS[file.params.get("format", "xlsx")],
    persons=_persons,
    fields=tuple(bpjs_layout.HEADERS),
)
