"""``/api/audit/``: the audit trail for admins and Dinas heads, same scope as the page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from jamsos.accounts.models import User
from jamsos.api.schemas import PageIn, PageMetaOut, errors, paginate
from jamsos.audit.selectors import AuditEventFilters, audit_event_list, audit_events_present

router = Router(tags=["audit"])


class AuditEventOut(Schema):
    id: int
    occurred_at: dt.datetime
    actor_id: int | None
    actor_label: str
    agency_label: str
    action: str
    action_label: str
    object_type: str
    object_id: str
    object_repr: str
    region_code: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    data: dict[str, Any]
    ip_address: str | None


class AuditEventListFilterIn(PageIn):
    action: str = Field(
        "", max_length=80, description="Kode aksi terdaftar, mis. `accounts.user.created`."
    )
    actor: str = Field(
        "", max_length=150, description="Nama pengguna (persis) atau bagian nama pelaku."
    )
    object_type: str = Field(
        "", max_length=80, description="Mis. `accounts.user`, `registry.person`."
    )
    q: str = Field("", max_length=200, description="Teks pada nama objek, atau ID objek.")
    date_from: dt.date | None = None
    date_to: dt.date | None = None


class AuditEventListOut(PageMetaOut):
    items: list[AuditEventOut]


@router.get(
    "/events",
    response={200: AuditEventListOut, **errors(400, 401, 403, 422)},
    summary="Jejak audit dalam cakupan",
)
def events_list(request: HttpRequest, filters: Query[AuditEventListFilterIn]):
    viewer: User = request.user  # type: ignore[assignment]
    events = audit_event_list(
        viewer=viewer,
        filters=AuditEventFilters(
            action=filters.action,
            actor=filters.actor,
            object_type=filters.object_type,
            object_text=filters.q,
            date_from=filters.date_from,
            date_to=filters.date_to,
        ),
    )
    meta, items = paginate(events, filters)
    return {**meta.dict(), "items": audit_events_present(items, viewer)}
