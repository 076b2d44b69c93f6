"""Writes of the outbox: enqueue, send with retries, retry and cancel by staff, consent.

``message_enqueue(event, context)`` is the one way anything asks for a message: the
event's route (``ROUTES``, filled by ``messaging.events``) turns the context into recipients and
placeholder values; a template per (kind, channel) gives the text. It writes rows in the
caller's transaction (an outbox: a rolled-back change sends nothing) and never sends.

``messages_send_due`` sends what is due, one message at a time:

1. Messages left ``sending`` past the lease (a sender died) are queued again.
2. The due ids are read, oldest first; each is claimed with a conditional UPDATE
   (``queued`` → ``sending``, attempts + 1), so two senders never send one message.
3. Consent is checked at send time (an opt-out recorded after the enqueue still holds):
   an opted-out address, or a citizen without granted consent, cancels the message with
   the reason.
4. The transport runs outside any transaction; the result is written with its audit
   event: ``sent``; or, on a transient error, ``queued`` again after
   ``BASE × 2^(attempts-1)`` seconds (capped) until ``MAX_ATTEMPTS``, then ``failed``;
   a permanent error fails at once. A failed message stays on the staff page.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from jamsos.accounts.access import region_in_scope, require_perm
from jamsos.accounts.models import User
from jamsos.audit.services import audit_record
from jamsos.lib.errors import DomainError, InvalidTransition, NotFoundOrForbidden
from jamsos.lib.nik import nik_runs_mask
from jamsos.lib.phone import phone_normalise
from jamsos.messaging.models import Channel, Consent, Message, Template
from jamsos.regions.models import Region

Status = Message.Status


@dataclass(frozen=True)
class Recipient:
    channel: str
    address: str
    label: str = ""
    user_id: int | None = None
    needs_consent: bool = False


@dataclass
class Outgoing:
    """What one route asks for: a kind of message, to whom, with which values."""

    template_code: str
    recipients: list[Recipient]
    values: dict[str, Any]
    # Identifies the occurrence (``claim:12:approved``): the same one never enqueues twice.
    key: str
    region_code: str = ""
    object_type: str = ""
    object_id: str = ""


@dataclass
class SendSummary:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    cancelled: int = 0
    requeued_stale: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "retrying": self.retrying,
            "failed": self.failed,
            "cancelled": self.cancelled,
            "requeued_stale": self.requeued_stale,
        }


class TemplateError(DomainError):
    code = "template_invalid"


# --- Addresses and templates ---------------------------------------------------------------


def address_normalise(raw: str) -> str:
    """An e-mail in lower case, or a mobile number as ``+62…``; DomainError otherwise."""
    text = (raw or "").strip()
    if "@" in text:
        name, _at, domain = text.rpartition("@")
        if not name or "." not in domain or " " in text:
            raise DomainError(
                gettext('"%(value)s" bukan alamat e-mail.') % {"value": text},
                code="address_invalid",
            )
        return f"{name}@{domain.lower()}"
    phone = phone_normalise(text)
    if phone is None:
        raise DomainError(
            gettext('"%(value)s" bukan nomor HP atau alamat e-mail.') % {"value": text},
            code="address_invalid",
        )
    return phone


def placeholders(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def template_render(template: Template, values: dict[str, Any]) -> tuple[str, str]:
    """``(subject, body)`` with every placeholder filled; a missing one is an error."""
    missing = (placeholders(template.body) | placeholders(template.subject)) - set(values)
    if missing:
        raise TemplateError(
            gettext("Templat %(template)s memakai {%(names)s} yang tidak diisi peristiwanya.")
            % {"template": template, "names": ", ".join(sorted(missing))},
            missing=sorted(missing),
        )
    safe = {k: str(v) for k, v in values.items()}
    # A message leaves the system and is read by whoever holds the phone: whatever an
    # event or a template puts in (a rejection reason quoting a NIK, a typed note), no
    # NIK goes out whole.
    return (
        nik_runs_mask(template.subject.format_map(safe)),
        nik_runs_mask(template.body.format_map(safe)),
    )


def _dedupe_key(outgoing: Outgoing, recipient: Recipient) -> str:
    key = f"{outgoing.key}|{outgoing.template_code}|{recipient.channel}|{recipient.address}"
    if len(key) <= 200:
        return key
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


Route = Callable[[dict[str, Any]], Iterable[Outgoing]]

# Event code -> route; filled by ``jamsos.messaging.events`` (imported by the app's
# ``ready``) and by other apps through ``event_route_register``.
ROUTES: dict[str, Route] = {}


def event_route_register(event: str, route: Route) -> Route:
    """Add a route (an app's ``ready`` or module import); registering twice is refused."""
    if event in ROUTES and ROUTES[event] is not route:
        raise ValueError(f"message route for {event!r} registered twice")
    ROUTES[event] = route
    return route


def route_for(event: str) -> Route | None:
    return ROUTES.get(event)


# --- Enqueue ------------------------------------------------------------------------------


def message_enqueue(event: str, context: dict[str, Any]) -> list[Message]:
    """Queue the messages ``event`` calls for (see the module docstring).

    Runs in the caller's transaction. An event without a route, a recipient without an
    address, or a channel without an active template writes nothing for it. Returns the
    messages written (already-queued duplicates are not written again).
    """
    route = ROUTES.get(event)
    if route is None:
        return []
    written: list[Message] = []
    for outgoing in route(context):
        written += _outgoing_write(event, outgoing)
    if written:
        audit_record(
            action="messaging.message.queued",
            acting_user=None,
            region_code=written[0].region_id or "",
            data={"event": event, "messages": len(written), "ids": [m.pk for m in written][:50]},
        )
    return written


def _outgoing_write(event: str, outgoing: Outgoing) -> list[Message]:
    templates = {
        t.channel: t for t in Template.objects.filter(code=outgoing.template_code, is_active=True)
    }
    region_id = outgoing.region_code or None
    if region_id and not Region.objects.filter(pk=region_id).exists():
        region_id = None
    now = timezone.now()
    todo: list[Message] = []
    seen: set[str] = set()
    for recipient in outgoing.recipients:
        template = templates.get(recipient.channel)
        if template is None or not recipient.address:
            continue
        key = _dedupe_key(outgoing, recipient)
        if key in seen:
            continue
        seen.add(key)
        subject, body = template_render(template, outgoing.values)
        todo.append(
            Message(
                channel=recipient.channel,
                template=template,
                event=event[:80],
                object_type=outgoing.object_type[:60],
                object_id=str(outgoing.object_id)[:40],
                dedupe_key=key,
                recipient_address=recipient.address,
                recipient_label=recipient.label[:150],
                recipient_user_id=recipient.user_id,
                needs_consent=recipient.needs_consent,
                subject=subject[:200],
                body=body,
                region_id=region_id,
                next_attempt_at=now,
                created_at=now,
            )
        )
    if not todo:
        return []
    known = set(
        Message.objects.filter(dedupe_key__in=[m.dedupe_key for m in todo]).values_list(
            "dedupe_key", flat=True
        )
    )
    fresh = [m for m in todo if m.dedupe_key not in known]
    for message in fresh:
        message.save(force_insert=True)
    return fresh


# --- Send ----------------------------------------------------------------------------------


def backoff_delay(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th failed try: BASE × 2^(attempts-1), capped."""
    base = settings.MESSAGING_BACKOFF_BASE_SECONDS
    seconds = min(base * 2 ** max(attempts - 1, 0), settings.MESSAGING_BACKOFF_MAX_SECONDS)
    return dt.timedelta(seconds=seconds)


def consent_block_reason(message: Message) -> str:
    """Why this message may not go out now ("" when it may)."""
    consent = Consent.objects.filter(address=message.recipient_address).first()
    if consent is not None and consent.status == Consent.Status.OPTED_OUT:
        return gettext("Penerima menolak menerima pesan (%(source)s, %(date)s).") % {
            "source": consent.get_source_display(),
            "date": consent.given_on.isoformat(),
        }
    if message.needs_consent and (consent is None or consent.status != Consent.Status.GRANTED):
        return gettext("Belum ada persetujuan penerima untuk menerima pesan.")
    return ""


def messages_requeue_stale(*, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.MESSAGING_SENDING_LEASE_SECONDS)
    return Message.objects.filter(status=Status.SENDING, claimed_at__lt=cutoff).update(
        status=Status.QUEUED, next_attempt_at=now, claimed_at=None
    )


def messages_send_due(*, now: dt.datetime | None = None, limit: int = 200) -> SendSummary:
    """Send the messages that are due (see the module docstring)."""
    now = now or timezone.now()
    summary = SendSummary(requeued_stale=messages_requeue_stale(now=now))
    ids = list(
        Message.objects.filter(status=Status.QUEUED, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        outcome = message_send_one(message_id=pk, now=now)
        if outcome is not None:
            setattr(summary, outcome, getattr(summary, outcome) + 1)
    return summary


def message_send_one(*, message_id: int, now: dt.datetime | None = None) -> str | None:
    """Claim, check and send one message; returns the SendSummary field it counts in
    (``None`` when another sender claimed it first)."""
    from jamsos.messaging.transports import TransportError, transport_send

    now = now or timezone.now()
    claimed = Message.objects.filter(pk=message_id, status=Status.QUEUED).update(
        status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    message = Message.objects.get(pk=message_id)
    blocked = consent_block_reason(message)
    if blocked:
        with transaction.atomic():
            _finish(message, status=Status.CANCELLED, cancelled_reason=blocked)
            audit_record(
                action="messaging.message.cancelled",
                acting_user=None,
                obj=message,
                data={"reason": blocked, "by": "consent"},
            )
        return "cancelled"
    try:
        reference = transport_send(message)
    except TransportError as exc:
        return _failure(message, str(exc), permanent=exc.permanent, now=now)
    with transaction.atomic():
        _finish(message, status=Status.SENT, sent_at=timezone.now(), provider_reference=reference)
        audit_record(
            action="messaging.message.sent",
            acting_user=None,
            obj=message,
            data={"channel": message.channel, "attempts": message.attempts},
        )
    return "sent"


def _finish(message: Message, **values: Any) -> None:
    for name, value in values.items():
        setattr(message, name, value)
    message.claimed_at = None
    message.save(update_fields=[*values, "claimed_at"])


def _failure(message: Message, error: str, *, permanent: bool, now: dt.datetime) -> str:
    error = error[:2000]
    with transaction.atomic():
        if permanent or message.attempts >= settings.MESSAGING_MAX_ATTEMPTS:
            _finish(message, status=Status.FAILED, last_error=error)
            audit_record(
                action="messaging.message.failed",
                acting_user=None,
                obj=message,
                data={"attempts": message.attempts, "error": error[:300], "permanent": permanent},
            )
            return "failed"
        _finish(
            message,
            status=Status.QUEUED,
            last_error=error,
            next_attempt_at=now + backoff_delay(message.attempts),
        )
    return "retrying"


# --- Staff actions -------------------------------------------------------------------------


def _staff_lock(message: Message, acting_user: User) -> Message:
    """Permission, scope (the message's region; none = the system's, superusers only),
    then the row lock."""
    require_perm(acting_user, "messaging.manage_messages")
    if not region_in_scope(acting_user, message.region_id):
        raise NotFoundOrForbidden(gettext("Pesan tidak ditemukan."))
    return Message.objects.select_for_update().get(pk=message.pk)


@transaction.atomic
def message_retry(*, message: Message, acting_user: User) -> Message:
    """A failed or cancelled message goes back to the queue with a fresh round of tries."""
    message = _staff_lock(message, acting_user)
    if message.status not in (Status.FAILED, Status.CANCELLED):
        raise InvalidTransition(
            gettext(
                "Pesan berstatus “%(status)s”; hanya pesan gagal/dibatalkan yang dikirim ulang."
            )
            % {"status": message.get_status_display()},
            status=message.status,
        )
    before = {"status": message.status, "attempts": message.attempts}
    message.status = Status.QUEUED
    message.attempts = 0
    message.next_attempt_at = timezone.now()
    message.cancelled_reason = ""
    message.save(update_fields=["status", "attempts", "next_attempt_at", "cancelled_reason"])
    audit_record(
        action="messaging.message.retried",
        acting_user=acting_user,
        obj=message,
        before=before,
        after={"status": message.status},
    )
    return message


@transaction.atomic
def message_cancel(*, message: Message, reason: str, acting_user: User) -> Message:
    message = _staff_lock(message, acting_user)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(gettext("Alasan wajib diisi."), code="reason_required")
    if message.status not in (Status.QUEUED, Status.FAILED):
        raise InvalidTransition(
            gettext("Pesan berstatus “%(status)s” tidak dapat dibatalkan.")
            % {"status": message.get_status_display()},
            status=message.status,
        )
    before = {"status": message.status}
    message.status = Status.CANCELLED
    message.cancelled_reason = reason[:255]
    message.save(update_fields=["status", "cancelled_reason"])
    audit_record(
        action="messaging.message.cancelled",
        acting_user=acting_user,
        obj=message,
        before=before,
        after={"status": message.status},
        data={"reason": reason[:255]},
    )
    return message


# --- Consent -------------------------------------------------------------------------------


@transaction.atomic
def consent_record(
    *,
    address: str,
    status: str,
    source: str,
    acting_user: User | None,
    given_on: dt.date | None = None,
    note: str = "",
    region: Region | None = None,
) -> Consent:
    """Record the latest word of an address's owner: granted or opted out.

    Staff record it for their scope (``messaging.manage_consent``); a ``None`` actor is
    the system (a STOP reply from the gateway, an import).
    """
    if acting_user is not None:
        require_perm(acting_user, "messaging.manage_consent")
        region = region or acting_user.region
        if region is not None and not region_in_scope(acting_user, region.pk):
            raise NotFoundOrForbidden(gettext("Wilayah tidak ditemukan."))
    if status not in Consent.Status.values:
        raise DomainError(gettext("Status persetujuan tidak dikenal."), code="consent_status")
    if source not in Consent.Source.values:
        raise DomainError(gettext("Sumber persetujuan tidak dikenal."), code="consent_source")
    given_on = given_on or timezone.localdate()
    if given_on > timezone.localdate():
        raise DomainError(gettext("Tanggal tidak boleh di masa depan."), code="date_future")
    normalised = address_normalise(address)
    consent = Consent.objects.select_for_update().filter(address=normalised).first()
    before = {"status": consent.status, "source": consent.source} if consent else None
    consent = consent or Consent(address=normalised)
    consent.status = status
    consent.source = source
    consent.given_on = given_on
    consent.note = note.strip()[:255]
    consent.recorded_by = acting_user
    consent.recorded_at = timezone.now()
    if region is not None:
        consent.region = region
    consent.full_clean()
    consent.save()
    audit_record(
        action="messaging.consent.recorded"
        if status == Consent.Status.GRANTED
        else "messaging.consent.opted_out",
        acting_user=acting_user,
        obj=consent,
        before=before,
        after={"status": status, "source": source, "given_on": given_on.isoformat()},
    )
    return consent


@transaction.atomic
def template_save(
    *, template: Template, subject: str, body: str, is_active: bool, acting_user: User
) -> Template:
    require_perm(acting_user, "reference.manage")
    template = Template.objects.select_for_update().get(pk=template.pk)
    before = {"subject": template.subject, "body": template.body, "is_active": template.is_active}
    try:
        placeholders(body)
        placeholders(subject)
    except ValueError as exc:
        raise TemplateError(gettext("Isi templat tidak sah: %(error)s") % {"error": exc}) from exc
    template.subject = subject.strip()
    template.body = body.strip()
    template.is_active = is_active
    template.full_clean()
    template.save()
    audit_record(
        action="messaging.template.saved",
        acting_user=acting_user,
        obj=template,
        before=before,
        after={"subject": template.subject, "body": template.body, "is_active": is_active},
    )
    return template


def channels_of(users: Iterable[User]) -> list[Recipient]:
    """Staff reached at their work contact: e-mail and, when they have one, WhatsApp."""
    out: list[Recipient] = []
    for user in users:
        if user.email:
            with contextlib.suppress(DomainError):
                out.append(
                    Recipient(Channel.EMAIL, address_normalise(user.email), str(user), user.pk)
                )
        phone = phone_normalise(user.phone) if user.phone else None
        if phone:
            out.append(Recipient(settings.MESSAGING_PHONE_CHANNEL, phone, str(user), user.pk))
    return out
