"""Enrollment pages: decrees (list, draft, edit, approve, issue, amend, downloads), the
BPJS round trip (export, import, on-screen results), memberships and cards, rejected
persons, renewal and the decree format.

Views stay thin: parse the form, fetch through ``access_*``, call one service, render.
A domain error becomes a message on the page; not found or forbidden is 404.
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
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jamsos.accounts.access import may_see_persons
from jamsos.audit.services import (
    DECREE_LINE_FIELDS,
    MEMBERSHIP_DETAIL_FIELDS,
    personal_data_access_log,
)
from jamsos.budget.models import Allocation, FiscalYear, Segment
from jamsos.enrollment import access, bpjs_layout, documents, selectors, services
from jamsos.enrollment import exports as enrollment_exports
from jamsos.enrollment.forms import (
    BpjsImportForm,
    BpjsLineResultForm,
    DecreeAmendForm,
    DecreeCreateForm,
    DecreeFilterForm,
    DecreeIssueForm,
    DecreeSettingForm,
    DecreeTextsForm,
    LegalBasisForm,
    MembershipFilterForm,
    MembershipWageForm,
    ReasonForm,
    RenewalProposeForm,
    RenewalReserveForm,
    niks_of,
)
from jamsos.enrollment.models import (
    Decree,
    DecreeDocument,
    DecreeLine,
    DecreeSetting,
    LegalBasis,
    Membership,
)
from jamsos.enrollment.services import documents as document_services
from jamsos.enrollment.services.coverage import membership_wage_set
from jamsos.enrollment.texts import number_suggest
from jamsos.lib.errors import DomainError, NotFoundOrForbidden, PermissionDenied
from jamsos.lib.nik import nik_mask
from jamsos.lib.pagination import list_page
from jamsos.lib.periods import Month
from jamsos.registry.selectors import village_choices

LINE_PAGE_SIZE = 50
MEMBER_PAGE_SIZE = 50
VIEW = "enrollment.view_decrees"
KINDS = {
    "resmi": DecreeDocument.Kind.OFFICIAL_PDF,
    "publik": DecreeDocument.Kind.PUBLIC_PDF,
    "lampiran": DecreeDocument.Kind.LAMPIRAN_XLSX,
}


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


def _done(request: HttpRequest, pk: int, action: Callable[[], Any], message: str) -> HttpResponse:
    try:
        action()
    except NotFoundOrForbidden:
        raise
    except DomainError as exc:  # a broken rule (maker-checker too) is shown, not a 403
        messages.error(request, exc.message)
    else:
        messages.success(request, message)
    return redirect("enrollment:decree_detail", pk=pk)


# --- Decrees ---------------------------------------------------------------------------------


@login_required
@permission_required(VIEW, raise_exception=True)
@require_GET
def decree_list(request: HttpRequest) -> HttpResponse:
    form = DecreeFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    decrees = selectors.decree_list(viewer=request.user, status=status or None)
    page = Paginator(decrees, 25).get_page(request.GET.get("page"))
    context = {"page": page, "status": status, "form": form}
    return render(request, "enrollment/decree_list.html", context)


@login_required
@permission_required("enrollment.draft_decree", raise_exception=True)
@require_http_methods(["GET", "POST"])
def decree_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    choices = selectors.reservation_choices(viewer=user)
    form = DecreeCreateForm(
        request.POST or None,
        choices=choices,
        regions=village_choices(viewer=user),
        initial={"reservation": request.GET.get("reservasi")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        by_pk = {c.reservation.pk: c.reservation for c in choices}
        reservation = by_pk[data["reservation"]]
        try:
            persons = _decree_persons(request, form, reservation)
            decree = services.decree_draft_from_reservation(
                reservation=reservation,
                persons=persons,
                title=data["title"],
                acting_user=user,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Rancangan SK dengan %(count)s penerima dibuat.")
                % {"count": decree.lines.count()},
            )
            return redirect("enrollment:decree_detail", pk=decree.pk)
    return render(request, "enrollment/decree_form.html", {"form": form, "choices": choices})


def _decree_persons(request: HttpRequest, form: DecreeCreateForm, reservation: Any) -> Any:
    data = form.cleaned_data
    if data["mode"] == DecreeCreateForm.MODE_NAMED:
        return None
    if data["mode"] == DecreeCreateForm.MODE_AUTO:
        ids = selectors.decree_candidates(
            reservation=reservation,
            viewer=request.user,
            village=data["village"],
            limit=data["persons"],
        )
        if len(ids) < data["persons"]:
            raise DomainError(
                _(
                    "Hanya %(found)s orang di registri yang belum tercakup untuk periode ini; "
                    "diminta %(asked)s."
                )
                % {"found": len(ids), "asked": data["persons"]},
                code="not_enough_candidates",
            )
        return ids
    ids, missing = selectors.persons_by_nik(niks=niks_of(data["niks"]), viewer=request.user)
    if missing:
        shown = ", ".join(missing[:10])
        raise DomainError(
            _("NIK tidak ada di registri wilayah Anda: %(niks)s.") % {"niks": shown},
            code="nik_unknown",
        )
    return ids


@login_required
@permission_required(VIEW, raise_exception=True)
@require_GET
@domain_errors_as_http
def decree_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    decree = access.access_decree(user, pk)
    filters = selectors.LineFilters(
        bpjs_status=request.GET.get("bpjs", ""), search=request.GET.get("q", "")[:100]
    )
    lines = selectors.decree_lines(decree=decree, viewer=user, filters=filters)
    page = Paginator(lines, LINE_PAGE_SIZE).get_page(request.GET.get("page"))
    if may_see_persons(user):
        personal_data_access_log(
            viewer=user,  # type: ignore[arg-type]
            persons=[(line.person_id, line.nik) for line in page],
            purpose=f"enrollment:decree_detail ({decree.number or decree.pk})",
            fields=DECREE_LINE_FIELDS,
            path=request.path,
        )
    issue_form = None
    if decree.status == Decree.Status.APPROVED and user.has_perm("enrollment.issue_decree"):
        issue_form = DecreeIssueForm(
            initial={"number": number_suggest(region=decree.region, year=decree.fiscal_year.year)}
        )
    context = {
        "decree": decree,
        "counts": selectors.decree_counts(decree=decree, viewer=user),
        "page": page if may_see_persons(user) else None,
        "filters": filters,
        "bpjs_statuses": DecreeLine.BpjsStatus.choices,
        "amendments": selectors.decree_amendments(decree=decree),
        "imports": selectors.decree_imports(decree=decree) if may_see_persons(user) else [],
        "issue_form": issue_form,
        "cancel_form": ReasonForm(),
        "import_form": BpjsImportForm(),
        "whole": access.may_see_whole_decree(user, decree),
        "can": _decree_permissions(user, decree),
        "documents": _documents_state(decree),
    }
    context["busy"] = context["documents"]["busy"]
    return render(request, "enrollment/decree_detail.html", context)


def _decree_permissions(user: Any, decree: Decree) -> dict[str, bool]:
    """Which buttons to show; the services decide again when they are pressed."""
    draft, issued = decree.status == Decree.Status.DRAFT, decree.status == Decree.Status.ISSUED
    whole = access.may_see_whole_decree(user, decree)
    return {
        "edit": draft and user.has_perm("enrollment.draft_decree"),
        "approve": draft
        and user.has_perm("enrollment.approve_decree")
        and decree.created_by_id != user.pk,
        "self_drafted": decree.created_by_id == user.pk,
        "cancel": decree.status in (Decree.Status.DRAFT, Decree.Status.APPROVED)
        and user.has_perm("enrollment.draft_decree"),
        "amend": issued and user.has_perm("enrollment.draft_decree"),
        "official": whole and user.has_perm("registry.view_full_nik"),
        "public": may_see_persons(user),
        "bpjs_export": issued and whole and user.has_perm("enrollment.export_bpjs"),
        "bpjs_record": issued and whole and user.has_perm("enrollment.record_bpjs_result"),
    }


def _documents_state(decree: Decree) -> dict[str, Any]:
    recent = list(selectors.decree_documents(decree=decree))
    busy = (DecreeDocument.Status.QUEUED, DecreeDocument.Status.RUNNING)
    return {
        "large": document_services.decree_line_count(decree) > document_services.SYNC_MAX_LINES,
        "recent": recent,
        "busy": any(d.status in busy for d in recent),
    }


@login_required
@permission_required("enrollment.draft_decree", raise_exception=True)
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def decree_edit(request: HttpRequest, pk: int) -> HttpResponse:
    decree = access.access_decree(request.user, pk)
    form = DecreeTextsForm.for_decree(decree, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.decree_texts_update(decree=decree, acting_user=request.user, **form.changes())
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Isi rancangan SK disimpan."))
            return redirect("enrollment:decree_detail", pk=decree.pk)
    return render(request, "enrollment/decree_edit.html", {"decree": decree, "form": form})


@login_required
@permission_required("enrollment.approve_decree", raise_exception=True)
@require_POST
@domain_errors_as_http
def decree_approve(request: HttpRequest, pk: int) -> HttpResponse:
    decree = access.access_decree(request.user, pk)
    return _done(
        request,
        pk,
        lambda: services.decree_approve(decree=decree, acting_user=request.user),
        _("SK disetujui; catat nomor dan tanggalnya setelah ditandatangani Bupati."),
    )


@login_required
@permission_required("enrollment.issue_decree", raise_exception=True)
@require_POST
@domain_errors_as_http
def decree_issue(request: HttpRequest, pk: int) -> HttpResponse:
    decree = access.access_decree(request.user, pk)
    form = DecreeIssueForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("enrollment:decree_detail", pk=pk)
    return _done(
        request,
        pk,
        lambda: services.decree_issue(decree=decree, acting_user=request.user, **form.cleaned_data),
        _("SK ditetapkan. Isinya tidak dapat diubah lagi; koreksi lewat SK perubahan."),
    )


@login_required
@permission_required("enrollment.draft_decree", raise_exception=True)
@require_POST
@domain_errors_as_http
def decree_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    decree = access.access_decree(request.user, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tuliskan alasan pembatalan."))
        return redirect("enrollment:decree_detail", pk=pk)
    return _done(
        request,
        pk,
        lambda: services.decree_cancel(
            decree=decree, reason=form.cleaned_data["reason"], acting_user=request.user
        ),
        _("Rancangan SK dibatalkan."),
    )


@login_required
@permission_required("enrollment.draft_decree", raise_exception=True)
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def decree_amend(request: HttpRequest, pk: int) -> HttpResponse:
    decree = access.access_decree(request.user, pk)
    form = DecreeAmendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        adds, missing_add = selectors.persons_by_nik(
            niks=niks_of(data["add_niks"]), viewer=request.user
        )
        removes, missing_remove = selectors.persons_by_nik(
            niks=niks_of(data["remove_niks"]), viewer=request.user
        )
        missing = missing_add + missing_remove
        if missing:
            form.add_error(
                None,
                _("NIK tidak ada di registri wilayah Anda: %(niks)s.")
                % {"niks": ", ".join(missing[:10])},
            )
        else:
            try:
                amendment = services.decree_amend(
                    decree=decree,
                    add_persons=adds,
                    remove_persons=removes,
                    note=data["note"],
                    acting_user=request.user,
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Rancangan SK perubahan dibuat."))
                return redirect("enrollment:decree_detail", pk=amendment.pk)
    return render(request, "enrollment/decree_amend.html", {"decree": decree, "form": form})


# --- Downloads -------------------------------------------------------------------------------


def _may_download(user: Any, decree: Decree, kind: str) -> bool:
    if kind == DecreeDocument.Kind.PUBLIC_PDF:
        return may_see_persons(user)
    return access.may_see_whole_decree(user, decree) and user.has_perm("registry.view_full_nik")


@login_required
@permission_required(VIEW, raise_exception=True)
@require_GET
@domain_errors_as_http
def decree_download(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Small decrees are rendered at once; large ones by the worker (the page shows the
    progress and offers the file when it is ready)."""
    decree = access.access_decree(request.user, pk)
    document_kind = KINDS.get(kind)
    if document_kind is None:
        raise Http404
    if not _may_download(request.user, decree, document_kind):
        raise DjangoPermissionDenied
    if document_services.decree_line_count(decree) > document_services.SYNC_MAX_LINES:
        document = document_services.decree_document_request(
            decree=decree, kind=document_kind, acting_user=request.user
        )
        if document.status == DecreeDocument.Status.READY:
            return _document_response(request, document)
        messages.info(
            request, _("Berkas sedang dibuat; tautan unduh muncul di halaman ini bila siap.")
        )
        return redirect(reverse("enrollment:decree_detail", args=[pk]) + "#berkas")
    data = document_services.decree_document_render(decree, document_kind)
    document_services.decree_download_record(
        decree=decree, kind=document_kind, acting_user=request.user
    )
    return _bytes_response(
        data,
        document_services.CONTENT_TYPES[document_kind],
        document_services.file_name_for(decree, document_kind),
    )


def _bytes_response(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _document_response(request: HttpRequest, document: DecreeDocument) -> HttpResponse:
    path = document_services.document_path(document)
    if not path.exists():
        raise Http404(_("Berkas tidak ditemukan; minta ulang dari halaman SK."))
    document_services.decree_download_record(
        decree=document.decree, kind=document.kind, acting_user=request.user
    )
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=document_services.file_name_for(document.decree, document.kind),
        content_type=document_services.CONTENT_TYPES[document.kind],
    )


@login_required
@permission_required(VIEW, raise_exception=True)
@require_GET
@domain_errors_as_http
def document_download(request: HttpRequest, pk: int) -> HttpResponse:
    document = access.access_document(request.user, pk)
    if not _may_download(request.user, document.decree, document.kind):
        raise DjangoPermissionDenied
    if document.status != DecreeDocument.Status.READY:
        raise Http404(_("Berkas belum siap."))
    return _document_response(request, document)


@login_required
@permission_required(VIEW, raise_exception=True)
@require_GET
@domain_errors_as_http
def decree_documents(request: HttpRequest, pk: int) -> HttpResponse:
    """The files partial; polls itself (htmx) while a file is being made."""
    decree = access.access_decree(request.user, pk)
    state = _documents_state(decree)
    context = {
        "decree": decree,
        "documents": state,
        "busy": state["busy"],
        "can": _decree_permissions(request.user, decree),
    }
    return render(request, "enrollment/_documents.html", context)


# --- BPJS ------------------------------------------------------------------------------------


@login_required
@permission_required("enrollment.export_bpjs", raise_exception=True)
@require_GET
@domain_errors_as_http
def bpjs_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The registration file of an issued decree: at once for an ordinary decree; a big
    one is offered to be made in the background (a GET changes nothing)."""
    decree = access.access_decree(request.user, pk)
    if fmt not in enrollment_exports.FORMATS:
        raise Http404
    if not enrollment_exports.bpjs_export_allowed(request.user, decree):
        raise Http404
    pending_only = request.GET.get("semua") != "1"
    lines = bpjs_layout.bpjs_export_count(decree, pending_only=pending_only)
    if lines > enrollment_exports.BPJS_SYNC_MAX_LINES:
        return render(
            request,
            "enrollment/bpjs_export_offer.html",
            {"decree": decree, "fmt": fmt, "lines": lines, "pending_only": pending_only},
        )
    stem = enrollment_exports.bpjs_stem(decree)
    with transaction.atomic():
        from jamsos.audit.services import audit_record

        audit_record(
            action="enrollment.bpjs.exported",
            acting_user=request.user,
            obj=decree,
            data={"format": fmt, "pending_only": pending_only},
        )
        from jamsos.audit.services import personal_data_access_log

        personal_data_access_log(
            viewer=request.user,
            persons=bpjs_layout.bpjs_export_persons(decree, pending_only=pending_only),
            purpose=f"enrollment:bpjs_export ({decree.number or decree.pk})",
            fields=bpjs_layout.HEADERS,
            path=request.path,
        )
    if fmt == "csv":
        return _bytes_response(
            bpjs_layout.bpjs_export_csv(decree, pending_only=pending_only),
            "text/csv; charset=utf-8",
            f"{stem}.csv",
        )
    return _bytes_response(
        bpjs_layout.bpjs_export_xlsx(decree, pending_only=pending_only),
        bpjs_layout.XLSX_CONTENT_TYPE,
        f"{stem}.xlsx",
    )


@login_required
@permission_required("enrollment.export_bpjs", raise_exception=True)
@require_POST
@domain_errors_as_http
def bpjs_export_prepare(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """Queue the registration file of a big decree; its page shows the progress."""
    decree = access.access_decree(request.user, pk)
    if fmt not in enrollment_exports.FORMATS:
        raise Http404
    if not enrollment_exports.bpjs_export_allowed(request.user, decree):
        raise Http404
    pending_only = request.POST.get("semua") != "1"
    generated = enrollment_exports.bpjs_export_request(
        decree=decree, fmt=fmt, pending_only=pending_only, acting_user=request.user
    )
    return redirect("worker:generated_file_detail", pk=generated.pk)


@login_required
@permission_required("enrollment.record_bpjs_result", raise_exception=True)
@require_POST
@domain_errors_as_http
def bpjs_import(request: HttpRequest, pk: int) -> HttpResponse:
    decree = access.access_decree(request.user, pk)
    form = BpjsImportForm(request.POST, request.FILES)
    if not form.is_valid():
        errors = form.errors.get("file") or [_("Pilih berkas hasil (.xlsx atau .csv).")]
        messages.error(request, errors[0])
        return redirect("enrollment:decree_detail", pk=pk)
    upload = form.cleaned_data["file"]
    try:
        summary = services.bpjs_results_import(
            decree=decree, data=upload.read(), file_name=upload.name, acting_user=request.user
        )
    except services.BpjsResultsInvalid as exc:
        return render(
            request,
            "enrollment/bpjs_import_errors.html",
            {"decree": decree, "errors": exc.errors, "file_name": upload.name},
            status=422,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if summary.duplicate_file:
            messages.info(request, _("Berkas ini sudah pernah diimpor; tidak ada yang berubah."))
        else:
            messages.success(
                request,
                _(
                    "Hasil BPJS diimpor: %(accepted)s diterima, %(rejected)s ditolak, "
                    "%(unchanged)s sudah tercatat, %(skipped)s belum dijawab."
                )
                % {
                    "accepted": summary.accepted,
                    "rejected": summary.rejected,
                    "unchanged": summary.unchanged,
                    "skipped": summary.skipped,
                },
            )
    return redirect("enrollment:decree_detail", pk=pk)


@login_required
@permission_required("enrollment.record_bpjs_result", raise_exception=True)
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def bpjs_record(request: HttpRequest, pk: int) -> HttpResponse:
    """On-screen results: the unanswered lines, one small form per line (htmx)."""
    decree = access.access_decree(request.user, pk)
    if request.method == "POST":
        return _bpjs_record_line(request, decree)
    lines = selectors.decree_lines(
        decree=decree,
        viewer=request.user,
        filters=selectors.LineFilters(
            bpjs_status=DecreeLine.BpjsStatus.PENDING,
            action=DecreeLine.Action.ADD,
            search=request.GET.get("q", "")[:100],
        ),
    ).filter(removed_by_line__isnull=True)
    page = Paginator(lines, 25).get_page(request.GET.get("page"))
    start = Month.from_date(decree.first_month).first_day().strftime("%d-%m-%Y")
    return render(
        request,
        "enrollment/bpjs_record.html",
        {"decree": decree, "page": page, "default_start": start},
    )


def _bpjs_record_line(request: HttpRequest, decree: Decree) -> HttpResponse:
    line_id = request.POST.get("line", "")
    if not line_id.isdigit():
        raise Http404
    line = access.access_line(request.user, int(line_id))
    if line.decree_id != decree.pk:
        raise Http404
    form = BpjsLineResultForm(request.POST)
    error = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.bpjs_results_record(
                decree=decree,
                results=[
                    services.BpjsResult(
                        nik=line.nik,
                        status=data["status"],
                        kpj_number=data["kpj_number"].strip(),
                        coverage_start=data["coverage_start"],
                        reason=data["reason"],
                    )
                ],
                acting_user=request.user,
            )
        except services.BpjsResultsInvalid as exc:
            error = "; ".join(e.message for e in exc.errors)
        except DomainError as exc:
            error = exc.message
    else:
        error = " ".join(str(e) for errs in form.errors.values() for e in errs)
    line.refresh_from_db()
    start = Month.from_date(decree.first_month).first_day().strftime("%d-%m-%Y")
    context = {"decree": decree, "line": line, "error": error, "default_start": start}
    if request.htmx:
        return render(request, "enrollment/_bpjs_line.html", context)
    if error:
        messages.error(request, f"{line.full_name}: {error}")
    return redirect("enrollment:bpjs_record", pk=decree.pk)


# --- Memberships -----------------------------------------------------------------------------


@login_required
@permission_required("enrollment.view_memberships", raise_exception=True)
@require_GET
def membership_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = MembershipFilterForm(request.GET or None)
    if not may_see_persons(user):  # totals only: nothing to search or filter by status
        del form.fields["q"], form.fields["status"]
    data = form.cleaned_data if form.is_valid() else {}
    year = data.get("year")
    totals = selectors.membership_totals(viewer=user, year=year)
    page = None
    if may_see_persons(user):
        filters = selectors.MembershipFilters(
            status=data.get("status") or "", year=year, search=data.get("q") or ""
        )
        memberships = selectors.membership_list(viewer=user, filters=filters)
        page = list_page(
            memberships,
            order=selectors.MEMBERSHIP_ORDER,
            page_size=MEMBER_PAGE_SIZE,
            page=request.GET.get("page"),
            after=request.GET.get("after", ""),
            exact_count=request.GET.get("count") == "exact",
            grouped=True,
        )
    context = {
        "form": form,
        "totals": totals,
        "page": page,
        "status_labels": dict(Membership.Status.choices),
    }
    return render(request, "enrollment/membership_list.html", context)


@login_required
@permission_required("enrollment.view_memberships", raise_exception=True)
@require_GET
@domain_errors_as_http
def membership_detail(request: HttpRequest, pk: int) -> HttpResponse:
    membership = access.access_membership(request.user, pk)
    personal_data_access_log(
        viewer=request.user,  # type: ignore[arg-type]
        persons=[(membership.person_id, membership.person.nik)],
        purpose="enrollment:membership_detail",
        fields=MEMBERSHIP_DETAIL_FIELDS,
        path=request.path,
    )
    others = selectors.person_memberships(person=membership.person).exclude(pk=membership.pk)
    return render(
        request,
        "enrollment/membership_detail.html",
        {
            "membership": membership,
            "person": membership.person,
            "others": others,
            "wage_form": _wage_form(request.user, membership),
        },
    )


def _wage_form(user: Any, membership: Membership, data: Any = None) -> MembershipWageForm | None:
    """The PU wage form, for a PU membership and an operator who records it."""
    if membership.segment != Segment.PU or not user.has_perm("enrollment.draft_decree"):
        return None
    initial = {"wage": membership.wage or "", "risk_group": membership.risk_group}
    return MembershipWageForm(data, initial=initial)


@login_required
@permission_required("enrollment.draft_decree", raise_exception=True)
@require_POST
@domain_errors_as_http
def membership_wage(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a PU member's wage and risk group (``membership_wage_set``)."""
    membership = access.access_membership(request.user, pk)
    form = _wage_form(request.user, membership, request.POST)
    if form is None:
        raise Http404
    if form.is_valid():
        try:
            membership_wage_set(
                membership=membership,
                wage=form.cleaned_data["wage"],
                risk_group=form.cleaned_data["risk_group"],
                acting_user=request.user,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Upah dan kelompok risiko tersimpan."))
            return redirect("enrollment:membership_detail", pk=membership.pk)
    others = selectors.person_memberships(person=membership.person).exclude(pk=membership.pk)
    context = {
        "membership": membership,
        "person": membership.person,
        "others": others,
        "wage_form": form,
    }
    return render(request, "enrollment/membership_detail.html", context, status=400)


@login_required
@permission_required("enrollment.view_memberships", raise_exception=True)
@require_GET
@domain_errors_as_http
def membership_card(request: HttpRequest, pk: int) -> HttpResponse:
    from jamsos.audit.services import audit_record, may_view_full_nik, nik_access_log

    membership = access.access_membership(request.user, pk)
    full = (
        may_view_full_nik(request.user, membership.person) and request.GET.get("nik") == "lengkap"
    )
    with transaction.atomic():
        if full:
            nik_access_log(viewer=request.user, person=membership.person, purpose="kartu peserta")
        audit_record(
            action="enrollment.membership.card_printed",
            acting_user=request.user,
            obj=membership,
            data={"full_nik": full},
        )
    data = documents.membership_card_pdf(membership, show_full_nik=full)
    response = HttpResponse(data, content_type=documents.PDF_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'inline; filename="kartu-{membership.kpj_number or membership.pk}.pdf"'
    )
    return response


# --- Rejections, renewal, format -------------------------------------------------------------


@login_required
@require_GET
def rejection_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (user.has_perm("intake.propose") or (user.has_perm(VIEW) and may_see_persons(user))):
        raise Http404
    rejections = selectors.rejections_for_viewer(viewer=user)
    rows = [(r, nik_mask(r.nik)) for r in rejections]
    return render(request, "enrollment/rejection_list.html", {"rows": rows})


@login_required
@permission_required(VIEW, raise_exception=True)
@require_http_methods(["GET", "POST"])
def renewal_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = None
    if user.has_perm("enrollment.draft_decree"):
        years = FiscalYear.objects.filter(access.decree_region_q(user, "region")).order_by("-year")
        form = RenewalProposeForm(request.POST or None, years=years)
        if request.method == "POST" and form.is_valid():
            try:
                proposal = services.membership_renewal_propose(
                    fiscal_year=form.cleaned_data["fiscal_year"], acting_user=user
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("Usulan perpanjangan: %(count)s orang.") % {"count": proposal.persons},
                )
                return redirect("enrollment:renewal_detail", pk=proposal.pk)
    elif request.method == "POST":
        raise DjangoPermissionDenied
    proposals = selectors.renewal_list(viewer=user)
    return render(request, "enrollment/renewal_list.html", {"form": form, "proposals": proposals})


@login_required
@permission_required(VIEW, raise_exception=True)
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def renewal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    proposal = access.access_renewal(user, pk)
    form = None
    if user.has_perm("enrollment.draft_decree"):
        allocations = Allocation.objects.filter(
            fiscal_year=proposal.fiscal_year, status=Allocation.Status.APPROVED
        ).select_related("source")
        form = RenewalReserveForm(request.POST or None, allocations=allocations)
        if request.method == "POST" and form.is_valid():
            try:
                reservation = services.renewal_reserve(
                    proposal=proposal, allocation=form.cleaned_data["allocation"], acting_user=user
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("%(reservation)s tersimpan; susun SK dari reservasi ini.")
                    % {"reservation": reservation},
                )
                return redirect(f"{reverse('enrollment:decree_create')}?reservasi={reservation.pk}")
    elif request.method == "POST":
        raise DjangoPermissionDenied
    return render(
        request,
        "enrollment/renewal_detail.html",
        {
            "proposal": proposal,
            "form": form,
            "reserved": proposal.lines.filter(reservation__isnull=False).count(),
        },
    )


@login_required
@permission_required("enrollment.draft_decree", raise_exception=True)
@require_http_methods(["GET", "POST"])
def decree_setting(request: HttpRequest) -> HttpResponse:
    user = request.user
    region = user.region
    if region is None or region.level != region.Level.REGENCY:
        raise Http404(_("Format SK diatur oleh pengguna berwilayah kabupaten/kota."))
    setting = DecreeSetting.objects.filter(region=region).first()
    initial = {}
    if setting is not None:
        initial = {
            name: getattr(setting, name)
            for name in ("place", "signer_title", "signer_name", "number_format", "perbup")
        }
        initial["legal_bases"] = "\n".join(setting.legal_bases)
    form = DecreeSettingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.decree_setting_save(region=region, acting_user=user, **form.values())
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("Format SK disimpan; berlaku untuk rancangan SK berikutnya.")
            )

            return redirect("enrollment:decree_setting")
    return render(request, "enrollment/decree_setting.html", {"form": form, "region": region})


# --- "1 Nagari 100 orang" --------------------------------------------------------------------


def _month_param(value: str | None) -> Month:
    if value:
        try:
            return Month.parse(value)
        except (DomainError, ValueError):
            pass
    return Month.current()


@login_required
@permission_required("enrollment.view_memberships", raise_exception=True)
@require_GET
def nagari_minimum(request: HttpRequest) -> HttpResponse:
    """Each nagari's APB Nagari members against the minimum; ``?kurang=1`` lists only the
    nagari below it. A Camat sees its kecamatan's nagari (scope)."""
    month = _month_param(request.GET.get("bulan"))
    below_only = request.GET.get("kurang") == "1"
    report = selectors.nagari_minimum_progress(
        viewer=request.user, month=month, below_only=below_only
    )
    context = {"report": report, "month": month, "below_only": below_only}
    return render(request, "enrollment/nagari_minimum.html", context)


# --- Legal-basis records ---------------------------------------------------------------------


def _legal_basis_page(request: HttpRequest, row: LegalBasis | None) -> HttpResponse:
    user = request.user
    if not (user.has_perm("reference.manage") or user.has_perm("enrollment.draft_decree")):
        raise DjangoPermissionDenied
    can_edit = user.has_perm("reference.manage")
    form = None
    if can_edit:
        instance = LegalBasis.objects.get(pk=row.pk) if row is not None else None
        form = LegalBasisForm(request.POST or None, instance=instance)
        if request.method == "POST" and form.is_valid():
            try:
                services.legal_basis_save(legal_basis=row, acting_user=user, **form.values())
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Dasar hukum disimpan."))
                return redirect("enrollment:legal_basis_list")
    elif request.method == "POST":
        raise DjangoPermissionDenied
    rows = selectors.legal_basis_list()
    context = {"rows": rows, "form": form, "editing": row, "can_edit": can_edit}
    return render(request, "enrollment/legal_basis_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def legal_basis_list(request: HttpRequest) -> HttpResponse:
    """The regulations decrees cite under *Mengingat*; admins add and correct them."""
    return _legal_basis_page(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def legal_basis_edit(request: HttpRequest, pk: int) -> HttpResponse:
    row = LegalBasis.objects.filter(pk=pk).first()
    if row is None:
        raise Http404
    return _legal_basis_page(request, row)
