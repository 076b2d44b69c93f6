"""Which events send messages, to whom, with which values: one route per event.

A route takes the context its event hands to ``message_enqueue`` and returns
``Outgoing`` items. Other apps add their own routes with ``event_route_register`` (or
call ``action_item_due_notify`` below, which the collaboration app uses). Recipients:

- staff are found by role and region (``staff_over``), reached at their work e-mail and
  phone; an opt-out still stops them;
- the agents of a nagari come from ``outreach.selectors.agents_of_village`` (the one
  place that answers it);
- citizens (heirs, the family's contact) need a recorded consent (``needs_consent``).

Messages name what the person needs to act on; none carries a benefit amount (agents
never see one, DESIGN privacy) and none carries a NIK.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings

from jamsos.accounts.access import ancestor_codes
from jamsos.accounts.models import User
from jamsos.accounts.roles import Role
from jamsos.lib.errors import DomainError
from jamsos.lib.formats import angka, bulan, rupiah, tanggal
from jamsos.messaging.services import (
    Outgoing,
    Recipient,
    Route,
    address_normalise,
    channels_of,
    event_route_register,
    message_enqueue,
)


def _route(event: str) -> Callable[[Route], Route]:
    def decorate(fn: Route) -> Route:
        return event_route_register(event, fn)

    return decorate


# --- Recipients ------------------------------------------------------------------------------


def staff_over(region_code: str, roles: Iterable[str]) -> list[User]:
    """Active users of these roles whose scope contains ``region_code``."""
    codes = [*ancestor_codes(region_code), region_code]
    return list(
        User.objects.filter(is_active=True, role__in=list(roles), region_id__in=codes).order_by(
            "pk"
        )
    )


def agent_recipients(village_code: str) -> list[Recipient]:
    from jamsos.outreach.selectors import agents_of_village

    return channels_of(agents_of_village(village_code))


def citizen_recipient(raw: str, label: str) -> Recipient | None:
    """A citizen's phone or e-mail as typed on a form; None when it is neither."""
    try:
        address = address_normalise(raw)
    except DomainError:
        return None
    channel = "email" if "@" in address else settings.MESSAGING_PHONE_CHANNEL
    return Recipient(channel, address, label, needs_consent=True)


# --- Routes ------------------------------------------------------------------------------------


@_route("enrollment.decree_line.rejected")
def bpjs_rejections(context: dict[str, Any]) -> Iterable[Outgoing]:
    """The agents of each nagari: who of their proposed persons BPJS rejected, and why.

    Context: ``decree`` and ``rejections``, ``(village_code, name, reason)`` tuples; one
    message per nagari and recording (``ref``), listing at most 20 names.
    """
    decree = context["decree"]
    by_village: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for village, name, reason in context["rejections"]:
        by_village[village].append((name, reason))
    for village, rows in sorted(by_village.items()):
        listed = "\n".join(f"- {name}: {reason or '-'}" for name, reason in rows[:20])
        more = len(rows) - 20
        if more > 0:
            listed += f"\n… dan {angka(more)} orang lagi"
        yield Outgoing(
            template_code="bpjs_rejected",
            recipients=agent_recipients(village),
            values={"jumlah": angka(len(rows)), "daftar": listed, "sk": str(decree)},
            key=f"decree:{decree.pk}:rejected:{context.get('ref', '')}:{village}",
            region_code=village,
            object_type="enrollment.decree",
            object_id=str(decree.pk),
        )


# What each claim stage means for the family, in one line (status → text).
CLAIM_STAGE_TEXT = {
    "reported": "laporan klaim sudah diterima; lengkapi dokumen bersama agen atau Disnakertrans",
    "documents_complete": "berkas klaim dinyatakan lengkap",
    "submitted": "klaim sudah diajukan ke BPJS Ketenagakerjaan",
    "under_review": "klaim sedang diperiksa BPJS Ketenagakerjaan",
    "approved": "klaim disetujui BPJS Ketenagakerjaan; pembayaran sedang diproses",
    "rejected": "klaim ditolak BPJS Ketenagakerjaan",
    "paid": "manfaat sudah dibayarkan; periksa rekening/penerimaan Anda",
    "withdrawn": "klaim dibatalkan",
}


@_route("claims.claim.stage")
def claim_stage(context: dict[str, Any]) -> Iterable[Outgoing]:
    """The heirs and the family's contact (with consent) and the nagari's agents, at
    each claim stage. No amount: the agent may not see one, and a message can be read by
    anyone holding the phone."""
    claim = context["claim"]
    stage = claim.status
    if stage not in CLAIM_STAGE_TEXT:
        return
    reason = claim.rejection_reason or claim.withdrawn_reason or ""
    values = {
        "nomor_klaim": claim.reference,
        "nama": claim.person.full_name,
        "jenis": claim.get_claim_type_display().split(" — ")[0],
        "tahap": CLAIM_STAGE_TEXT[stage],
        "keterangan": f" Alasan: {reason}." if reason else "",
        "nagari": claim.village.name,
    }
    family: list[Recipient] = []
    for heir in claim.heirs.all():
        if heir.phone:
            recipient = citizen_recipient(heir.phone, heir.full_name)
            if recipient is not None:
                family.append(recipient)
    if claim.reporter_contact:
        recipient = citizen_recipient(claim.reporter_contact, "Kontak keluarga")
        if recipient is not None:
            family.append(recipient)
    common = {
        "values": values,
        "key": f"claim:{claim.pk}:{stage}:{context.get('transition', '')}",
        "region_code": claim.village_id,
        "object_type": "claims.claim",
        "object_id": str(claim.pk),
    }
    yield Outgoing(template_code="claim_stage_family", recipients=family, **common)
    yield Outgoing(
        template_code="claim_stage_agent", recipients=agent_recipients(claim.village_id), **common
    )


@_route("contributions.bill.issued")
def bill_due(context: dict[str, Any]) -> Iterable[Outgoing]:
    """The Dinas (operators and head) over the bill's region: a bill is due for payment."""
    bill = context["bill"]
    staff = staff_over(bill.region_id, [Role.DINAS_OPERATOR, Role.DINAS_HEAD])
    yield Outgoing(
        template_code="bill_due",
        recipients=channels_of(staff),
        values={
            "nomor": bill.number,
            "bulan": bulan(bill.first_month),
            "sumber": str(bill.funding_source),
            "jumlah": rupiah(bill.total - bill.credit_applied),
            "peserta": angka(bill.members),
        },
        key=f"bill:{bill.pk}:issued",
        region_code=bill.region_id,
        object_type="contributions.bill",
        object_id=str(bill.pk),
    )


@_route("intake.batch.submitted")
def batch_awaiting_approval(context: dict[str, Any]) -> Iterable[Outgoing]:
    """The Dinas head over the batch's region: a proposal batch awaits approval."""
    batch = context["batch"]
    heads = staff_over(batch.region_id, [Role.DINAS_HEAD])
    yield Outgoing(
        template_code="batch_awaiting_approval",
        recipients=channels_of(heads),
        values={
            "judul": str(batch),
            "jumlah": angka(context.get("rows", 0)),
            "wilayah": batch.region.name,
        },
        key=f"batch:{batch.pk}:submitted:{batch.submitted_at:%Y%m%d%H%M%S}",
        region_code=batch.region_id,
        object_type="intake.batch",
        object_id=str(batch.pk),
    )


@_route("collaboration.action_item.due")
def action_item_due(context: dict[str, Any]) -> Iterable[Outgoing]:
    """Forum members owning an action item that is due (see ``action_item_due_notify``)."""
    due_on: dt.date = context["due_on"]
    yield Outgoing(
        template_code="action_item_due",
        recipients=channels_of(context["users"]),
        values={
            "judul": context["title"],
            "tanggal": tanggal(due_on),
            "forum": context.get("forum", ""),
        },
        key=f"action_item:{context['key']}:due:{due_on.isoformat()}",
        region_code=context.get("region_code", ""),
        object_type=context.get("object_type", "collaboration.actionitem"),
        object_id=str(context.get("object_id", context["key"])),
    )


@_route("portal.lookup.global_limit_tripped")
def portal_global_limit(context: dict[str, Any]) -> Iterable[Outgoing]:
    """The admins: the public membership check refuses everyone (global failed-lookup
    limit; possible NIK enumeration)."""
    at: dt.datetime = context["at"]
    admins = User.objects.filter(is_active=True, role=Role.ADMIN).order_by("pk")
    yield Outgoing(
        template_code="portal_global_limit",
        recipients=channels_of(admins),
        values={
            "batas": angka(context["limit"]),
            "waktu": at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "menit": angka(max(1, int(context["retry_after"]) // 60)),
        },
        key=f"portal:global_limit:{at:%Y%m%d%H%M}",
        object_type="portal.lookuplog",
    )


@_route("outreach.followup.opened")
def followup_opened(context: dict[str, Any]) -> Iterable[Outgoing]:
    """The agents of the nagari: a member died and nobody has claimed JKM yet."""
    followup = context["followup"]
    yield Outgoing(
        template_code="followup_opened",
        recipients=agent_recipients(followup.village_id),
        values={
            "nama": followup.person.full_name,
            "tanggal": tanggal(followup.died_on),
            "nagari": followup.village.name,
        },
        key=f"followup:{followup.pk}:opened",
        region_code=followup.village_id,
        object_type="outreach.followup",
        object_id=str(followup.pk),
    )


def action_item_due_notify(
    *,
    key: str,
    title: str,
    due_on: dt.date,
    users: Iterable[User],
    region_code: str = "",
    forum: str = "",
    object_id: str = "",
) -> int:
    """For the collaboration app: tell the owners of an action item it is due.

    Call it inside the transaction that finds the item due (a daily check); ``key`` is
    the item's stable id, so calling it again the same due date queues nothing new.
    Returns the number of messages queued.
    """
    return len(
        message_enqueue(
            "collaboration.action_item.due",
            {
                "key": key,
                "title": title,
                "due_on": due_on,
                "users": list(users),
                "region_code": region_code,
                "forum": forum,
                "object_id": object_id or key,
            },
        )
    )
