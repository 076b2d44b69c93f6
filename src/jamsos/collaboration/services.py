"""Writes of the collaboration app. Every one takes ``acting_user``, checks who may act,
and records its audit event in the same transaction (STYLE.md 5, 6).

Services that record something that happened earlier (a meeting last Tuesday, a letter
received yesterday) take the time it happened (``at``); pages pass "now" for the clicks
that happen in the system (acknowledging, resolving, completing).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from jamsos.accounts.access import region_in_scope, require_perm, require_region
from jamsos.accounts.models import Agency, User
from jamsos.audit.services import audit_record
from jamsos.claims.documents import document_check
from jamsos.collaboration.access import acts_for
from jamsos.collaboration.models import (
    ActionItem,
    AgendaItem,
    Agreement,
    AgreementParty,
    Attendance,
    Clause,
    Decision,
    DecisionLink,
    Forum,
    ForumMembership,
    InterAgencyRequest,
    Meeting,
    Obligation,
    ObligationInstance,
    ScorecardReply,
    ScorecardSnapshot,
)
from jamsos.collaboration.quarters import Quarter
from jamsos.lib.errors import DomainError, InvalidTransition, NotFoundOrForbidden, PermissionDenied
from jamsos.lib.formats import tanggal
from jamsos.regions.models import Region

MANAGE = "collaboration.manage_forum"
RESPOND = "collaboration.respond"
MANAGE_AGREEMENTS = "collaboration.manage_agreements"


def _overlaps(user: User, region_code: str) -> None:
    """The region is in the user's scope, or the user works inside it (a Camat operator
    answering its kabupaten's scorecard); a neighbouring kabupaten is neither."""
    inside = bool(user.region_id) and (
        user.region_id == region_code or user.region_id.startswith(region_code + ".")
    )
    if not (region_in_scope(user, region_code) or inside):
        raise NotFoundOrForbidden(gettext("Wilayah di luar cakupan Anda."))


def _required_text(value: str, *, field: str, label: str) -> str:
    """``value`` without the blanks around it; blank is refused, naming the field (the pages'
    forms strip it already, the API's ``min_length`` lets "   " through)."""
    text = value.strip()
    if not text:
        raise DomainError(
            gettext('Kolom "%(label)s" wajib diisi.') % {"label": label},
            code="required",
            field=field,
        )
    return text


EVIDENCE_REF_MAX = ObligationInstance._meta.get_field("evidence_ref").max_length or 300


def _locked_instance(instance: ObligationInstance) -> ObligationInstance:
    return (
        ObligationInstance.objects.select_for_update()
        .select_related("obligation__agreement")
        .get(pk=instance.pk)
    )


def _now(at: dt.datetime | None) -> dt.datetime:
    return at or timezone.now()


def _store_upload(obj: Any, prefix: str, upload: UploadedFile) -> None:
    checked = document_check(upload)
    getattr(obj, f"{prefix}_file").save(checked.name, upload, save=False)
    setattr(obj, f"{prefix}_name", checked.name)
    setattr(obj, f"{prefix}_sha256", checked.sha256)


# --- Forum and meetings ---------------------------------------------------------------------


@transaction.atomic
def forum_create(
    *,
    region: Region,
    name: str,
    convening_agency: Agency,
    cadence: str,
    members: Iterable[tuple[Agency, str]],
    valid_from: dt.date,
    acting_user: User,
) -> Forum:
    require_perm(acting_user, MANAGE)
    require_region(acting_user, region.code)
    forum = Forum(
        region=region,
        name=name,
        convening_agency=convening_agency,
        cadence=cadence,
        established_on=valid_from,
        created_by=acting_user,
    )
    forum.full_clean()
    forum.save()
    for agency, role in members:
        ForumMembership.objects.create(forum=forum, agency=agency, role=role, valid_from=valid_from)
    audit_record(
        action="collaboration.forum.created",
        acting_user=acting_user,
        obj=forum,
        data={"members": [a.code for a, _r in members], "cadence": cadence},
    )
    return forum


@transaction.atomic
def meeting_record(
    *,
    forum: Forum,
    kind: str,
    mode: str,
    title: str,
    starts_at: dt.datetime,
    place: str,
    convened_by: Agency,
    chair_name: str = "",
    acting_user: User,
) -> Meeting:
    require_perm(acting_user, MANAGE)
    require_region(acting_user, forum.region_id)
    title = _required_text(title, field="title", label=gettext("Acara"))
    meeting = Meeting(
        forum=forum,
        kind=kind,
        mode=mode,
        title=title,
        starts_at=starts_at,
        place=place,
        convened_by=convened_by,
        chair_name=chair_name,
        created_by=acting_user,
    )
    meeting.full_clean()
    meeting.save()
    audit_record(
        action="collaboration.meeting.recorded",
        acting_user=acting_user,
        obj=meeting,
        data={"kind": kind, "mode": mode, "starts_at": starts_at.isoformat()},
    )
    return meeting


@transaction.atomic
def agenda_item_add(
    *, meeting: Meeting, title: str, proposed_by: Agency, acting_user: User
) -> AgendaItem:
    require_perm(acting_user, MANAGE)
    require_region(acting_user, meeting.forum.region_id)
    title = _required_text(title, field="title", label=gettext("Agenda"))
    item = AgendaItem(meeting=meeting, title=title, proposed_by=proposed_by)
    item.full_clean()
    item.save()
    audit_record(
        action="collaboration.meeting.agenda_added",
        acting_user=acting_user,
        obj=meeting,
        data={"title": title, "proposed_by": proposed_by.code},
    )
    return item


@transaction.atomic
def attendance_record(
    *, meeting: Meeting, agency: Agency, level: str, count: int, acting_user: User
) -> Attendance:
    """Set the count of one agency at one level (recording it again replaces the count)."""
    require_perm(acting_user, MANAGE)
    require_region(acting_user, meeting.forum.region_id)
    if count < 1:
        raise DomainError(gettext("Jumlah hadir paling sedikit 1."), code="attendance_count")
    row, _created = Attendance.objects.update_or_create(
        meeting=meeting, agency=agency, level=level, defaults={"count": count}
    )
    audit_record(
        action="collaboration.meeting.attendance_recorded",
        acting_user=acting_user,
        obj=meeting,
        data={"agency": agency.code, "level": level, "count": count},
    )
    return row


@transaction.atomic
def minutes_publish(
    *,
    meeting: Meeting,
    upload: UploadedFile,
    acting_user: User,
    at: dt.datetime | None = None,
) -> Meeting:
    require_perm(acting_user, MANAGE)
    require_region(acting_user, meeting.forum.region_id)
    _store_upload(meeting, "minutes", upload)
    meeting.minutes_published_at = _now(at)
    meeting.save()
    audit_record(
        action="collaboration.meeting.minutes_published",
        acting_user=acting_user,
        obj=meeting,
        data={"file": meeting.minutes_name, "sha256": meeting.minutes_sha256},
    )
    return meeting


LINK_FIELDS = ("decree", "allocation", "quota", "agreement", "legal_basis")


@transaction.atomic
def decision_record(
    *,
    meeting: Meeting,
    text: str,
    kind: str,
    proposed_by: Agency,
    links: Iterable[tuple[str, Any]] = (),
    acting_user: User,
) -> Decision:
    """Record a decision and the programme objects it concerns (``("decree", decree)``)."""
    require_perm(acting_user, MANAGE)
    require_region(acting_user, meeting.forum.region_id)
    text = _required_text(text, field="text", label=gettext("Keputusan"))
    decision = Decision(meeting=meeting, text=text, kind=kind, proposed_by=proposed_by)
    decision.full_clean()
    decision.save()
    for field, target in links:
        if field not in LINK_FIELDS:
            raise DomainError(gettext("Jenis kaitan tidak dikenal."), code="link_kind")
        region = getattr(target, "audit_region_code", None) or getattr(target, "region_id", "")
        if region and not region_in_scope(acting_user, region):
            raise NotFoundOrForbidden(gettext("Objek yang dikaitkan di luar cakupan Anda."))
        DecisionLink.objects.create(decision=decision, **{field: target})
    audit_record(
        action="collaboration.decision.recorded",
        acting_user=acting_user,
        obj=decision,
        data={
            "kind": kind,
            "proposed_by": proposed_by.code,
            "links": [f"{f}:{t.pk}" for f, t in links],
        },
    )
    return decision


# --- Action items ---------------------------------------------------------------------------


@transaction.atomic
def action_item_assign(
    *,
    forum: Forum,
    title: str,
    owner_agency: Agency,
    owner_name: str,
    due_on: dt.date,
    decision: Decision | None = None,
    acting_user: User,
) -> ActionItem:
    require_perm(acting_user, MANAGE)
    require_region(acting_user, forum.region_id)
    if decision is not None and decision.meeting.forum_id != forum.pk:
        raise DomainError(gettext("Keputusan berasal dari forum lain."), code="decision_forum")
    title = _required_text(title, field="title", label=gettext("Tindak lanjut"))
    item = ActionItem(
        forum=forum,
        decision=decision,
        title=title,
        owner_agency=owner_agency,
        owner_name=owner_name,
        due_on=due_on,
        original_due_on=due_on,
        created_by=acting_user,
    )
    item.full_clean()
    item.save()
    audit_record(
        action="collaboration.action_item.assigned",
        acting_user=acting_user,
        obj=item,
        data={"owner": owner_agency.code, "due_on": due_on.isoformat()},
    )
    return item


def _managing_open_item(item: ActionItem, acting_user: User, closed: str) -> None:
    """A forum manager of the item's region acts on an item still open (else ``closed``)."""
    require_perm(acting_user, MANAGE)
    require_region(acting_user, item.forum.region_id)
    if item.status != ActionItem.Status.OPEN:
        raise InvalidTransition(closed)


@transaction.atomic
def action_item_change_due(
    *, item: ActionItem, due_on: dt.date, reason: str, acting_user: User
) -> ActionItem:
    """Move the due date. The original stays in ``original_due_on``; the move is audited."""
    _managing_open_item(
        item, acting_user, gettext("Hanya tindak lanjut terbuka yang dapat diubah.")
    )
    if not reason.strip():
        raise DomainError(gettext("Sebutkan alasan perubahan tenggat."), code="reason_required")
    before = item.due_on
    item.due_on = due_on
    item.save(update_fields=["due_on"])
    audit_record(
        action="collaboration.action_item.due_changed",
        acting_user=acting_user,
        obj=item,
        before={"due_on": before.isoformat()},
        after={"due_on": due_on.isoformat()},
        data={"reason": reason, "original_due_on": item.original_due_on.isoformat()},
    )
    return item


@transaction.atomic
def action_item_complete(
    *,
    item: ActionItem,
    upload: UploadedFile | None,
    note: str,
    acting_user: User,
    at: dt.datetime | None = None,
) -> ActionItem:
    """The owner agency marks its item done, with an evidence file or a note."""
    require_perm(acting_user, RESPOND)
    if not acts_for(acting_user, item.owner_agency_id):
        raise PermissionDenied(
            gettext("Hanya instansi penanggung jawab yang dapat menyelesaikan tindak lanjut ini.")
        )
    if item.status != ActionItem.Status.OPEN:
        raise InvalidTransition(gettext("Tindak lanjut ini sudah ditutup."))
    if upload is None and not note.strip():
        raise DomainError(
            gettext("Lampirkan bukti atau tulis keterangan penyelesaian."), code="evidence_required"
        )
    if upload is not None:
        _store_upload(item, "evidence", upload)
    item.evidence_note = note
    item.status = ActionItem.Status.DONE
    item.done_at = _now(at)
    item.done_by = acting_user
    item.save()
    audit_record(
        action="collaboration.action_item.completed",
        acting_user=acting_user,
        obj=item,
        data={"evidence": item.evidence_name, "on_time": item.done_on_time()},
    )
    return item


@transaction.atomic
def action_item_escalate(
    *, item: ActionItem, note: str, acting_user: User, at: dt.datetime | None = None
) -> ActionItem:
    _managing_open_item(item, acting_user, gettext("Tindak lanjut ini sudah ditutup."))
    if item.escalated_at is None:
        item.escalated_at = _now(at)
        item.save(update_fields=["escalated_at"])
    audit_record(
        action="collaboration.action_item.escalated",
        acting_user=acting_user,
        obj=item,
        data={"note": note},
    )
    return item


# --- Requests between agencies --------------------------------------------------------------


def request_sla(*, to_agency: Agency, kind: str, day: dt.date) -> Obligation | None:
    """The obligation in force that fixes the answer time for this kind of request."""
    return (
        Obligation.objects.filter(
            party=to_agency,
            request_kind=kind,
            sla_days__isnull=False,
            effective_from__lte=day,
            agreement__status__in=[Agreement.Status.IN_FORCE, Agreement.Status.SUPERSEDED],
        )
        .exclude(effective_to__lt=day)
        .order_by("-effective_from")
        .first()
    )


@transaction.atomic
def request_send(
    *,
    forum: Forum,
    to_agency: Agency,
    kind: str,
    subject: str,
    body: str = "",
    from_agency: Agency | None = None,
    acting_user: User,
    at: dt.datetime | None = None,
) -> InterAgencyRequest:
    """Send from the user's own agency (an operator of the forum may record one received
    on paper from another member, naming ``from_agency``)."""
    require_perm(acting_user, RESPOND)
    require_region(acting_user, forum.region_id)
    sender = from_agency or acting_user.agency
    if sender is None:
        raise DomainError(gettext("Pengirim tidak diketahui."), code="sender_required")
    if sender.pk != acting_user.agency_id and not acting_user.has_perm(MANAGE):
        raise PermissionDenied(gettext("Anda hanya dapat mengirim atas nama instansi Anda."))
    if sender.pk == to_agency.pk:
        raise DomainError(
            gettext('Kolom "Kepada": kirim ke instansi lain, bukan ke %(agency)s sendiri.')
            % {"agency": to_agency.name},
            code="request_to_self",
            field="to_agency",
        )
    subject = _required_text(subject, field="subject", label=gettext("Perihal"))
    sent_at = _now(at)
    obligation = request_sla(to_agency=to_agency, kind=kind, day=timezone.localdate(sent_at))
    request = InterAgencyRequest(
        forum=forum,
        from_agency=sender,
        to_agency=to_agency,
        kind=kind,
        subject=subject,
        body=body,
        sent_at=sent_at,
        sent_by=acting_user,
        sla_days=obligation.sla_days if obligation else None,
        sla_obligation=obligation,
    )
    request.full_clean()
    request.save()
    audit_record(
        action="collaboration.request.sent",
        acting_user=acting_user,
        obj=request,
        data={
            "from": sender.code,
            "to": to_agency.code,
            "kind": kind,
            "sla_days": request.sla_days,
        },
    )
    return request


def _answering(request: InterAgencyRequest, acting_user: User) -> None:
    require_perm(acting_user, RESPOND)
    if not acts_for(acting_user, request.to_agency_id):
        raise PermissionDenied(gettext("Hanya instansi yang diminta yang dapat menjawab."))


@transaction.atomic
def request_acknowledge(
    *, request: InterAgencyRequest, acting_user: User, at: dt.datetime | None = None
) -> InterAgencyRequest:
    _answering(request, acting_user)
    if request.status != InterAgencyRequest.Status.SENT:
        raise InvalidTransition(gettext("Permintaan ini sudah diterima."))
    request.status = InterAgencyRequest.Status.ACKNOWLEDGED
    request.acknowledged_at = _now(at)
    request.acknowledged_by = acting_user
    request.save()
    audit_record(action="collaboration.request.acknowledged", acting_user=acting_user, obj=request)
    return request


@transaction.atomic
def request_resolve(
    *,
    request: InterAgencyRequest,
    outcome: str,
    acting_user: User,
    at: dt.datetime | None = None,
) -> InterAgencyRequest:
    _answering(request, acting_user)
    if request.status == InterAgencyRequest.Status.RESOLVED:
        raise InvalidTransition(gettext("Permintaan ini sudah selesai."))
    if not outcome.strip():
        raise DomainError(gettext("Tulis hasil penyelesaian."), code="outcome_required")
    when = _now(at)
    if request.acknowledged_at is None:
        request.acknowledged_at = when
        request.acknowledged_by = acting_user
    request.status = InterAgencyRequest.Status.RESOLVED
    request.resolved_at = when
    request.resolved_by = acting_user
    request.outcome = outcome
    request.full_clean()
    request.save()
    audit_record(
        action="collaboration.request.resolved",
        acting_user=acting_user,
        obj=request,
        data={"days": request.days_to_resolve, "within_sla": request.within_sla()},
    )
    return request


# --- Agreements -----------------------------------------------------------------------------


def _agreement_check(
    *,
    parties: list[tuple[Agency, str, str, str]],
    effective_from: dt.date,
    amends: Agreement | None,
) -> None:
    """What would break the record or the parent's history, refused before anything is
    written: one agency as two parties, an addendum starting no later than its parent, or
    a second addendum to a parent already superseded (it would move the parent's end)."""
    agencies = [agency.pk for agency, *_rest in parties]
    if len(set(agencies)) != len(agencies):
        raise DomainError(
            gettext("Para pihak harus dua instansi yang berbeda."),
            code="party_twice",
            field="party2",
        )
    if amends is None:
        return
    if amends.status == Agreement.Status.SUPERSEDED:
        raise DomainError(
            gettext(
                'Kolom "Mengubah perjanjian": "%(title)s" sudah diubah oleh adendum lain; '
                "ubahlah adendum yang terakhir."
            )
            % {"title": amends.title},
            code="addendum_of_superseded",
            field="amends",
        )
    if effective_from <= amends.effective_from:
        raise DomainError(
            gettext(
                'Kolom "Berlaku sejak": %(start)s. Adendum harus berlaku setelah perjanjian '
                "yang diubahnya (berlaku sejak %(parent)s)."
            )
            % {"start": tanggal(effective_from), "parent": tanggal(amends.effective_from)},
            code="addendum_order",
            field="effective_from",
        )


@transaction.atomic
def agreement_record(
    *,
    region: Region,
    kind: str,
    title: str,
    effective_from: dt.date,
    effective_to: dt.date | None,
    signed_on: dt.date | None,
    parties: Iterable[tuple[Agency, str, str, str]],
    legal_bases: Iterable[Any] = (),
    amends: Agreement | None = None,
    acting_user: User,
) -> Agreement:
    """Record an agreement with its parties (agency, its number, signatory, position).

    With ``amends``, this is an addendum: the parent's obligations still open on
    ``effective_from`` are closed the day before (their history stays with the parent)
    and the parent is marked superseded; the addendum's own obligations are added after.
    """
    require_perm(acting_user, MANAGE_AGREEMENTS)
    require_region(acting_user, region.code)
    parties = list(parties)
    _agreement_check(parties=parties, effective_from=effective_from, amends=amends)
    agreement = Agreement(
        region=region,
        kind=kind,
        title=title,
        effective_from=effective_from,
        effective_to=effective_to,
        signed_on=signed_on,
        amends=amends,
        version=(amends.version + 1) if amends else 1,
        created_by=acting_user,
    )
    agreement.full_clean()
    agreement.save()
    for agency, number, name, position in parties:
        AgreementParty.objects.create(
            agreement=agreement,
            agency=agency,
            party_number=number,
            signatory_name=name,
            signatory_title=position,
        )
    agreement.legal_bases.set(list(legal_bases))
    closed = 0
    if amends is not None:
        day_before = effective_from - dt.timedelta(days=1)
        closed = (
            amends.obligations.filter(effective_from__lte=day_before)
            .exclude(effective_to__lte=day_before)
            .update(effective_to=day_before)
        )
        # Obligations of the parent that would only have started later never start.
        amends.obligations.filter(effective_from__gt=day_before, instances__isnull=True).delete()
        Agreement.objects.filter(pk=amends.pk).update(
            status=Agreement.Status.SUPERSEDED, effective_to=day_before
        )
    audit_record(
        action="collaboration.agreement.amended" if amends else "collaboration.agreement.recorded",
        acting_user=acting_user,
        obj=agreement,
        data={
            "kind": kind,
            "numbers": [number for _a, number, _n, _p in parties],
            "amends": amends.pk if amends else None,
            "obligations_closed": closed,
        },
    )
    return agreement


@transaction.atomic
def clause_add(
    *,
    agreement: Agreement,
    number: str,
    heading: str,
    category: str,
    text: str = "",
    acting_user: User,
) -> Clause:
    require_perm(acting_user, MANAGE_AGREEMENTS)
    require_region(acting_user, agreement.region_id)
    clause = Clause(
        agreement=agreement, number=number, heading=heading, text=text, category=category
    )
    clause.full_clean()
    clause.save()
    audit_record(
        action="collaboration.clause.added",
        acting_user=acting_user,
        obj=clause,
        data={"agreement": agreement.pk, "number": number, "category": category},
    )
    return clause


@transaction.atomic
def obligation_add(
    *,
    agreement: Agreement,
    party: Agency,
    code: str,
    description: str,
    kind: str,
    frequency: str,
    evidence_rule: str,
    sla_days: int | None = None,
    due_rule: str = "",
    request_kind: str = "",
    clause: Clause | None = None,
    acting_user: User,
) -> Obligation:
    require_perm(acting_user, MANAGE_AGREEMENTS)
    require_region(acting_user, agreement.region_id)
    if not agreement.parties.filter(agency=party).exists():
        raise DomainError(gettext("Instansi ini bukan pihak perjanjian."), code="not_a_party")
    if agreement.obligations.filter(code=code).exists():
        raise DomainError(
            gettext('Kolom "Kode": "%(code)s" sudah dipakai kewajiban lain di perjanjian ini.')
            % {"code": code},
            code="obligation_code_taken",
            field="code",
        )
    obligation = Obligation(
        agreement=agreement,
        clause=clause,
        party=party,
        code=code,
        description=description,
        kind=kind,
        frequency=frequency,
        evidence_rule=evidence_rule,
        sla_days=sla_days,
        due_rule=due_rule,
        request_kind=request_kind,
        effective_from=agreement.effective_from,
        effective_to=agreement.effective_to,
    )
    obligation.full_clean()
    obligation.save()
    audit_record(
        action="collaboration.obligation.added",
        acting_user=acting_user,
        obj=obligation,
        data={"code": code, "party": party.code, "sla_days": sla_days},
    )
    return obligation


@transaction.atomic
def obligation_evidence_record(
    *,
    instance: ObligationInstance,
    upload: UploadedFile | None,
    note: str,
    acting_user: User,
    at: dt.datetime | None = None,
) -> ObligationInstance:
    """The obliged party (or the agreement's manager) records evidence of fulfilment."""
    instance = _locked_instance(instance)
    obligation = instance.obligation
    may_manage = acting_user.has_perm(MANAGE_AGREEMENTS)
    if may_manage and not acts_for(acting_user, obligation.party_id):
        require_region(acting_user, obligation.agreement.region_id)
    if not may_manage:
        require_perm(acting_user, RESPOND)
        if not acts_for(acting_user, obligation.party_id):
            raise PermissionDenied(gettext("Hanya pihak yang berkewajiban yang dapat mengunggah."))
    if instance.status in (ObligationInstance.Status.FULFILLED, ObligationInstance.Status.WAIVED):
        raise InvalidTransition(gettext("Kewajiban ini sudah ditutup."))
    if upload is None and not note.strip():
        raise DomainError(
            gettext("Lampirkan bukti atau tulis rujukannya."), code="evidence_required"
        )
    if len(note) > EVIDENCE_REF_MAX:
        raise DomainError(
            gettext(
                'Kolom "Keterangan": paling banyak %(max)s karakter (sekarang %(length)s); '
                "tulis rujukannya saja, bukan isinya."
            )
            % {"max": EVIDENCE_REF_MAX, "length": len(note)},
            code="evidence_ref_too_long",
            field="note",
        )
    if upload is not None:
        _store_upload(instance, "evidence", upload)
    when = _now(at)
    instance.evidence_ref = note
    instance.fulfilled_at = when
    instance.judged_at = timezone.now()
    instance.judged_by = acting_user
    on_time = timezone.localdate(when) <= instance.due_on
    instance.status = (
        ObligationInstance.Status.FULFILLED if on_time else ObligationInstance.Status.LATE
    )
    instance.save()
    audit_record(
        action="collaboration.obligation.evidence_recorded",
        acting_user=acting_user,
        obj=instance,
        data={"status": instance.status, "file": instance.evidence_name},
    )
    return instance


@transaction.atomic
def obligation_waiver_request(
    *, instance: ObligationInstance, reason: str, acting_user: User
) -> ObligationInstance:
    require_perm(acting_user, MANAGE_AGREEMENTS)
    instance = _locked_instance(instance)
    require_region(acting_user, instance.obligation.agreement.region_id)
    if instance.status in (ObligationInstance.Status.FULFILLED, ObligationInstance.Status.WAIVED):
        raise InvalidTransition(gettext("Kewajiban ini sudah ditutup."))
    if instance.waiver_pending and instance.waiver_requested_by_id != acting_user.pk:
        # Asking again would make the asker someone else and let the first asker approve.
        raise InvalidTransition(gettext("Pengecualian sudah diajukan dan menunggu persetujuan."))
    if not reason.strip():
        raise DomainError(gettext("Alasan pengecualian wajib diisi."), code="reason_required")
    instance.waiver_reason = reason
    instance.waiver_requested_by = acting_user
    instance.waiver_requested_at = timezone.now()
    instance.save()
    audit_record(
        action="collaboration.obligation.waiver_requested",
        acting_user=acting_user,
        obj=instance,
        data={"reason": reason},
    )
    return instance


@transaction.atomic
def obligation_waiver_approve(
    *, instance: ObligationInstance, acting_user: User
) -> ObligationInstance:
    require_perm(acting_user, "collaboration.approve_waiver")
    instance = _locked_instance(instance)
    require_region(acting_user, instance.obligation.agreement.region_id)
    if not instance.waiver_pending:
        raise InvalidTransition(gettext("Tidak ada pengajuan pengecualian."))
    if instance.waiver_requested_by_id == acting_user.pk:
        raise PermissionDenied(
            gettext("Pengecualian harus disetujui orang lain, bukan pengaju (maker-checker).")
        )
    before = instance.status
    instance.status = ObligationInstance.Status.WAIVED
    instance.waiver_approved_by = acting_user
    instance.waiver_approved_at = timezone.now()
    instance.save()
    audit_record(
        action="collaboration.obligation.waived",
        acting_user=acting_user,
        obj=instance,
        before={"status": before},
        data={"reason": instance.waiver_reason},
    )
    return instance


# --- Scorecard snapshots --------------------------------------------------------------------


@transaction.atomic
def snapshot_draft(*, region: Region, quarter: Quarter, acting_user: User) -> ScorecardSnapshot:
    """Freeze the scorecard as computed now; agencies reply before it is published."""
    from jamsos.collaboration.scorecard import scorecard_compute

    require_perm(acting_user, "collaboration.publish_scorecard")
    require_region(acting_user, region.code)
    card = scorecard_compute(region=region, quarter=quarter)
    snapshot = ScorecardSnapshot.objects.create(
        region=region,
        period=str(quarter),
        as_of=timezone.now(),
        definitions_version=card["definitions_version"],
        data=card,
        created_by=acting_user,
    )
    audit_record(
        action="collaboration.scorecard.drafted",
        acting_user=acting_user,
        obj=snapshot,
        data={"period": str(quarter), "definitions_version": card["definitions_version"]},
    )
    return snapshot


@transaction.atomic
def snapshot_reply(
    *, snapshot: ScorecardSnapshot, indicator: str, text: str, acting_user: User
) -> ScorecardReply:
    require_perm(acting_user, RESPOND)
    _overlaps(acting_user, snapshot.region_id)
    if acting_user.agency is None:
        raise DomainError(
            gettext("Tanggapan diberikan atas nama instansi."), code="agency_required"
        )
    if snapshot.status != ScorecardSnapshot.Status.DRAFT:
        raise InvalidTransition(gettext("Tanggapan ditutup: rapor sudah diterbitkan."))
    known = {i["id"] for e in snapshot.data.get("elements", []) for i in e["indicators"]}
    if indicator and indicator not in known:
        raise DomainError(gettext("Indikator tidak ada di rapor ini."), code="indicator_unknown")
    if not text.strip():
        raise DomainError(gettext("Tanggapan kosong."), code="reply_empty")
    reply = ScorecardReply.objects.create(
        snapshot=snapshot,
        agency=acting_user.agency,
        indicator=indicator,
        text=text,
        author=acting_user,
    )
    audit_record(
        action="collaboration.scorecard.replied",
        acting_user=acting_user,
        obj=snapshot,
        data={"indicator": indicator, "agency": acting_user.agency.code},
    )
    return reply


@transaction.atomic
def snapshot_publish(*, snapshot: ScorecardSnapshot, acting_user: User) -> ScorecardSnapshot:
    require_perm(acting_user, "collaboration.publish_scorecard")
    require_region(acting_user, snapshot.region_id)
    if snapshot.status != ScorecardSnapshot.Status.DRAFT:
        raise InvalidTransition(gettext("Rapor ini sudah diterbitkan."))
    if ScorecardSnapshot.objects.filter(
        region=snapshot.region, period=snapshot.period, status=ScorecardSnapshot.Status.PUBLISHED
    ).exists():
        raise InvalidTransition(gettext("Rapor triwulan ini sudah pernah diterbitkan."))
    snapshot.status = ScorecardSnapshot.Status.PUBLISHED
    snapshot.published_by = acting_user
    snapshot.published_at = timezone.now()
    snapshot.save()
    audit_record(
        action="collaboration.scorecard.published",
        acting_user=acting_user,
        obj=snapshot,
        data={"replies": snapshot.replies.count()},
    )
    return snapshot
