"""The BPJS round trip: the branch's verification of an issued decree's persons.

``bpjs_results_record`` is the one write, used by the result-file import, the on-screen
form and the API:

1. Outside any transaction: check every result against the decree's lines (NIK in the
   decree, status, KPJ format and uniqueness, coverage start inside the decree's period,
   a reason for a rejection, no change to a result already recorded). Every problem is
   collected with its row, column and value; if there is one, nothing is written.
2. One transaction: lock the lines and the accepted persons (id order), re-check that
   the lines are still unanswered and that no other coverage overlaps, then write the
   results, the memberships (COPY on PostgreSQL) and one audit event per line.
3. After commit: give the money of rejected persons back to the reservation
   (``decree_budget_returns_flush``). That runs ``reservation_reduce``, which takes the
   pagu lock in its own durable transaction and so cannot run inside step 2; the lines
   are marked "money due" in step 2, so a failure here is retried by
   ``jamsos membership_refresh`` and never lost, and never done twice.

Re-recording what is already recorded changes nothing (idempotent).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext

from jamsos.accounts.models import User
from jamsos.audit.models import AuditEvent
from jamsos.audit.services import audit_record
from jamsos.budget.models import Reservation, Segment
from jamsos.enrollment.models import (
    BpjsResultImport,
    Decree,
    DecreeLine,
    Membership,
    RejectionReason,
)
from jamsos.enrollment.services.common import (
    REMAINING_MONTHS_REF,
    AuditRow,
    audit_rows_insert,
    id_chunks,
    ids_q,
    persons_lock,
    require,
)
from jamsos.enrollment.services.memberships import NewMembership, memberships_create_prevalidated
from jamsos.lib.errors import DomainError, InvalidTransition
from jamsos.lib.formats import angka, tanggal
from jamsos.lib.nik import nik_clean, nik_mask
from jamsos.lib.periods import Month

logger = logging.getLogger(__name__)

# Nomor KPJ (kartu peserta): 11 digits on the cards seen; the format is not in a
# regulation we could read (docs/bpjs-layout.md), so it is checked here, in one place.
KPJ_PATTERN = re.compile(r"[0-9]{11}")
ACCEPTED = DecreeLine.BpjsStatus.ACCEPTED
REJECTED = DecreeLine.BpjsStatus.REJECTED
PENDING = DecreeLine.BpjsStatus.PENDING
SHOWN_ERRORS = 5

# Words in a rejection reason that name a known cause (lower case, first match wins).
REASON_WORDS: tuple[tuple[str, str], ...] = (
    ("penerima upah", RejectionReason.REGISTERED_PU),
    (" pu", RejectionReason.REGISTERED_PU),
    ("dukcapil", RejectionReason.NIK_UNKNOWN),
    ("nik tidak", RejectionReason.NIK_UNKNOWN),
    ("usia", RejectionReason.AGE),
    ("umur", RejectionReason.AGE),
    ("meninggal", RejectionReason.DECEASED),
    ("terdaftar", RejectionReason.REGISTERED_BPU),
    ("tidak sesuai", RejectionReason.DATA_MISMATCH),
)


def reason_code_guess(reason: str) -> str:
    text = " " + " ".join(reason.lower().split())
    for words, code in REASON_WORDS:
        if words in text:
            return code
    return RejectionReason.OTHER


@dataclass(frozen=True)
class BpjsResult:
    """One person's answer from the branch. ``row`` is the file's row, for messages."""

    nik: str
    status: str
    kpj_number: str = ""
    coverage_start: dt.date | None = None
    reason: str = ""
    reason_code: str = ""
    row: int | None = None
    # Optional, for wage earners (PU): the wage and JKK risk group to bill from.
    wage: int | None = None
    risk_group: str = ""


@dataclass(frozen=True)
class RowError:
    row: int | None
    column: str
    value: str
    message: str
    code: str

    def text(self) -> str:
        where = f"Baris {self.row}, kolom {self.column}" if self.row else f"Kolom {self.column}"
        value = f' "{self.value}"' if self.value else ""
        return f"{where}{value}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"text": self.text()}


class BpjsResultsInvalid(DomainError):
    code = "bpjs_results_invalid"

    def __init__(self, errors: Sequence[RowError]) -> None:
        shown = "; ".join(e.text() for e in errors[:SHOWN_ERRORS])
        more = (
            f" (dan {len(errors) - SHOWN_ERRORS} kesalahan lain)"
            if len(errors) > SHOWN_ERRORS
            else ""
        )
        super().__init__(
            f"{len(errors)} kesalahan, tidak ada yang disimpan. {shown}{more}.",
            errors=[e.as_dict() for e in errors],
        )
        self.errors = list(errors)


@dataclass
class BpjsRecordSummary:
    accepted: int = 0
    rejected: int = 0
    unchanged: int = 0
    skipped: int = 0
    memberships: int = 0
    import_id: int | None = None
    duplicate_file: bool = False
    errors: list[RowError] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("errors")
        return data


@dataclass(frozen=True)
class _Line:
    pk: int
    person_id: int
    nik: str
    full_name: str
    status: str
    kpj_number: str
    coverage_start: dt.date | None
    reason: str
    first: Month
    last: Month
    village_id: str
    funding_source_id: int
    segment: str


def _decree_lines(decree: Decree) -> dict[str, _Line]:
    rows = (
        DecreeLine.objects.filter(
            decree=decree, action=DecreeLine.Action.ADD, removed_by_line__isnull=True
        )
        .order_by()
        .values_list(
            "pk",
            "person_id",
            "nik",
            "full_name",
            "bpjs_status",
            "kpj_number",
            "bpjs_coverage_start",
            "bpjs_reason",
            "first_month",
            "last_month",
            "village_id",
            "funding_source_id",
            "segment",
        )
    )
    lines: dict[str, _Line] = {}
    for pk, person, nik, name, status, kpj, start, reason, a, b, village, source, seg in rows:
        lines[nik] = _Line(
            pk,
            person,
            nik,
            name,
            status,
            kpj,
            start,
            reason,
            Month.from_date(a),
            Month.from_date(b),
            village,
            source,
            seg,
        )
    return lines


def _status_label(status: str) -> str:
    return {ACCEPTED: "DITERIMA", REJECTED: "DITOLAK", PENDING: "belum dijawab"}[status]


def _same(line: _Line, result: BpjsResult) -> bool:
    if line.status != result.status:
        return False
    if result.status == ACCEPTED:
        return line.kpj_number == result.kpj_number and line.coverage_start == result.coverage_start
    return line.reason == result.reason


def _check(  # noqa: C901 - one rule per branch, each with its own message
    decree: Decree, results: Sequence[BpjsResult]
) -> tuple[list[tuple[BpjsResult, _Line]], int, list[RowError]]:
    """Results to write, how many are already recorded, and every problem found."""
    lines = _decree_lines(decree)
    errors: list[RowError] = []
    todo: list[tuple[BpjsResult, _Line]] = []
    unchanged = 0
    seen_nik: dict[str, int | None] = {}
    seen_kpj: dict[str, str] = {}
    for result in results:
        row, nik = result.row, nik_clean(result.nik)

        def error(column: str, value: str, message: str, code: str, row: int | None = row) -> None:
            errors.append(RowError(row, column, value, message, code))

        line = lines.get(nik)
        if line is None:
            error("NIK", result.nik, "tidak ada di antara penerima SK ini.", "nik_not_in_decree")
            continue
        if nik in seen_nik:
            error("NIK", result.nik, f"muncul dua kali (juga baris {seen_nik[nik]}).", "nik_twice")
            continue
        seen_nik[nik] = row
        if result.status not in (ACCEPTED, REJECTED):
            error("STATUS", result.status, "harus DITERIMA atau DITOLAK.", "status_invalid")
            continue
        if result.status == ACCEPTED:
            if not KPJ_PATTERN.fullmatch(result.kpj_number):
                error(
                    "NO KPJ",
                    result.kpj_number,
                    "nomor KPJ harus 11 angka untuk peserta yang diterima.",
                    "kpj_invalid",
                )
                continue
            other = seen_kpj.get(result.kpj_number)
            if other is not None and other != nik:
                error("NO KPJ", result.kpj_number, "dipakai untuk dua NIK berbeda.", "kpj_twice")
                continue
            seen_kpj[result.kpj_number] = nik
            start = result.coverage_start
            if start is None:
                error(
                    "TGL MULAI KEPESERTAAN",
                    "",
                    "wajib diisi untuk peserta yang diterima.",
                    "start_required",
                )
                continue
            if not line.first <= Month.from_date(start) <= line.last:
                error(
                    "TGL MULAI KEPESERTAAN",
                    tanggal(start),
                    f"di luar masa SK ({line.first} s.d. {line.last}).",
                    "start_outside_decree",
                )
                continue
            if result.wage is not None and line.segment != Segment.PU:
                error(
                    "UPAH",
                    angka(result.wage),
                    gettext("upah hanya untuk peserta penerima upah (PU); orang ini %(segment)s.")
                    % {"segment": line.segment.upper()},
                    "wage_only_pu",
                )
                continue
        elif not result.reason.strip():
            error(
                "ALASAN PENOLAKAN", "", "wajib diisi untuk peserta yang ditolak.", "reason_required"
            )
            continue
        if line.status != PENDING:
            if _same(line, result):
                unchanged += 1
                continue
            recorded = _status_label(line.status)
            if line.status == ACCEPTED:
                recorded += f" (KPJ {line.kpj_number})"
            error(
                "STATUS",
                _status_label(result.status),
                f"{line.full_name} sudah dicatat {recorded}; hasil yang tercatat tidak diubah "
                "lewat berkas. Hubungi Disnakertrans untuk koreksi.",
                "result_conflict",
            )
            continue
        todo.append((result, line))
    errors += _kpj_taken(todo)
    return todo, unchanged, errors


def _kpj_taken(todo: Sequence[tuple[BpjsResult, _Line]]) -> list[RowError]:
    """A KPJ number belongs to one person: refuse one already held by someone else."""
    by_kpj = {r.kpj_number: (r, line) for r, line in todo if r.status == ACCEPTED}
    if not by_kpj:
        return []
    holders: dict[str, int] = {}
    kpjs = list(by_kpj)
    chunks = [kpjs] if connection.vendor == "postgresql" else list(_chunks(kpjs, 5000))
    for chunk in chunks:
        wanted = (
            Q(kpj_number__in=RawSQL("SELECT unnest(%s::text[])", (chunk,)))
            if connection.vendor == "postgresql"
            else Q(kpj_number__in=chunk)
        )
        holders.update(
            Membership.objects.filter(wanted).order_by().values_list("kpj_number", "person_id")
        )
    errors = []
    for kpj, person in holders.items():
        result, line = by_kpj[kpj]
        if person != line.person_id:
            errors.append(
                RowError(result.row, "NO KPJ", kpj, "sudah dipakai peserta lain.", "kpj_taken")
            )
    return errors


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def bpjs_results_record(
    *,
    decree: Decree,
    results: Sequence[BpjsResult],
    acting_user: User | None,
    source: str = "layar",
    import_record: BpjsResultImport | None = None,
    as_of: Month | None = None,
) -> BpjsRecordSummary:
    """Record the branch's answers for an issued decree (see the module docstring)."""
    require(acting_user, "enrollment.record_bpjs_result", decree.region_id)
    if decree.status != Decree.Status.ISSUED:
        raise InvalidTransition(gettext("Hasil BPJS dicatat untuk SK yang sudah ditetapkan."))
    as_of = as_of or Month.current()
    todo, unchanged, errors = _check(decree, results)
    if errors:
        raise BpjsResultsInvalid(errors)
    summary = BpjsRecordSummary(unchanged=unchanged)
    if not todo and import_record is None:
        return summary
    with transaction.atomic():
        _lock_and_recheck(decree, todo)
        ref = f"bpjs:{decree.pk}:{uuid.uuid4().hex[:12]}"
        now = timezone.now()
        accepted = [(r, line) for r, line in todo if r.status == ACCEPTED]
        persons_lock([line.person_id for _r, line in accepted])
        _raise_if_overlapping(decree, accepted)
        _lines_write(todo, acting_user=acting_user, now=now, ref=ref)
        membership_ids = memberships_create_prevalidated(
            items=[
                NewMembership(
                    line_id=line.pk,
                    person_id=line.person_id,
                    segment=line.segment,
                    funding_source_id=line.funding_source_id,
                    village_id=line.village_id,
                    kpj_number=r.kpj_number,
                    first=max(line.first, Month.from_date(r.coverage_start)),  # type: ignore[arg-type]
                    last=line.last,
                )
                for r, line in accepted
            ],
            as_of=as_of,
        )
        _wages_record(accepted, membership_ids, acting_user=acting_user)
        # The recruiting agent (kept from earlier coverage) and a renewing agent.
        from jamsos.agents.services import memberships_attribute_agents

        memberships_attribute_agents(membership_ids=membership_ids.values())
        summary.accepted = len(accepted)
        summary.rejected = len(todo) - len(accepted)
        summary.memberships = len(membership_ids)
        audit_rows_insert(
            acting_user=acting_user,
            object_type=DecreeLine._meta.label_lower,
            rows=_line_events(todo, membership_ids, source=source),
        )
        if import_record is not None:
            import_record.accepted = summary.accepted
            import_record.rejected = summary.rejected
            import_record.unchanged = summary.unchanged
            import_record.save()
            summary.import_id = import_record.pk
        audit_record(
            action="enrollment.bpjs.results_recorded",
            acting_user=acting_user,
            obj=decree,
            data={"source": source, **summary.as_dict(), "ref": ref},
        )
        if summary.rejected:
            budget_returns_schedule(decree_ids=[decree.pk])
    return summary


def _lock_and_recheck(decree: Decree, todo: Sequence[tuple[BpjsResult, _Line]]) -> None:
    ids = [line.pk for _r, line in todo]
    answered: list[str] = []
    for chunk in id_chunks(ids):
        answered += list(
            DecreeLine.objects.select_for_update()
            .filter(ids_q("pk", chunk))
            .exclude(bpjs_status=PENDING)
            .values_list("full_name", flat=True)[:SHOWN_ERRORS]
        )
    if answered:
        raise InvalidTransition(
            "Hasil untuk " + ", ".join(answered) + " baru saja dicatat orang lain; muat ulang.",
            code="result_conflict",
        )


def _raise_if_overlapping(decree: Decree, accepted: Sequence[tuple[BpjsResult, _Line]]) -> None:
    """Under the person locks: no pending/active coverage in the decree's months."""
    by_person = {line.person_id: (r, line) for r, line in accepted}
    if not by_person:
        return
    clashes = []
    for chunk in id_chunks(list(by_person)):
        clashes += list(
            Membership.objects.filter(
                ids_q("person_id", chunk),
                status__in=Membership.COVERING_STATUSES,
                first_month__lte=decree.last_month,
                last_month__gte=decree.first_month,
            ).values_list("person_id", "first_month", "last_month")[:SHOWN_ERRORS]
        )
        if clashes:
            break
    if clashes:
        raise BpjsResultsInvalid(
            [
                RowError(
                    by_person[person][0].row,
                    "NIK",
                    nik_mask(by_person[person][1].nik),
                    f"sudah peserta {Month.from_date(a)} s.d. {Month.from_date(b)} (kepesertaan "
                    "lain); tidak dapat diterima dua kali.",
                    "already_member",
                )
                for person, a, b in clashes
            ]
        )


def _lines_write(
    todo: Sequence[tuple[BpjsResult, _Line]],
    *,
    acting_user: User | None,
    now: dt.datetime,
    ref: str,
) -> None:
    """Write the results in one statement on PostgreSQL (arrays joined with ``unnest``),
    ``executemany`` on SQLite; ``bulk_update``'s CASE expressions take tens of seconds
    for 100,000 lines."""
    rows = []
    for result, line in todo:
        if result.status == ACCEPTED:
            rows.append((line.pk, ACCEPTED, result.kpj_number, result.coverage_start, "", "", ""))
        else:
            reason = " ".join(result.reason.split())[:255]
            code = result.reason_code or reason_code_guess(result.reason)
            rows.append((line.pk, REJECTED, "", None, reason, code, ref))
    if not rows:
        return
    actor = acting_user.pk if acting_user is not None else None
    table = connection.ops.quote_name(DecreeLine._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            columns = list(zip(*rows, strict=True))
            cursor.execute(
                f"UPDATE {table} AS l SET bpjs_status = v.status, kpj_number = v.kpj, "  # noqa: S608
                "bpjs_coverage_start = v.start, bpjs_reason = v.reason, "
                "bpjs_reason_code = v.code, budget_return_ref = v.ref, "
                "bpjs_recorded_by_id = %s, bpjs_recorded_at = %s "
                "FROM (SELECT unnest(%s::bigint[]) AS id, unnest(%s::text[]) AS status, "
                "unnest(%s::text[]) AS kpj, unnest(%s::date[]) AS start, "
                "unnest(%s::text[]) AS reason, unnest(%s::text[]) AS code, "
                "unnest(%s::text[]) AS ref) AS v WHERE l.id = v.id",
                [actor, now, *(list(column) for column in columns)],
            )
            return
        stamp = now.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
        cursor.executemany(
            f"UPDATE {table} SET bpjs_status = %s, kpj_number = %s, "  # noqa: S608
            "bpjs_coverage_start = %s, bpjs_reason = %s, bpjs_reason_code = %s, "
            "budget_return_ref = %s, bpjs_recorded_by_id = %s, bpjs_recorded_at = %s "
            "WHERE id = %s",
            [
                (
                    status,
                    kpj,
                    start.isoformat() if start else None,
                    reason,
                    code,
                    r,
                    actor,
                    stamp,
                    pk,
                )
                for pk, status, kpj, start, reason, code, r in rows
            ],
        )


def _line_events(
    todo: Sequence[tuple[BpjsResult, _Line]],
    membership_ids: dict[int, int],
    *,
    source: str,
) -> Iterable[AuditRow]:
    """One event per line: accepted (with its KPJ and membership) or rejected (reason)."""
    for result, line in todo:
        accepted = result.status == ACCEPTED
        yield (
            f"enrollment.decree_line.{'accepted' if accepted else 'rejected'}",
            str(line.pk),
            line.full_name,
            line.village_id,
            {"bpjs_status": PENDING},
            {"bpjs_status": ACCEPTED, "kpj_number": result.kpj_number}
            if accepted
            else {"bpjs_status": REJECTED, "reason": result.reason[:255]},
            {
                "source": source,
                "person": line.person_id,
                "membership": membership_ids.get(line.pk),
                "coverage_start": str(result.coverage_start) if result.coverage_start else None,
            },
        )


def _wages_record(
    accepted: Sequence[tuple[BpjsResult, _Line]],
    membership_ids: dict[int, int],
    *,
    acting_user: User | None,
) -> None:
    """PU members accepted with a wage and risk group in the branch's file: record them
    on the new memberships (the billing base), one audit event each."""
    groups: dict[tuple[int, str], list[int]] = defaultdict(list)
    for result, line in accepted:
        if result.wage is not None and line.pk in membership_ids:
            groups[(result.wage, result.risk_group)].append(membership_ids[line.pk])
    for (wage, risk_group), ids in groups.items():
        Membership.objects.filter(pk__in=ids).update(wage=wage, risk_group=risk_group)
        for membership in Membership.objects.filter(pk__in=ids):
            audit_record(
                action="enrollment.membership.wage_set",
                acting_user=acting_user,
                obj=membership,
                before={"wage": None, "risk_group": ""},
                after={"wage": wage, "risk_group": risk_group},
            )


def bpjs_results_import(
    *, decree: Decree, data: bytes, file_name: str, acting_user: User | None
) -> BpjsRecordSummary:
    """Import the branch's result file: atomic (every row or none) and idempotent.

    The same bytes imported again for the same decree add nothing and say so; a
    different file repeating recorded results leaves them unchanged. Parse and rule
    errors are reported together, each naming its row, column and value.
    """
    from jamsos.enrollment.bpjs_layout import bpjs_results_read

    require(acting_user, "enrollment.record_bpjs_result", decree.region_id)
    if decree.status != Decree.Status.ISSUED:
        raise InvalidTransition(gettext("Hasil BPJS dicatat untuk SK yang sudah ditetapkan."))
    digest = hashlib.sha256(data).hexdigest()
    done = BpjsResultImport.objects.filter(decree=decree, file_sha256=digest).first()
    if done is not None:
        return BpjsRecordSummary(
            unchanged=done.accepted + done.rejected + done.unchanged,
            skipped=done.skipped,
            import_id=done.pk,
            duplicate_file=True,
        )
    parsed = bpjs_results_read(data, file_name=file_name)
    _todo, _unchanged, rule_errors = (
        _check(decree, parsed.results) if parsed.results else ([], 0, [])
    )
    errors = sorted([*parsed.errors, *rule_errors], key=lambda e: (e.row or 0, e.column))
    if errors:
        raise BpjsResultsInvalid(errors)
    if not parsed.results:
        raise DomainError(
            gettext(
                'Berkas "%(file_name)s" tidak berisi hasil (kolom STATUS kosong di semua baris).'
            )
            % {"file_name": file_name},
            code="no_results",
        )
    record = BpjsResultImport(
        decree=decree,
        file_name=file_name[:255],
        file_sha256=digest,
        rows_total=parsed.rows_total,
        skipped=parsed.skipped,
        imported_by=acting_user,
    )
    with transaction.atomic():
        summary = bpjs_results_record(
            decree=decree,
            results=parsed.results,
            acting_user=acting_user,
            source=f"berkas {file_name}"[:100],
            import_record=record,
        )
        summary.skipped = parsed.skipped
        audit_record(
            action="enrollment.bpjs.file_imported",
            acting_user=acting_user,
            obj=decree,
            data={"file_name": file_name, "sha256": digest, **summary.as_dict()},
        )
    return summary


# --- Money back to the pagu -------------------------------------------------------------------


def budget_returns_schedule(*, decree_ids: Sequence[int | None]) -> None:
    """After the current transaction commits, return the money that fell due in it."""
    ids = [pk for pk in decree_ids if pk is not None]
    transaction.on_commit(lambda: decree_budget_returns_flush(decree_ids=ids), robust=True)


def _already_reduced(reservation_id: int, ref: str) -> bool:
    return AuditEvent.objects.filter(
        action="budget.reservation.reduced",
        object_type=Reservation._meta.label_lower,
        object_id=str(reservation_id),
        data__reason__icontains=ref,
    ).exists()


def decree_budget_returns_flush(*, decree_ids: Sequence[int] | None = None) -> int:
    """Give the money of rejected and struck-out persons back to their reservations.

    1. Find lines marked "money due" (``budget_return_ref`` set, not returned yet),
       grouped by reservation and ref (one ref per recording or amendment).
    2. Per group, unless the audit trail shows the reduction with this ref already done
       (a crash between steps 3 and 4): reduce the reservation — by the named persons if
       it names them, else by the count — or release it when nobody would be left.
    3. ``reservation_reduce``/``reservation_release`` run in their own durable
       transaction under the pagu lock, as the system user.
    4. Mark the lines returned, with an audit event.

    Must run outside any transaction; returns the number of lines settled.
    """
    from jamsos.budget.services import reservation_reduce, reservation_release

    pending = DecreeLine.objects.exclude(budget_return_ref="").filter(
        budget_returned_at__isnull=True, decree__reservation__isnull=False
    )
    if decree_ids is not None:
        pending = pending.filter(decree_id__in=list(decree_ids))
    groups: dict[tuple[int, str], list[tuple[int, int]]] = defaultdict(list)
    for line, person, reservation, ref in pending.values_list(
        "pk", "person_id", "decree__reservation_id", "budget_return_ref"
    ):
        groups[(reservation, ref)].append((line, person))
    settled = 0
    for (reservation_id, ref), items in sorted(groups.items()):
        reservation = Reservation.objects.get(pk=reservation_id)
        if ref.startswith(REMAINING_MONTHS_REF):
            settled += _return_remaining_months(reservation, ref, items)
            continue
        persons = [person for _line, person in items]
        reason = (
            f"{angka(len(items))} orang ditolak BPJS atau dicoret SK perubahan; dana "
            f"dikembalikan ke pagu [{ref}]"
        )
        if reservation.status == Reservation.Status.ACTIVE and not _already_reduced(
            reservation_id, ref
        ):
            named = set(
                reservation.lines.filter(person_id__in=persons).values_list("person_id", flat=True)
            )
            has_lines = bool(named) or reservation.lines.exists()
            remaining = reservation.persons - (len(named) if has_lines else len(items))
            if remaining < 1:
                reservation_release(reservation=reservation, acting_user=None)
            elif has_lines and named:
                reservation_reduce(
                    reservation=reservation,
                    remove_person_ids=sorted(named),
                    reason=reason,
                    acting_user=None,
                )
            elif not has_lines:
                reservation_reduce(
                    reservation=reservation, persons=remaining, reason=reason, acting_user=None
                )
        settled += _mark_returned(items, reservation, ref)
    return settled


def _return_remaining_months(
    reservation: Reservation, ref: str, items: Sequence[tuple[int, int]]
) -> int:
    """Accepted persons struck by an amendment: the months after their coverage ends.

    A membership cancelled before it started gives back the whole period; a running one
    the months after its (new) last month.
    """
    from jamsos.budget.services import reservation_return_months

    first_free: dict[int, Month] = {}
    memberships = Membership.objects.filter(decree_line_id__in=[line for line, _p in items])
    for person, status, last in memberships.values_list("person_id", "status", "last_month"):
        if status == Membership.Status.CANCELLED:
            first_free[person] = Month.from_date(reservation.first_month)
        else:
            first_free[person] = Month.from_date(last) + 1
    if (
        first_free
        and reservation.status == Reservation.Status.ACTIVE
        and not _already_reduced(reservation.pk, ref)
    ):
        reservation_return_months(
            reservation=reservation,
            returns=first_free,
            reason=(
                f"{angka(len(first_free))} orang dicoret SK perubahan setelah diterima BPJS; "
                f"iuran bulan sisanya dikembalikan ke pagu [{ref}]"
            ),
            acting_user=None,
        )
    return _mark_returned(items, reservation, ref)


@transaction.atomic
def _mark_returned(items: Sequence[tuple[int, int]], reservation: Reservation, ref: str) -> int:
    line_ids = [line for line, _person in items]
    count = DecreeLine.objects.filter(pk__in=line_ids, budget_returned_at__isnull=True).update(
        budget_returned_at=timezone.now()
    )
    if count:
        reservation.refresh_from_db()
        audit_record(
            action="enrollment.budget.returned",
            acting_user=None,
            obj=reservation,
            data={"ref": ref, "lines": count, "persons_now": reservation.persons},
        )
    return count
