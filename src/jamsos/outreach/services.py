"""Writes of the outreach app: events and their files, and the JKM follow-up of deaths.

Follow-ups ("no death goes unclaimed"):

- ``death_report``: an agent (or operator) reports that a member died. The report is
  not proof, so it changes neither the registry nor the cover; it opens a follow-up.
- ``death_report_confirm``: a second person of the Dinas (never the reporter) who checked
  the report (a surat keterangan kematian from the wali nagari, a visit) confirms it; the
  person is then recorded deceased and their cover ends through the same path as a
  Dukcapil list (``_death_ends_cover``).
- ``deaths_import`` (``jamsos import_deaths``): a Dukcapil death list is proof. Every
  row is checked first (errors name row, column and value; one error writes nothing);
  then, in one transaction, each member found is recorded deceased, their cover ends
  (``enrollment.services.coverage.memberships_end_for_death_unchecked``, the same path
  a paid death claim takes, with the contributions credit) and a follow-up opens.
- a death claim filed closes the person's follow-up (``followup_claim_filed_unchecked``,
  called by ``claims.services.claim_report``); a rejected or withdrawn claim reopens it.
- otherwise the agent records why no claim will come (``followup_close``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from jamsos.accounts.access import region_in_scope, require_perm
from jamsos.accounts.models import Agency, User
from jamsos.audit.services import audit_record, model_snapshot
from jamsos.lib.errors import DomainError, InvalidTransition, NotFoundOrForbidden
from jamsos.lib.formats import tanggal
from jamsos.lib.periods import Month
from jamsos.outreach.models import (
    AudienceSegment,
    DeathImport,
    EventKind,
    EventMaterial,
    EventOfficial,
    FollowUp,
    OutreachEvent,
)
from jamsos.regions.models import Region
from jamsos.registry.models import Person

MATERIAL_MAX_BYTES = 10 * 1024 * 1024
MATERIAL_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


# --- Events ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfficialData:
    agency_id: int
    level: str
    position: str = ""


def _village_in_scope(village: Region, acting_user: User) -> None:
    if village.level != Region.Level.VILLAGE:
        raise DomainError(
            gettext("Pilih nagari/desa, bukan %(level)s.")
            % {"level": village.get_level_display().lower()},
            code="village_required",
            field="village",
        )
    if not region_in_scope(acting_user, village.pk):
        raise NotFoundOrForbidden(gettext("Nagari tidak ditemukan."))


@transaction.atomic
def event_create(
    *,
    acting_user: User,
    title: str,
    kind: str,
    held_on: dt.date,
    place: str,
    village: Region,
    organiser: Agency,
    co_organisers: Iterable[Agency] = (),
    obligation_code: str = "",
    audience_segments: Iterable[str] = (),
    attendance_male: int = 0,
    attendance_female: int = 0,
    attendance_total: int | None = None,
    notes: str = "",
    officials: Iterable[OfficialData] = (),
) -> OutreachEvent:
    """Record an event held in a nagari of the user's scope; its code (``SOS-00012``) is
    given from its number, printed as a QR, and typed on later proposals."""
    require_perm(acting_user, "outreach.manage_events")
    _village_in_scope(village, acting_user)
    if kind not in EventKind.values:
        raise DomainError(gettext("Jenis kegiatan tidak dikenal."), code="kind_unknown")
    if held_on > timezone.localdate():
        raise DomainError(
            gettext("Tanggal kegiatan %(date)s di masa depan; catat kegiatan setelah diadakan.")
            % {"date": tanggal(held_on)},
            code="date_future",
        )
    segments = sorted(set(audience_segments))
    unknown = [s for s in segments if s not in AudienceSegment.values]
    if unknown:
        raise DomainError(
            gettext("Sasaran tidak dikenal: %(codes)s.") % {"codes": ", ".join(unknown)},
            code="segment_unknown",
        )
    for count in (attendance_male, attendance_female, attendance_total or 0):
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise DomainError(gettext("Jumlah hadir harus bilangan bulat ≥ 0."), code="count")
    total = attendance_total if attendance_total else attendance_male + attendance_female
    if total < attendance_male + attendance_female:
        raise DomainError(
            gettext(
                "Jumlah hadir %(total)s lebih kecil dari laki-laki %(male)s + perempuan %(female)s."
            )
            % {"total": total, "male": attendance_male, "female": attendance_female},
            code="attendance_total",
        )
    event = OutreachEvent(
        code=f"TMP-{timezone.now().timestamp():.6f}"[:20],
        title=title.strip(),
        kind=kind,
        held_on=held_on,
        place=place.strip(),
        village=village,
        organiser=organiser,
        obligation_code=obligation_code.strip().upper()[:20],
        audience_segments=segments,
        attendance_male=attendance_male,
        attendance_female=attendance_female,
        attendance_total=total,
        notes=notes.strip(),
        created_by=acting_user,
    )
    event.full_clean(exclude=["code"])
    event.save()
    event.code = f"SOS-{event.pk:05d}"
    event.save(update_fields=["code"])
    event.co_organisers.set([a for a in co_organisers if a.pk != organiser.pk])
    for official in officials:
        if official.level not in EventOfficial.Level.values:
            raise DomainError(gettext("Tingkat pejabat tidak dikenal."), code="level_unknown")
        EventOfficial.objects.create(
            event=event,
            agency_id=official.agency_id,
            level=official.level,
            position=official.position.strip()[:150],
        )
    audit_record(
        action="outreach.event.created",
        acting_user=acting_user,
        obj=event,
        after={
            "code": event.code,
            "kind": kind,
            "held_on": held_on.isoformat(),
            "village": village.pk,
            "organiser": organiser.pk,
            "attendance": [attendance_male, attendance_female, total],
        },
    )
    return event


# What an operator may correct after recording an event: what was typed wrong about where,
# when and by whom. Not the code (printed as a QR, typed on proposals that count towards
# the event), the kind or the agreement obligation (the collaboration scorecard counted
# it), the audience, the attendance counts or the officials (what the sign-in sheet and
# the reports record of the event itself): a wrong one is refused, naming the field.
EVENT_EDITABLE = ("title", "held_on", "place", "village", "organiser", "co_organisers", "notes")
_EVENT_LABELS = {
    "title": gettext_lazy("Judul kegiatan"),
    "held_on": gettext_lazy("Tanggal"),
    "place": gettext_lazy("Tempat"),
    "village": gettext_lazy("Nagari"),
    "organiser": gettext_lazy("Penyelenggara"),
    "co_organisers": gettext_lazy("Penyelenggara bersama"),
    "notes": gettext_lazy("Catatan"),
}


def _field_label(name: str) -> str:
    try:
        return str(OutreachEvent._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def _event_text(value: object, *, field: str, required: bool) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise DomainError(
            gettext('Kolom "%(label)s" wajib diisi.') % {"label": _EVENT_LABELS[field]},
            code="required",
            field=field,
        )
    limit = OutreachEvent._meta.get_field(field).max_length
    if limit and len(text) > limit:
        raise DomainError(
            gettext('Kolom "%(label)s": paling banyak %(limit)s huruf (diisi %(length)s).')
            % {"label": _EVENT_LABELS[field], "limit": limit, "length": len(text)},
            code="too_long",
            field=field,
        )
    return text


def village_missing(code: object) -> NotFoundOrForbidden:
    """The one answer, naming the code, for a nagari that does not exist or lies outside
    the user's scope (the same 404)."""
    return NotFoundOrForbidden(
        gettext('Kolom "Nagari": "%(code)s" tidak ditemukan di wilayah Anda.') % {"code": code},
        field="village",
    )


def village_check(village: Region, acting_user: User) -> None:
    if not region_in_scope(acting_user, village.pk):
        raise village_missing(village.pk)
    _village_in_scope(village, acting_user)


def _event_date(held_on: object) -> None:
    if not isinstance(held_on, dt.date):
        raise DomainError(
            gettext('Kolom "Tanggal": "%(value)s" bukan tanggal.')
            % {"value": "" if held_on is None else held_on},
            code="date_invalid",
            field="held_on",
        )
    if held_on > timezone.localdate():
        raise DomainError(
            gettext('Kolom "Tanggal": %(date)s di masa depan; kegiatan dicatat setelah diadakan.')
            % {"date": tanggal(held_on)},
            code="date_future",
            field="held_on",
        )


def _event_changes(
    event: OutreachEvent, changes: dict[str, Any], acting_user: User
) -> dict[str, Any]:
    """``changes`` checked and cleaned, before anything is written."""
    fixed = [name for name in changes if name not in EVENT_EDITABLE]
    if fixed:
        raise DomainError(
            gettext(
                'Kolom "%(field)s" tidak dapat diubah setelah kegiatan dicatat; yang dapat '
                "diubah: %(editable)s."
            )
            % {
                "field": _field_label(fixed[0]),
                "editable": ", ".join(str(_EVENT_LABELS[n]) for n in EVENT_EDITABLE),
            },
            code="field_not_editable",
            field=fixed[0],
        )
    clean = dict(changes)
    for name in ("title", "place", "notes"):
        if name in clean:
            clean[name] = _event_text(clean[name], field=name, required=name != "notes")
    if "held_on" in clean:
        _event_date(clean["held_on"])
    for name in ("village", "organiser"):
        if name in clean and clean[name] is None:
            raise DomainError(
                gettext('Kolom "%(label)s" wajib diisi.') % {"label": _EVENT_LABELS[name]},
                code="required",
                field=name,
            )
    if "village" in clean:
        village_check(clean["village"], acting_user)
    if "co_organisers" in clean:
        clean["co_organisers"] = sorted(
            {a.pk: a for a in clean["co_organisers"]}.values(), key=lambda a: a.pk
        )
    agency = clean.get("organiser")
    if agency is not None and agency.pk != event.organiser_id and not agency.is_active:
        raise DomainError(
            gettext('Kolom "Penyelenggara": instansi "%(name)s" tidak aktif.')
            % {"name": agency.name},
            code="agency_inactive",
            field="organiser",
        )
    return clean


@transaction.atomic
def event_update(*, event: OutreachEvent, acting_user: User, **changes: Any) -> OutreachEvent:
    """Correct an event's title, date, place, nagari, organisers or notes
    (``EVENT_EDITABLE``), with the permission and the region scope of recording one (the
    nagari it was held in and the new one). Every value is checked before anything is
    written; the audit event holds what changed, before and after. Nothing changed,
    nothing written."""
    require_perm(acting_user, "outreach.manage_events")
    event = OutreachEvent.objects.select_for_update().get(pk=event.pk)
    if not region_in_scope(acting_user, event.village_id):
        raise NotFoundOrForbidden(gettext("Kegiatan tidak ditemukan."))
    clean = _event_changes(event, changes, acting_user)
    co_organisers = clean.pop("co_organisers", None)
    organiser = clean.get("organiser", event.organiser)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for name, value in clean.items():
        old = model_snapshot(event, [name])[name]
        setattr(event, name, value)
        new = model_snapshot(event, [name])[name]
        if old != new:
            before[name], after[name] = old, new
    old_co = sorted(event.co_organisers.values_list("pk", flat=True))
    new_co = old_co
    if co_organisers is not None or "organiser" in after:
        chosen = co_organisers if co_organisers is not None else list(event.co_organisers.all())
        new_co = sorted(a.pk for a in chosen if a.pk != organiser.pk)
        if new_co != old_co:
            before["co_organisers"], after["co_organisers"] = old_co, new_co
    if not after:
        return event
    fields = [name for name in after if name != "co_organisers"]
    if fields:
        event.full_clean(exclude=["code"])
        event.save(update_fields=fields)
    if new_co != old_co:
        event.co_organisers.set(new_co)
    audit_record(
        action="outreach.event.updated",
        acting_user=acting_user,
        obj=event,
        before=before,
        after=after,
    )
    return event


OFFICE_SUFFIXES = (".pptx", ".docx")
OFFICE_PARTS = {".pptx": "ppt/", ".docx": "word/"}


def _material_content_check(upload: UploadedFile, *, name: str, suffix: str) -> None:
    """The content must be what the name says (a sign-in sheet named .pdf that is an
    HTML page or a program is refused): PDF/JPEG/PNG by their leading bytes and with no
    page markup (claims' ``document_check``); PPTX/DOCX as an Office Open XML zip."""
    if suffix not in OFFICE_SUFFIXES:
        from jamsos.claims.documents import document_check

        document_check(upload, max_bytes=MATERIAL_MAX_BYTES)
        return
    refused = DomainError(
        gettext('Isi berkas "%(name)s" bukan %(upper)s yang sah.')
        % {"name": name, "upper": suffix.lstrip(".").upper()},
        code="file_content",
    )
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise refused from exc
    finally:
        upload.seek(0)
    if "[Content_Types].xml" not in names or not any(
        n.startswith(OFFICE_PARTS[suffix]) for n in names
    ):
        raise refused


@transaction.atomic
def material_upload(
    *, event: OutreachEvent, kind: str, title: str, upload: UploadedFile, acting_user: User
) -> EventMaterial:
    require_perm(acting_user, "outreach.manage_events")
    if not region_in_scope(acting_user, event.village_id):
        raise NotFoundOrForbidden(gettext("Kegiatan tidak ditemukan."))
    if kind not in EventMaterial.Kind.values:
        raise DomainError(gettext("Jenis berkas tidak dikenal."), code="kind_unknown")
    name = upload.name or "berkas"
    suffix = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if suffix not in MATERIAL_TYPES:
        raise DomainError(
            gettext('Berkas "%(name)s": hanya PDF, JPG, PNG, PPTX atau DOCX.') % {"name": name},
            code="file_type",
        )
    if (upload.size or 0) > MATERIAL_MAX_BYTES:
        raise DomainError(gettext("Berkas lebih dari 10 MB."), code="file_too_large")
    _material_content_check(upload, name=name, suffix=suffix)
    material = EventMaterial(
        event=event,
        kind=kind,
        title=(title or name).strip()[:200],
        file_name=name[:255],
        content_type=MATERIAL_TYPES[suffix],
        size=upload.size or 0,
        uploaded_by=acting_user,
    )
    material.file.save(name, upload, save=False)
    material.save()
    audit_record(
        action="outreach.material.uploaded",
        acting_user=acting_user,
        obj=event,
        data={"material": material.pk, "kind": kind, "file_name": name[:100]},
    )
    return material


def event_code_normalise(raw: str) -> str:
    """``sos 12`` / ``SOS-00012`` / ``12`` → ``SOS-00012``; "" stays ""."""
    text = "".join(ch for ch in (raw or "").upper() if ch.isalnum())
    if not text:
        return ""
    digits = text.removeprefix("SOS")
    if not digits.isdigit() or len(digits) > 9:
        raise DomainError(
            gettext('"%(value)s" bukan kode kegiatan (contoh: SOS-00012).') % {"value": raw},
            code="event_code_invalid",
        )
    return f"SOS-{int(digits):05d}"


def event_code_check(raw: str) -> str:
    """The normalised code of an existing event, for a proposal; "" when none was given."""
    code = event_code_normalise(raw)
    if code and not OutreachEvent.objects.filter(code=code).exists():
        raise DomainError(
            gettext('Kode kegiatan "%(code)s" tidak dikenal.') % {"code": code},
            code="event_code_unknown",
        )
    return code


# --- Follow-ups --------------------------------------------------------------------------


def _death_claim(person_id: int) -> Any:
    from jamsos.claims.models import DEATH_TYPES, Claim

    return (
        Claim.objects.filter(person_id=person_id, claim_type__in=DEATH_TYPES)
        .exclude(status__in=[Claim.Status.REJECTED, Claim.Status.WITHDRAWN])
        .order_by("pk")
        .first()
    )


def covered_on(person_id: int, day: dt.date) -> bool:
    """Was the person a member (coverage month running or ended by the death) that day?"""
    from jamsos.enrollment.models import Membership

    month = Month.from_date(day).first_day()
    return (
        Membership.objects.filter(
            person_id=person_id, first_month__lte=month, last_month__gte=month
        )
        .exclude(status=Membership.Status.CANCELLED)
        .exists()
    )


def followup_open_unchecked(
    *,
    person: Person,
    died_on: dt.date,
    source: str,
    acting_user: User | None,
    source_note: str = "",
) -> tuple[FollowUp, bool]:
    """The person's follow-up, opened now if there is none (``(followup, opened)``).

    Unchecked: the caller holds the transaction and checked the permission of what
    reported the death. A death already claimed gets a follow-up that is already
    ``claimed`` (the register of deaths stays complete); an open one queues a message to
    the nagari's agents.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("followup_open_unchecked must run inside a transaction")
    existing = FollowUp.objects.select_for_update().filter(person=person).first()
    if existing is not None:
        return existing, False
    claim = _death_claim(person.pk)
    followup = FollowUp(
        person=person,
        village_id=person.village_id,
        died_on=died_on,
        source=source,
        source_note=source_note[:255],
        opened_by=acting_user if acting_user and acting_user.pk else None,
    )
    if claim is not None:
        followup.status = FollowUp.Status.CLAIMED
        followup.claim = claim
        followup.closed_at = timezone.now()
    followup.full_clean()
    followup.save()
    audit_record(
        action="outreach.followup.opened",
        acting_user=acting_user,
        obj=followup,
        after={"status": followup.status, "died_on": died_on.isoformat(), "source": source},
    )
    if followup.status == FollowUp.Status.OPEN:
        from jamsos.messaging.services import message_enqueue

        message_enqueue("outreach.followup.opened", {"followup": followup})
    return followup, True


@transaction.atomic
def death_report(
    *, person: Person, died_on: dt.date, acting_user: User, note: str = ""
) -> FollowUp:
    """An agent (or operator) reports a member's death: a follow-up opens with the
    nagari's agent. Nothing in the registry or the cover changes (not proof)."""
    require_perm(acting_user, "outreach.report_death")
    if not region_in_scope(acting_user, person.village_id):
        raise NotFoundOrForbidden(gettext("Peserta tidak ditemukan."))
    if died_on > timezone.localdate():
        raise DomainError(
            gettext("Tanggal meninggal tidak boleh di masa depan."), code="date_future"
        )
    if died_on < person.birth_date:
        raise DomainError(
            gettext("Tanggal meninggal sebelum tanggal lahir."), code="date_before_birth"
        )
    if not covered_on(person.pk, died_on):
        raise DomainError(
            gettext(
                "%(name)s bukan peserta pada %(date)s; tidak ada klaim JKM untuk ditindaklanjuti."
            )
            % {"name": person.full_name, "date": tanggal(died_on)},
            code="not_covered",
        )
    followup, opened = followup_open_unchecked(
        person=person,
        died_on=died_on,
        source=FollowUp.Source.AGENT_REPORT,
        acting_user=acting_user,
        source_note=note.strip(),
    )
    audit_record(
        action="outreach.death.reported",
        acting_user=acting_user,
        obj=person,
        data={"died_on": died_on.isoformat(), "followup": followup.pk, "opened": opened},
    )
    return followup


@transaction.atomic
def death_report_confirm(*, followup: FollowUp, note: str, acting_user: User) -> FollowUp:
    """A second person confirms an agent's death report (see the module docstring)."""
    require_perm(acting_user, "outreach.confirm_death")
    followup = FollowUp.objects.select_for_update().select_related("person").get(pk=followup.pk)
    if not region_in_scope(acting_user, followup.village_id):
        raise NotFoundOrForbidden(gettext("Tindak lanjut tidak ditemukan."))
    if followup.source != FollowUp.Source.AGENT_REPORT:
        raise InvalidTransition(gettext("Hanya laporan agen/petugas yang perlu dikonfirmasi."))
    if followup.death_confirmed_at is not None:
        raise InvalidTransition(gettext("Laporan kematian ini sudah dikonfirmasi."))
    if followup.opened_by_id == acting_user.pk:
        raise DomainError(
            gettext("Pelapor tidak boleh mengonfirmasi laporannya sendiri."), code="same_person"
        )
    if (
        followup.status == FollowUp.Status.CLOSED
        and followup.reason == FollowUp.Reason.WRONG_PERSON
    ):
        raise InvalidTransition(gettext("Tindak lanjut ditutup: data kematian keliru."))
    note = note.strip()
    if not note:
        raise DomainError(
            gettext("Sebutkan dasar konfirmasi (mis. surat keterangan kematian)."),
            code="note_required",
        )
    followup.death_confirmed_by = acting_user
    followup.death_confirmed_at = timezone.now()
    followup.death_confirmed_note = note[:255]
    followup.save(
        update_fields=["death_confirmed_by", "death_confirmed_at", "death_confirmed_note"]
    )
    _death_ends_cover(
        followup.person, followup.died_on, f"laporan agen dikonfirmasi: {note}"[:200], acting_user
    )
    audit_record(
        action="outreach.death.confirmed",
        acting_user=acting_user,
        obj=followup,
        data={
            "died_on": followup.died_on.isoformat(),
            "reported_by": followup.opened_by_id,
            "note": note[:255],
        },
    )
    return followup


def followup_claim_filed_unchecked(*, claim: Any, acting_user: User | None) -> FollowUp | None:
    """A death claim was filed: the person's follow-up is claimed (one is recorded if the
    claim came first). Called by ``claims.services.claim_report`` in its transaction."""
    from jamsos.claims.models import DEATH_TYPES

    if claim.claim_type not in DEATH_TYPES:
        return None
    followup = FollowUp.objects.select_for_update().filter(person_id=claim.person_id).first()
    if followup is None:
        followup, _opened = followup_open_unchecked(
            person=claim.person,
            died_on=claim.event_date,
            source=FollowUp.Source.CLAIM,
            acting_user=acting_user,
            source_note=claim.reference,
        )
        return followup
    if followup.status == FollowUp.Status.CLAIMED and followup.claim_id == claim.pk:
        return followup
    before = {"status": followup.status, "reason": followup.reason}
    followup.status = FollowUp.Status.CLAIMED
    followup.claim = claim
    followup.reason = ""
    followup.reason_note = ""
    followup.closed_at = timezone.now()
    followup.closed_by = acting_user if acting_user and acting_user.pk else None
    followup.save()
    audit_record(
        action="outreach.followup.closed",
        acting_user=acting_user,
        obj=followup,
        before=before,
        after={"status": followup.status, "claim": claim.pk},
    )
    return followup


def followup_claim_ended_unchecked(*, claim: Any, acting_user: User | None) -> FollowUp | None:
    """The claim a follow-up waited on was rejected or withdrawn: open it again, so the
    agent helps the heirs file again or records why not."""
    followup = (
        FollowUp.objects.select_for_update()
        .filter(claim_id=claim.pk, status=FollowUp.Status.CLAIMED)
        .first()
    )
    if followup is None:
        return None
    followup.status = FollowUp.Status.OPEN
    followup.closed_at = None
    followup.closed_by = None
    followup.save()
    audit_record(
        action="outreach.followup.opened",
        acting_user=acting_user,
        obj=followup,
        before={"status": FollowUp.Status.CLAIMED, "claim": claim.pk},
        after={"status": followup.status, "reopened_because": claim.status},
    )
    return followup


@transaction.atomic
def followup_close(
    *, followup: FollowUp, reason: str, note: str = "", acting_user: User
) -> FollowUp:
    """The agent records why no claim will come; the follow-up leaves the open list."""
    require_perm(acting_user, "outreach.report_death")
    if not region_in_scope(acting_user, followup.village_id):
        raise NotFoundOrForbidden(gettext("Tindak lanjut tidak ditemukan."))
    followup = FollowUp.objects.select_for_update().get(pk=followup.pk)
    if followup.status != FollowUp.Status.OPEN:
        raise InvalidTransition(
            gettext("Tindak lanjut ini sudah %(status)s.")
            % {"status": followup.get_status_display().lower()},
            status=followup.status,
        )
    if reason not in FollowUp.Reason.values:
        raise DomainError(gettext("Pilih alasan."), code="reason_required")
    if reason == FollowUp.Reason.OTHER and not note.strip():
        raise DomainError(gettext("Alasan “lainnya” perlu keterangan."), code="note_required")
    followup.status = FollowUp.Status.CLOSED
    followup.reason = reason
    followup.reason_note = note.strip()[:255]
    followup.closed_by = acting_user
    followup.closed_at = timezone.now()
    followup.full_clean()
    followup.save()
    audit_record(
        action="outreach.followup.closed",
        acting_user=acting_user,
        obj=followup,
        before={"status": FollowUp.Status.OPEN},
        after={"status": followup.status, "reason": reason, "note": followup.reason_note},
    )
    return followup


# --- Dukcapil death list ---------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        return gettext('Baris %(row)s, kolom "%(column)s": "%(value)s" %(message)s') % {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


class DeathListInvalid(DomainError):
    code = "death_list_invalid"

    def __init__(self, errors: list[RowError]) -> None:
        shown = "; ".join(str(e) for e in errors[:20])
        more = len(errors) - 20
        if more > 0:
            shown += " " + gettext("… dan %(n)s kesalahan lagi.") % {"n": more}
        super().__init__(
            gettext("Daftar kematian tidak diimpor (tidak ada yang disimpan): %(errors)s")
            % {"errors": shown},
            errors=[e.__dict__ for e in errors],
        )
        self.errors = errors


@dataclass
class DeathImportSummary:
    rows: int = 0
    members_found: int = 0
    followups_opened: int = 0
    not_members: int = 0
    already_known: int = 0
    duplicate_file: bool = False
    import_id: int | None = None
    persons: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "members_found": self.members_found,
            "followups_opened": self.followups_opened,
            "not_members": self.not_members,
            "already_known": self.already_known,
            "duplicate_file": self.duplicate_file,
        }


NIK_HEADERS = {"NIK", "NOMOR INDUK KEPENDUDUKAN", "NO NIK"}
DATE_HEADERS = {
    "TANGGAL MENINGGAL",
    "TGL MENINGGAL",
    "TANGGAL KEMATIAN",
    "TGL KEMATIAN",
    "TANGGAL WAFAT",
    "TGL WAFAT",
}
NAME_HEADERS = {"NAMA", "NAMA LENGKAP", "NAMA ALMARHUM"}
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d")


def _header_key(cell: str) -> str:
    return " ".join((cell or "").upper().replace("_", " ").replace(".", " ").split())


def _header_score(cells: list[str]) -> int:
    keys = {_header_key(c) for c in cells if c}
    return (2 if keys & NIK_HEADERS else 0) + (2 if keys & DATE_HEADERS else 0)


def _date_parse(text: str) -> dt.date | None:
    text = text.strip().split(" ")[0]
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


@dataclass(frozen=True)
class _Death:
    row: int
    nik: str
    died_on: dt.date
    name: str


def _deaths_read(data: bytes, file_name: str) -> tuple[list[_Death], list[RowError], int]:
    from jamsos.lib.nik import nik_clean
    from jamsos.lib.tabular import table_read

    table = table_read(data, file_name=file_name, header_score=_header_score, min_score=4)
    by_key = {_header_key(h): h for h in table.headers}
    nik_col = next(by_key[k] for k in by_key if k in NIK_HEADERS)
    date_col = next(by_key[k] for k in by_key if k in DATE_HEADERS)
    name_col = next((by_key[k] for k in by_key if k in NAME_HEADERS), None)
    deaths: list[_Death] = []
    errors: list[RowError] = []
    seen: dict[str, _Death] = {}
    today = timezone.localdate()
    rows = 0
    for index, record in enumerate(table.frame.iter_rows(named=True)):
        number = table.first_row + index
        raw_nik = (record.get(nik_col) or "").strip()
        raw_date = (record.get(date_col) or "").strip()
        name = ((record.get(name_col) or "") if name_col else "").strip()
        if not raw_nik and not raw_date and not name:
            continue  # a blank line
        rows += 1
        nik = nik_clean(raw_nik)
        if len(nik) != 16 or not nik.isdigit():
            errors.append(RowError(number, nik_col, raw_nik, gettext("bukan NIK (16 angka).")))
            continue
        died_on = _date_parse(raw_date)
        if died_on is None:
            errors.append(
                RowError(number, date_col, raw_date, gettext("bukan tanggal (mis. 31-01-2026)."))
            )
            continue
        if died_on > today:
            errors.append(RowError(number, date_col, raw_date, gettext("di masa depan.")))
            continue
        death = _Death(number, nik, died_on, name)
        earlier = seen.get(nik)
        if earlier is not None:
            if earlier.died_on != died_on:
                errors.append(
                    RowError(
                        number,
                        date_col,
                        raw_date,
                        gettext("berbeda dengan baris %(row)s untuk NIK yang sama.")
                        % {"row": earlier.row},
                    )
                )
            continue
        seen[nik] = death
        deaths.append(death)
    return deaths, errors, rows


def deaths_import(
    *,
    data: bytes | Path | File,
    file_name: str,
    acting_user: User | None,
    dry_run: bool = False,
) -> DeathImportSummary:
    """Import a Dukcapil death list (see the module docstring). ``acting_user`` None is
    the system (the command line on the server). ``data`` is the file's bytes, its path
    or the upload; a file over the upload cap is refused (``FileTooLarge``) before it is
    read."""
    from jamsos.lib.tabular import upload_read

    if acting_user is not None:
        require_perm(acting_user, "outreach.import_deaths")
    data = upload_read(data, file_name=file_name)
    digest = hashlib.sha256(data).hexdigest()
    done = DeathImport.objects.filter(file_sha256=digest).first()
    if done is not None:
        return DeathImportSummary(
            rows=done.rows_total,
            members_found=done.members_found,
            followups_opened=0,
            not_members=done.not_members,
            already_known=done.members_found,
            duplicate_file=True,
            import_id=done.pk,
        )
    deaths, errors, rows = _deaths_read(data, file_name)
    persons = {
        p.nik: p
        for p in Person.objects.filter(nik__in=[d.nik for d in deaths]).select_related("village")
    }
    for death in deaths:
        person = persons.get(death.nik)
        if person is not None and death.died_on < person.birth_date:
            errors.append(
                RowError(
                    death.row,
                    "tanggal",
                    death.died_on.isoformat(),
                    gettext("sebelum tanggal lahir peserta (%(birth)s).")
                    % {"birth": tanggal(person.birth_date)},
                )
            )
    if errors:
        raise DeathListInvalid(sorted(errors, key=lambda e: (e.row, e.column)))
    summary = DeathImportSummary(rows=rows)
    with transaction.atomic():
        for death in deaths:
            person = persons.get(death.nik)
            in_scope = person is not None and (
                acting_user is None or region_in_scope(acting_user, person.village_id)
            )
            if not in_scope or not covered_on(person.pk, death.died_on):  # type: ignore[union-attr]
                summary.not_members += 1
                continue
            summary.members_found += 1
            summary.persons.append(person.pk)  # type: ignore[union-attr]
            because = f"daftar kematian Dukcapil {file_name}"[:200]
            _death_ends_cover(person, death.died_on, because, acting_user)  # type: ignore[arg-type]
            _followup, opened = followup_open_unchecked(
                person=person,  # type: ignore[arg-type]
                died_on=death.died_on,
                source=FollowUp.Source.DUKCAPIL,
                acting_user=acting_user,
                source_note=f"{file_name} baris {death.row}"[:255],
            )
            if opened:
                summary.followups_opened += 1
            else:
                summary.already_known += 1
        if dry_run:
            transaction.set_rollback(True)
            return summary
        record = DeathImport.objects.create(
            file_name=file_name[:255],
            file_sha256=digest,
            rows_total=rows,
            members_found=summary.members_found,
            followups_opened=summary.followups_opened,
            not_members=summary.not_members,
            already_known=summary.already_known,
            imported_by=acting_user if acting_user and acting_user.pk else None,
        )
        summary.import_id = record.pk
        audit_record(
            action="outreach.deaths.imported",
            acting_user=acting_user,
            obj=record,
            region_code=(acting_user.region_id if acting_user else "") or "",
            data={"file_name": file_name[:100], "sha256": digest, **summary.as_dict()},
        )
    return summary


def _death_ends_cover(
    person: Person, died_on: dt.date, because: str, acting_user: User | None
) -> None:
    """The path a paid death claim takes (``claims.services._death_ends_cover``): the
    registry records the death, the memberships end in the month of death, and months
    billed after it are credited back to their funding sources."""
    from jamsos.contributions.services.adjustments import membership_months_credit_unchecked
    from jamsos.enrollment.models import Membership
    from jamsos.enrollment.services.coverage import memberships_end_for_death_unchecked
    from jamsos.registry.services import person_mark_deceased_unchecked

    person_mark_deceased_unchecked(
        person=person, deceased_on=died_on, acting_user=acting_user, source=because
    )
    memberships_end_for_death_unchecked(
        person_id=person.pk, died_on=died_on, reason=because, acting_user=acting_user
    )
    membership_months_credit_unchecked(
        membership_ids=list(
            Membership.objects.filter(person_id=person.pk).values_list("pk", flat=True)
        ),
        after=Month.from_date(died_on),
        reason=f"Peserta meninggal {tanggal(died_on)} ({because})",
        acting_user=acting_user,
    )
