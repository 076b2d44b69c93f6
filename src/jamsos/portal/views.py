"""Public pages (no login) and the staff pages of the leads queue.

The public views never take ``request.user`` into account and render the public base
template (``portal/base.html``): small, no JavaScript, no personal data beyond the
masked name of a matched membership check.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jamsos.audit.middleware import client_ip
from jamsos.claims.benefits import benefit_estimate
from jamsos.claims.models import ClaimParameter, ClaimType
from jamsos.claims.rules import RuleMissing
from jamsos.lib.csvio import csv_bytes
from jamsos.lib.errors import DomainError, NotFoundOrForbidden
from jamsos.lib.ratelimit import RateLimited
from jamsos.portal import opendata, selectors, services
from jamsos.portal.access import FOLLOW_UP_LEADS, access_lead, may_view_leads
from jamsos.portal.forms import CalculatorForm, FollowUpForm, LeadForm, LookupForm
from jamsos.portal.models import Lead


def _regency_context() -> dict[str, Any]:
    return {"regency": selectors.portal_regency()}


def _limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    response = render(
        request,
        "portal/limited.html",
        {"retry_after": exc.retry_after, "retry_minutes": max(1, (exc.retry_after + 59) // 60)},
        status=429,
    )
    response["Retry-After"] = str(exc.retry_after)
    return response


# --- Programme pages ---------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    facts = selectors.programme_facts()
    return render(request, "portal/home.html", {**_regency_context(), "facts": facts})


def benefits(request: HttpRequest) -> HttpResponse:
    facts = selectors.programme_facts()
    return render(request, "portal/benefits.html", {"facts": facts})


def calculator(request: HttpRequest) -> HttpResponse:
    """ "Jika suami saya meninggal, apa yang kami terima?" — the benefit calculator of the
    claims app, read from the benefit tables, with the scholarship of the children."""
    form = CalculatorForm(request.GET or None)
    result = scholarship = None
    scholarship_note = error = ""
    if request.GET and form.is_valid():
        data = form.cleaned_data
        months_paid = data["months_paid"]
        try:
            result = benefit_estimate(benefit_type=data["cause"], months_paid=months_paid)
            scholarship, scholarship_note = _scholarship(data["cause"], months_paid, form)
        except (DomainError, RuleMissing) as exc:
            error = exc.message
    total = (result.total if result else 0) + (scholarship.total if scholarship else 0)
    return render(
        request,
        "portal/calculator.html",
        {
            "form": form,
            "result": result,
            "scholarship": scholarship,
            "scholarship_note": scholarship_note,
            "total": total,
            "error": error,
        },
    )


def _scholarship(cause: str, months_paid: int | None, form: CalculatorForm) -> tuple[Any, str]:
    levels = form.child_levels()
    if not levels:
        return None, ""
    if cause == ClaimType.JKM:
        month = timezone.localdate()
        from jamsos.claims import rules

        minimum = rules.parameter(ClaimParameter.Key.BEASISWA_JKM_MIN_MONTHS, rules.as_month(month))
        if months_paid is None or months_paid < minimum:
            note = _(
                "Beasiswa anak untuk meninggal bukan karena kecelakaan kerja baru diberikan "
                "bila iuran sudah dibayar paling sedikit %(months)s bulan."
            ) % {"months": minimum}
            return None, note
    estimate = benefit_estimate(benefit_type=ClaimType.BEASISWA, child_levels=levels)
    return estimate, _("Beasiswa dibayar per tahun; angka ini untuk satu tahun.")


def join(request: HttpRequest) -> HttpResponse:
    regency = selectors.portal_regency()
    return render(
        request,
        "portal/join.html",
        {"regency": regency, "places": selectors.join_places(regency=regency)},
    )


def heirs(request: HttpRequest) -> HttpResponse:
    facts = selectors.programme_facts()
    return render(
        request,
        "portal/heirs.html",
        {"documents": selectors.heir_documents(), "facts": facts},
    )


def privacy(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/privacy.html",
        {
            "dpo": {
                "name": settings.PORTAL_DPO_NAME,
                "email": settings.PORTAL_DPO_EMAIL,
                "phone": settings.PORTAL_DPO_PHONE,
                "address": settings.PORTAL_DPO_ADDRESS,
            },
            "lookup_retention_days": settings.PORTAL_LOOKUP_LOG_RETENTION_DAYS,
            "lead_retention_days": settings.PORTAL_LEAD_RETENTION_DAYS,
            **_regency_context(),
        },
    )


# --- Membership check ----------------------------------------------------------------------


def _lookup_session(request: HttpRequest) -> str:
    """A random id kept in the visitor's session for the per-session limit (not the
    session key itself, which is a credential)."""
    sid = request.session.get("portal_lookup_sid")
    if not sid:
        sid = secrets.token_hex(12)
        request.session["portal_lookup_sid"] = sid
    return str(sid)


@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    """NIK + name → the programme status or one uniform "not found or not matching"."""
    answer = None
    not_found = False
    form = LookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.lookup_perform(
                nik=form.cleaned_data["nik"],
                full_name=form.cleaned_data["full_name"],
                ip=client_ip(request),
                session=_lookup_session(request),
            )
        except RateLimited as exc:
            return _limited(request, exc)
        answer = result.answer
        not_found = answer is None
        form = LookupForm()  # never echo the NIK or the name back
    return render(
        request,
        "portal/lookup.html",
        {"form": form, "answer": answer, "not_found": not_found},
    )


# --- Self-nomination -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def lead_new(request: HttpRequest) -> HttpResponse:
    regency_code = settings.PORTAL_REGENCY_CODE
    form = LeadForm(request.POST or None, regency_code=regency_code)
    if request.method == "POST":
        try:
            services.lead_rate_limit(ip=client_ip(request))
        except RateLimited as exc:
            return _limited(request, exc)
        if form.is_spam():
            # Answer a bot as a person: it learns nothing, nothing is stored.
            return redirect("portal:lead_thanks")
        if form.is_valid():
            data = form.cleaned_data
            services.lead_create(
                full_name=data["full_name"],
                village=data["village"],
                occupation=data["occupation"],
                phone=data["phone"],
                for_someone_else=data["for_someone_else"],
            )
            return redirect("portal:lead_thanks")
    return render(request, "portal/lead_form.html", {"form": form})


def lead_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/lead_thanks.html")


# --- Transparency and open data --------------------------------------------------------------


def _year(request: HttpRequest) -> int:
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("tahun", this_year))
    except ValueError:
        return this_year
    return year if 2000 <= year <= this_year else this_year


def transparency(request: HttpRequest) -> HttpResponse:
    regency = selectors.portal_regency()
    year = _year(request)
    this_year = timezone.localdate().year
    return render(
        request,
        "portal/transparency.html",
        {
            "regency": regency,
            "year": year,
            "years": list(range(this_year, this_year - 5, -1)),
            "report": selectors.public_transparency(regency=regency, year=year),
            "budget": selectors.budget_absorption(regency=regency, year=year),
            "threshold": selectors.small_cell_min(),
        },
    )


def coverage(request: HttpRequest) -> HttpResponse:
    regency = selectors.portal_regency()
    cover = selectors.coverage(regency=regency)
    return render(
        request,
        "portal/coverage.html",
        {
            "coverage": cover,
            "map_svg": selectors.coverage_map_svg(cover, year=timezone.localdate().year),
            "threshold": selectors.small_cell_min(),
        },
    )


def open_data(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/open_data.html",
        {
            "datasets": opendata.DATASETS,
            "year": _year(request),
            "threshold": selectors.small_cell_min(),
        },
    )


def open_data_csv(request: HttpRequest, name: str) -> HttpResponse:
    dataset = opendata.DATASETS.get(name)
    if dataset is None:
        raise Http404(_("Data tidak ditemukan."))
    regency = selectors.portal_regency()
    year = _year(request)
    header = [column.name for column in dataset.columns]
    body = csv_bytes([header, *dataset.rows(regency=regency, year=year)])
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    filename = f"jamsos-{name}-{regency.code}-{year}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Staff: the leads queue ----------------------------------------------------------------


@login_required
def lead_list(request: HttpRequest) -> HttpResponse:
    if not may_view_leads(request.user):
        raise DjangoPermissionDenied
    status = request.GET.get("status", "")
    if status not in Lead.Status.values:
        status = ""
    leads = list(selectors.lead_list(viewer=request.user, status=status)[:500])
    services.leads_viewed_record(viewer=request.user, leads=leads, where=request.path)
    return render(
        request,
        "portal/staff/lead_list.html",
        {"leads": leads, "status": status, "statuses": Lead.Status.choices},
    )


@login_required
@require_http_methods(["GET", "POST"])
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        lead = access_lead(request.user, pk)
    except NotFoundOrForbidden as exc:
        raise Http404(exc.message) from exc
    may_follow_up = request.user.has_perm(FOLLOW_UP_LEADS) and lead.is_open
    form = FollowUpForm(request.POST or None) if may_follow_up else None
    if request.method == "POST":
        if form is None:
            raise DjangoPermissionDenied
        if form.is_valid():
            from django.db import transaction

            try:
                with transaction.atomic():
                    locked = access_lead(request.user, pk, for_write=True)
                    services.lead_follow_up(
                        lead=locked,
                        status=form.cleaned_data["status"],
                        note=form.cleaned_data["note"],
                        acting_user=request.user,
                    )
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Tindak lanjut dicatat."))
            return redirect("portal:lead_detail", pk=pk)
    services.leads_viewed_record(viewer=request.user, leads=[lead], where=request.path)
    return render(request, "portal/staff/lead_detail.html", {"lead": lead, "form": form})
