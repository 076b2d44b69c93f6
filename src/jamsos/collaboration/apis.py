"""REST API of the collaboration app: meetings, action items, requests and the scorecard.

Same rules as the pages: ``access_*`` for every object (missing and forbidden are both
404), services check who may act (an item's owner agency, a request's addressee).
The scorecard is the CLI's JSON shape; ``value`` is null when the denominator is 0.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from jamsos.accounts.access import require_perm
from jamsos.accounts.models import Agency
from jamsos.api.schemas import Id, PageIn, PageMetaOut, paginate
from jamsos.collaboration import access, selectors, services
from jamsos.collaboration.models import (
    ActionItem,
    Attendance,
    Decision,
    InterAgencyRequest,
    Meeting,
    RequestKind,
)
from jamsos.collaboration.quarters import Quarter
from jamsos.collaboration.scorecard import scorecard_compute, scorecard_json
from jamsos.lib.errors import NotFoundOrForbidden

router = Router(tags=["collaboration"])

PERIOD_PATTERN = r"^\d{4}-Q[1-4]$"
Text = Field(min_length=1, max_length=300)


def _user(request: HttpRequest) -> Any:
    return request.user


def _agency(request: HttpRequest, pk: int, region_code: str) -> Agency:
    agency = selectors.agencies_for(region=_region(region_code)).filter(pk=pk).first()
    if agency is None:
        raise NotFoundOrForbidden(gettext("Instansi tidak ditemukan."))
    return agency


def _region(code: str) -> Any:
    from jamsos.regions.models import Region

    return Region.objects.get(pk=code)


# --- Schemas -------------------------------------------------------------------------------


class ForumMeetingIn(Schema):
    forum: Id
    kind: Meeting.Kind
    mode: Meeting.Mode
    title: str = Field(min_length=1, max_length=200)
    starts_at: dt.datetime
    place: str = Field("", max_length=200)
    convened_by: Id
    chair_name: str = Field("", max_length=150)


class MeetingAttendanceIn(Schema):
    agency: Id
    level: Attendance.Level
    count: int = Field(1, ge=1, le=500)


class MeetingDecisionIn(Schema):
    text: str = Field(min_length=1, max_length=5000)
    kind: Decision.Kind
    proposed_by: Id
    decree: Id | None = None


class ActionItemIn(Schema):
    title: str = Text
    owner_agency: Id
    owner_name: str = Field("", max_length=150)
    due_on: dt.date
    decision: Id | None = None


class ForumMeetingOut(Schema):
    id: int
    forum: int
    kind: str
    mode: str
    title: str
    starts_at: dt.datetime
    place: str
    convened_by: str
    minutes_published_at: dt.datetime | None
    attendance: list[dict[str, Any]]
    decisions: list[dict[str, Any]]

    @staticmethod
    def of(m: Meeting) -> dict[str, Any]:
        return {
            "id": m.pk,
            "forum": m.forum_id,
            "kind": m.kind,
            "mode": m.mode,
            "title": m.title,
            "starts_at": m.starts_at,
            "place": m.place,
            "convened_by": m.convened_by.code,
            "minutes_published_at": m.minutes_published_at,
            "attendance": [
                {"agency": a.agency.code, "level": a.level, "count": a.count}
                for a in m.attendances.select_related("agency")
            ],
            "decisions": [
                {"id": d.pk, "text": d.text, "kind": d.kind, "proposed_by": d.proposed_by.code}
                for d in m.decisions.select_related("proposed_by")
            ],
        }


class ForumMeetingListOut(Schema):
    meta: PageMetaOut
    items: list[ForumMeetingOut]


class ActionItemOut(Schema):
    id: int
    forum: int
    decision: int | None
    title: str
    owner_agency: str
    due_on: dt.date
    original_due_on: dt.date
    status: str
    done_at: dt.datetime | None
    on_time: bool
    evidence_name: str

    @staticmethod
    def of(i: ActionItem) -> dict[str, Any]:
        return {
            "id": i.pk,
            "forum": i.forum_id,
            "decision": i.decision_id,
            "title": i.title,
            "owner_agency": i.owner_agency.code,
            "due_on": i.due_on,
            "original_due_on": i.original_due_on,
            "status": i.status,
            "done_at": i.done_at,
            "on_time": i.done_on_time(),
            "evidence_name": i.evidence_name,
        }


class ActionItemListIn(PageIn):
    mine: bool = False
    status: ActionItem.Status | None = None


class ActionItemListOut(Schema):
    meta: PageMetaOut
    items: list[ActionItemOut]


class AgencyRequestIn(Schema):
    forum: Id
    to_agency: Id
    kind: RequestKind
    subject: str = Text
    body: str = Field("", max_length=5000)


class AgencyRequestResolveIn(Schema):
    outcome: str = Field(min_length=1, max_length=5000)


class AgencyRequestOut(Schema):
    id: int
    forum: int
    from_agency: str
    to_agency: str
    kind: str
    subject: str
    status: str
    sent_at: dt.datetime
    acknowledged_at: dt.datetime | None
    resolved_at: dt.datetime | None
    sla_days: int | None = Field(description="null: SLA belum disepakati")
    within_sla: bool | None

    @staticmethod
    def of(r: InterAgencyRequest) -> dict[str, Any]:
        return {
            "id": r.pk,
            "forum": r.forum_id,
            "from_agency": r.from_agency.code,
            "to_agency": r.to_agency.code,
            "kind": r.kind,
            "subject": r.subject,
            "status": r.status,
            "sent_at": r.sent_at,
            "acknowledged_at": r.acknowledged_at,
            "resolved_at": r.resolved_at,
            "sla_days": r.sla_days,
            "within_sla": r.within_sla(),
        }


class AgencyRequestListIn(PageIn):
    box: str = Field("", pattern=r"^(|masuk|keluar)$")


class AgencyRequestListOut(Schema):
    meta: PageMetaOut
    items: list[AgencyRequestOut]


class CollaborationScorecardIn(Schema):
    region: str = Field(max_length=13, examples=["13.03"])
    period: str = Field(pattern=PERIOD_PATTERN, examples=["2023-Q2"])


class CollaborationIndicatorOut(Schema):
    id: str
    name: str
    numerator: int
    denominator: int
    value: float | None
    band: int | None = Field(ge=1, le=4)
    min_n: int
    insufficient: bool


class CollaborationElementOut(Schema):
    element: str
    indicators: list[CollaborationIndicatorOut]


class CollaborationScorecardOut(Schema):
    region: str
    period: str
    definitions_version: str
    elements: list[CollaborationElementOut]


# --- Meetings -----------------------------------------------------------------------------


@router.get("/meetings", response=ForumMeetingListOut, summary="Rapat forum di wilayah Anda")
def meeting_list(request: HttpRequest, query: Query[PageIn]) -> dict[str, Any]:
    user = _user(request)
    require_perm(user, "collaboration.view_forum")
    meetings = (
        selectors.meeting_list(viewer=user).select_related("convened_by").order_by("-starts_at")
    )
    meta, items = paginate(meetings, query)
    return {"meta": meta, "items": [ForumMeetingOut.of(m) for m in items]}


@router.post("/meetings", response={201: ForumMeetingOut}, summary="Catat rapat")
def meeting_create(request: HttpRequest, payload: ForumMeetingIn) -> Status[dict[str, Any]]:
    user = _user(request)
    forum = access.access_forum(user, payload.forum)
    meeting = services.meeting_record(
        forum=forum,
        kind=payload.kind,
        mode=payload.mode,
        title=payload.title,
        starts_at=payload.starts_at,
        place=payload.place,
        convened_by=_agency(request, payload.convened_by, forum.region_id),
        chair_name=payload.chair_name,
        acting_user=user,
    )
    return Status(201, ForumMeetingOut.of(meeting))


@router.get("/meetings/{meeting_id}", response=ForumMeetingOut, summary="Rincian rapat")
def meeting_detail(request: HttpRequest, meeting_id: Id) -> dict[str, Any]:
    return ForumMeetingOut.of(access.access_meeting(_user(request), meeting_id))


@router.post(
    "/meetings/{meeting_id}/attendance", response=ForumMeetingOut, summary="Catat kehadiran"
)
def meeting_attendance(
    request: HttpRequest, meeting_id: Id, payload: MeetingAttendanceIn
) -> dict[str, Any]:
    user = _user(request)
    meeting = access.access_meeting(user, meeting_id)
    services.attendance_record(
        meeting=meeting,
        agency=_agency(request, payload.agency, meeting.forum.region_id),
        level=payload.level,
        count=payload.count,
        acting_user=user,
    )
    return ForumMeetingOut.of(meeting)


@router.post(
    "/meetings/{meeting_id}/decisions", response=ForumMeetingOut, summary="Catat keputusan"
)
def meeting_decision(
    request: HttpRequest, meeting_id: Id, payload: MeetingDecisionIn
) -> dict[str, Any]:
    from jamsos.enrollment.access import access_decree

    user = _user(request)
    meeting = access.access_meeting(user, meeting_id)
    links = []
    if payload.decree is not None:
        links.append(("decree", access_decree(user, payload.decree)))
    services.decision_record(
        meeting=meeting,
        text=payload.text,
        kind=payload.kind,
        proposed_by=_agency(request, payload.proposed_by, meeting.forum.region_id),
        links=links,
        acting_user=user,
    )
    return ForumMeetingOut.of(meeting)


@router.post(
    "/meetings/{meeting_id}/action-items",
    response={201: ActionItemOut},
    summary="Tugaskan tindak lanjut",
)
def meeting_action_item(
    request: HttpRequest, meeting_id: Id, payload: ActionItemIn
) -> Status[dict[str, Any]]:
    user = _user(request)
    meeting = access.access_meeting(user, meeting_id)
    decision = None
    if payload.decision is not None:
        decision = meeting.decisions.filter(pk=payload.decision).first()
        if decision is None:
            raise NotFoundOrForbidden(gettext("Keputusan tidak ditemukan di rapat ini."))
    item = services.action_item_assign(
        forum=meeting.forum,
        decision=decision,
        title=payload.title,
        owner_agency=_agency(request, payload.owner_agency, meeting.forum.region_id),
        owner_name=payload.owner_name,
        due_on=payload.due_on,
        acting_user=user,
    )
    return Status(201, ActionItemOut.of(item))


# --- Action items -------------------------------------------------------------------------


@router.get("/action-items", response=ActionItemListOut, summary="Tindak lanjut di wilayah Anda")
def action_item_list(request: HttpRequest, query: Query[ActionItemListIn]) -> dict[str, Any]:
    user = _user(request)
    require_perm(user, "collaboration.view_forum")
    items = selectors.action_item_list(viewer=user, mine=query.mine, status=query.status)
    meta, rows = paginate(items, query)
    return {"meta": meta, "items": [ActionItemOut.of(i) for i in rows]}


@router.post(
    "/action-items/{item_id}/complete",
    response=ActionItemOut,
    summary="Selesaikan tindak lanjut dengan bukti (instansi penanggung jawab)",
)
def action_item_complete(
    request: HttpRequest,
    item_id: Id,
    note: str = Form(""),
    evidence: UploadedFile | None = File(None),  # noqa: B008 - ninja's optional file
) -> dict[str, Any]:
    user = _user(request)
    item = access.access_action_item(user, item_id)
    item = services.action_item_complete(
        item=item, upload=evidence, note=note[:2000], acting_user=user
    )
    return ActionItemOut.of(item)


# --- Requests -----------------------------------------------------------------------------


@router.get("/requests", response=AgencyRequestListOut, summary="Permintaan antarinstansi")
def request_list(request: HttpRequest, query: Query[AgencyRequestListIn]) -> dict[str, Any]:
    user = _user(request)
    require_perm(user, "collaboration.view_forum")
    meta, rows = paginate(selectors.request_list(viewer=user, box=query.box), query)
    return {"meta": meta, "items": [AgencyRequestOut.of(r) for r in rows]}


@router.post("/requests", response={201: AgencyRequestOut}, summary="Kirim permintaan")
def request_send(request: HttpRequest, payload: AgencyRequestIn) -> Status[dict[str, Any]]:
    user = _user(request)
    forum = access.access_forum(user, payload.forum)
    req = services.request_send(
        forum=forum,
        to_agency=_agency(request, payload.to_agency, forum.region_id),
        kind=payload.kind,
        subject=payload.subject,
        body=payload.body,
        acting_user=user,
    )
    return Status(201, AgencyRequestOut.of(req))


@router.post(
    "/requests/{request_id}/acknowledge", response=AgencyRequestOut, summary="Terima permintaan"
)
def request_acknowledge(request: HttpRequest, request_id: Id) -> dict[str, Any]:
    user = _user(request)
    req = services.request_acknowledge(
        request=access.access_request(user, request_id), acting_user=user
    )
    return AgencyRequestOut.of(req)


@router.post(
    "/requests/{request_id}/resolve", response=AgencyRequestOut, summary="Selesaikan permintaan"
)
def request_resolve(
    request: HttpRequest, request_id: Id, payload: AgencyRequestResolveIn
) -> dict[str, Any]:
    user = _user(request)
    req = services.request_resolve(
        request=access.access_request(user, request_id), outcome=payload.outcome, acting_user=user
    )
    return AgencyRequestOut.of(req)


# --- Scorecard ----------------------------------------------------------------------------


@router.get("/scorecard", response=CollaborationScorecardOut, summary="Rapor kolaborasi (k dari n)")
def scorecard(request: HttpRequest, query: Query[CollaborationScorecardIn]) -> dict[str, Any]:
    user = _user(request)
    require_perm(user, "collaboration.view_scorecard")
    region = selectors.scorecard_regions(viewer=user).filter(pk=query.region).first()
    if region is None:
        raise NotFoundOrForbidden(gettext("Kabupaten tidak ditemukan."))
    card = scorecard_compute(region=region, quarter=Quarter.parse(query.period), trend=False)
    return scorecard_json(card)
