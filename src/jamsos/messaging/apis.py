"""REST API of the outbox: list (failed ones visible), retry, cancel; record consent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from jamsos.accounts.access import require_perm
from jamsos.api.schemas import Id, PageIn, PageMetaOut, paginate
from jamsos.messaging import access, selectors, services
from jamsos.messaging.models import Consent, Message

router = Router(tags=["messaging"])


class MessageOut(Schema):
    id: int
    channel: str
    event: str
    recipient_label: str
    recipient_masked: str
    status: str
    attempts: int
    next_attempt_at: dt.datetime
    last_error: str
    created_at: dt.datetime
    sent_at: dt.datetime | None

    @staticmethod
    def of(m: Message) -> dict[str, Any]:
        return {
            "id": m.pk,
            "channel": m.channel,
            "event": m.event,
            "recipient_label": m.recipient_label,
            "recipient_masked": m.address_masked,
            "status": m.status,
            "attempts": m.attempts,
            "next_attempt_at": m.next_attempt_at,
            "last_error": m.last_error,
            "created_at": m.created_at,
            "sent_at": m.sent_at,
        }


class MessageListIn(PageIn):
    status: str | None = Field(None, max_length=10)
    channel: str | None = Field(None, max_length=10)


class MessageListOut(Schema):
    meta: PageMetaOut
    items: list[MessageOut]


class CancelIn(Schema):
    reason: str = Field(max_length=255)


class ConsentIn(Schema):
    address: str = Field(max_length=254, examples=["081234567890"])
    status: str = Field(examples=["granted"])
    source: str = Field(examples=["claim_form"])
    given_on: dt.date | None = None
    note: str = Field("", max_length=255)


class ConsentOut(Schema):
    address: str
    status: str
    source: str
    given_on: dt.date

    @staticmethod
    def of(c: Consent) -> dict[str, Any]:
        return {
            "address": c.address,
            "status": c.status,
            "source": c.source,
            "given_on": c.given_on,
        }


@router.get("/messages", response=MessageListOut, summary="Kotak keluar pesan")
def message_list(request: HttpRequest, query: Query[MessageListIn]) -> dict[str, Any]:
    require_perm(request.user, "messaging.view_messages")
    queryset = selectors.message_list(
        viewer=request.user, status=query.status or "", channel=query.channel or ""
    )
    meta, items = paginate(queryset, query)
    return {"meta": meta, "items": [MessageOut.of(m) for m in items]}


@router.post("/messages/{message_id}/retry", response=MessageOut, summary="Kirim ulang")
def message_retry(request: HttpRequest, message_id: Id) -> dict[str, Any]:
    message = access.access_message(request.user, message_id)
    return MessageOut.of(services.message_retry(message=message, acting_user=request.user))


@router.post("/messages/{message_id}/cancel", response=MessageOut, summary="Batalkan pesan")
def message_cancel(request: HttpRequest, message_id: Id, payload: CancelIn) -> dict[str, Any]:
    message = access.access_message(request.user, message_id)
    return MessageOut.of(
        services.message_cancel(message=message, reason=payload.reason, acting_user=request.user)
    )


@router.post("/consents", response={201: ConsentOut}, summary="Catat persetujuan/penolakan")
def consent_record(request: HttpRequest, payload: ConsentIn) -> Status[dict[str, Any]]:
    consent = services.consent_record(
        address=payload.address,
        status=payload.status,
        source=payload.source,
        given_on=payload.given_on,
        note=payload.note,
        acting_user=request.user,
    )
    return Status(201, ConsentOut.of(consent))
