"""Agent pages: the Dinas/BPJS registry of agents (list, detail, create, edit, status
maker-checker, fee statements) and the agent's own installable phone app. Thin: parse
the form, fetch through ``access_*``, call one service."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jamsos.accounts.access import region_q
from jamsos.agents import access, documents, selectors, services
from jamsos.agents.forms import (
    AgentForm,
    AssignmentForm,
    DecideForm,
    InstitutionForm,
    MonthForm,
    PhoneProposalForm,
    StatusRequestForm,
    TrainingForm,
)
from jamsos.agents.models import Agent, AgentAssignment, AgentInstitution
from jamsos.audit.services import personal_data_access_log
from jamsos.lib import nik
from jamsos.lib.errors import DomainError, NotFoundOrForbidden
from jamsos.lib.periods import Month
from jamsos.regions.models import Region

VIEW = "agents.view_agents"
MANAGE = "agents.manage_agents"


def _get(fetch: Callable[..., Any], user: Any, pk: int, **kwargs: Any) -> Any:
    try:
        return fetch(user, pk, **kwargs)
    except NotFoundOrForbidden as exc:
        raise Http404(exc.message) from exc


def _domain_errors_to_messages(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A refused action goes back to the page it came from with the reason shown."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFoundOrForbidden as exc:
            raise Http404(exc.message) from exc
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(request.META.get("HTTP_REFERER") or reverse("agents:agent_list"))

    return wrapper


# --- Dinas / BPJS pages --------------------------------------------------------------------


@login_required
@permission_required(VIEW, raise_exception=True)
@require_GET
def agent_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or None
    if status not in Agent.Status.values:
        status = None
    q = (request.GET.get("q") or "").strip()[:100]
    agents = selectors.agent_list(viewer=request.user, status=status, q=q)
    context = {
        "agents": agents[:300],
        "count": agents.count(),
        "statuses": Agent.Status.choices,
        "status": status or "",
        "q": q,
        "pending": selectors.pending_status_changes(viewer=request.user),
    }
    return render(request, "agents/agent_list.html", context)


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def agent_create(request: HttpRequest) -> HttpResponse:
    form = AgentForm(request.POST or None, request.FILES or None, viewer=request.user)
    if request.method == "POST" and form.is_valid():
        region = _regency(request.user)
        try:
            agent = services.agent_create(
                person=services.AgentPersonData(**form.person_fields()),
                region=region,
                acting_user=request.user,
                **form.agent_fields(),
            )
        except NotFoundOrForbidden as exc:
            form.add_error(None, exc.message)
        except DomainError as exc:
            form.add_error(
                exc.params.get("field") if exc.params.get("field") in form.fields else None,
                exc.message,
            )
        else:
            messages.success(request, _("Agen dicatat sebagai calon."))
            return redirect("agents:agent_detail", pk=agent.pk)
    return render(request, "agents/agent_form.html", {"form": form, "agent": None})


def _regency(user: Any) -> Region:
    """The kabupaten a Dinas/BPJS user manages agents for (its scope)."""
    region = user.region
    while region is not None and region.level not in (Region.Level.REGENCY, Region.Level.PROVINCE):
        region = region.parent
    if region is None:
        raise Http404
    return region


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def agent_edit(request: HttpRequest, pk: int) -> HttpResponse:
    agent = _get(access.access_agent, request.user, pk)
    initial = {
        name: getattr(agent, name)
        for name in (
            "institution",
            "bpjs_code",
            "appointment_number",
            "appointment_date",
            "is_perangkat_nagari",
            "user",
            "substitute",
            "works_to",
        )
    }
    form = AgentForm(
        request.POST or None,
        request.FILES or None,
        viewer=request.user,
        agent=agent,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.agent_update(agent=agent, acting_user=request.user, **form.agent_fields())
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Data agen disimpan."))
            return redirect("agents:agent_detail", pk=agent.pk)
    return render(request, "agents/agent_form.html", {"form": form, "agent": agent})


@login_required
@permission_required(VIEW, raise_exception=True)
@require_GET
def agent_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agent = _get(access.access_agent, request.user, pk)
    personal_data_access_log(
        viewer=request.user,
        persons=[(agent.person_id, agent.person.nik)],
        purpose="Rincian agen Perisai",
        fields=("full_name", "phone"),
        path=request.path,
    )
    context = {
        "agent": agent,
        "performance": selectors.agent_performance(agent=agent),
        "assignments": agent.assignments.select_related("nagari__parent"),
        "trainings": agent.trainings.all(),
        "changes": agent.status_changes.select_related("requested_by", "decided_by"),
        "statements": agent.statements.all()[:24],
        "checks": agent.inactivity_checks.all()[:12],
        "status_form": StatusRequestForm(
            agent=agent, initial={"effective_on": timezone.localdate()}
        ),
        "assignment_form": AssignmentForm(
            viewer=request.user, initial={"valid_from": timezone.localdate()}
        ),
        "training_form": TrainingForm(),
    }
    return render(request, "agents/agent_detail.html", context)


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_POST
@_domain_errors_to_messages
def status_request(request: HttpRequest, pk: int) -> HttpResponse:
    agent = _get(access.access_agent, request.user, pk)
    form = StatusRequestForm(request.POST, agent=agent)
    if not form.is_valid():
        messages.error(request, _("Periksa isian perubahan status."))
    else:
        services.agent_status_request(
            agent=agent,
            to_status=form.cleaned_data["to_status"],
            end_reason=form.cleaned_data["end_reason"],
            effective_on=form.cleaned_data["effective_on"],
            note=form.cleaned_data["note"],
            acting_user=request.user,
        )
        messages.success(
            request, _("Perubahan status diajukan; menunggu persetujuan pemeriksa kedua.")
        )
    return redirect("agents:agent_detail", pk=agent.pk)


@login_required
@permission_required("agents.approve_agent_status", raise_exception=True)
@require_POST
@_domain_errors_to_messages
def status_decide(request: HttpRequest, pk: int) -> HttpResponse:
    change = _get(access.access_status_change, request.user, pk)
    form = DecideForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        services.agent_status_decide(
            change=change, approve=approve, note=form.cleaned_data["note"], acting_user=request.user
        )
        messages.success(
            request, _("Perubahan status disetujui.") if approve else _("Perubahan status ditolak.")
        )
    return redirect("agents:agent_detail", pk=change.agent_id)


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_POST
@_domain_errors_to_messages
def assignment_add(request: HttpRequest, pk: int) -> HttpResponse:
    agent = _get(access.access_agent, request.user, pk)
    form = AssignmentForm(request.POST, viewer=request.user)
    if not form.is_valid():
        messages.error(request, _("Periksa isian penugasan."))
    else:
        services.assignment_add(agent=agent, acting_user=request.user, **form.cleaned_data)
        messages.success(request, _("Penugasan nagari ditambahkan."))
    return redirect("agents:agent_detail", pk=agent.pk)


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_POST
@_domain_errors_to_messages
def assignment_end(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = AgentAssignment.objects.filter(pk=pk).first()
    if assignment is None:
        raise Http404
    agent = _get(access.access_agent, request.user, assignment.agent_id)
    services.assignment_end(
        assignment=assignment, valid_to=timezone.localdate(), acting_user=request.user
    )
    messages.success(request, _("Penugasan nagari diakhiri."))
    return redirect("agents:agent_detail", pk=agent.pk)


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_POST
@_domain_errors_to_messages
def training_add(request: HttpRequest, pk: int) -> HttpResponse:
    agent = _get(access.access_agent, request.user, pk)
    form = TrainingForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Periksa isian pelatihan."))
    else:
        services.training_add(agent=agent, acting_user=request.user, **form.cleaned_data)
        messages.success(request, _("Pelatihan dicatat."))
    return redirect("agents:agent_detail", pk=agent.pk)


@login_required
@permission_required(VIEW, raise_exception=True)
@require_http_methods(["GET", "POST"])
def institution_list(request: HttpRequest) -> HttpResponse:
    form = InstitutionForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm(MANAGE):
            raise Http404
        if form.is_valid():
            try:
                services.institution_create(
                    region=_regency(request.user), acting_user=request.user, **form.cleaned_data
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Lembaga dicatat."))
                return redirect("agents:institution_list")
    institutions = AgentInstitution.objects.filter(region_q(request.user, "region"))
    return render(
        request, "agents/institution_list.html", {"institutions": institutions, "form": form}
    )


@login_required
@permission_required(VIEW, raise_exception=True)
@require_http_methods(["GET", "POST"])
def statement_list(request: HttpRequest) -> HttpResponse:
    form = MonthForm(request.POST or None, initial={"month": str(Month.current() - 1)})
    if request.method == "POST":
        if not request.user.has_perm("agents.prepare_statement"):
            raise Http404
        if form.is_valid():
            try:
                month = Month.parse(form.cleaned_data["month"])
                run = services.statements_draft_month(month=month, acting_user=request.user)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    _("%(n)s rekap fee bulan %(month)s disusun.")
                    % {"n": len(run.statements), "month": month},
                )
                return redirect("agents:statement_list")
    statements = selectors.statement_list(viewer=request.user)[:200]
    return render(request, "agents/statement_list.html", {"statements": statements, "form": form})


@login_required
@require_GET
def statement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    statement = _get(access.access_statement, request.user, pk)
    lines = statement.lines.select_related("membership__person").order_by("kind", "month")
    return render(
        request, "agents/statement_detail.html", {"statement": statement, "lines": lines[:1000]}
    )


@login_required
@permission_required("agents.approve_statement", raise_exception=True)
@require_POST
@_domain_errors_to_messages
def statement_approve(request: HttpRequest, pk: int) -> HttpResponse:
    statement = _get(access.access_statement, request.user, pk)
    services.statement_approve(statement=statement, acting_user=request.user)
    messages.success(request, _("Rekap fee disetujui."))
    return redirect("agents:statement_detail", pk=statement.pk)


@login_required
@require_GET
def statement_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    statement = _get(access.access_statement, request.user, pk)
    data = documents.statement_pdf(statement)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="rekap-fee-agen-{statement.agent_id}-{statement.month:%Y-%m}.pdf"'
    )
    return response


# --- The agent's phone app -----------------------------------------------------------------

PHONE_VERSION = "agen-v1"


def _phone_villages(agent: Agent, user: Any) -> list[tuple[str, str]]:
    today = timezone.localdate()
    assigned = [a.nagari for a in agent.assignments.select_related("nagari") if a.covers(today)]
    villages = {v.pk: v.name for v in assigned}
    if user.region_id and user.region.level == Region.Level.VILLAGE:
        villages.setdefault(user.region_id, user.region.name)
    return sorted(villages.items(), key=lambda kv: kv[1])


PHOTO_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
}


@login_required
@permission_required(access.PHOTO_PERMISSION, raise_exception=True)
@require_GET
def proposal_photo(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """A KTP/KK photo an agent's offline proposal carried, for the Dinas/BPJS reviewer of
    that proposal. Never a public media URL: scope-checked, logged as a personal-data
    read, not cached, shown inline only as an image."""
    submission, photo = _get(access.access_proposal_photo, request.user, pk, kind=kind)
    row = submission.row
    personal_data_access_log(
        viewer=request.user,  # type: ignore[arg-type]
        persons=[(row.person_id or 0, row.nik)],
        purpose=f"agents:proposal_photo ({kind}, {row.batch_id}/{row.row_number})",
        fields=(f"{kind}_photo",),
        path=request.path,
    )
    content_type = PHOTO_TYPES.get(Path(photo.name).suffix.lower(), "application/octet-stream")
    response = FileResponse(photo.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'inline; filename="{kind}-{submission.pk}"'
    return response


@login_required
@permission_required("agents.use_agent_app", raise_exception=True)
@require_GET
def phone(request: HttpRequest) -> HttpResponse:
    """The installable app shell: the form, the queue and the agent's own lists.

    Cached by the service worker; everything that changes (the queue, the list of sent
    proposals and their fate) is filled in by ``static/agents/phone.js``.
    """
    try:
        agent = access.access_own_agent(request.user)
    except NotFoundOrForbidden as exc:
        raise Http404(exc.message) from exc
    villages = _phone_villages(agent, request.user)
    form = PhoneProposalForm(
        villages=villages, initial={"village": villages[0][0] if villages else ""}
    )
    province = (request.user.region_id or "")[:2]
    config = {
        "submitUrl": reverse("api:agents_offline_submit"),
        "listUrl": reverse("api:agents_own_proposals"),
        "tokenUrl": reverse("agents:phone_token"),
        "swUrl": reverse("agents_service_worker"),
        "swScope": "/agen/",
        "user": request.user.pk,
        "provinces": list(
            Region.objects.filter(level=Region.Level.PROVINCE).values_list("code", flat=True)
        ),
        "ownProvince": province,
        "districts": [
            code.replace(".", "")
            for code in Region.objects.filter(
                level=Region.Level.DISTRICT, code__startswith=province + "."
            ).values_list("code", flat=True)
        ],
        "messages": {code: _(message) for code, message in nik.MESSAGES.items()},
        "sexLabels": {key: _(label) for key, label in nik.SEX_LABELS.items()},
    }
    context = {
        "agent": agent,
        "form": form,
        "performance": selectors.agent_performance(agent=agent),
        "config": config,
    }
    response = render(request, "agents/phone.html", context)
    response["Cache-Control"] = "private, no-cache"
    return response


@login_required
@never_cache
@require_GET
def phone_token(request: HttpRequest) -> JsonResponse:
    """A fresh CSRF token for the queue's sender: the cached page's may be from an
    earlier session (the token is rotated at log-in)."""
    return JsonResponse({"csrf": get_token(request), "user": request.user.pk})


_SW = Path(__file__).resolve().parent / "static" / "agents" / "sw.js"


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served from the site root so it may control ``/agen/``.

    Its own file names the static assets to cache (``static()`` gives the hashed names
    in production), under a version name the worker drops when it changes.
    """
    assets = [
        static("vendor/bootstrap/bootstrap.min.css"),
        static("vendor/bootstrap-icons/bootstrap-icons.min.css"),
        static("agents/phone.js"),
        static("agents/nik.js"),
        static("agents/phone.css"),
        static("agents/icon-192.png"),
    ]
    preamble = (
        f"const CACHE = {json.dumps(PHONE_VERSION)};\n"
        f"const ASSETS = {json.dumps(assets)};\n"
        f"const SHELL = {json.dumps(reverse('agents:phone'))};\n"
    )
    response = HttpResponse(preamble + _SW.read_text(), content_type="application/javascript")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    data = {
        "name": "Jamsos — Aplikasi Agen Perisai",
        "short_name": "Agen Jamsos",
        "lang": "id",
        "start_url": reverse("agents:phone"),
        "scope": "/agen/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#198754",
        "icons": [
            {"src": static("agents/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("agents/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }
    response = JsonResponse(data, content_type="application/manifest+json")
    return response
