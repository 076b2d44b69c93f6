"""REST API of outreach: events (with conversion and reach) and JKM follow-ups.

Same rules as the pages: ``access_*`` for every object (missing and forbidden are both
404), services check permissions again (403). Follow-ups carry a masked NIK and never a
claim amount (agents read them).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Query, Router, Schema, Status
from pydantic import Field

from jamsos.accounts.access import require_perm
from jamsos.accounts.models import Agency
from jamsos.api.schemas import Count, Id, PageIn, PageMetaOut, paginate
from jamsos.audit.services import personal_data_access_log
from jamsos.lib.errors import DomainError, NotFoundOrForbidden
from jamsos.lib.nik import nik_clean, nik_mask
from jamsos.outreach import access, selectors, services
from jamsos.outreach.models import FollowUp, OutreachEvent
from jamsos.regions.models import Region
from jamsos.registry.models import Person

router = Router(tags=["outreach"])


class OfficialIn(Schema):
    agency: Id
    level: str = Field(examples=["pimpinan"])
    position: str = Field("", max_length=150)


class EventCreateIn(Schema):
    title: str = Field(max_length=200)
    kind: str = Field(examples=["sosialisasi"])
    held_on: dt.date
    place: str = Field(max_length=200)
    village: str = Field(max_length=13, examples=["13.03.03.2001"])
    organiser: Id
    co_organisers: list[Id] = Field(default_factory=list, max_length=50)
    obligation_code: str = Field("", max_length=20, examples=["B3"])
    audience_segments: list[str] = Field(default_factory=list, max_length=20)
    attendance_male: Count = 0
    attendance_female: Count = 0
    attendance_total: Count | None = None
    notes: str = Field("", max_length=5000)
    officials: list[OfficialIn] = Field(default_factory=list, max_length=50)


class EventUpdateIn(Schema):
    """Only the fields sent change. Any other field (``code``, ``kind``, attendance, …)
    is refused by name (400): see ``services.EVENT_EDITABLE``."""

    title: str | None = Field(None, max_length=200)
    held_on: dt.date | None = None
    place: str | None = Field(None, max_length=200)
    village: str | None = Field(None, max_length=13, examples=["13.03.03.2001"])
    organiser: Id | None = None
    co_organisers: list[Id] | None = Field(None, max_length=50)
    notes: str | None = Field(None, max_length=5000)


class ConversionOut(Schema):
    days: int
    with_code: int = Field(description="Usulan dengan kode kegiatan ini dalam jangka waktu")
    from_village: int = Field(description="Semua usulan dari nagari itu dalam jangka waktu")
    window_end: dt.date


class EventOut(Schema):
    id: int
    code: str
    title: str
    kind: str
    held_on: dt.date
    place: str
    village_code: str
    village: str
    organiser: str
    obligation_code: str
    audience_segments: list[str]
    attendance_male: int
    attendance_female: int
    attendance_total: int

    @staticmethod
    def of(event: OutreachEvent) -> dict[str, Any]:
        return {
            "id": event.pk,
            "code": event.code,
            "title": event.title,
            "kind": event.kind,
            "held_on": event.held_on,
            "place": event.place,
            "village_code": event.village_id,
            "village": event.village.name,
            "organiser": event.organiser.name,
            "obligation_code": event.obligation_code,
            "audience_segments": event.audience_segments,
            "attendance_male": event.attendance_male,
            "attendance_female": event.attendance_female,
            "attendance_total": event.attendance_total,
        }


class EventDetailOut(EventOut):
    conversion: ConversionOut


class EventListIn(PageIn):
    kind: str | None = Field(None, max_length=20)
    village: str | None = Field(None, max_length=13)


class EventListOut(Schema):
    meta: PageMetaOut
    items: list[EventOut]


class ReachOut(Schema):
    villages: int
    reached: int
    since: dt.date
    not_reached: list[dict[str, str]]


class FollowUpOut(Schema):
    id: int
    person_name: str
    nik_masked: str
    village_code: str
    died_on: dt.date
    source: str
    status: str
    claim_reference: str | None
    reason: str
    reason_note: str

    @staticmethod
    def of(f: FollowUp) -> dict[str, Any]:
        return {
            "id": f.pk,
            "person_name": f.person.full_name,
            "nik_masked": nik_mask(f.person.nik),
            "village_code": f.village_id,
            "died_on": f.died_on,
            "source": f.source,
            "status": f.status,
            "claim_reference": f.claim.reference if f.claim_id else None,
            "reason": f.reason,
            "reason_note": f.reason_note,
        }


class FollowUpListIn(PageIn):
    status: str | None = Field(None, max_length=10)


class FollowUpListOut(Schema):
    meta: PageMetaOut
    items: list[FollowUpOut]


class FollowUpCloseIn(Schema):
    reason: str = Field(examples=["no_heir"])
    note: str = Field("", max_length=255)


class DeathReportIn(Schema):
    nik: str = Field(max_length=32)
    died_on: dt.date
    note: str = Field("", max_length=255)


@router.get("/events", response=EventListOut, summary="Kegiatan sosialisasi di wilayah Anda")
def event_list(request: HttpRequest, query: Query[EventListIn]) -> dict[str, Any]:
    require_perm(request.user, "outreach.view_events")
    events = selectors.event_list(
        viewer=request.user, village=query.village or "", kind=query.kind or ""
    )
    meta, items = paginate(events, query)
    return {"meta": meta, "items": [EventOut.of(e) for e in items]}


@router.post("/events", response={201: EventDetailOut}, summary="Catat kegiatan sosialisasi")
def event_create(request: HttpRequest, payload: EventCreateIn) -> Status[dict[str, Any]]:
    user = request.user
    require_perm(user, "outreach.manage_events")
    village = Region.objects.filter(pk=payload.village).first()
    organiser = Agency.objects.filter(pk=payload.organiser, is_active=True).first()
    if village is None or organiser is None:
        raise NotFoundOrForbidden(gettext("Nagari atau penyelenggara tidak ditemukan."))
    event = services.event_create(
        acting_user=user,
        title=payload.title,
        kind=payload.kind,
        held_on=payload.held_on,
        place=payload.place,
        village=village,
        organiser=organiser,
        co_organisers=list(Agency.objects.filter(pk__in=payload.co_organisers)),
        obligation_code=payload.obligation_code,
        audience_segments=payload.audience_segments,
        attendance_male=payload.attendance_male,
        attendance_female=payload.attendance_female,
        attendance_total=payload.attendance_total,
        notes=payload.notes,
        officials=[
            services.OfficialData(agency_id=o.agency, level=o.level, position=o.position)
            for o in payload.officials
        ],
    )
    return Status(201, _detail(access.access_event(user, event.pk)))


def _agencies(ids: list[int], *, field: str) -> list[Agency]:
    found = {a.pk: a for a in Agency.objects.filter(pk__in=ids)}
    missing = [str(pk) for pk in ids if pk not in found]
    if missing:
        raise DomainError(
            gettext('Kolom "%(field)s": instansi %(ids)s tidak dikenal.')
            % {"field": field, "ids": ", ".join(missing)},
            code="agency_unknown",
            field=field,
        )
    return [found[pk] for pk in ids]


@router.patch("/events/{event_id}", response=EventDetailOut, summary="Ubah kegiatan sosialisasi")
def event_update(request: HttpRequest, event_id: Id, payload: EventUpdateIn) -> dict[str, Any]:
    """Correct a recorded event: the fields sent, nothing else (``services.event_update``)."""
    event = access.access_event(request.user, event_id)
    changes = payload.model_dump(exclude_unset=True)
    # The schema drops fields it does not declare; a client sending ``code`` or an
    # attendance count must hear that it cannot change them, not see a silent 200.
    sent = json.loads(request.body or b"{}")
    if isinstance(sent, dict):
        changes.update({k: v for k, v in sent.items() if k not in EventUpdateIn.model_fields})
    if "village" in changes:
        code = changes["village"]
        village = Region.objects.filter(pk=code).first() if code else None
        if village is None:
            raise services.village_missing(code or "")
        changes["village"] = village
    if "organiser" in changes:
        ids = [changes["organiser"]] if changes["organiser"] else []
        changes["organiser"] = next(iter(_agencies(ids, field="organiser")), None)
    if "co_organisers" in changes:
        changes["co_organisers"] = _agencies(changes["co_organisers"] or [], field="co_organisers")
    services.event_update(event=event, acting_user=request.user, **changes)
    return _detail(access.access_event(request.user, event_id))


def _detail(event: OutreachEvent) -> dict[str, Any]:
    conversion = selectors.event_conversion(event)
    return {**EventOut.of(event), "conversion": conversion.__dict__}


@router.get("/events/{event_id}", response=EventDetailOut, summary="Rincian kegiatan")
def event_detail(request: HttpRequest, event_id: Id) -> dict[str, Any]:
    return _detail(access.access_event(request.user, event_id))


@router.get("/reach", response=ReachOut, summary="Nagari terjangkau dan belum terjangkau")
def reach(request: HttpRequest) -> dict[str, Any]:
    require_perm(request.user, "outreach.view_events")
    result = selectors.village_reach(viewer=request.user)
    return {
        "villages": result.villages,
        "reached": result.reached,
        "since": result.since,
        "not_reached": [{"code": v.pk, "name": v.name} for v in result.not_reached],
    }


@router.get("/followups", response=FollowUpListOut, summary="Tindak lanjut klaim JKM")
def followup_list(request: HttpRequest, query: Query[FollowUpListIn]) -> dict[str, Any]:
    require_perm(request.user, "outreach.view_followups")
    meta, items = paginate(
        selectors.followup_list(viewer=request.user, status=query.status or ""), query
    )
    personal_data_access_log(
        viewer=request.user,
        persons=[(f.person_id, f.person.nik) for f in items],
        purpose="API tindak lanjut klaim JKM",
        fields=("full_name", "nik", "village", "deceased_on"),
        path=request.path,
    )
    return {"meta": meta, "items": [FollowUpOut.of(f) for f in items]}


@router.post("/followups/{followup_id}/close", response=FollowUpOut, summary="Tutup dengan alasan")
def followup_close(request: HttpRequest, followup_id: Id, payload: FollowUpCloseIn) -> Any:
    followup = access.access_followup(request.user, followup_id)
    followup = services.followup_close(
        followup=followup, reason=payload.reason, note=payload.note, acting_user=request.user
    )
    return FollowUpOut.of(followup)


@router.post("/deaths", response={201: FollowUpOut}, summary="Laporkan kematian peserta")
def death_report(request: HttpRequest, payload: DeathReportIn) -> Status[dict[str, Any]]:
    require_perm(request.user, "outreach.report_death")
    person = Person.objects.filter(nik=nik_clean(payload.nik)).first()
    if person is None:
        raise NotFoundOrForbidden(gettext("Peserta tidak ditemukan."))
    followup = services.death_report(
        person=person, died_on=payload.died_on, acting_user=request.user, note=payload.note
    )
    return Status(201, FollowUpOut.of(followup))
