"""REST API of the intake: upload, follow, review and decide proposal batches.

Permissions and scope are the UI's: every object comes through ``intake.access``, every
list through ``intake.selectors``, every write through ``intake.services``; a domain
error becomes ``{"code", "message", "params"}`` with its HTTP status in one handler
(``jamsos.api.base``). NIKs leave the API masked, and the file's raw cells not at all.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from jamsos.accounts.access import require_perm
from jamsos.api.schemas import Id, PageIn, PageMetaOut, errors, paginate
from jamsos.audit.services import PROPOSAL_ROW_FIELDS, personal_data_access_log
from jamsos.intake import access, exports, selectors, services
from jamsos.intake.disclosure import Disclosure
from jamsos.intake.forms import proposable_regions
from jamsos.intake.models import ProposalBatch, ProposalRow
from jamsos.lib.errors import InvalidTransition, NotFoundOrForbidden, PermissionDenied
from jamsos.lib.nik import nik_mask
from jamsos.lib.ratelimit import RateLimited
from jamsos.worker import files
from jamsos.worker import services as worker_services
from jamsos.worker.models import GeneratedFile

router = Router(tags=["intake"])

ERRORS = errors(400, 401, 403, 404, 409, 422)
CHECK_ERRORS = errors(400, 401, 403, 404, 409, 422, 429)
UPLOAD_ERRORS = errors(400, 401, 403, 404, 409, 413, 422)
XLSX_RESPONSE = {
    "responses": {
        200: {
            "description": "Berkas Excel",
            "content": {
                exports.XLSX_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}
            },
        }
    }
}


# -- schemas ----------------------------------------------------------------------------


class BatchProgressOut(Schema):
    rows_total: int
    rows_processed: int
    percent: int


class BatchApplyOut(Schema):
    """While the batch is ``applying``: persons written so far of those to apply."""

    persons_total: int
    persons_written: int
    percent: int


class BatchCountsOut(Schema):
    valid: int
    invalid: int
    duplicate_in_file: int
    already_registered: int
    possible_duplicate: int
    applied: int


class BatchOut(Schema):
    id: int
    title: str
    source: str
    status: str
    status_label: str
    region_code: str
    region_name: str
    proposer: str
    agency: str
    file_name: str
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    applied_at: dt.datetime | None
    decision_note: str
    failure_message: str
    progress: BatchProgressOut
    apply: BatchApplyOut | None = None
    status_url: str
    counts: BatchCountsOut

    @staticmethod
    def from_batch(batch: ProposalBatch) -> dict[str, object]:
        apply = None
        if batch.status == ProposalBatch.Status.APPLYING:
            written, total = services.apply_progress(batch)
            apply = {
                "persons_total": total,
                "persons_written": written,
                "percent": min(100, round(100 * written / total)) if total else 0,
            }
        return {
            "apply": apply,
            "status_url": f"/api/intake/batches/{batch.pk}",
            "id": batch.pk,
            "title": str(batch),
            "source": batch.source,
            "status": batch.status,
            "status_label": str(batch.get_status_display()),
            "region_code": batch.region_id,
            "region_name": batch.region.name,
            "proposer": batch.proposer.username,
            "agency": str(batch.agency),
            "file_name": batch.file_name,
            "created_at": batch.created_at,
            "submitted_at": batch.submitted_at,
            "decided_at": batch.decided_at,
            "applied_at": batch.applied_at,
            "decision_note": batch.decision_note,
            "failure_message": batch.failure_message,
            "progress": {
                "rows_total": batch.rows_total,
                "rows_processed": batch.rows_processed,
                "percent": batch.progress_percent,
            },
            "counts": {
                "valid": batch.rows_valid,
                "invalid": batch.rows_invalid,
                "duplicate_in_file": batch.rows_duplicate_in_file,
                "already_registered": batch.rows_already_registered,
                "possible_duplicate": batch.rows_possible_duplicate,
                "applied": batch.rows_applied,
            },
        }


class BatchDetailOut(BatchOut):
    status_counts: dict[str, int]
    errors: dict[str, int]
    warnings: dict[str, int]


class BatchPageOut(PageMetaOut):
    items: list[BatchOut]


class BatchListIn(PageIn):
    status: ProposalBatch.Status | None = None


class BatchRejectIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000)


class IssueOut(Schema):
    code: str
    severity: str
    column: str | None = None
    value: str | None = None
    message: str


class CandidateOut(Schema):
    source: str
    row_number: int | None = None
    person_id: int | None = None
    nik: str = ""
    name: str = ""
    birth_date: str | None = None
    village: str | None = None
    score: float | None = None


class RowOut(Schema):
    id: int
    batch_id: int
    row_number: int
    status: str
    nik_masked: str
    full_name: str
    village_code: str | None
    values: dict[str, str | int | None]
    issues: list[IssueOut]
    possible_duplicate: bool
    duplicate_candidates: list[CandidateOut]
    decision: str
    decision_reason: str
    person_id: int | None
    event_code: str = ""

    @staticmethod
    def from_row(row: ProposalRow, disclosure: Disclosure) -> dict[str, object]:
        """``row`` as ``disclosure``'s viewer may read it (``intake.disclosure``)."""
        values = {k: _plain(v) for k, v in disclosure.values(row.values).items()}
        if values.get("nik"):
            values["nik"] = nik_mask(str(values["nik"]))
        issues = disclosure.issues(
            row.issues, candidates=row.duplicate_candidates, row_number=row.row_number
        )
        return {
            "id": row.pk,
            "batch_id": row.batch_id,
            "row_number": row.row_number,
            "status": row.status,
            "nik_masked": nik_mask(row.nik) if row.nik else "",
            "full_name": row.full_name,
            "village_code": row.village_id,
            "values": values,
            "issues": [_issue(i) for i in issues],
            "possible_duplicate": row.possible_duplicate,
            "duplicate_candidates": [
                _candidate(c) for c in disclosure.candidates(row.duplicate_candidates)
            ],
            "decision": row.decision,
            "decision_reason": row.decision_reason,
            "person_id": row.person_id,
            "event_code": row.event_code,
        }


class RowPageOut(PageMetaOut):
    items: list[RowOut]


class RowListIn(PageIn):
    status: ProposalRow.Status | None = None
    code: str | None = Field(None, max_length=60)
    possible_duplicate: bool | None = None
    decision: ProposalRow.Decision | None = None
    q: str | None = Field(None, max_length=100)


class RowValuesIn(Schema):
    """One person's values by field key (nik, full_name, birth_date, sex, village, …)."""

    values: dict[str, str]
    event_code: str = Field(
        "", max_length=20, description="Kode kegiatan sosialisasi (QR), mis. SOS-00012."
    )


class RowDecideIn(Schema):
    decision: Literal["accepted", "rejected", "same_person"]
    reason: str = Field("", max_length=255)


class RowCheckIn(RowValuesIn):
    region: str | None = Field(None, max_length=13, description="Default: your own scope")


class RowCheckOut(Schema):
    status: str
    issues: list[IssueOut]
    values: dict[str, str | int | None]
    candidates: list[CandidateOut]


class TemplateIn(Schema):
    region: str | None = Field(None, max_length=13, description="Default: your own scope")


def _plain(value: object) -> str | int | None:
    if value is None or isinstance(value, (str, int)):
        return value
    return str(value)


def _issue(issue: dict) -> dict[str, object]:
    value = issue.get("value")
    return {
        "code": str(issue.get("code", "")),
        "severity": str(issue.get("severity", "error")),
        "column": issue.get("column"),
        "value": None if value is None else str(value),
        "message": str(issue.get("message", "")),
    }


def _candidate(candidate: dict) -> dict[str, object]:
    nik = str(candidate.get("nik") or "")
    return {
        "source": str(candidate.get("source", "")),
        "row_number": candidate.get("row_number"),
        "person_id": candidate.get("person_id"),
        "nik": nik_mask(nik) if len(nik) == 16 and nik.isdigit() else nik,
        "name": str(candidate.get("name") or ""),
        "birth_date": _plain(candidate.get("birth_date")),
        "village": _plain(candidate.get("village")),
        "score": candidate.get("score"),
    }


def _require_intake(request: HttpRequest) -> None:
    user = request.user
    if not (user.has_perm("intake.propose") or user.has_perm("intake.review_batch")):
        raise PermissionDenied(gettext("Anda tidak berwenang untuk tindakan ini."))


def _batch_out(batch: ProposalBatch) -> dict[str, object]:
    return BatchOut.from_batch(batch)


def _too_many(exc: RateLimited) -> HttpResponse:
    """429 with ``Retry-After``, in the API's error shape."""
    response = JsonResponse(
        {"code": exc.code, "message": exc.message, "params": exc.params}, status=429
    )
    response["Retry-After"] = str(exc.retry_after)
    return response


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# -- batches ----------------------------------------------------------------------------


@router.post(
    "/batches",
    response={201: BatchOut, **UPLOAD_ERRORS},
    summary="Unggah berkas usulan (.xlsx/.csv); validasi berjalan di latar belakang",
)
def batch_upload(
    request: HttpRequest,
    file: File[UploadedFile],
    region: Form[str],
    title: Form[str] = "",
) -> Status:
    require_perm(request.user, "intake.propose")
    target = proposable_regions(request.user).filter(pk=region.strip()).first()
    if target is None:
        raise NotFoundOrForbidden(gettext("Wilayah tidak ditemukan atau di luar wilayah Anda."))
    batch = services.batch_stage_upload(
        upload=file,
        file_name=file.name or "",
        region=target,
        acting_user=request.user,
        title=title[:200],
        source=ProposalBatch.Source.API,
    )
    return Status(201, _batch_out(batch))


@router.get("/batches", response={200: BatchPageOut, **ERRORS}, summary="Daftar usulan")
def batch_list(request: HttpRequest, filters: Query[BatchListIn]) -> dict[str, object]:
    _require_intake(request)
    batches = selectors.batch_list(viewer=request.user, status=filters.status)
    meta, items = paginate(batches, filters)
    return {**meta.model_dump(), "items": [_batch_out(b) for b in items]}


@router.get(
    "/batches/{batch_id}",
    response={200: BatchDetailOut, **ERRORS},
    summary="Status, kemajuan dan jumlah per status/kode satu usulan",
)
def batch_detail(request: HttpRequest, batch_id: Id) -> dict[str, object]:
    batch = access.access_batch(request.user, batch_id)
    counts = selectors.batch_code_counts(batch=batch)
    return {
        **_batch_out(batch),
        "status_counts": counts.get("status", {}),
        "errors": counts.get("errors", {}),
        "warnings": counts.get("warnings", {}),
    }


@router.get(
    "/batches/{batch_id}/rows",
    response={200: RowPageOut, **ERRORS},
    summary="Baris satu usulan, dengan saringan",
)
def batch_rows(request: HttpRequest, batch_id: Id, filters: Query[RowListIn]) -> dict[str, object]:
    batch = access.access_batch(request.user, batch_id)
    rows = selectors.batch_rows(
        batch=batch,
        viewer=request.user,
        status=filters.status,
        code=filters.code,
        possible_duplicate=filters.possible_duplicate,
        decision=filters.decision,
        search=filters.q,
    )
    meta, items = paginate(rows, filters)
    items = list(items)
    personal_data_access_log(
        viewer=request.user,  # type: ignore[arg-type]
        persons=[(r.person_id or 0, r.nik) for r in items],
        purpose=f"api:intake.batch_rows ({batch.pk})",
        fields=PROPOSAL_ROW_FIELDS,
        path=request.path,
    )
    disclosure = Disclosure.for_viewer(request.user, [r.issues for r in items])
    return {**meta.model_dump(), "items": [RowOut.from_row(r, disclosure) for r in items]}


@router.post(
    "/batches/{batch_id}/submit",
    response={200: BatchOut, **ERRORS},
    summary="Ajukan usulan ke kepala dinas",
)
def batch_submit(request: HttpRequest, batch_id: Id) -> dict[str, object]:
    require_perm(request.user, "intake.review_batch")
    with transaction.atomic():
        batch = access.access_batch(request.user, batch_id, for_write=True)
        batch = services.batch_submit(batch=batch, acting_user=request.user)
    return _batch_out(batch)


@router.post(
    "/batches/{batch_id}/approve",
    response={202: BatchOut, **ERRORS},
    summary="Setujui usulan; peserta dimasukkan ke registri di latar belakang (maker-checker)",
    description=(
        "Returns at once (202) with the batch `applying`; follow `status_url` (or the "
        "`Location` header) until the status is `applied` or `apply_failed`."
    ),
)
def batch_approve(request: HttpRequest, batch_id: Id, response: HttpResponse) -> Status:
    require_perm(request.user, "intake.approve_batch")
    with transaction.atomic():
        batch = access.access_batch(request.user, batch_id, for_write=True)
        batch = services.batch_approve(batch=batch, acting_user=request.user)
    return _applying(batch, response)


@router.post(
    "/batches/{batch_id}/apply-retry",
    response={202: BatchOut, **ERRORS},
    summary="Ulangi penerapan usulan yang gagal atau terhenti",
)
def batch_apply_retry(request: HttpRequest, batch_id: Id, response: HttpResponse) -> Status:
    require_perm(request.user, "intake.approve_batch")
    with transaction.atomic():
        batch = access.access_batch(request.user, batch_id, for_write=True)
        batch = services.batch_apply_retry(batch=batch, acting_user=request.user)
    return _applying(batch, response)


def _applying(batch: ProposalBatch, response: HttpResponse) -> Status:
    """202 with the batch, and its status URL in ``Location`` to follow the apply."""
    out = _batch_out(batch)
    response["Location"] = out["status_url"]
    return Status(202, out)


@router.post(
    "/batches/{batch_id}/reject",
    response={200: BatchOut, **ERRORS},
    summary="Tolak usulan dengan alasan",
)
def batch_reject(request: HttpRequest, batch_id: Id, payload: BatchRejectIn) -> dict[str, object]:
    require_perm(request.user, "intake.approve_batch")
    with transaction.atomic():
        batch = access.access_batch(request.user, batch_id, for_write=True)
        batch = services.batch_reject(batch=batch, reason=payload.reason, acting_user=request.user)
    return _batch_out(batch)


@router.get(
    "/batches/{batch_id}/rejection-report.xlsx",
    response=ERRORS,
    openapi_extra=XLSX_RESPONSE,
    summary="Laporan baris tidak valid/ditolak (Excel) untuk diperbaiki pengusul",
)
def rejection_report(request: HttpRequest, batch_id: Id) -> HttpResponse:
    batch = access.access_batch(request.user, batch_id)
    rows = exports.rejection_report_row_count(batch=batch, viewer=request.user)
    if rows > exports.REPORT_SYNC_MAX_ROWS:
        raise InvalidTransition(
            f"Laporan ini memuat {rows} baris dan dibuat di latar belakang: "
            f"POST /api/intake/batches/{batch.pk}/rejection-report, lalu ikuti "
            "/api/intake/exports/{id}.",
            code="export_in_background",
            rows=rows,
        )
    data = exports.rejection_report_xlsx(batch=batch, viewer=request.user)
    return _xlsx(data, f"baris-ditolak-usulan-{batch.pk}.xlsx")


class ExportOut(Schema):
    id: int
    kind: str
    status: str
    status_label: str
    rows_total: int
    rows_done: int
    percent: int
    file_name: str
    file_url: str | None
    error: str

    @staticmethod
    def from_export(export: GeneratedFile) -> dict[str, object]:
        ready = export.status == GeneratedFile.Status.READY
        return {
            "id": export.pk,
            "kind": export.kind,
            "status": export.status,
            "status_label": str(export.get_status_display()),
            "rows_total": export.rows_total,
            "rows_done": export.rows_done,
            "percent": export.progress_percent,
            "file_name": export.file_name,
            "file_url": f"/api/intake/exports/{export.pk}/file" if ready else None,
            "error": export.error,
        }


@router.post(
    "/batches/{batch_id}/rejection-report",
    response={202: ExportOut, **ERRORS},
    summary="Buat laporan baris ditolak di latar belakang (untuk usulan besar)",
)
def rejection_report_prepare(request: HttpRequest, batch_id: Id) -> Status:
    batch = access.access_batch(request.user, batch_id)
    export = worker_services.generated_file_request(
        kind=exports.REJECTION_REPORT,
        object_id=batch.pk,
        fingerprint=exports.rejection_report_fingerprint(batch=batch),
        rows_total=exports.rejection_report_row_count(batch=batch, viewer=request.user),
        region_code=batch.region_id,
        acting_user=request.user,
    )
    return Status(202, ExportOut.from_export(export))


@router.get(
    "/exports/{export_id}",
    response={200: ExportOut, **ERRORS},
    summary="Status dan kemajuan satu berkas ekspor yang dibuat di latar belakang",
)
def export_detail(request: HttpRequest, export_id: Id) -> dict[str, object]:
    return ExportOut.from_export(files.access_generated_file(request.user, export_id))


@router.get(
    "/exports/{export_id}/file",
    response=ERRORS,
    openapi_extra=XLSX_RESPONSE,
    summary="Unduh berkas ekspor yang sudah siap",
)
def export_file(request: HttpRequest, export_id: Id) -> HttpResponse:
    export = files.access_generated_file(request.user, export_id)
    path = files.generated_file_path(export)
    if export.status != GeneratedFile.Status.READY or not path.is_file():
        raise InvalidTransition("Berkas belum siap.", code="export_not_ready")
    files.generated_file_download_record(generated=export, viewer=request.user, path=request.path)
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=export.file_name,
        content_type=export.content_type,
    )


@router.get(
    "/template.xlsx",
    response=ERRORS,
    openapi_extra=XLSX_RESPONSE,
    summary="Templat Excel usulan untuk satu wilayah",
)
def template_download(request: HttpRequest, params: Query[TemplateIn]) -> HttpResponse:
    require_perm(request.user, "intake.propose")
    code = params.region or request.user.region_id
    region = proposable_regions(request.user).filter(pk=code).first()
    if region is None:
        raise NotFoundOrForbidden(gettext("Wilayah tidak ditemukan atau di luar wilayah Anda."))
    return _xlsx(
        exports.proposal_template_xlsx(region=region), f"templat-usulan-{region.code}.xlsx"
    )


# -- rows -------------------------------------------------------------------------------


@router.post(
    "/rows/{row_id}/fix",
    response={200: RowOut, **ERRORS},
    summary="Perbaiki satu baris; divalidasi ulang",
)
def row_fix(request: HttpRequest, row_id: Id, payload: RowValuesIn) -> dict[str, object]:
    require_perm(request.user, "intake.review_batch")
    with transaction.atomic():
        row = access.access_row(request.user, row_id, for_write=True)
        row = services.row_fix(row=row, values=payload.values, acting_user=request.user)
    return RowOut.from_row(row, Disclosure.for_viewer(request.user, [row.issues]))


@router.post(
    "/rows/{row_id}/decision",
    response={200: RowOut, **ERRORS},
    summary="Putuskan satu baris: diterima, ditolak (dengan alasan) atau orang yang sama",
)
def row_decide(request: HttpRequest, row_id: Id, payload: RowDecideIn) -> dict[str, object]:
    require_perm(request.user, "intake.review_batch")
    with transaction.atomic():
        row = access.access_row(request.user, row_id, for_write=True)
        row = services.row_decide(
            row=row, decision=payload.decision, reason=payload.reason, acting_user=request.user
        )
    return RowOut.from_row(row, Disclosure.for_viewer(request.user, [row.issues]))


@router.post(
    "/check",
    response={200: RowCheckOut, **CHECK_ERRORS},
    summary="Periksa data satu orang tanpa menyimpan",
)
def row_check(request: HttpRequest, payload: RowCheckIn) -> dict[str, object] | HttpResponse:
    require_perm(request.user, "intake.propose")
    code = payload.region or request.user.region_id
    region = proposable_regions(request.user).filter(pk=code).first()
    if region is None:
        raise NotFoundOrForbidden(gettext("Wilayah tidak ditemukan atau di luar wilayah Anda."))
    try:
        check = services.row_check_values(
            values=payload.values, region=region, acting_user=request.user
        )
    except RateLimited as exc:
        return _too_many(exc)
    disclosure = Disclosure.for_viewer(request.user, [check.issues])
    values = {k: _plain(v) for k, v in disclosure.values(check.values).items()}
    if values.get("nik"):
        values["nik"] = nik_mask(str(values["nik"]))
    return {
        "status": check.status,
        "issues": [_issue(i) for i in disclosure.issues(check.issues, candidates=check.candidates)],
        "values": values,
        "candidates": [_candidate(c) for c in disclosure.candidates(check.candidates)],
    }


@router.post(
    "/persons",
    response={201: RowOut, **CHECK_ERRORS},
    summary="Usulkan satu orang (formulir agen/operator kecamatan)",
)
def person_propose(request: HttpRequest, payload: RowValuesIn) -> Status | HttpResponse:
    require_perm(request.user, "intake.propose")
    try:
        row = services.person_propose(
            values=payload.values, acting_user=request.user, event_code=payload.event_code
        )
    except RateLimited as exc:
        return _too_many(exc)
    return Status(201, RowOut.from_row(row, Disclosure.for_viewer(request.user, [row.issues])))
