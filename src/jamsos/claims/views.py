"""Claim pages. Thin: parse the form, fetch through ``access_*``, call one service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django_stubs_ext import StrOrPromise

from jamsos.accounts.access import scope_queryset
from jamsos.audit.services import CLAIM_DETAIL_FIELDS, personal_data_access_log
from jamsos.claims import access, letters, selectors, services
from jamsos.claims.benefits import benefit_estimate, estimate_shown
from jamsos.claims.forms import (
    ApproveForm,
    ClaimFilterForm,
    ClaimReportForm,
    ConfirmRowForm,
    DocumentUploadForm,
    EstimateForm,
    HeirForm,
    PayoutForm,
    ReasonForm,
)
from jamsos.claims.letters import mask_account
from jamsos.claims.models import BenefitRule, Claim, ClaimParameter, DocumentRequirement
from jamsos.claims.rules import RuleMissing
from jamsos.lib.errors import DomainError, NotFoundOrForbidden
from jamsos.regions.models import Region

VIEW = "claims.view_claims"
DASHBOARD_PERMS = (VIEW, "reports.view_aggregates")
# Served uploads run nothing: no script, no plugin, no same-origin access (issue 10).
DOCUMENT_CSP = "sandbox; default-src 'none'"
Status = Claim.Status


def _get(fetch: Callable[..., Any], user: Any, pk: int) -> Any:
    try:
        return fetch(user, pk)
    except NotFoundOrForbidden as exc:
        raise Http404(exc.message) from exc


def _require_any(request: HttpRequest, *perms: str) -> None:
    if not any(request.user.has_perm(p) for p in perms):
        raise DjangoPermissionDenied


def _districts(user: Any) -> list[Region]:
    queryset = Region.objects.filter(level=Region.Level.DISTRICT)
    if user.region_id and user.region.level == Region.Level.VILLAGE:
        return list(queryset.filter(pk=user.region.parent_id))
    return list(scope_queryset(user, queryset, "parent") | queryset.filter(pk=user.region_id))


# --- List and report ----------------------------------------------------------------------


@login_required
def claim_list(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(VIEW):
        # DPRD, the executive and admins see totals only: the dashboard.
        _require_any(request, *DASHBOARD_PERMS)
        return redirect("claims:dashboard")
    form = ClaimFilterForm(request.GET or None, districts=_districts(request.user))
    claims = selectors.claim_list(viewer=request.user, filters=form.filters())
    count = claims.count()
    return render(
        request,
        "claims/claim_list.html",
        {
            "form": form,
            "claims": claims[:200],
            "count": count,
            "sees_payout": access.may_view_claim_payout(request.user),
        },
    )


def _heirs_from(data: dict[str, Any]) -> list[services.HeirData]:
    if not data.get("heir_name"):
        return []
    return [
        services.HeirData(
            full_name=data["heir_name"],
            relationship=data["heir_relationship"],
            nik=data["heir_nik"],
            phone=data["heir_phone"],
            bank_name=data["heir_bank"],
            bank_account=data["heir_account"],
            is_payee=True,
        )
    ]


@login_required
@permission_required("claims.report_claim", raise_exception=True)
def claim_report(request: HttpRequest) -> HttpResponse:
    form = ClaimReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            membership = selectors.membership_find(
                viewer=request.user, identifier=data["identifier"], event_date=data["event_date"]
            )
            claim = services.claim_report(
                membership=membership,
                claim_type=data["claim_type"],
                event_date=data["event_date"],
                event_time=data["event_time"],
                event_place=data["event_place"],
                chronology=data["chronology"],
                origin=data["origin"],
                reporter_contact=data["reporter_contact"],
                stmb_days=data["stmb_days"],
                medical_costs=data["medical_costs"],
                disability_code=data["disability_code"],
                heirs=_heirs_from(data),
                acting_user=request.user,
            )
        except DomainError as exc:
            field = "identifier" if exc.code.startswith("membership_") else None
            form.add_error(field, exc.message)
        else:
            messages.success(
                request, _("Klaim %(claim)s dilaporkan. Lengkapi dokumennya.") % {"claim": claim}
            )
            return redirect("claims:claim_detail", pk=claim.pk)
    return render(request, "claims/claim_report.html", {"form": form})


@login_required
@permission_required("claims.report_claim", raise_exception=True)
@require_GET
def membership_lookup(request: HttpRequest) -> HttpResponse:
    """htmx: who is this NIK/KPJ, and is the membership active? (the report form)."""
    identifier = request.GET.get("identifier", "")
    membership, error = None, ""
    if identifier.strip():
        try:
            membership = selectors.membership_find(
                viewer=request.user, identifier=identifier, event_date=None
            )
        except DomainError as exc:
            error = exc.message
    return render(
        request, "claims/_membership_lookup.html", {"membership": membership, "error": error}
    )


# --- Detail and actions -------------------------------------------------------------------


def _detail_context(request: HttpRequest, claim: Claim) -> dict[str, Any]:
    user = request.user
    estimate, estimate_error = (None, "")
    if not claim.estimate:
        estimate, estimate_error = selectors.claim_estimate_or_none(claim=claim)
    now = timezone.now()
    clocks = [(clock, clock.seconds(now)) for clock in selectors.claim_stage_clocks(claim=claim)]
    full_accounts = access.may_view_bank_accounts(user)
    heirs = [
        (heir, heir.bank_account if full_accounts else mask_account(heir.bank_account))
        for heir in claim.heirs.all()
    ]
    payout_account = claim.payout_account if full_accounts else mask_account(claim.payout_account)
    can_edit = claim.status in services.HEIR_STATUSES and (
        user.has_perm("claims.report_claim") or user.has_perm("claims.prepare_submission")
    )
    can_upload = claim.status in services.UPLOAD_STATUSES and (
        user.has_perm("claims.report_claim") or user.has_perm("claims.prepare_submission")
    )
    stage_index = Claim.STAGES.index(claim.status) if claim.status in Claim.STAGES else -1
    return {
        "claim": claim,
        "checklist": selectors.document_checklist(claim=claim),
        "estimate": estimate_shown(claim.estimate) or (estimate.as_dict() if estimate else None),
        "estimate_error": estimate_error,
        "clocks": clocks,
        "heirs": heirs,
        "payout_account": payout_account,
        "sees_payout": access.may_view_claim_payout(user),
        "registry_heirs": selectors.registry_heirs(claim=claim) if can_edit else [],
        "can_edit": can_edit,
        "can_upload": can_upload,
        "stages": [
            (status, Status(status).label, i < stage_index, i == stage_index)
            for i, status in enumerate(Claim.STAGES)
        ],
        "heir_form": HeirForm(),
        "reason_form": ReasonForm(),
        "approve_form": ApproveForm(),
        "payout_form": PayoutForm(
            claim=claim,
            initial={"amount": claim.approved_amount or "", "paid_on": timezone.localdate()},
        ),
    }


@login_required
@permission_required(VIEW, raise_exception=True)
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _get(access.access_claim, request.user, pk)
    personal_data_access_log(
        viewer=request.user,  # type: ignore[arg-type]
        persons=[(claim.person_id, claim.person.nik)],
        purpose="claims:claim_detail",
        fields=CLAIM_DETAIL_FIELDS,
        path=request.path,
    )
    return render(request, "claims/claim_detail.html", _detail_context(request, claim))


def _rerender(request: HttpRequest, claim: Claim, **forms: Any) -> HttpResponse:
    context = _detail_context(request, claim)
    context.update(forms)
    return render(request, "claims/claim_detail.html", context, status=400)


@login_required
@permission_required(VIEW, raise_exception=True)
@require_POST
def heir_add(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _get(access.access_claim, request.user, pk)
    registry_id = request.POST.get("registry_heir")
    try:
        if registry_id:
            heir = selectors.registry_heirs(claim=claim).filter(pk=int(registry_id)).first()
            if heir is None:
                raise Http404
            data = services.HeirData(
                full_name=heir.full_name,
                relationship=heir.relationship,
                nik=heir.nik,
                birth_date=heir.birth_date,
                phone=heir.phone,
                bank_name=heir.bank_name,
                bank_account=heir.bank_account,
            )
            services.claim_heir_add(
                claim=claim, data=data, registry_heir=heir, acting_user=request.user
            )
            return redirect("claims:claim_detail", pk=claim.pk)
        form = HeirForm(request.POST)
        if not form.is_valid():
            return _rerender(request, claim, heir_form=form)
        services.claim_heir_add(
            claim=claim, data=services.HeirData(**form.cleaned_data), acting_user=request.user
        )
    except DomainError as exc:
        if exc.http_status == 403:
            raise DjangoPermissionDenied from exc
        form = HeirForm(request.POST)
        form.is_valid()
        form.add_error(exc.params.get("field") or None, exc.message)
        return _rerender(request, claim, heir_form=form)
    messages.success(request, _("Ahli waris ditambahkan."))
    return redirect("claims:claim_detail", pk=claim.pk)


@login_required
@permission_required(VIEW, raise_exception=True)
@require_POST
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _get(access.access_claim, request.user, pk)
    form = DocumentUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Pilih berkas yang akan diunggah."), extra_tags="danger")
        return redirect("claims:claim_detail", pk=claim.pk)
    requirement = DocumentRequirement.objects.filter(pk=form.cleaned_data["requirement"]).first()
    if requirement is None:
        raise Http404
    try:
        document = services.claim_document_upload(
            claim=claim,
            requirement=requirement,
            upload=form.cleaned_data["file"],
            acting_user=request.user,
        )
    except DomainError as exc:
        if exc.http_status == 403:
            raise DjangoPermissionDenied from exc
        messages.error(request, exc.message, extra_tags="danger")
    else:
        messages.success(
            request,
            _("%(requirement)s: %(file)s diunggah.")
            % {"requirement": requirement.label, "file": document.original_name},
        )
    return redirect("claims:claim_detail", pk=claim.pk)


@login_required
@permission_required(VIEW, raise_exception=True)
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    document = _get(access.access_claim_document, request.user, pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("Berkas tidak ada di penyimpanan.")) from exc
    # An attachment, never rendered in our origin; nosniff and a sandboxing CSP make sure a
    # polyglot the upload check missed cannot run as a page (issue 10).
    response = FileResponse(
        handle,
        content_type=document.content_type,
        as_attachment=True,
        filename=document.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOCUMENT_CSP
    return response


def _action_simple(service: Callable[..., Claim]) -> Callable[[HttpRequest, Claim], Claim]:
    return lambda request, claim: service(claim=claim, acting_user=request.user)


def _action_reason(service: Callable[..., Claim]) -> Callable[[HttpRequest, Claim], Claim]:
    def run(request: HttpRequest, claim: Claim) -> Claim:
        form = ReasonForm(request.POST)
        reason = form.data.get("reason", "")
        return service(claim=claim, reason=reason, acting_user=request.user)

    return run


def _action_approve(request: HttpRequest, claim: Claim) -> Claim:
    form = ApproveForm(request.POST)
    if not form.is_valid():
        raise DomainError(" ".join(e for errs in form.errors.values() for e in errs))
    return services.claim_approve(
        claim=claim,
        amount=form.cleaned_data["amount"],
        note=form.cleaned_data["note"],
        acting_user=request.user,
    )


def _action_pay(request: HttpRequest, claim: Claim) -> Claim:
    form = PayoutForm(request.POST, claim=claim)
    if not form.is_valid():
        raise DomainError(
            " ".join(
                f"{form.fields[name].label}: {error}" if name in form.fields else str(error)
                for name, errors in form.errors.items()
                for error in errors
            ),
            code="payout_form_invalid",
        )
    return services.claim_payout_record(
        claim=claim,
        amount=form.cleaned_data["amount"],
        paid_on=form.cleaned_data["paid_on"],
        reference=form.cleaned_data["reference"],
        method=form.cleaned_data["method"],
        payee_heir=form.payee_heir(),
        bank=form.cleaned_data["bank"],
        account=form.cleaned_data["account"],
        acting_user=request.user,
    )


# URL slug → (service call, success message)
ACTIONS: dict[str, tuple[Callable[[HttpRequest, Claim], Claim], StrOrPromise]] = {
    "lengkap": (
        _action_simple(services.claim_documents_confirm),
        gettext_lazy("Berkas dinyatakan lengkap."),
    ),
    "siapkan": (
        _action_simple(services.claim_submission_prepare),
        gettext_lazy("Pengajuan disiapkan; menunggu persetujuan kepala dinas."),
    ),
    "setujui": (
        _action_simple(services.claim_submission_approve),
        gettext_lazy("Pengajuan disetujui dan diajukan ke BPJS."),
    ),
    "kembalikan": (
        _action_reason(services.claim_submission_return),
        gettext_lazy("Pengajuan dikembalikan ke operator."),
    ),
    "batalkan": (_action_reason(services.claim_withdraw), gettext_lazy("Klaim dibatalkan.")),
    "periksa": (
        _action_simple(services.claim_review_start),
        gettext_lazy("Pemeriksaan BPJS dimulai."),
    ),
    "terima": (_action_approve, gettext_lazy("Klaim disetujui.")),
    "tolak": (_action_reason(services.claim_reject), gettext_lazy("Klaim ditolak.")),
    "bayar": (_action_pay, gettext_lazy("Pembayaran dicatat.")),
    "cek-ulang": (
        _action_simple(services.claim_eligibility_refresh),
        gettext_lazy("Kelayakan diperiksa ulang."),
    ),
}


@login_required
@permission_required(VIEW, raise_exception=True)
@require_POST
def claim_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    claim = _get(access.access_claim, request.user, pk)
    run, success = ACTIONS[action]
    try:
        run(request, claim)
    except DomainError as exc:
        if exc.http_status == 403:
            raise DjangoPermissionDenied from exc
        messages.error(request, exc.message, extra_tags="danger")
    else:
        messages.success(request, success)
    return redirect("claims:claim_detail", pk=claim.pk)


@login_required
@permission_required(VIEW, raise_exception=True)
def claim_letter(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _get(access.access_claim, request.user, pk)
    pdf = letters.claim_letter_generate(claim=claim, acting_user=request.user)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="surat-klaim-{claim.reference}.pdf"'
    return response


# --- Dashboard and rules ------------------------------------------------------------------


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    _require_any(request, *DASHBOARD_PERMS)
    board = selectors.claim_dashboard(viewer=request.user)
    return render(request, "claims/dashboard.html", {"board": board})


@login_required
def rules(request: HttpRequest) -> HttpResponse:
    _require_any(request, *DASHBOARD_PERMS, "reference.manage")
    form = EstimateForm(request.GET or None)
    result, error = None, ""
    if request.GET and form.is_valid():
        data = form.cleaned_data
        try:
            result = benefit_estimate(
                benefit_type=data["benefit_type"],
                on=data["event_date"],
                months_paid=data["months_paid"],
                income=data["income"],
                days=data["days"],
                level=data["level"] or None,
                years=data["years"],
                children=data["children"],
                disability=data["disability"] or None,
            )
        except (DomainError, RuleMissing) as exc:
            error = exc.message
    context = {
        "form": form,
        "result": result,
        "error": error,
        "rules": selectors.benefit_rule_list(),
        "parameters": ClaimParameter.objects.all(),
        "requirements": selectors.requirement_list(),
        "confirm_form": ConfirmRowForm() if request.user.has_perm("reference.manage") else None,
    }
    return render(request, "claims/rules.html", context)


@login_required
@permission_required("reference.manage", raise_exception=True)
@require_POST
def rule_confirm(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    form = ConfirmRowForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tuliskan apa yang diperiksa."), extra_tags="danger")
        return redirect("claims:rules")
    checked = form.cleaned_data["checked"]
    try:
        if kind == "manfaat":
            rule = BenefitRule.objects.filter(pk=pk).first() or _not_found()
            services.benefit_rule_confirm(rule=rule, checked=checked, acting_user=request.user)
        elif kind == "parameter":
            row = ClaimParameter.objects.filter(pk=pk).first() or _not_found()
            services.claim_parameter_confirm(
                parameter=row, checked=checked, acting_user=request.user
            )
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message, extra_tags="danger")
    else:
        messages.success(request, _("Baris dikonfirmasi."))

    return redirect("claims:rules")


def _not_found() -> Any:
    raise Http404
