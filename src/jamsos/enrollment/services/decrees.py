"""Writes of decrees (SK penetapan penerima): draft → approved → issued; amendments.

**Drafting from a reservation** (``decree_draft_from_reservation``):

1. Outside any lock: the reservation must be active; the persons are the given ones or,
   when none are given, the reservation's named persons; a reservation that names
   persons allows only those. Every person must exist, be alive, live in the kabupaten
   (and the reservation's nagari) and in the drafter's scope — checked in chunks, no
   per-person query.
2. In one transaction: lock the reservation row, then the persons' rows (id order);
   re-count the persons the reservation's other live decrees already use and refuse if
   this decree would exceed ``reservation.persons``; refuse persons already covered for
   an overlapping month (pending/active membership, or a live line of another decree:
   the reservation's own duplicate check runs under one pagu's lock only, so two pagu
   could otherwise cover one person twice).
3. Write the decree, its lines with a snapshot of each person (COPY on PostgreSQL), and
   one audit event.

**Issuing** locks the pagu then the reservation — the order ``reservation_release``
uses — so a reservation cannot be released while its decree is being issued; the release
itself is refused afterwards (``reservation_release_guard``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from jamsos.accounts.access import region_in_scope, require_perm
from jamsos.accounts.models import User
from jamsos.audit.services import audit_record, model_snapshot
from jamsos.budget.models import Allocation, Reservation
from jamsos.enrollment.models import Decree, DecreeLine, DecreeSetting, LegalBasis
from jamsos.enrollment.services.common import (
    REMAINING_MONTHS_REF,
    SHOWN,
    id_chunks,
    ids_q,
    persons_lock,
    raise_if_covered,
    require,
    unique_ids,
    validated,
)
from jamsos.enrollment.texts import amendment_texts_prefill, decree_texts_prefill, legal_bases_on
from jamsos.lib.bulkcopy import rows_insert
from jamsos.lib.errors import DomainError, InvalidTransition, PermissionDenied
from jamsos.lib.formats import angka
from jamsos.lib.nik import nik_mask
from jamsos.lib.periods import Month
from jamsos.regions.models import Region
from jamsos.registry.models import Person

LIVE_DECREE_STATUSES = (Decree.Status.DRAFT, Decree.Status.APPROVED, Decree.Status.ISSUED)
_LINE_FIELDS = (
    "decree",
    "line_no",
    "action",
    "person",
    "nik",
    "full_name",
    "birth_date",
    "sex",
    "village",
    "occupation",
    "funding_source",
    "segment",
    "first_month",
    "last_month",
    "bpjs_status",
    "bpjs_reason",
    "bpjs_reason_code",
    "kpj_number",
    "budget_return_ref",
)
TEXT_FIELDS = (
    "title",
    "place",
    "signer_name",
    "signer_title",
    "considerations",
    "legal_bases",
    "decisions",
)


class DecreeOverQuota(DomainError):
    code = "decree_over_quota"
    http_status = 409


# --- Reads the writes need -----------------------------------------------------------------


def reservation_used_persons(*, reservation_id: int, exclude_decree_id: int | None = None) -> int:
    """Persons the reservation's decrees still name: added, not rejected, not struck."""
    lines = DecreeLine.objects.filter(
        decree__reservation_id=reservation_id,
        decree__status__in=LIVE_DECREE_STATUSES,
        action=DecreeLine.Action.ADD,
        removed_by_line__isnull=True,
    ).exclude(bpjs_status=DecreeLine.BpjsStatus.REJECTED)
    if exclude_decree_id is not None:
        lines = lines.exclude(decree_id=exclude_decree_id)
    return lines.count()


def decree_chain_ids(decree: Decree) -> list[int]:
    """The original decree and every amendment below it (one query per generation)."""
    root = decree
    while root.amends_id is not None:
        root = Decree.objects.only("pk", "amends_id").get(pk=root.amends_id)
    ids, frontier = [root.pk], [root.pk]
    while frontier:
        frontier = list(Decree.objects.filter(amends_id__in=frontier).values_list("pk", flat=True))
        ids += frontier
    return ids


def chain_live_lines(chain_ids: Sequence[int]) -> Any:
    """Live recipients of a decree and its issued amendments."""
    return DecreeLine.objects.filter(
        decree_id__in=chain_ids,
        decree__status=Decree.Status.ISSUED,
        action=DecreeLine.Action.ADD,
        removed_by_line__isnull=True,
    ).exclude(bpjs_status=DecreeLine.BpjsStatus.REJECTED)


# --- Persons -----------------------------------------------------------------------------------

_SNAPSHOT = ("pk", "nik", "full_name", "birth_date", "sex", "village_id", "occupation__name")


def _persons_snapshot(
    ids: Sequence[int], *, acting_user: User | None, region: Region, nagari: Region | None
) -> list[tuple[Any, ...]]:
    """Every person exists, is alive and lies in the kabupaten (and nagari) and in the
    actor's scope; returns their snapshot rows ordered by village and name."""
    problems: list[str] = []
    rows: list[tuple[Any, ...]] = []
    for chunk in id_chunks(ids):
        found = list(
            Person.objects.filter(ids_q("pk", chunk)).values_list(*_SNAPSHOT, "is_deceased")
        )
        seen = {row[0] for row in found}
        for _pk, nik, name, _born, _sex, village, _occ, deceased in found:
            label = f"{name} ({nik_mask(nik)})"
            if not region.contains(village):
                problems.append(
                    gettext("%(label)s: bukan warga %(name)s")
                    % {"label": label, "name": region.name}
                )
            elif acting_user is not None and not region_in_scope(acting_user, village):
                problems.append(gettext("%(label)s: di luar cakupan Anda") % {"label": label})
            elif nagari is not None and village != nagari.pk:
                problems.append(
                    gettext("%(label)s: bukan warga %(name)s")
                    % {"label": label, "name": nagari.name}
                )
            elif deceased:
                problems.append(gettext("%(label)s: sudah meninggal") % {"label": label})
        problems += [
            gettext("ID %(pk)s: tidak ada di registri") % {"pk": pk}
            for pk in chunk
            if pk not in seen
        ]
        rows += [row[:-1] for row in found]
        if len(problems) >= SHOWN:
            break
    if problems:
        more = gettext(" (dan lainnya)") if len(problems) > SHOWN else ""

        raise DomainError(
            "Peserta tidak dapat dimasukkan ke SK: " + "; ".join(problems[:SHOWN]) + more + ".",
            code="invalid_persons",
            persons=problems[:SHOWN],
        )
    rows.sort(key=lambda row: (row[5], row[2].lower(), row[0]))
    return rows


def _lines_insert(
    decree: Decree,
    rows: Iterable[tuple[Any, ...]],
    *,
    action: str,
    reservation: Reservation,
    start_no: int = 1,
) -> int:
    source = reservation.allocation.source_id
    return rows_insert(
        DecreeLine,
        _LINE_FIELDS,
        (
            (
                decree.pk,
                start_no + i,
                action,
                pk,
                nik,
                name,
                born,
                sex,
                village,
                occupation,
                source,
                reservation.segment,
                reservation.first_month,
                reservation.last_month,
                DecreeLine.BpjsStatus.PENDING,
                "",
                "",
                "",
                "",
            )
            for i, (pk, nik, name, born, sex, village, occupation) in enumerate(rows)
        ),
    )


def _check_quota(reservation: Reservation, adding: int, *, removing: int = 0) -> None:
    used = reservation_used_persons(reservation_id=reservation.pk)
    if used + adding - removing > reservation.persons:
        left = max(0, reservation.persons - used + removing)
        raise DecreeOverQuota(
            gettext(
                "Reservasi #%(pk)s untuk %(persons)s orang; sudah dipakai %(used)s orang "
                "di SK lain, sisa %(left)s. SK ini menyebut %(adding)s orang."
            )
            % {
                "pk": reservation.pk,
                "persons": angka(reservation.persons),
                "used": angka(used),
                "left": angka(left),
                "adding": angka(adding),
            },
            reservation_persons=reservation.persons,
            used=used,
            requested=adding,
        )


def _named_only(reservation: Reservation, ids: Sequence[int]) -> list[int] | None:
    """The reservation's named persons, and a refusal for anyone else."""
    named = list(reservation.lines.values_list("person_id", flat=True))
    if not named:
        return None
    outside = sorted(set(ids) - set(named))
    if outside:
        names = Person.objects.filter(pk__in=outside[:SHOWN]).values_list("full_name", "nik")
        shown = "; ".join(f"{n} ({nik_mask(k)})" for n, k in names)
        raise DomainError(
            gettext(
                "Reservasi #%(pk)s menyebut pesertanya; %(outside)s orang tidak "
                "termasuk: %(shown)s."
            )
            % {"pk": reservation.pk, "outside": angka(len(outside)), "shown": shown},
            code="not_in_reservation",
        )
    return named


def _active_reservation(reservation: Reservation, *, lock: bool) -> Reservation:
    queryset = Reservation.objects.select_related(
        "allocation", "allocation__source", "allocation__fiscal_year", "phase", "nagari"
    )
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    current = queryset.get(pk=reservation.pk)
    if current.status != Reservation.Status.ACTIVE:
        raise InvalidTransition(
            gettext("%(current)s sudah dilepas; SK tidak bisa memakainya.") % {"current": current}
        )
    return current


# --- Draft -----------------------------------------------------------------------------------


def decree_draft_from_reservation(
    *,
    reservation: Reservation,
    acting_user: User | None,
    persons: Iterable[Person | int] | None = None,
    title: str = "",
    _unsafe_skip_lock: bool = False,
    _after_check: Callable[[], None] | None = None,
) -> Decree:
    """Draft an SK penetapan for persons of one reservation (see the module docstring).

    ``_unsafe_skip_lock`` and ``_after_check`` exist only so the concurrency test can show
    the double coverage the person lock prevents; never pass them.
    """
    fiscal_year = reservation.allocation.fiscal_year
    region = fiscal_year.region
    require(acting_user, "enrollment.draft_decree", region.pk)
    reservation = _active_reservation(reservation, lock=False)
    if persons is None:
        ids = list(reservation.lines.values_list("person_id", flat=True))
        if not ids:
            raise DomainError(
                gettext("Reservasi #%(pk)s tidak menyebut peserta; pilih peserta SK.")
                % {"pk": reservation.pk},
                code="persons_required",
            )
    else:
        ids = unique_ids(persons)
        if not ids:
            raise DomainError(gettext("Daftar peserta SK kosong."), code="persons_required")
        _named_only(reservation, ids)
    rows = _persons_snapshot(ids, acting_user=acting_user, region=region, nagari=reservation.nagari)
    texts = decree_texts_prefill(reservation=reservation, persons=len(ids), title=title)
    decree = Decree(
        region=region,
        fiscal_year=fiscal_year,
        phase=reservation.phase,
        reservation=reservation,
        title=texts.title[:300],
        place=texts.place,
        considerations=texts.considerations,
        legal_bases=texts.legal_bases,
        decisions=texts.decisions,
        signer_name=texts.signer_name,
        signer_title=texts.signer_title,
        first_month=reservation.first_month,
        last_month=reservation.last_month,
        created_by=acting_user if acting_user is not None else _system_user_required(),
    )
    validated(decree, exclude=["region", "fiscal_year", "phase", "reservation", "created_by"])
    with transaction.atomic():
        reservation = _active_reservation(reservation, lock=True)
        if not _unsafe_skip_lock:
            persons_lock(ids)
        _check_quota(reservation, len(ids))
        raise_if_covered(ids, first=reservation.first_month, last=reservation.last_month)
        if _after_check is not None:
            _after_check()
        decree.save(force_insert=True)
        _lines_insert(decree, rows, action=DecreeLine.Action.ADD, reservation=reservation)
        audit_record(
            action="enrollment.decree.drafted",
            acting_user=acting_user,
            obj=decree,
            after={"title": decree.title, "persons": len(ids)},
            data={
                "reservation": reservation.pk,
                "first_month": str(Month.from_date(decree.first_month)),
                "last_month": str(Month.from_date(decree.last_month)),
            },
        )
    return decree


def _system_user_required() -> User:
    raise DomainError(gettext("Penyusun SK harus pengguna yang masuk."), code="actor_required")


@transaction.atomic
def decree_texts_update(*, decree: Decree, acting_user: User | None, **changes: Any) -> Decree:
    """Edit a draft's title, place, signer, menimbang, mengingat or memutuskan."""
    require(acting_user, "enrollment.draft_decree", decree.region_id)
    unknown = sorted(set(changes) - set(TEXT_FIELDS))
    if unknown:
        raise DomainError(
            gettext("Kolom tidak dapat diubah: %(unknown)s.") % {"unknown": ", ".join(unknown)},
            code="invalid",
        )
    decree = Decree.objects.select_for_update().get(pk=decree.pk)
    if decree.status != Decree.Status.DRAFT:
        raise InvalidTransition(gettext("Hanya draf SK yang dapat diubah."))
    for name in ("considerations", "legal_bases", "decisions"):
        if name in changes:
            changes[name] = [" ".join(str(t).split()) for t in changes[name] if str(t).strip()]
    for name in ("title", "place", "signer_name", "signer_title"):
        if name in changes:
            changes[name] = " ".join(str(changes[name]).split())
    if "title" in changes and not changes["title"]:
        raise DomainError(gettext("Judul SK wajib diisi."), code="title_required")
    changed = [name for name, value in changes.items() if getattr(decree, name) != value]
    if not changed:
        return decree
    before = model_snapshot(decree, changed)
    for name in changed:
        setattr(decree, name, changes[name])
    validated(decree, exclude=["region", "fiscal_year", "phase", "reservation", "created_by"])
    decree.save(update_fields=changed)
    audit_record(
        action="enrollment.decree.texts_updated",
        acting_user=acting_user,
        obj=decree,
        before=before,
        after=model_snapshot(decree, changed),
    )
    return decree


@transaction.atomic
def decree_cancel(*, decree: Decree, reason: str, acting_user: User | None) -> Decree:
    """Drop a draft or approved decree that will not be issued (an issued one cannot)."""
    require(acting_user, "enrollment.draft_decree", decree.region_id)
    if not reason.strip():
        raise DomainError(gettext("Sebutkan alasan pembatalan."), code="reason_required")
    decree = Decree.objects.select_for_update().get(pk=decree.pk)
    if decree.status not in (Decree.Status.DRAFT, Decree.Status.APPROVED):
        raise InvalidTransition(
            gettext("%(decree)s sudah %(lower)s.")
            % {"decree": decree, "lower": decree.get_status_display().lower()}
        )
    before = decree.status
    decree.status = Decree.Status.CANCELLED
    decree.save(update_fields=["status"])
    audit_record(
        action="enrollment.decree.cancelled",
        acting_user=acting_user,
        obj=decree,
        before={"status": before},
        after={"status": decree.status},
        data={"reason": reason.strip()[:500]},
    )
    return decree


@transaction.atomic
def decree_approve(*, decree: Decree, acting_user: User | None) -> Decree:
    """The Dinas head approves a draft (maker-checker: never the drafter)."""
    require(acting_user, "enrollment.approve_decree", decree.region_id)
    decree = Decree.objects.select_for_update().get(pk=decree.pk)
    if decree.status != Decree.Status.DRAFT:
        raise InvalidTransition(
            gettext("%(decree)s bukan draf (status: %(status)s).")
            % {"decree": decree, "status": decree.get_status_display()}
        )
    if acting_user is not None and decree.created_by_id == acting_user.pk:
        raise PermissionDenied(
            gettext("SK harus disetujui oleh orang lain daripada penyusunnya."),
            code="maker_checker",
        )
    if not decree.lines.exists():
        raise DomainError(gettext("SK tanpa penerima tidak dapat disetujui."), code="no_lines")
    if decree.reservation_id is not None:
        _active_reservation(decree.reservation, lock=False)
    decree.status = Decree.Status.APPROVED
    decree.approved_by = acting_user
    decree.approved_at = timezone.now()
    decree.save(update_fields=["status", "approved_by", "approved_at"])
    audit_record(
        action="enrollment.decree.approved",
        acting_user=acting_user,
        obj=decree,
        before={"status": Decree.Status.DRAFT},
        after={"status": decree.status},
        data={"persons": decree.lines.filter(action=DecreeLine.Action.ADD).count()},
    )
    return decree


def decree_issue(
    *, decree: Decree, number: str, decree_date: dt.date, acting_user: User | None
) -> Decree:
    """Record the signed decree's number and date: approved → issued, immutable after.

    An amending decree, once issued, strikes out the persons it removes: their lines are
    marked, their memberships end, and the money of those BPJS had not accepted yet goes
    back to the reservation (after commit, see ``decree_budget_returns_flush``).

    *Mengingat* is drawn again for the decree's date: the regulations in force on that
    day (a decree dated 2022 never cites a 2023 regulation), plus items written by hand.
    """
    from jamsos.enrollment.services.bpjs import budget_returns_schedule
    from jamsos.enrollment.services.memberships import memberships_end_for_lines

    require(acting_user, "enrollment.issue_decree", decree.region_id)
    number = " ".join((number or "").split())
    if not number:
        raise DomainError(gettext("Nomor SK wajib diisi."), code="number_required")
    if decree_date is None or decree_date > timezone.localdate():
        raise DomainError(
            gettext("Tanggal penetapan wajib diisi dan tidak boleh di masa depan."),
            code="invalid_date",
        )
    reservation = None
    with transaction.atomic():
        if decree.reservation_id is not None:
            # Lock order of reservation_release: the pagu, then the reservation.
            Allocation.objects.select_for_update().get(pk=decree.reservation.allocation_id)
            reservation = _active_reservation(decree.reservation, lock=True)
        decree = Decree.objects.select_for_update().get(pk=decree.pk)
        if decree.status != Decree.Status.APPROVED:
            raise InvalidTransition(
                gettext("%(decree)s belum disetujui kepala dinas (status: %(status)s).")
                % {"decree": decree, "status": decree.get_status_display()}
            )
        clash = Decree.objects.filter(region_id=decree.region_id, number=number).exclude(
            pk=decree.pk
        )
        if clash.exists():
            raise DomainError(
                gettext("Nomor SK %(number)s sudah dipakai SK lain.") % {"number": number},
                code="number_taken",
            )
        removals: list[DecreeLine] = []
        if decree.amends_id is not None and reservation is not None:
            removals = _amendment_apply(decree, reservation)
        drafted_bases = list(decree.legal_bases)
        decree.legal_bases = legal_bases_on(decree=decree, on=decree_date)
        decree.number = number
        decree.decree_date = decree_date
        decree.status = Decree.Status.ISSUED
        decree.issued_by = acting_user
        decree.issued_at = timezone.now()
        decree.save(
            update_fields=[
                "number",
                "decree_date",
                "status",
                "issued_by",
                "issued_at",
                "legal_bases",
            ]
        )
        bases_changed = decree.legal_bases != drafted_bases
        audit_record(
            action="enrollment.decree.issued",
            acting_user=acting_user,
            obj=decree,
            before={"status": Decree.Status.APPROVED}
            | ({"legal_bases": drafted_bases} if bases_changed else {}),
            after={"status": decree.status, "number": number, "decree_date": str(decree_date)}
            | ({"legal_bases": decree.legal_bases} if bases_changed else {}),
            data={"amends": decree.amends_id, "removed": len(removals)},
        )
        if removals:
            memberships_end_for_lines(
                lines=removals, last=Month.from_date(decree_date), decree=decree
            )
            budget_returns_schedule(decree_ids=[decree.amends_id, *decree_chain_ids(decree)])
    return decree


def _amendment_apply(amendment: Decree, reservation: Reservation) -> list[DecreeLine]:
    """Strike the amendment's REMOVE persons from the chain; re-check the quota."""
    chain = [pk for pk in decree_chain_ids(amendment) if pk != amendment.pk]
    remove_lines = {
        line.person_id: line
        for line in amendment.lines.filter(action=DecreeLine.Action.REMOVE).only("pk", "person_id")
    }
    adds = amendment.lines.filter(action=DecreeLine.Action.ADD).count()
    targets = list(
        chain_live_lines(chain)
        .filter(person_id__in=list(remove_lines))
        .select_for_update(of=("self",))
    )
    missing = set(remove_lines) - {line.person_id for line in targets}
    if missing:
        raise InvalidTransition(
            gettext("%(missing)s orang yang dicoret SK perubahan ini sudah tidak menjadi penerima.")
            % {"missing": len(missing)},
            code="removal_stale",
        )
    used = reservation_used_persons(reservation_id=reservation.pk, exclude_decree_id=amendment.pk)
    if used - len(targets) + adds > reservation.persons:
        raise DecreeOverQuota(
            gettext(
                "Reservasi #%(pk)s untuk %(persons)s orang tidak cukup untuk perubahan "
                "ini (dipakai %(used)s, dicoret %(targets)s, ditambah %(adds)s)."
            )
            % {
                "pk": reservation.pk,
                "persons": angka(reservation.persons),
                "used": angka(used),
                "targets": len(targets),
                "adds": adds,
            },
        )
    now_ref = f"hapus:{amendment.pk}"
    for line in targets:
        line.removed_by_line_id = remove_lines[line.person_id].pk
        fields = ["removed_by_line"]
        if line.bpjs_status == DecreeLine.BpjsStatus.PENDING:
            # Never accepted: nobody was covered, the money goes back.
            line.budget_return_ref = now_ref
            fields.append("budget_return_ref")
        elif line.bpjs_status == DecreeLine.BpjsStatus.ACCEPTED:
            # Covered until the amendment's month: the remaining months go back (issue 9).
            line.budget_return_ref = f"{REMAINING_MONTHS_REF}{amendment.pk}"
            fields.append("budget_return_ref")
        line.save(update_fields=fields)
    return targets


# --- Amendments ------------------------------------------------------------------------------


def decree_amend(
    *,
    decree: Decree,
    add_persons: Iterable[Person | int] = (),
    remove_persons: Iterable[Person | int] = (),
    note: str,
    acting_user: User | None,
) -> Decree:
    """Draft an amending decree (SK perubahan) of an issued decree, naming its changes.

    It adds and/or strikes out persons; everything else of the amended decree stands.
    The draft is approved and issued like any decree; the changes take effect on issue.
    """
    require(acting_user, "enrollment.draft_decree", decree.region_id)
    if decree.status != Decree.Status.ISSUED:
        raise InvalidTransition(
            gettext("Hanya SK yang sudah ditetapkan yang dapat diubah dengan SK perubahan.")
        )
    note = " ".join((note or "").split())
    if not note:
        raise DomainError(gettext("Sebutkan hal yang diubah dan alasannya."), code="note_required")
    adds, removes = unique_ids(add_persons), unique_ids(remove_persons)
    if not adds and not removes:
        raise DomainError(
            gettext("SK perubahan harus menambah atau mencoret penerima."), code="no_changes"
        )
    both = set(adds) & set(removes)
    if both:
        raise DomainError(
            gettext("Orang yang sama tidak bisa ditambah dan dicoret."), code="invalid_persons"
        )
    if decree.reservation_id is None:
        raise DomainError(
            gettext("SK ini tidak memakai reservasi anggaran."), code="no_reservation"
        )
    reservation = _active_reservation(decree.reservation, lock=False)
    region = decree.region
    chain = decree_chain_ids(decree)
    live = dict(chain_live_lines(chain).values_list("person_id", "pk"))
    not_recipients = [pk for pk in removes if pk not in live]
    if not_recipients:
        raise DomainError(
            gettext("%(not_recipients)s orang yang akan dicoret bukan penerima SK ini.")
            % {"not_recipients": len(not_recipients)},
            code="not_recipient",
            person_ids=not_recipients[:SHOWN],
        )
    already = [pk for pk in adds if pk in live]
    if already:
        raise DomainError(
            gettext("%(already)s orang yang akan ditambahkan sudah penerima SK ini.")
            % {"already": len(already)},
            code="already_recipient",
            person_ids=already[:SHOWN],
        )
    if adds:
        _named_only(reservation, adds)
    add_rows = (
        _persons_snapshot(adds, acting_user=acting_user, region=region, nagari=reservation.nagari)
        if adds
        else []
    )
    remove_rows = (
        _persons_snapshot(removes, acting_user=None, region=region, nagari=None) if removes else []
    )
    persons_after = len(live) + len(adds) - len(removes)
    summary = _amendment_summary(add_rows, remove_rows)
    texts = amendment_texts_prefill(
        amended=decree, reservation=reservation, persons=persons_after, summary=summary
    )
    amendment = Decree(
        region=region,
        fiscal_year=decree.fiscal_year,
        phase=decree.phase,
        reservation=reservation,
        amends=decree,
        amendment_note=f"{note}\n{summary}",
        title=texts.title[:300],
        place=texts.place,
        considerations=texts.considerations,
        legal_bases=texts.legal_bases,
        decisions=texts.decisions,
        signer_name=texts.signer_name,
        signer_title=texts.signer_title,
        first_month=decree.first_month,
        last_month=decree.last_month,
        created_by=acting_user if acting_user is not None else _system_user_required(),
    )
    with transaction.atomic():
        reservation = _active_reservation(reservation, lock=True)
        persons_lock(adds)
        _check_quota(reservation, len(adds), removing=len(removes))
        if adds:
            raise_if_covered(adds, first=decree.first_month, last=decree.last_month)
        amendment.save(force_insert=True)
        _lines_insert(amendment, add_rows, action=DecreeLine.Action.ADD, reservation=reservation)
        _lines_insert(
            amendment,
            remove_rows,
            action=DecreeLine.Action.REMOVE,
            reservation=reservation,
            start_no=len(add_rows) + 1,
        )
        audit_record(
            action="enrollment.decree.amendment_drafted",
            acting_user=acting_user,
            obj=amendment,
            after={"title": amendment.title, "added": len(adds), "removed": len(removes)},
            data={"amends": decree.pk, "note": note[:500]},
        )
    return amendment


def _amendment_summary(add_rows: list[tuple[Any, ...]], remove_rows: list[tuple[Any, ...]]) -> str:
    """ "menambah 2 orang (A, B) dan mencoret 1 orang (C)": names the changes."""

    def names(rows: list[tuple[Any, ...]]) -> str:
        shown = ", ".join(f"{row[2]} ({nik_mask(row[1])})" for row in rows[:SHOWN])
        return shown + (
            f", dan {angka(len(rows) - SHOWN)} orang lainnya" if len(rows) > SHOWN else ""
        )

    parts = []
    if add_rows:
        parts.append(f"menambah {angka(len(add_rows))} orang ({names(add_rows)})")
    if remove_rows:
        parts.append(f"mencoret {angka(len(remove_rows))} orang ({names(remove_rows)})")
    return " dan ".join(parts)


# --- Settings and the release guard ---------------------------------------------------------------

SETTING_FIELDS = (
    "place",
    "signer_title",
    "signer_name",
    "number_format",
    "title_template",
    "perbup",
    "considerations",
    "legal_bases",
    "decisions",
    "amendment_considerations",
    "amendment_decisions",
)


@transaction.atomic
def decree_setting_save(
    *, region: Region, acting_user: User | None, **values: Any
) -> DecreeSetting:
    """Create or change a kabupaten's own decree format (empty = the standard text)."""
    require(acting_user, "enrollment.draft_decree", region.pk)
    if region.level != Region.Level.REGENCY:
        raise DomainError(gettext("Format SK dibuat untuk kabupaten/kota."), code="invalid_region")
    unknown = sorted(set(values) - set(SETTING_FIELDS))
    if unknown:
        raise DomainError(
            gettext("Kolom tidak dikenal: %(unknown)s.") % {"unknown": ", ".join(unknown)},
            code="invalid",
        )
    setting = DecreeSetting.objects.select_for_update().filter(region=region).first()
    before = model_snapshot(setting, SETTING_FIELDS) if setting else None
    if setting is None:
        setting = DecreeSetting(region=region)
    for name, value in values.items():
        if isinstance(value, list):
            value = [" ".join(str(t).split()) for t in value if str(t).strip()]
        else:
            value = " ".join(str(value).split()) if name != "perbup" else str(value).strip()
        setattr(setting, name, value)
    setting.updated_by = acting_user
    setting.updated_at = timezone.now()
    validated(setting, exclude=["region", "updated_by"])
    setting.save()
    audit_record(
        action="enrollment.decree_setting.saved",
        acting_user=acting_user,
        obj=setting,
        before=before,
        after=model_snapshot(setting, list(values)),
    )
    return setting


def reservation_release_guard(reservation: Reservation) -> None:
    """Refuse to release a reservation an issued decree still uses.

    Its money pays the persons the decree names: releasing it would leave covered
    persons without budget. Persons BPJS rejected or an amendment struck out give their
    money back through ``reservation_reduce``, not by releasing the whole reservation;
    once none of the decree's persons is left, the release is allowed.
    """
    in_use = (
        DecreeLine.objects.filter(
            decree__reservation_id=reservation.pk,
            decree__status=Decree.Status.ISSUED,
            action=DecreeLine.Action.ADD,
            removed_by_line__isnull=True,
        )
        .exclude(bpjs_status=DecreeLine.BpjsStatus.REJECTED)
        .values_list("decree__number", flat=True)
        .first()
    )
    if in_use is not None:
        raise InvalidTransition(
            gettext(
                "Reservasi #%(pk)s dipakai SK %(in_use)s yang sudah ditetapkan; tidak "
                "dapat dilepas. Kurangi orang lewat penolakan BPJS atau SK perubahan."
            )
            % {"pk": reservation.pk, "in_use": in_use},
            code="reservation_in_use",
        )


# --- Legal-basis records (admins) ------------------------------------------------------------

LEGAL_BASIS_FIELDS = (
    "kind",
    "form",
    "number",
    "year",
    "title",
    "region",
    "amends",
    "in_force_from",
    "in_force_until",
    "confirmed",
    "source",
)


@transaction.atomic
def legal_basis_save(
    *, legal_basis: LegalBasis | None = None, acting_user: User | None, **values: Any
) -> LegalBasis:
    """Create or change a regulation record cited under *Mengingat* (reference data).

    Issued decrees keep the texts they were issued with; a change applies to decrees
    issued from now on.
    """
    if acting_user is not None:
        require_perm(acting_user, "reference.manage")
    unknown = sorted(set(values) - set(LEGAL_BASIS_FIELDS))
    if unknown:
        raise DomainError(f"Kolom tidak dikenal: {', '.join(unknown)}.", code="invalid")
    row = legal_basis or LegalBasis()
    before = model_snapshot(row, list(LEGAL_BASIS_FIELDS)) if legal_basis else None
    for name, value in values.items():
        if isinstance(value, str):
            value = " ".join(value.split()) if name != "source" else value.strip()
        setattr(row, name, value)
    if row.amends_id is not None and row.amends_id == row.pk:
        raise DomainError("Peraturan tidak dapat mengubah dirinya sendiri.", code="invalid")
    validated(row)
    row.save()
    audit_record(
        action="enrollment.legal_basis.saved",
        acting_user=acting_user,
        obj=row,
        before=before,
        after=model_snapshot(row, list(LEGAL_BASIS_FIELDS)),
    )
    return row


@transaction.atomic
def decree_line_counts_rebuild() -> int:
    """Recompute the whole decree line count summary (``DecreeLineCount``) from the lines;
    returns the number of groups. The triggers keep it right on every write, so this is
    a repair, not a routine step. On PostgreSQL the line table is locked against writes
    meanwhile (reads go on)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("LOCK TABLE enrollment_decreeline IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute("DELETE FROM enrollment_decreelinecount")
        cursor.execute(
            "INSERT INTO enrollment_decreelinecount (decree_id, village_id, action, "
            "bpjs_status, bpjs_reason_code, n) SELECT decree_id, village_id, action, "
            "bpjs_status, bpjs_reason_code, COUNT(*) FROM enrollment_decreeline "
            "GROUP BY decree_id, village_id, action, bpjs_status, bpjs_reason_code"
        )
        return cursor.rowcount
