"""Collaboration pages. Thin: parse the form, fetch through ``access_*``, call one service."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jamsos.accounts.models import Agency
from jamsos.collaboration import access, documents, selectors, services
from jamsos.collaboration.forms import (
    ActionItemForm,
    AgendaForm,
    AgreementForm,
    AttendanceForm,
    DecisionForm,
    DueChangeForm,
    EvidenceForm,
    ForumForm,
    MeetingForm,
    MinutesForm,
    ObligationForm,
    ReplyForm,
    RequestForm,
    ResolveForm,
    ScorecardForm,
    WaiverForm,
)
from jamsos.collaboration.models import (
    ActionItem,
    InterAgencyRequest,
    ObligationInstance,
    ScorecardSnapshot,
)
from jamsos.collaboration.quarters import Quarter
from jamsos.collaboration.scorecard import (
    BAND_LABELS,
    INSUFFICIENT_LABEL,
    profile,
    scorecard_compute,
)
from jamsos.lib.errors import DomainError, NotFoundOrForbidden

VIEW = "collaboration.view_forum"
MANAGE = "collaboration.manage_forum"
RESPOND = "collaboration.respond"
DOCUMENT_CSP = "default-src 'none'; sandbox"


def _get(fetch: Callable[..., Any], user: Any, pk: int, **kwargs: Any) -> Any:
    try:
        return fetch(user, pk, **kwargs)
    except NotFoundOrForbidden as exc:
        raise Http404(exc.message) from exc


def _form_errors(request: HttpRequest, form: Any) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def _run(request: HttpRequest, action: Callable[[], Any], success: str) -> bool:
    try:
        action()
    except DomainError as exc:
        messages.error(request, exc.message)
        return False
    except ValidationError as exc:
        # A model rule the service did not word itself (``full_clean``): shown, not a 500.
        for message in exc.messages:
            messages.error(request, message)
        return False
    messages.success(request, success)
    return True


def _attachment(handle: Any, name: str, content_type: str) -> FileResponse:
    response = FileResponse(handle, content_type=content_type, as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOCUMENT_CSP
    return response


def _stored(field: Any, name: str) -> FileResponse:
    if not field:
        raise Http404(_("Berkas tidak ada."))
    try:
        handle = field.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("Berkas tidak ada di penyimpanan.")) from exc
    content_type = (
        "application/pdf"
        if name.lower().endswith(".pdf")
        else "image/" + ("png" if name.lower().endswith(".png") else "jpeg")
    )
    return _attachment(handle, name, content_type)


# --- Forums and meetings --------------------------------------------------------------------


@login_required
@permission_required(VIEW, raise_exception=True)
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    forums = selectors.forum_list(viewer=user)
    context = {
        "forums": forums,
        "meetings": selectors.meeting_list(viewer=user).order_by("-starts_at")[:10],
        "overdue": selectors.overdue_count(viewer=user),
        "my_items": selectors.action_item_list(
            viewer=user, mine=True, status=ActionItem.Status.OPEN
        )[:10],
        "inbox": selectors.request_list(viewer=user, box="masuk").exclude(
            status=InterAgencyRequest.Status.RESOLVED
        )[:10],
    }
    return render(request, "collaboration/index.html", context)


@login_required
@permission_required(MANAGE, raise_exception=True)
def forum_create(request: HttpRequest) -> HttpResponse:
    from jamsos.regions.models import Region

    user = request.user
    own = Region.objects.filter(pk=user.region_id or "").first()
    if own is None:
        raise DjangoPermissionDenied
    regions = Region.objects.filter(
        Q(pk=own.code) | Q(code__startswith=own.code + "."), level__in=["regency", "district"]
    )
    form = ForumForm(
        request.POST or None,
        regions=regions,
        agencies=selectors.agencies_for(region=own),
        initial={"convening_agency": user.agency, "region": own},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        members = [(a, "core") for a in data["core"]] + [(a, "invited") for a in data["invited"]]
        holder: dict[str, Any] = {}

        def create() -> None:
            holder["forum"] = services.forum_create(
                region=data["region"],
                name=data["name"],
                convening_agency=data["convening_agency"],
                cadence=data["cadence"],
                members=members,
                valid_from=data["valid_from"],
                acting_user=user,
            )

        if _run(request, create, _("Forum dibentuk.")):
            return redirect("collaboration:forum_detail", holder["forum"].pk)
    return render(request, "collaboration/forum_form.html", {"form": form})


@login_required
@permission_required(VIEW, raise_exception=True)
def forum_detail(request: HttpRequest, pk: int) -> HttpResponse:
    forum = _get(access.access_forum, request.user, pk)
    meetings = selectors.meeting_list(viewer=request.user, forum=forum).order_by("-starts_at")
    form = None
    if request.user.has_perm(MANAGE):
        agencies = selectors.agencies_for(region=forum.region)
        form = MeetingForm(request.POST or None, agencies=agencies)
        if request.method == "POST":
            if form.is_valid():
                data = form.cleaned_data
                try:
                    meeting = services.meeting_record(forum=forum, acting_user=request.user, **data)
                except DomainError as exc:
                    messages.error(request, exc.message)
                else:
                    messages.success(request, _("Rapat dicatat."))
                    return redirect("collaboration:meeting_detail", meeting.pk)
        else:
            form.initial = {"convened_by": forum.convening_agency, "kind": "rakor"}
    elif request.method == "POST":
        raise DjangoPermissionDenied
    context = {
        "forum": forum,
        "members": forum.memberships.select_related("agency"),
        "page": Paginator(meetings, 25).get_page(request.GET.get("page")),
        "form": form,
    }
    return render(request, "collaboration/forum_detail.html", context)


@login_required
@permission_required(VIEW, raise_exception=True)
def forum_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    forum = _get(access.access_forum, request.user, pk)
    meetings = selectors.meeting_list(viewer=request.user, forum=forum).order_by("starts_at")
    body = documents.calendar_ics(forum=forum, meetings=list(meetings))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="forum-{forum.pk}.ics"'
    return response


def _meeting_forms(request: HttpRequest, meeting: Any) -> dict[str, Any]:
    from jamsos.enrollment.models import Decree

    agencies = selectors.agencies_for(region=meeting.forum.region)
    code = meeting.forum.region_id
    decrees = Decree.objects.filter(region_id=code[:5], status=Decree.Status.ISSUED).order_by(
        "-decree_date"
    )
    return {
        "attendance_form": AttendanceForm(agencies=agencies, prefix="att"),
        "agenda_form": AgendaForm(agencies=agencies, prefix="agenda"),
        "decision_form": DecisionForm(
            agencies=agencies,
            decrees=decrees,
            agreements=selectors.agreement_list(viewer=request.user),
            prefix="dec",
        ),
        "item_form": ActionItemForm(
            agencies=agencies, decisions=meeting.decisions.all(), prefix="item"
        ),
        "minutes_form": MinutesForm(prefix="min"),
    }


@login_required
@permission_required(VIEW, raise_exception=True)
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _get(access.access_meeting, request.user, pk)
    context = {
        "meeting": meeting,
        "attendances": meeting.attendances.select_related("agency"),
        "agenda": meeting.agenda_items.select_related("proposed_by"),
        "decisions": meeting.decisions.select_related("proposed_by").prefetch_related(
            "links__decree", "links__agreement", "links__allocation"
        ),
        "items": ActionItem.objects.filter(decision__meeting=meeting).select_related(
            "owner_agency"
        ),
        "may_manage": request.user.has_perm(MANAGE),
    }
    if context["may_manage"]:
        context.update(_meeting_forms(request, meeting))
    return render(request, "collaboration/meeting_detail.html", context)


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_POST
def meeting_add(request: HttpRequest, pk: int, what: str) -> HttpResponse:  # noqa: C901
    """One POST target for the meeting page's forms: attendance, agenda, decision, item,
    minutes."""
    meeting = _get(access.access_meeting, request.user, pk)
    user = request.user
    agencies = selectors.agencies_for(region=meeting.forum.region)
    if what == "kehadiran":
        form: Any = AttendanceForm(request.POST, agencies=agencies, prefix="att")
        if form.is_valid():
            _run(
                request,
                lambda: services.attendance_record(
                    meeting=meeting, acting_user=user, **form.cleaned_data
                ),
                _("Kehadiran dicatat."),
            )
    elif what == "agenda":
        form = AgendaForm(request.POST, agencies=agencies, prefix="agenda")
        if form.is_valid():
            _run(
                request,
                lambda: services.agenda_item_add(
                    meeting=meeting, acting_user=user, **form.cleaned_data
                ),
                _("Agenda dicatat."),
            )
    elif what == "keputusan":
        from jamsos.enrollment.models import Decree

        decrees = Decree.objects.filter(
            region_id=meeting.forum.region_id[:5], status=Decree.Status.ISSUED
        )
        form = DecisionForm(
            request.POST,
            agencies=agencies,
            decrees=decrees,
            agreements=selectors.agreement_list(viewer=user),
            prefix="dec",
        )
        if form.is_valid():
            data = form.cleaned_data
            links = [(name, data[name]) for name in ("decree", "agreement") if data[name]]
            _run(
                request,
                lambda: services.decision_record(
                    meeting=meeting,
                    text=data["text"],
                    kind=data["kind"],
                    proposed_by=data["proposed_by"],
                    links=links,
                    acting_user=user,
                ),
                _("Keputusan dicatat."),
            )
    elif what == "tindak-lanjut":
        form = ActionItemForm(
            request.POST, agencies=agencies, decisions=meeting.decisions.all(), prefix="item"
        )
        if form.is_valid():
            _run(
                request,
                lambda: services.action_item_assign(
                    forum=meeting.forum, acting_user=user, **form.cleaned_data
                ),
                _("Tindak lanjut ditugaskan."),
            )
    elif what == "notulen":
        form = MinutesForm(request.POST, request.FILES, prefix="min")
        if form.is_valid():
            _run(
                request,
                lambda: services.minutes_publish(
                    meeting=meeting, upload=form.cleaned_data["minutes"], acting_user=user
                ),
                _("Notulen dibagikan."),
            )
    else:
        raise Http404
    if not form.is_valid():
        _form_errors(request, form)
    return redirect("collaboration:meeting_detail", meeting.pk)


@login_required
@permission_required(VIEW, raise_exception=True)
def meeting_document(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    meeting = _get(access.access_meeting, request.user, pk)
    if kind == "undangan":
        body = documents.invitation_pdf(meeting)
    elif kind == "notulen":
        body = documents.minutes_pdf(meeting)
    elif kind == "berkas":
        return _stored(meeting.minutes_file, meeting.minutes_name)
    else:
        raise Http404
    import io

    return _attachment(io.BytesIO(body), f"{kind}-rapat-{meeting.pk}.pdf", "application/pdf")


# --- Action items ---------------------------------------------------------------------------


@login_required
@permission_required(VIEW, raise_exception=True)
def action_item_list(request: HttpRequest) -> HttpResponse:
    mine = request.GET.get("milik") == "saya"
    status = request.GET.get("status") or None
    if status not in (None, *ActionItem.Status.values):
        status = None
    items = selectors.action_item_list(viewer=request.user, mine=mine, status=status)
    context = {
        "page": Paginator(items, 50).get_page(request.GET.get("page")),
        "mine": mine,
        "status": status or "",
        "statuses": ActionItem.Status.choices,
        "today": timezone.localdate(),
    }
    return render(request, "collaboration/action_item_list.html", context)


@login_required
@permission_required(VIEW, raise_exception=True)
def action_item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _get(access.access_action_item, request.user, pk)
    user = request.user
    may_complete = (
        user.has_perm(RESPOND)
        and access.acts_for(user, item.owner_agency_id)
        and item.status == ActionItem.Status.OPEN
    )
    may_manage = user.has_perm(MANAGE) and item.status == ActionItem.Status.OPEN
    complete_form = EvidenceForm(prefix="done") if may_complete else None
    due_form = DueChangeForm(prefix="due") if may_manage else None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "selesai" and may_complete:
            complete_form = EvidenceForm(request.POST, request.FILES, prefix="done")
            if complete_form.is_valid():
                data = complete_form.cleaned_data
                if _run(
                    request,
                    lambda: services.action_item_complete(
                        item=item, upload=data["evidence"], note=data["note"], acting_user=user
                    ),
                    _("Tindak lanjut diselesaikan."),
                ):
                    return redirect("collaboration:action_item_detail", item.pk)
        elif action == "tenggat" and may_manage:
            due_form = DueChangeForm(request.POST, prefix="due")
            if due_form.is_valid() and _run(
                request,
                lambda: services.action_item_change_due(
                    item=item, acting_user=user, **due_form.cleaned_data
                ),
                _("Tenggat diubah; tenggat awal tetap tercatat."),
            ):
                return redirect("collaboration:action_item_detail", item.pk)
        elif action == "ingatkan" and may_manage:
            _run(
                request,
                lambda: services.action_item_escalate(
                    item=item, note=request.POST.get("note", ""), acting_user=user
                ),
                _("Pengingat dicatat."),
            )
            return redirect("collaboration:action_item_detail", item.pk)
        else:
            raise DjangoPermissionDenied
    from jamsos.audit.models import AuditEvent

    history = AuditEvent.objects.filter(
        object_type="collaboration.actionitem", object_id=str(item.pk)
    ).order_by("occurred_at")
    context = {
        "item": item,
        "complete_form": complete_form,
        "due_form": due_form,
        "history": history,
        "today": timezone.localdate(),
    }
    return render(request, "collaboration/action_item_detail.html", context)


@login_required
@permission_required(VIEW, raise_exception=True)
def action_item_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    item = _get(access.access_action_item, request.user, pk)
    return _stored(item.evidence_file, item.evidence_name)


# --- Requests -------------------------------------------------------------------------------


@login_required
@permission_required(VIEW, raise_exception=True)
def request_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    box = request.GET.get("kotak", "")
    forums = selectors.forum_list(viewer=user)
    forum = forums.first()
    form = None
    if user.has_perm(RESPOND) and forum is not None and user.agency_id:
        agencies = selectors.agencies_for(region=forum.region).exclude(pk=user.agency_id)
        form = RequestForm(request.POST or None, agencies=agencies)
        if (
            request.method == "POST"
            and form.is_valid()
            and _run(
                request,
                lambda: services.request_send(forum=forum, acting_user=user, **form.cleaned_data),
                _("Permintaan dikirim."),
            )
        ):
            return redirect("collaboration:request_list")
    elif request.method == "POST":
        raise DjangoPermissionDenied
    requests = selectors.request_list(viewer=user, box=box)
    context = {
        "page": Paginator(requests, 50).get_page(request.GET.get("page")),
        "box": box,
        "form": form,
        "forum": forum,
    }
    return render(request, "collaboration/request_list.html", context)


@login_required
@permission_required(VIEW, raise_exception=True)
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    req = _get(access.access_request, request.user, pk)
    user = request.user
    may_answer = (
        user.has_perm(RESPOND)
        and access.acts_for(user, req.to_agency_id)
        and req.status != InterAgencyRequest.Status.RESOLVED
    )
    form = ResolveForm(request.POST or None) if may_answer else None
    if request.method == "POST":
        if not may_answer:
            raise DjangoPermissionDenied
        if request.POST.get("action") == "terima":
            _run(
                request,
                lambda: services.request_acknowledge(request=req, acting_user=user),
                _("Permintaan diterima."),
            )
            return redirect("collaboration:request_detail", req.pk)
        if (
            form is not None
            and form.is_valid()
            and _run(
                request,
                lambda: services.request_resolve(
                    request=req, outcome=form.cleaned_data["outcome"], acting_user=user
                ),
                _("Permintaan diselesaikan."),
            )
        ):
            return redirect("collaboration:request_detail", req.pk)
    return render(request, "collaboration/request_detail.html", {"req": req, "form": form})


# --- Agreements -----------------------------------------------------------------------------


@login_required
@permission_required("collaboration.view_agreements", raise_exception=True)
def agreement_list(request: HttpRequest) -> HttpResponse:
    from jamsos.enrollment.models import LegalBasis

    agreements = selectors.agreement_list(viewer=request.user)
    code = request.user.region_id or ""
    instruments = LegalBasis.objects.filter(kind__gte=LegalBasis.Kind.PERDA_PROVINSI)
    if code:
        instruments = instruments.filter(region__isnull=True) | instruments.filter(
            region__code__startswith=code[:2]
        )
    context = {"agreements": agreements, "instruments": instruments.order_by("year", "kind")}
    return render(request, "collaboration/agreement_list.html", context)


@login_required
@permission_required("collaboration.manage_agreements", raise_exception=True)
def agreement_create(request: HttpRequest) -> HttpResponse:
    from jamsos.enrollment.models import LegalBasis
    from jamsos.regions.models import Region

    user = request.user
    region = Region.objects.filter(pk=(user.region_id or "")[:5]).first()
    if region is None:
        raise DjangoPermissionDenied
    form = AgreementForm(
        request.POST or None,
        agencies=selectors.agencies_for(region=region),
        agreements=selectors.agreement_list(viewer=user),
        legal_bases=LegalBasis.objects.filter(
            Q(region__isnull=True) | Q(region__code__startswith=region.code[:2])
        ).order_by("kind", "year"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        holder: dict[str, Any] = {}

        def record() -> None:
            holder["agreement"] = services.agreement_record(
                region=region,
                kind=data["kind"],
                title=data["title"],
                effective_from=data["effective_from"],
                effective_to=data["effective_to"],
                signed_on=data["signed_on"],
                parties=[
                    (data["party1"], data["number1"], "", ""),
                    (data["party2"], data["number2"], "", ""),
                ],
                legal_bases=data["legal_bases"],
                amends=data["amends"],
                acting_user=user,
            )

        if _run(request, record, _("Perjanjian dicatat.")):
            return redirect("collaboration:agreement_detail", holder["agreement"].pk)
    return render(request, "collaboration/agreement_form.html", {"form": form})


@login_required
@permission_required("collaboration.view_agreements", raise_exception=True)
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _get(access.access_agreement, request.user, pk)
    manage = request.user.has_perm("collaboration.manage_agreements")
    parties = Agency.objects.filter(pk__in=agreement.parties.values("agency_id"))
    obligation_form = ObligationForm(prefix="ob", parties=parties) if manage else None
    if request.method == "POST" and request.POST.get("action") == "kewajiban" and manage:
        obligation_form = ObligationForm(request.POST, prefix="ob", parties=parties)
        if obligation_form.is_valid():
            data = obligation_form.cleaned_data
            frequency = data["frequency"]
            kind = "per_event" if frequency in ("per_decree", "per_claim") else "recurring"
            if frequency == "once":
                kind = "one_off"
            if _run(
                request,
                lambda: services.obligation_add(
                    agreement=agreement,
                    kind=kind,
                    acting_user=request.user,
                    **{k: v for k, v in data.items() if k != "sla_days"},
                    sla_days=data["sla_days"],
                ),
                _("Kewajiban dicatat."),
            ):
                return redirect("collaboration:agreement_detail", agreement.pk)
        _form_errors(request, obligation_form)
        return redirect("collaboration:agreement_detail", agreement.pk)
    if request.method == "POST":
        # "Perbarui": generate due instances up to today and judge them from the records,
        # as the daily ``jamsos collaboration_obligations`` does.
        if not request.user.has_perm("collaboration.manage_agreements"):
            raise DjangoPermissionDenied
        from jamsos.collaboration.obligations import (
            obligation_instances_generate,
            obligation_instances_judge,
        )

        today = timezone.localdate()
        created = obligation_instances_generate(
            region=agreement.region, until=today, acting_user=request.user
        )
        judged = obligation_instances_judge(
            region=agreement.region, today=today, acting_user=request.user
        )
        messages.success(
            request,
            _("%(created)s kewajiban jatuh tempo baru; %(judged)s dinilai dari data.")
            % {"created": created, "judged": sum(judged.values())},
        )
        return redirect("collaboration:agreement_detail", agreement.pk)
    instances = selectors.obligation_instances(agreement=agreement)
    context = {
        "agreement": agreement,
        "parties": agreement.parties.select_related("agency"),
        "clauses": agreement.clauses.all(),
        "obligations": agreement.obligations.select_related("party", "clause"),
        "page": Paginator(instances, 50).get_page(request.GET.get("page")),
        "legal_bases": agreement.legal_bases.all(),
        "amendments": agreement.amendments.all(),
        "may_refresh": manage,
        "obligation_form": obligation_form,
    }
    return render(request, "collaboration/agreement_detail.html", context)


@login_required
@permission_required("collaboration.view_agreements", raise_exception=True)
def instance_detail(request: HttpRequest, pk: int) -> HttpResponse:
    instance = _get(access.access_obligation_instance, request.user, pk)
    user = request.user
    closed = instance.status in (
        ObligationInstance.Status.FULFILLED,
        ObligationInstance.Status.WAIVED,
    )
    may_evidence = not closed and (
        user.has_perm("collaboration.manage_agreements")
        or (user.has_perm(RESPOND) and access.acts_for(user, instance.obligation.party_id))
    )
    may_request_waiver = not closed and user.has_perm("collaboration.manage_agreements")
    may_approve_waiver = (
        instance.waiver_pending
        and user.has_perm("collaboration.approve_waiver")
        and instance.waiver_requested_by_id != user.pk
    )
    evidence_form = EvidenceForm(prefix="ev") if may_evidence else None
    waiver_form = (
        WaiverForm(prefix="wv") if may_request_waiver and not instance.waiver_pending else None
    )
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "bukti" and may_evidence:
            evidence_form = EvidenceForm(request.POST, request.FILES, prefix="ev")
            if evidence_form.is_valid():
                data = evidence_form.cleaned_data
                _run(
                    request,
                    lambda: services.obligation_evidence_record(
                        instance=instance,
                        upload=data["evidence"],
                        note=data["note"],
                        acting_user=user,
                    ),
                    _("Bukti dicatat."),
                )
            else:
                _form_errors(request, evidence_form)
        elif action == "kecualikan" and may_request_waiver:
            waiver_form = WaiverForm(request.POST, prefix="wv")
            if waiver_form.is_valid():
                _run(
                    request,
                    lambda: services.obligation_waiver_request(
                        instance=instance,
                        reason=waiver_form.cleaned_data["reason"],
                        acting_user=user,
                    ),
                    _("Pengecualian diajukan; menunggu persetujuan orang kedua."),
                )
            else:
                _form_errors(request, waiver_form)
        elif action == "setujui" and may_approve_waiver:
            _run(
                request,
                lambda: services.obligation_waiver_approve(instance=instance, acting_user=user),
                _("Pengecualian disetujui."),
            )
        else:
            raise DjangoPermissionDenied
        return redirect("collaboration:instance_detail", instance.pk)
    context = {
        "instance": instance,
        "evidence_form": evidence_form,
        "waiver_form": waiver_form,
        "may_approve_waiver": may_approve_waiver,
    }
    return render(request, "collaboration/instance_detail.html", context)


@login_required
@permission_required("collaboration.view_agreements", raise_exception=True)
def instance_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    instance = _get(access.access_obligation_instance, request.user, pk)
    return _stored(instance.evidence_file, instance.evidence_name)


# --- Scorecard ------------------------------------------------------------------------------


def _decorate(card: dict[str, Any]) -> dict[str, Any]:
    from jamsos.collaboration.models import IndicatorDefinition

    labels = dict(IndicatorDefinition.Element.choices)
    for element in card["elements"]:
        element["label"] = str(labels.get(element["element"], element["element"]))
        for result in element["indicators"]:
            result["band_label"] = (
                _(INSUFFICIENT_LABEL)
                if result["insufficient"]
                else (_(BAND_LABELS[result["band"]]) if result["band"] else "–")
            )
            value = result["value"]
            result["percent"] = None if value is None else round(100 * value)
    return card


@login_required
@permission_required("collaboration.view_scorecard", raise_exception=True)
def scorecard(request: HttpRequest) -> HttpResponse:
    user = request.user
    regions = selectors.scorecard_regions(viewer=user)
    current = Quarter.of(timezone.localdate())
    form = ScorecardForm(
        request.GET or None,
        regions=regions,
        initial={"period": str(current)},
    )
    region = regions.first()
    quarter = current
    if form.is_bound and form.is_valid():
        region = regions.filter(pk=form.cleaned_data["region"]).first() or region
        quarter = form.cleaned_data["period"]
    if request.method == "POST":
        if not user.has_perm("collaboration.publish_scorecard") or region is None:
            raise DjangoPermissionDenied
        try:
            quarter = Quarter.parse(request.POST.get("period", str(current)))
            snapshot = services.snapshot_draft(region=region, quarter=quarter, acting_user=user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Rapor disusun; instansi dapat memberi tanggapan."))
            return redirect("collaboration:snapshot_detail", snapshot.pk)
    card = _decorate(scorecard_compute(region=region, quarter=quarter)) if region else None
    context = {
        "form": form,
        "region": region,
        "quarter": quarter,
        "card": card,
        "profile": profile(card) if card else {},
        "snapshots": selectors.snapshot_list(viewer=user, region=region)[:12],
        "may_publish": user.has_perm("collaboration.publish_scorecard"),
    }
    return render(request, "collaboration/scorecard.html", context)


@login_required
@permission_required("collaboration.view_scorecard", raise_exception=True)
def scorecard_rows(request: HttpRequest, code: str) -> HttpResponse:
    """The rows behind one indicator: the evidence one click away."""
    user = request.user
    regions = selectors.scorecard_regions(viewer=user)
    region = regions.filter(pk=request.GET.get("region", "")).first() or regions.first()
    try:
        quarter = Quarter.parse(request.GET.get("period", ""))
    except DomainError as exc:
        raise Http404(exc.message) from exc
    if region is None:
        raise Http404
    card = _decorate(scorecard_compute(region=region, quarter=quarter, trend=False))
    result = next((i for e in card["elements"] for i in e["indicators"] if i["id"] == code), None)
    if result is None:
        raise Http404
    from jamsos.collaboration.models import IndicatorDefinition

    definition = IndicatorDefinition.objects.filter(
        definition_set__version=card["definitions_version"], code=code
    ).first()
    context = {"region": region, "quarter": quarter, "result": result, "definition": definition}
    return render(request, "collaboration/scorecard_rows.html", context)


def _snapshot(request: HttpRequest, pk: int) -> ScorecardSnapshot:
    snapshot = _get(access.access_snapshot, request.user, pk)
    if snapshot.status != ScorecardSnapshot.Status.PUBLISHED and not request.user.has_perm(RESPOND):
        raise Http404
    return snapshot


@login_required
@permission_required("collaboration.view_scorecard", raise_exception=True)
def snapshot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    snapshot = _snapshot(request, pk)
    user = request.user
    card = _decorate(copy.deepcopy(snapshot.data))
    codes = [(i["id"], f"{i['id']} {i['name']}") for e in card["elements"] for i in e["indicators"]]
    is_draft = snapshot.status == ScorecardSnapshot.Status.DRAFT
    reply_form = ReplyForm(codes=codes) if is_draft and user.has_perm(RESPOND) else None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "tanggapan" and reply_form is not None:
            reply_form = ReplyForm(request.POST, codes=codes)
            if reply_form.is_valid():
                _run(
                    request,
                    lambda: services.snapshot_reply(
                        snapshot=snapshot, acting_user=user, **reply_form.cleaned_data
                    ),
                    _("Tanggapan dicatat."),
                )
            else:
                _form_errors(request, reply_form)
        elif (
            action == "terbitkan" and is_draft and user.has_perm("collaboration.publish_scorecard")
        ):
            _run(
                request,
                lambda: services.snapshot_publish(snapshot=snapshot, acting_user=user),
                _("Rapor diterbitkan."),
            )
        else:
            raise DjangoPermissionDenied
        return redirect("collaboration:snapshot_detail", snapshot.pk)
    context = {
        "snapshot": snapshot,
        "card": card,
        "profile": profile(card),
        "replies": snapshot.replies.select_related("agency"),
        "reply_form": reply_form,
        "may_publish": is_draft and user.has_perm("collaboration.publish_scorecard"),
    }
    return render(request, "collaboration/snapshot_detail.html", context)


@login_required
@permission_required("collaboration.view_scorecard", raise_exception=True)
def snapshot_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    import io

    snapshot = _snapshot(request, pk)
    body = documents.scorecard_pdf(snapshot)
    return _attachment(
        io.BytesIO(body), f"rapor-kolaborasi-{snapshot.period}.pdf", "application/pdf"
    )
