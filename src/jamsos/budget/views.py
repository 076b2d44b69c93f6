"""Budget pages. Thin: parse the form, fetch through ``access_*``, call one service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jamsos.accounts.access import may_see_persons
from jamsos.budget import access, selectors, services
from jamsos.budget.estimates import cost_estimate
from jamsos.budget.forms import (
    AllocationForm,
    CapacityForm,
    ConfirmRowForm,
    EstimateForm,
    FiscalYearForm,
    FundingSourceForm,
    IncomeBracketForm,
    PhaseForm,
    QuotaForm,
    ReservationForm,
)
from jamsos.budget.models import (
    Allocation,
    ContributionDiscount,
    ContributionRate,
    IncomeBracket,
    Phase,
)
from jamsos.lib.errors import DomainError, NotFoundOrForbidden
from jamsos.lib.periods import Month
from jamsos.registry.selectors import village_choices

VIEW = "budget.view_budget"


def _get(fetch: Callable[..., Any], user: Any, pk: int) -> Any:
    try:
        return fetch(user, pk)
    except NotFoundOrForbidden as exc:
        raise Http404(exc.message) from exc


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise DjangoPermissionDenied


# --- Cost estimate ---------------------------------------------------------------------------


@login_required
@permission_required(VIEW, raise_exception=True)
def estimate(request: HttpRequest) -> HttpResponse:
    form = EstimateForm(request.GET or None, initial={"start": Month.current(), "months": 12})
    result = None
    if request.GET and form.is_valid():
        data = form.cleaned_data
        try:
            result = cost_estimate(
                persons=data["persons"],
                months=data["months"],
                start=data["start"],
                segment=data["segment"],
                income=data["income"],
                wage=data["wage"],
                risk_group=data["risk_group"] or None,
                payer=data["payer"],
                sector=data["sector"] or None,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
    return render(request, "budget/estimate.html", {"form": form, "result": result})


# --- Fiscal years ----------------------------------------------------------------------------


@login_required
@permission_required(VIEW, raise_exception=True)
def year_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = None
    if user.has_perm("budget.manage_budget"):
        form = FiscalYearForm(
            request.POST or None, regencies=selectors.regency_choices(viewer=user)
        )
        if request.method == "POST" and form.is_valid():
            try:
                year = services.fiscal_year_create(acting_user=user, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("%(year)s dibuat.") % {"year": year})
                return redirect("budget:year_detail", pk=year.pk)
    elif request.method == "POST":
        raise DjangoPermissionDenied
    years = list(selectors.fiscal_year_list(viewer=user))
    totals = selectors.fiscal_year_totals(years=years)
    rows = [(year, totals[year.pk]) for year in years]
    return render(request, "budget/year_list.html", {"rows": rows, "form": form})


@login_required
@permission_required(VIEW, raise_exception=True)
def year_detail(request: HttpRequest, pk: int) -> HttpResponse:
    year = _get(access.access_fiscal_year, request.user, pk)
    overview = selectors.fiscal_year_overview(fiscal_year=year)
    quotas = selectors.nagari_quota_progress(fiscal_year=year)
    context = {
        "year": year,
        "overview": overview,
        "totals": overview.totals,
        "phases": selectors.phase_list(fiscal_year=year),
        "quota_count": len(quotas),
        "quota_persons": sum(q.quota.persons for q in quotas),
        "quota_reserved": sum(q.reserved_persons for q in quotas),
    }
    return render(request, "budget/year_detail.html", context)


@login_required
@permission_required("budget.manage_budget", raise_exception=True)
def allocation_create(request: HttpRequest, pk: int) -> HttpResponse:
    year = _get(access.access_fiscal_year, request.user, pk)
    sources = selectors.funding_source_list(viewer=request.user, region=year.region).filter(
        is_active=True
    )
    form = AllocationForm(request.POST or None, sources=sources)
    if request.method == "POST" and form.is_valid():
        try:
            allocation = services.allocation_create(
                fiscal_year=year, acting_user=request.user, **form.cleaned_data
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Pagu %(allocation)s dibuat; menunggu penetapan kepala dinas.")
                % {"allocation": allocation},
            )
            return redirect("budget:allocation_detail", pk=allocation.pk)
    return render(request, "budget/allocation_form.html", {"year": year, "form": form})


# --- Funding sources -------------------------------------------------------------------------


@login_required
@permission_required(VIEW, raise_exception=True)
def source_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = None
    if user.has_perm("budget.manage_budget"):
        form = FundingSourceForm(
            request.POST or None,
            regencies=selectors.regency_choices(viewer=user),
            nagari=village_choices(viewer=user),
        )
        if request.method == "POST" and form.is_valid():
            try:
                source = services.funding_source_create(acting_user=user, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Sumber dana %(source)s dibuat.") % {"source": source})
                return redirect("budget:source_list")
    elif request.method == "POST":
        raise DjangoPermissionDenied
    sources = selectors.funding_source_list(viewer=user)
    return render(request, "budget/source_list.html", {"sources": sources, "form": form})


# --- Allocations and reservations ------------------------------------------------------------


def _capacity(request: HttpRequest, allocation: Allocation) -> tuple[CapacityForm, Any]:
    year = allocation.fiscal_year.year
    default = max(Month.current() + 1, Month(year, 1))
    if default.year != year:
        default = Month(year, 12)
    form = CapacityForm(request.GET or None, initial={"start": default})
    start = form.cleaned_data["start"] if request.GET and form.is_valid() else default
    try:
        return form, selectors.allocation_capacity(allocation=allocation, start=start)
    except DomainError as exc:
        if form.is_bound:
            form.add_error("start", exc.message)
        return form, None


@login_required
@permission_required(VIEW, raise_exception=True)
def allocation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    allocation = _get(access.access_allocation, user, pk)
    year = allocation.fiscal_year
    capacity_form, capacity = _capacity(request, allocation)
    show_details = may_see_persons(user)
    reserve_form = None
    if user.has_perm("budget.reserve") and allocation.status == Allocation.Status.APPROVED:
        reserve_form = ReservationForm(
            phases=Phase.objects.filter(fiscal_year=year),
            nagari=selectors.nagari_choices(fiscal_year=year),
        )
    context = {
        "allocation": allocation,
        "year": year,
        "absorption": selectors.allocation_absorption(allocation=allocation),
        "capacity_form": capacity_form,
        "capacity": capacity,
        "reservations": selectors.reservation_list(allocation=allocation) if show_details else None,
        "reserve_form": reserve_form,
        "can_approve": user.has_perm("budget.approve")
        and allocation.status == Allocation.Status.DRAFT,
    }
    return render(request, "budget/allocation_detail.html", context)


@login_required
@require_POST
@permission_required("budget.approve", raise_exception=True)
def allocation_approve(request: HttpRequest, pk: int) -> HttpResponse:
    allocation = _get(access.access_allocation, request.user, pk)
    try:
        services.allocation_approve(allocation=allocation, acting_user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Pagu %(allocation)s ditetapkan.") % {"allocation": allocation})
    return redirect("budget:allocation_detail", pk=allocation.pk)


@login_required
@require_POST
@permission_required("budget.reserve", raise_exception=True)
def reservation_create(request: HttpRequest, pk: int) -> HttpResponse:
    allocation = _get(access.access_allocation, request.user, pk)
    year = allocation.fiscal_year
    form = ReservationForm(
        request.POST,
        phases=Phase.objects.filter(fiscal_year=year),
        nagari=selectors.nagari_choices(fiscal_year=year),
    )
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("budget:allocation_detail", pk=allocation.pk)
    data = form.cleaned_data
    try:
        reservation = services.reservation_create(
            allocation=allocation,
            persons=data["persons"],
            phase=data["phase"],
            first_month=data["first_month"],
            months=data["months"],
            nagari=data["nagari"],
            note=data["note"],
            acting_user=request.user,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(reservation)s tersimpan.") % {"reservation": reservation})
    return redirect("budget:allocation_detail", pk=allocation.pk)


@login_required
@require_POST
@permission_required("budget.reserve", raise_exception=True)
def reservation_release(request: HttpRequest, pk: int) -> HttpResponse:
    reservation = _get(access.access_reservation, request.user, pk)
    try:
        services.reservation_release(reservation=reservation, acting_user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(reservation)s dilepas; dananya kembali ke pagu.") % {"reservation": reservation},
        )
    return redirect("budget:allocation_detail", pk=reservation.allocation_id)


# --- Phases and quotas -----------------------------------------------------------------------


@login_required
@permission_required(VIEW, raise_exception=True)
def phase_list(request: HttpRequest, pk: int) -> HttpResponse:
    year = _get(access.access_fiscal_year, request.user, pk)
    form = None
    if request.user.has_perm("budget.manage_budget"):
        next_number = (
            year.phases.order_by("-number").values_list("number", flat=True).first() or 0
        ) + 1
        form = PhaseForm(
            request.POST or None,
            allocations=selectors.allocation_list(fiscal_year=year),
            initial={"number": next_number},
        )
        if request.method == "POST" and form.is_valid():
            try:
                phase = services.phase_create(
                    fiscal_year=year, acting_user=request.user, **form.cleaned_data
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("%(phase)s dibuat.") % {"phase": phase})
                return redirect("budget:phase_list", pk=year.pk)
    elif request.method == "POST":
        raise DjangoPermissionDenied
    phases = selectors.phase_list(fiscal_year=year)
    return render(request, "budget/phase_list.html", {"year": year, "phases": phases, "form": form})


@login_required
@permission_required(VIEW, raise_exception=True)
def quota_list(request: HttpRequest, pk: int) -> HttpResponse:
    year = _get(access.access_fiscal_year, request.user, pk)
    form = None
    if request.user.has_perm("budget.manage_budget"):
        form = QuotaForm(request.POST or None, nagari=selectors.nagari_choices(fiscal_year=year))
        if request.method == "POST" and form.is_valid():
            try:
                services.nagari_quota_set(
                    fiscal_year=year, acting_user=request.user, **form.cleaned_data
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Target nagari disimpan."))
                return redirect("budget:quota_list", pk=year.pk)
    elif request.method == "POST":
        raise DjangoPermissionDenied
    progress = selectors.nagari_quota_progress(fiscal_year=year)
    return render(
        request, "budget/quota_list.html", {"year": year, "progress": progress, "form": form}
    )


# --- Regulation tables -----------------------------------------------------------------------

ROW_MODELS = {
    "penghasilan": IncomeBracket,
    "tarif": ContributionRate,
    "keringanan": ContributionDiscount,
}


@login_required
def rate_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (user.has_perm(VIEW) or user.has_perm("reference.manage")):
        raise DjangoPermissionDenied
    can_edit = user.has_perm("reference.manage")
    form = IncomeBracketForm(request.POST or None) if can_edit else None
    if request.method == "POST":
        _require(request, "reference.manage")
        if form is not None and form.is_valid():
            try:
                services.income_bracket_add(acting_user=user, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Nilai penghasilan ditambahkan (belum terkonfirmasi)."))
                return redirect("budget:rate_list")
    context = {**selectors.regulation_tables(), "form": form, "can_edit": can_edit}
    context["confirm_form"] = ConfirmRowForm() if can_edit else None
    return render(request, "budget/rate_list.html", context)


@login_required
@require_POST
@permission_required("reference.manage", raise_exception=True)
def rate_confirm(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    model = ROW_MODELS.get(kind)
    row = model.objects.filter(pk=pk).first() if model else None
    if row is None:
        raise Http404
    form = ConfirmRowForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Sebutkan dasar hukum yang diperiksa."))

        return redirect("budget:rate_list")
    try:
        services.regulation_row_confirm(
            row=row, legal_basis=form.cleaned_data["legal_basis"], acting_user=request.user
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(row)s dikonfirmasi.") % {"row": row})

    return redirect("budget:rate_list")
