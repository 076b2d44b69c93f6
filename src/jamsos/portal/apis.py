"""Staff REST API of the leads queue (the public portal itself has no JSON: the
membership check is a server-rendered form only, design-governance.md §4.3 rule 4).

Same rules as the pages: ``access_lead`` for every lead (missing and forbidden are both
404), the list scoped to the caller's area.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Query, Router, Schema
from pydantic import Field

from jamsos.accounts.access import require_perm
from jamsos.api.schemas import Id, PageIn, PageMetaOut, paginate
from jamsos.lib.errors import DomainError
from jamsos.portal import selectors, services
from jamsos.portal.access import FOLLOW_UP_LEADS, VIEW_LEADS, access_lead
from jamsos.portal.models import Lead

router = Router(tags=["portal"])


class LeadOut(Schema):
    id: int
    full_name: str
    village: str = Field(description="Kode wilayah nagari/desa.")
    village_name: str
    occupation: str
    phone: str
    for_someone_else: bool
    status: str
    note: str
    created_at: dt.datetime
    handled_at: dt.datetime | None

    @staticmethod
    def of(lead: Lead) -> dict[str, Any]:
        return {
            "id": lead.pk,
            "full_name": lead.full_name,
            "village": lead.village_id,
            "village_name": lead.village.name,
            "occupation": lead.occupation,
            "phone": lead.phone,
            "for_someone_else": lead.for_someone_else,
            "status": lead.status,
            "note": lead.note,
            "created_at": lead.created_at,
            "handled_at": lead.handled_at,
        }


class LeadListIn(PageIn):
    status: str = Field("", max_length=12, description="new, contacted, proposed, unreachable")


class LeadPageOut(Schema):
    meta: PageMetaOut
    items: list[LeadOut]


class LeadFollowUpIn(Schema):
    status: str = Field(..., max_length=12, examples=["contacted", "proposed", "unreachable"])
    note: str = Field("", max_length=1000)


@router.get("/leads", response=LeadPageOut, summary="Calon peserta dari portal (wilayah Anda)")
def lead_list(request: HttpRequest, query: Query[LeadListIn]) -> dict[str, Any]:
    user = request.user
    require_perm(user, VIEW_LEADS)  # type: ignore[arg-type]
    if query.status and query.status not in Lead.Status.values:
        raise DomainError(gettext("Status tidak dikenal."), code="lead_status_unknown")
    meta, items = paginate(selectors.lead_list(viewer=user, status=query.status), query)  # type: ignore[arg-type]
    items = list(items)
    services.leads_viewed_record(viewer=user, leads=items, where=request.path)  # type: ignore[arg-type]
    return {"meta": meta, "items": [LeadOut.of(lead) for lead in items]}


@router.get("/leads/{lead_id}", response=LeadOut, summary="Satu calon peserta")
def lead_detail(request: HttpRequest, lead_id: Id) -> dict[str, Any]:
    lead = access_lead(request.user, lead_id)  # type: ignore[arg-type]
    services.leads_viewed_record(viewer=request.user, leads=[lead], where=request.path)  # type: ignore[arg-type]
    return LeadOut.of(lead)


@router.post("/leads/{lead_id}/follow-up", response=LeadOut, summary="Catat tindak lanjut")
def lead_follow_up(request: HttpRequest, lead_id: Id, payload: LeadFollowUpIn) -> dict[str, Any]:
    user = request.user
    require_perm(user, FOLLOW_UP_LEADS)  # type: ignore[arg-type]
    with transaction.atomic():
        lead = access_lead(user, lead_id, for_write=True)  # type: ignore[arg-type]
        lead = services.lead_follow_up(
            lead=lead,
            status=payload.status,
            note=payload.note,
            acting_user=user,  # type: ignore[arg-type]
        )
    return LeadOut.of(lead)
