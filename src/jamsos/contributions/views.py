"""Contributions pages. Thin: parse the form, fetch through ``access_*``, call one service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jamsos.accounts.access import may_see_persons
from jamsos.contributions import access, selectors, services
from jamsos.contributions.exports import transparency_xlsx
from jamsos.contributions.forms import (
    ArrearsForm,
    BillFilterForm,
    BillingRunForm,
    PaymentForm,
    ReactivateForm,
    ResolveForm,
    StatementUploadForm,
    TransparencyForm,
)
from jamsos.contributions.models import Bill, Discrepancy
from jamsos.contributions.transparency import transparency_report
from jamsos.lib.errors import DomainError, NotFoundOrForbidden
from jamsos.lib.formats import angka, bulan, rupiah
from jamsos.lib.periods import Month
from jamsos.regions.models import Region

VIEW = "contributions.view_bills"
LINES_PER_PAGE = 50
ARREARS_PAGE_SIZE = 50


def _get(fetch: Callable[..., Any], user: Any, pk: int) -> Any:
    try:
        return fetch(user, pk)
    except NotFoundOrForbidden as exc:
        raise Http404(exc.message) from exc


def _regency(request: HttpRequest, regencies: Any) -> Region | None:
    """The kabupaten asked for (``?regency=``) if the user may pick it, else the first."""
    code = request.GET.get("regency") or request.POST.get("regency")
    if code:
        chosen = regencies.filter(pk=code).first()
        if chosen is not None:
            return chosen
    return regencies.first()


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The menu's "Iuran": bills for those who work with them, else the transparency page."""
    if request.user.has_perm(VIEW):
        return redirect("contributions:bill_list")
    if request.user.has_perm("contributions.view_transparency"):
        return redirect("contributions:transparency")
    raise DjangoPermissionDenied


# --- Bills --------------------------------------------------------------------------------------


@login_required
@permission_required(VIEW, raise_exception=True)
def bill_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    regencies = selectors.regency_choices(viewer=user)
    regency = _regency(request, regencies)
    filters = BillFilterForm(request.GET or None)
    month = status = None
    if filters.is_bound and filters.is_valid():
        month, status = filters.cleaned_data["month"], filters.cleaned_data["status"]
    bills = selectors.bill_list(viewer=user, regency=regency, month=month, status=status)
    page = Paginator(bills, 50).get_page(request.GET.get("page"))
    run_form = None
    if user.has_perm("contributions.run_billing") and regency is not None:
        run_form = BillingRunForm(
            initial={"month": Month.current(), "regency": regency},
            regencies=regencies,
            sources=selectors.funding_sources_for_billing(regency=regency),
        )
    context = {
        "regency": regency,
        "area": selectors.bills_area(viewer=user, regency=regency),
        "regencies": regencies,
        "page": page,
        "totals": selectors.bill_totals(bills=bills),
        "filters": filters,
        "run_form": run_form,
    }
    return render(request, "contributions/bill_list.html", context)


@login_required
@permission_required("contributions.run_billing", raise_exception=True)
@require_POST
def billing_run(request: HttpRequest) -> HttpResponse:
    user = request.user
    regencies = selectors.regency_choices(viewer=user)
    regency = _regency(request, regencies)
    sources = selectors.funding_sources_for_billing(regency=regency) if regency else None
    form = BillingRunForm(request.POST, regencies=regencies, sources=sources)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("contributions:bill_list")
    data = form.cleaned_data
    try:
        result = services.billing_run(
            regency=data["regency"],
            month=data["month"],
            months=data["months"],
            sources=[data["source"]] if data["source"] else None,
            acting_user=user,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("contributions:bill_list")
    messages.success(
        request,
        _(
            "Tagihan %(month)s: %(created)s tagihan baru, %(lines)s peserta-bulan "
            "ditambahkan; jumlah %(members)s peserta, %(total)s."
        )
        % {
            "month": bulan(str(result.first_month)),
            "created": angka(result.created),
            "lines": angka(result.lines_added),
            "members": angka(result.members),
            "total": rupiah(result.total),
        },
    )
    return redirect(
        f"{reverse('contributions:bill_list')}?regency={result.regency.code}"
        f"&month={result.first_month}"
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def bill_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    bill = _get(access.access_bill, user, pk)
    sees_persons = may_see_persons(user)
    lines = None
    if sees_persons:
        lines = Paginator(selectors.bill_lines(bill=bill), LINES_PER_PAGE).get_page(
            request.GET.get("page")
        )
    context = {
        "bill": bill,
        "months": selectors.bill_months(bill=bill),
        "payments": selectors.bill_payments(bill=bill),
        "credits": selectors.bill_credits(bill=bill),
        "adjustments": selectors.bill_adjustments(bill=bill),
        "credit_balance": selectors.credit_balance(source=bill.funding_source),
        "lines": lines,
        "can_issue": bill.status == Bill.Status.DRAFT and user.has_perm("contributions.issue_bill"),
        "payment_form": PaymentForm()
        if bill.status in Bill.OPEN and user.has_perm("contributions.record_payment")
        else None,
        "can_reconcile": bill.status == Bill.Status.PAID
        and user.has_perm("contributions.reconcile"),
    }
    return render(request, "contributions/bill_detail.html", context)


@login_required
@permission_required("contributions.issue_bill", raise_exception=True)
@require_POST
def bill_issue(request: HttpRequest, pk: int) -> HttpResponse:
    bill = _get(access.access_bill, request.user, pk)
    try:
        bill = services.bill_issue(bill=bill, acting_user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        text = _("Tagihan %(number)s diterbitkan: %(total)s.") % {
            "number": bill.number,
            "total": rupiah(bill.total),
        }
        if bill.credit_applied:
            text += " " + _("Kredit %(credit)s dipakai; sisa %(due)s.") % {
                "credit": rupiah(bill.credit_applied),
                "due": rupiah(bill.due),
            }
        messages.success(request, text)
    return redirect("contributions:bill_detail", pk=bill.pk)


@login_required
@permission_required("contributions.record_payment", raise_exception=True)
def payment_create(request: HttpRequest, pk: int) -> HttpResponse:
    bill = _get(access.access_bill, request.user, pk)
    form = PaymentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            payment = services.payment_record(
                bill=bill, acting_user=request.user, **form.cleaned_data
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            text = _("SP2D %(number)s dicatat: %(amount)s.") % {
                "number": payment.sp2d_number,
                "amount": rupiah(payment.amount),
            }
            if payment.credited_amount:
                text += " " + _("Kelebihan %(amount)s menjadi kredit.") % {
                    "amount": rupiah(payment.credited_amount)
                }
            messages.success(request, text)
            return redirect("contributions:bill_detail", pk=bill.pk)
    return render(request, "contributions/payment_form.html", {"bill": bill, "form": form})


@login_required
@permission_required("contributions.reconcile", raise_exception=True)
@require_POST
def bill_reconcile(request: HttpRequest, pk: int) -> HttpResponse:
    bill = _get(access.access_bill, request.user, pk)
    try:
        services.bill_reconcile(bill=bill, acting_user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Tagihan %(number)s direkonsiliasi.") % {"number": bill.number})
    return redirect("contributions:bill_detail", pk=bill.pk)


# --- Transparency -------------------------------------------------------------------------------


def _transparency(request: HttpRequest) -> tuple[TransparencyForm, Any]:
    user = request.user
    regencies = selectors.regency_choices(viewer=user)
    regency = _regency(request, regencies)
    year = timezone.localdate().year
    form = TransparencyForm(
        request.GET or None, initial={"regency": regency, "year": year}, regencies=regencies
    )
    if form.is_bound and form.is_valid():
        regency, year = form.cleaned_data["regency"], form.cleaned_data["year"]
    if regency is None:
        return form, None
    return form, transparency_report(viewer=user, regency=regency, year=year)


@login_required
@permission_required("contributions.view_transparency", raise_exception=True)
def transparency(request: HttpRequest) -> HttpResponse:
    form, report = _transparency(request)
    return render(request, "contributions/transparency.html", {"form": form, "report": report})


@login_required
@permission_required("contributions.view_transparency", raise_exception=True)
def transparency_export(request: HttpRequest) -> HttpResponse:
    _form, report = _transparency(request)
    if report is None:
        raise Http404(_("Tidak ada kabupaten dalam cakupan Anda."))
    response = HttpResponse(
        transparency_xlsx(report),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"transparansi-iuran-{report.regency.code}-{report.year}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- Reconciliation ----------------------------------------------------------------------------


@login_required
@permission_required(VIEW, raise_exception=True)
def statement_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not may_see_persons(user):
        raise DjangoPermissionDenied
    regencies = selectors.regency_choices(viewer=user)
    form = None
    if user.has_perm("contributions.reconcile"):
        form = StatementUploadForm(request.POST or None, request.FILES or None, regencies=regencies)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            upload = data["file"]
            try:
                result = services.statement_import(
                    regency=data["regency"],
                    file_name=upload.name,
                    data=upload.read(),
                    first_month=data["first_month"],
                    last_month=data["last_month"],
                    acting_user=user,
                )
            except DomainError as exc:
                form.add_error("file", exc.message)
            else:
                if result.created:
                    messages.success(
                        request,
                        _(
                            "Rekening %(file)s diimpor: %(rows)s baris; %(bills)s tagihan "
                            "lunas direkonsiliasi."
                        )
                        % {
                            "file": upload.name,
                            "rows": angka(result.statement.rows),
                            "bills": angka(result.reconciled),
                        },
                    )
                else:
                    messages.info(
                        request, _("Berkas %(file)s sudah pernah diimpor.") % {"file": upload.name}
                    )
                return redirect("contributions:statement_detail", pk=result.statement.pk)
    elif request.method == "POST":
        raise DjangoPermissionDenied
    statements = selectors.statement_list(viewer=user)
    return render(
        request, "contributions/statement_list.html", {"statements": statements, "form": form}
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def statement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    statement = _get(access.access_statement, request.user, pk)
    status = request.GET.get("status", Discrepancy.Status.OPEN)
    if status not in Discrepancy.Status.values:
        status = ""
    discrepancies = selectors.discrepancy_list(
        statement=statement, viewer=request.user, status=status or None
    )
    context = {
        "statement": statement,
        "status": status,
        "counts": selectors.discrepancy_counts(statement=statement),
        "page": Paginator(discrepancies, 100).get_page(request.GET.get("page")),
        "can_resolve": request.user.has_perm("contributions.reconcile"),
        "resolve_form": ResolveForm(),
    }
    return render(request, "contributions/statement_detail.html", context)


@login_required
@permission_required("contributions.reconcile", raise_exception=True)
@require_POST
def discrepancy_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    discrepancy = _get(access.access_discrepancy, request.user, pk)
    form = ResolveForm(request.POST)
    error = None
    if form.is_valid():
        try:
            discrepancy = services.discrepancy_resolve(
                discrepancy=discrepancy, note=form.cleaned_data["note"], acting_user=request.user
            )
        except DomainError as exc:
            error = exc.message
    else:
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    if request.htmx:  # type: ignore[attr-defined]
        return render(
            request,
            "contributions/_discrepancy_row.html",
            {"d": discrepancy, "error": error, "can_resolve": True, "resolve_form": form},
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request, _("Selisih KPJ %(kpj)s diselesaikan.") % {"kpj": discrepancy.kpj_number or "-"}
        )
    return redirect("contributions:statement_detail", pk=discrepancy.statement_id)


# --- Arrears ------------------------------------------------------------------------------------


@login_required
@permission_required("contributions.manage_arrears", raise_exception=True)
def arrears(request: HttpRequest) -> HttpResponse:
    user = request.user
    regencies = selectors.regency_choices(viewer=user)
    regency = _regency(request, regencies)
    as_of = Month.current()
    form = ArrearsForm(
        request.GET or None, initial={"regency": regency, "as_of": as_of}, regencies=regencies
    )
    if form.is_bound and form.is_valid():
        regency, as_of = form.cleaned_data["regency"], form.cleaned_data["as_of"]
    report = lapsed = lapsing = warnings = None
    if regency is not None:
        report = services.arrears_listing(as_of=as_of, regency=regency, acting_user=user)
        lapsed = Paginator(selectors.lapsed_list(viewer=user, regency=regency), 50).get_page(
            request.GET.get("page")
        )
        # A province's arrears can run to thousands of members: the page shows each list
        # in pages (their counts stay whole); the API and the scheduled check see all.
        lapsing = Paginator(report.lapses, ARREARS_PAGE_SIZE).get_page(
            request.GET.get("lapsing_page")
        )
        warnings = Paginator(report.warnings, ARREARS_PAGE_SIZE).get_page(
            request.GET.get("warning_page")
        )
    context = {
        "form": form,
        "regency": regency,
        "as_of": as_of,
        "report": report,
        "lapsing": lapsing,
        "warnings": warnings,
        "lapsed": lapsed,
        "reactivate_form": ReactivateForm(initial={"first_month": Month.current()}),
    }
    return render(request, "contributions/arrears.html", context)


@login_required
@permission_required("contributions.manage_arrears", raise_exception=True)
@require_POST
def membership_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _get(access.access_membership, request.user, pk)
    form = ReactivateForm(request.POST)
    if form.is_valid():
        try:
            new = services.membership_reactivate(
                lapsed=membership, acting_user=request.user, **form.cleaned_data
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("%(name)s aktif kembali mulai %(month)s (masa kepesertaan baru).")
                % {"name": membership.person.full_name, "month": bulan(new.first_month)},
            )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("contributions:arrears")
