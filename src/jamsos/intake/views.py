"""Intake pages: batches, upload, review (maker-checker), the one-person form.

Views stay thin: parse input, fetch through ``access_*``, call one service, render. A
domain error becomes a message on the page (or 404 when it is "not found or forbidden").
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jamsos.audit.services import PROPOSAL_ROW_FIELDS, personal_data_access_log
from jamsos.intake import access, exports, selectors, services
from jamsos.intake.disclosure import Disclosure, rows_disclosed
from jamsos.intake.forms import (
    BatchFilterForm,
    BatchUploadForm,
    PersonForm,
    ReasonForm,
    RowFilterForm,
    issues_by_field,
    proposable_regions,
)
from jamsos.intake.models import ProposalBatch, ProposalRow
from jamsos.lib.errors import DomainError, NotFoundOrForbidden, PermissionDenied
from jamsos.lib.nik import nik_mask
from jamsos.regions.selectors import region_paths
from jamsos.worker import services as worker_services

BATCH_PAGE_SIZE = 25
ROW_PAGE_SIZE = 50
IN_PROGRESS = {ProposalBatch.Status.QUEUED, ProposalBatch.Status.VALIDATING}
APPLYING = ProposalBatch.Status.APPLYING


def domain_errors_as_http(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Not found or forbidden is 404, a missing permission is 403 (STYLE.md 15)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFoundOrForbidden as exc:
            raise Http404(exc.message) from exc
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(exc.message) from exc

    return wrapper


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# -- batches ----------------------------------------------------------------------------


@login_required
@require_GET
def batch_list(request: HttpRequest) -> HttpResponse:
    if not access.may_view_batches(request.user):
        raise Http404
    form = BatchFilterForm(request.GET or None)
    status = form.cleaned_data.get("status") if form.is_valid() else None
    batches = selectors.batch_list(viewer=request.user, status=status or None)
    page = Paginator(batches, BATCH_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "intake/batch_list.html", {"page": page, "form": form})


@login_required
@permission_required("intake.propose", raise_exception=True)
@require_http_methods(["GET", "POST"])
def batch_upload(request: HttpRequest) -> HttpResponse:
    form = BatchUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = services.batch_stage_upload(
                upload=upload,
                file_name=upload.name,
                region=form.cleaned_data["region"],
                acting_user=request.user,
                title=form.cleaned_data["title"],
            )
        except DomainError as exc:
            field = "file" if exc.code.startswith(("file", "xlsx")) else None
            form.add_error(field, exc.message)
        else:
            messages.success(request, _("Berkas diterima dan sedang divalidasi."))
            return redirect("intake:batch_detail", pk=batch.pk)
    return render(request, "intake/batch_upload.html", {"form": form}, status=200)


@login_required
@permission_required("intake.propose", raise_exception=True)
@require_GET
def template_download(request: HttpRequest) -> HttpResponse:
    """The Excel template for a region the user may propose for (default: their scope)."""
    regions = proposable_regions(request.user)
    region = regions.filter(pk=request.GET.get("region") or request.user.region_id).first()
    if region is None:
        raise Http404
    data = exports.proposal_template_xlsx(region=region)
    return _xlsx(data, f"templat-usulan-{region.code}.xlsx")


@login_required
@require_GET
@domain_errors_as_http
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = access.access_batch(request.user, pk)
    filters = RowFilterForm(request.GET or None)
    rows = selectors.batch_rows(batch=batch, viewer=request.user, **filters.selector_kwargs())
    page = Paginator(rows, ROW_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = rows_disclosed(page.object_list, request.user)
    counts = selectors.batch_code_counts(batch=batch)
    report_rows = counts["status"].get("invalid", 0) + counts["decision"].get("rejected", 0)
    context = {
        "batch": batch,
        "counts": counts,
        "report_in_background": report_rows > exports.REPORT_SYNC_MAX_ROWS,
        "filters": filters,
        "page": page,
        **_progress_state(batch),
        "reject_form": ReasonForm(),
        **_batch_permissions(request.user, batch),
    }
    template = "intake/_rows.html" if request.htmx else "intake/batch_detail.html"
    return render(request, template, context)


def _progress_state(batch: ProposalBatch) -> dict[str, Any]:
    """``in_progress``: a live validation (the bar polls); ``stalled``: its worker died
    or its task is gone, so the page stops polling and offers retry and cancel.
    ``applying``: the persons are being written (the bar polls); ``apply_stalled``: that
    task's worker died."""
    stalled = batch.status in IN_PROGRESS and services.batch_validation_stalled(batch)
    apply_stalled = services.batch_apply_stalled(batch)
    applying = batch.status == APPLYING and not apply_stalled
    done, total = services.apply_progress(batch) if batch.status == APPLYING else (0, 0)
    return {
        "in_progress": batch.status in IN_PROGRESS and not stalled,
        "stalled": stalled,
        "applying": applying,
        "apply_stalled": apply_stalled,
        "apply_done": done,
        "apply_total": total,
        "apply_percent": min(100, round(100 * done / total)) if total else 0,
    }


def _batch_permissions(user, batch: ProposalBatch) -> dict[str, bool]:
    """Which buttons to show; the services decide again when they are pressed."""
    reviewer = user.has_perm("intake.review_batch")
    approver = user.has_perm("intake.approve_batch")
    validated = batch.status == ProposalBatch.Status.VALIDATED
    proposer = user.has_perm("intake.propose")
    stalled = batch.status in IN_PROGRESS and services.batch_validation_stalled(batch)
    return {
        # A validation whose worker died or that failed: offer to run it again or stop.
        "can_retry": proposer
        and (
            stalled or (batch.status == ProposalBatch.Status.FAILED and bool(batch.original_file))
        ),
        "can_cancel": proposer and (stalled or batch.status == ProposalBatch.Status.QUEUED),
        "can_review": reviewer and validated,
        "can_submit": reviewer and validated,
        "can_decide": approver
        and batch.status == ProposalBatch.Status.SUBMITTED
        and user.pk not in (batch.submitted_by_id, batch.proposer_id),
        "can_retry_apply": approver
        and (
            batch.status == ProposalBatch.Status.APPLY_FAILED or services.batch_apply_stalled(batch)
        )
        and user.pk not in (batch.submitted_by_id, batch.proposer_id),
        "self_submitted": user.pk in (batch.submitted_by_id, batch.proposer_id),
    }


@login_required
@require_GET
@domain_errors_as_http
def batch_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar partial. While validating it polls itself every second; once the
    batch is done it renders without the trigger (polling stops) and asks htmx to reload
    the page so counts and rows appear."""
    batch = access.access_batch(request.user, pk)
    state = _progress_state(batch)
    response = render(request, "intake/_progress.html", {"batch": batch, **state})
    if request.htmx and not (state["in_progress"] or state["applying"]):
        response["HX-Refresh"] = "true"
    return response


@login_required
@permission_required("intake.review_batch", raise_exception=True)
@require_POST
@domain_errors_as_http
def batch_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _batch_action(
        request,
        pk,
        lambda batch: services.batch_submit(batch=batch, acting_user=request.user),
        _("Usulan diajukan ke kepala dinas untuk disetujui."),
    )


@login_required
@permission_required("intake.approve_batch", raise_exception=True)
@require_POST
@domain_errors_as_http
def batch_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _batch_action(
        request,
        pk,
        lambda batch: services.batch_approve(batch=batch, acting_user=request.user),
        _("Usulan disetujui; peserta sedang dimasukkan ke registri."),
    )


@login_required
@permission_required("intake.approve_batch", raise_exception=True)
@require_POST
@domain_errors_as_http
def batch_apply_retry(request: HttpRequest, pk: int) -> HttpResponse:
    return _batch_action(
        request,
        pk,
        lambda batch: services.batch_apply_retry(batch=batch, acting_user=request.user),
        _("Penerapan diulang; peserta sedang dimasukkan ke registri."),
    )


@login_required
@permission_required("intake.approve_batch", raise_exception=True)
@require_POST
@domain_errors_as_http
def batch_reject(request: HttpRequest, pk: int) -> HttpResponse:
    form = ReasonForm(request.POST)
    if not form.is_valid():
        access.access_batch(request.user, pk)  # 404 first for batches out of scope
        messages.error(request, _("Tuliskan alasan penolakan."))
        return redirect("intake:batch_detail", pk=pk)
    reason = form.cleaned_data["reason"]
    return _batch_action(
        request,
        pk,
        lambda batch: services.batch_reject(batch=batch, reason=reason, acting_user=request.user),
        _("Usulan ditolak dan dikembalikan ke pengusul."),
    )


def _batch_action(
    request: HttpRequest, pk: int, action: Callable[[ProposalBatch], Any], done: str
) -> HttpResponse:
    try:
        with transaction.atomic():
            batch = access.access_batch(request.user, pk, for_write=True)
            action(batch)
    except NotFoundOrForbidden:
        raise
    except DomainError as exc:  # a broken rule (maker-checker too) is shown, not a 403
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("intake:batch_detail", pk=pk)


@login_required
@permission_required("intake.propose", raise_exception=True)
@require_POST
@domain_errors_as_http
def batch_validation_retry(request: HttpRequest, pk: int) -> HttpResponse:
    return _batch_action(
        request,
        pk,
        lambda batch: services.batch_validation_retry(batch=batch, acting_user=request.user),
        _("Validasi diulang; hasilnya muncul di halaman ini."),
    )


@login_required
@permission_required("intake.propose", raise_exception=True)
@require_POST
@domain_errors_as_http
def batch_validation_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _batch_action(
        request,
        pk,
        lambda batch: services.batch_validation_cancel(batch=batch, acting_user=request.user),
        _("Validasi dibatalkan."),
    )


@login_required
@require_GET
@domain_errors_as_http
def rejection_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Small reports at once; a big one is offered to be built in the background."""
    batch = access.access_batch(request.user, pk)
    rows = exports.rejection_report_row_count(batch=batch, viewer=request.user)
    if rows > exports.REPORT_SYNC_MAX_ROWS:
        return render(request, "intake/rejection_report_offer.html", {"batch": batch, "rows": rows})
    data = exports.rejection_report_xlsx(batch=batch, viewer=request.user)
    personal_data_access_log(
        viewer=request.user,  # type: ignore[arg-type]
        persons=exports.rejection_report_persons(batch=batch, viewer=request.user),
        purpose=f"{exports.REJECTION_REPORT} ({batch.pk})",
        fields=exports.REJECTION_REPORT_KIND.fields,
        path=request.path,
    )
    return _xlsx(data, f"baris-ditolak-usulan-{batch.pk}.xlsx")


@login_required
@require_POST
@domain_errors_as_http
def rejection_report_prepare(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue the rejection report of a big batch; its page shows the progress."""
    batch = access.access_batch(request.user, pk)
    export = worker_services.generated_file_request(
        kind=exports.REJECTION_REPORT,
        object_id=batch.pk,
        fingerprint=exports.rejection_report_fingerprint(batch=batch),
        rows_total=exports.rejection_report_row_count(batch=batch, viewer=request.user),
        region_code=batch.region_id,
        acting_user=request.user,
    )
    return redirect("worker:generated_file_detail", pk=export.pk)


# -- rows -------------------------------------------------------------------------------


def _row_context(request: HttpRequest, row: ProposalRow, **extra: Any) -> dict[str, Any]:
    batch = row.batch
    permissions = _batch_permissions(request.user, batch)
    disclosure = Disclosure.for_viewer(request.user, [row.issues])
    disclosure.row(row)
    form = extra.pop("fix_form", None)
    if form is None and permissions["can_review"]:
        initial = _form_initial(row)
        if not disclosure.full_nik:
            initial.pop("nik", None)  # typed again, never shown whole
        form = PersonForm(initial=initial, user=request.user)
        if "nik" not in form.initial and row.nik:
            # A valid NIK is not put on the page in full; left empty it stays as it is.
            form.fields["nik"].widget.attrs["placeholder"] = nik_mask(row.nik)
            form.fields["nik"].required = False
            form.fields["nik"].help_text = _("Kosongkan bila NIK tidak diubah.")
    codes = [c.get("village") for c in row.shown_candidates if c.get("village")]
    from jamsos.agents.access import proposal_photos

    return {
        "row": row,
        "proposal_photos": proposal_photos(request.user, row.pk),
        "batch": batch,
        "candidate_villages": {
            code: path[-1] for code, path in region_paths(codes).items() if path
        },
        "issues": issues_by_field(row.shown_issues),
        "fix_form": form,
        "reject_form": ReasonForm(),
        **permissions,
        **extra,
    }


def _form_initial(row: ProposalRow) -> dict[str, str]:
    """Start the fix form from the normalised values, falling back to what was typed."""
    values = dict(row.values or {})
    initial = {key: str(value) for key, value in values.items() if value is not None}
    nik_wrong = any(i.get("field") == "nik" and i.get("severity") == "error" for i in row.issues)
    if not nik_wrong:
        initial.pop("nik", None)
    if row.village_id:
        initial["village"] = row.village_id
    return initial


@login_required
@require_GET
@domain_errors_as_http
def row_detail(request: HttpRequest, pk: int) -> HttpResponse:
    row = access.access_row(request.user, pk)
    personal_data_access_log(
        viewer=request.user,  # type: ignore[arg-type]
        persons=[(row.person_id or 0, row.nik)],
        purpose=f"intake:row_detail ({row.batch_id}/{row.row_number})",
        fields=PROPOSAL_ROW_FIELDS,
        path=request.path,
    )
    return render(request, "intake/row_detail.html", _row_context(request, row))


@login_required
@permission_required("intake.review_batch", raise_exception=True)
@require_POST
@domain_errors_as_http
def row_fix(request: HttpRequest, pk: int) -> HttpResponse:
    """Fix a row in place; the service validates it again. htmx swaps the row panel."""
    row = access.access_row(request.user, pk)
    form = PersonForm(request.POST, user=request.user)
    error = None
    try:
        with transaction.atomic():
            row = access.access_row(request.user, pk, for_write=True)
            # Only what was filled in: an empty field keeps its value (the NIK, above all).
            values = {k: v for k, v in form.raw_values().items() if v}
            row = services.row_fix(row=row, values=values, acting_user=request.user)
    except NotFoundOrForbidden:
        raise
    except DomainError as exc:
        error = exc.message
    else:
        form = None
    row.refresh_from_db()
    context = _row_context(request, row, fix_form=form, error=error, fixed=error is None)
    if request.htmx:
        return render(request, "intake/_row_panel.html", context)
    if error:
        messages.error(request, error)
    return redirect("intake:row_detail", pk=row.pk)


@login_required
@permission_required("intake.review_batch", raise_exception=True)
@require_POST
@domain_errors_as_http
def row_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept, reject (with a reason) or mark a possible duplicate as the same person."""
    decision = request.POST.get("decision", "")
    reason = request.POST.get("reason", "").strip()[:255]
    error = None
    try:
        with transaction.atomic():
            row = access.access_row(request.user, pk, for_write=True)
            row = services.row_decide(
                row=row, decision=decision, reason=reason, acting_user=request.user
            )
    except NotFoundOrForbidden:
        raise
    except DomainError as exc:
        error = exc.message
    row = access.access_row(request.user, pk)
    if request.htmx:
        context = _row_context(request, row, error=error)
        return render(request, "intake/_row_panel.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Keputusan disimpan."))
    next_url = request.POST.get("next")
    if next_url and next_url.startswith(reverse("intake:batch_list")):
        return redirect(next_url)
    return redirect("intake:row_detail", pk=row.pk)


# -- one person -------------------------------------------------------------------------


@login_required
@permission_required("intake.propose", raise_exception=True)
@require_http_methods(["GET", "POST"])
def person_propose(request: HttpRequest) -> HttpResponse:
    """The phone-sized form of agents and Camat operators: one person, checked as typed."""
    initial = {"event_code": request.GET.get("kegiatan", "")[:20]}
    form = PersonForm(request.POST or None, user=request.user, initial=initial)
    issues: dict[str, list[dict]] = {}
    if request.method == "POST":
        try:
            row = services.person_propose(
                values=form.raw_values(),
                acting_user=request.user,
                event_code=str(request.POST.get("event_code", "")),
            )
        except NotFoundOrForbidden as exc:
            raise Http404(exc.message) from exc
        except DomainError as exc:
            found = exc.params.get("issues")
            if isinstance(found, list):
                issues = issues_by_field(Disclosure.for_viewer(request.user, [found]).issues(found))
                messages.error(request, _("Data belum dapat dikirim; perbaiki yang ditandai."))
            else:
                messages.error(request, exc.message)
        else:
            return redirect(f"{reverse('intake:row_detail', args=[row.pk])}?baru=1")
    return render(request, "intake/person_form.html", {"form": form, "issues": issues})


@login_required
@permission_required("intake.propose", raise_exception=True)
@require_POST
def person_check(request: HttpRequest) -> HttpResponse:
    """htmx: validate the form as typed, without writing; out-of-band swaps put each
    issue under its field."""
    form = PersonForm(request.POST, user=request.user)
    values = form.raw_values()
    touched = {key for key, value in values.items() if value}
    try:
        check = services.row_check_values(
            values=values, region=request.user.region, acting_user=request.user
        )
    except DomainError as exc:
        return render(request, "intake/_person_check.html", {"error": exc.message})
    disclosure = Disclosure.for_viewer(request.user, [check.issues])
    grouped = issues_by_field(disclosure.issues(check.issues, candidates=check.candidates))
    # Only complain about fields the person has reached: a blank form is not an error.
    shown = {
        field: [i for i in items if field in touched or i.get("severity") == "warning"]
        for field, items in grouped.items()
    }
    context = {
        "check": check,
        "issues": shown,
        "fields": [*form.fields, "__all__"],
        "candidates": disclosure.candidates(check.candidates),
    }
    return render(request, "intake/_person_check.html", context)
