"""Writes to the registry of persons. Every change is an explicit action with an audit
event; persons arrive through intake (``person_bulk_create_from_select`` on PostgreSQL,
``person_bulk_create_prevalidated`` on SQLite and for the demo data) or one at a time
(``person_create``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from jamsos.accounts.access import require_perm
from jamsos.accounts.models import User
from jamsos.audit.chain import audit_rows_append
from jamsos.audit.services import (
    audit_event_build,
    audit_record,
    audit_record_about_many,
    id_ranges,
    model_snapshot,
)
from jamsos.lib.bulkcopy import rows_insert
from jamsos.lib.errors import DomainError
from jamsos.registry.models import Heir, Person

# Fields an explicit person update may change (NIK and birth data are identity: a wrong
# NIK is corrected by the Dinas with a reason, through the same service).
UPDATABLE_FIELDS = (
    "nik",
    "full_name",
    "birth_place",
    "birth_date",
    "sex",
    "mother_name",
    "address",
    "village",
    "phone",
    "occupation",
    "declared_income",
    "family_card_number",
)
_PERSON_COLUMNS = (
    "id",
    "nik",
    "full_name",
    "birth_place",
    "birth_date",
    "sex",
    "mother_name",
    "address",
    "village",
    "phone",
    "occupation",
    "declared_income",
    "family_card_number",
    "is_deceased",
    "created_at",
    "updated_at",
)


@dataclass(frozen=True)
class PersonData:
    """One person to register, already validated (intake's normalised values)."""

    nik: str
    full_name: str
    birth_date: dt.date
    sex: str
    village: str
    occupation: str
    birth_place: str = ""
    mother_name: str = ""
    address: str = ""
    phone: str = ""
    declared_income: int | None = None
    family_card_number: str = ""
    source_row: int | None = None

    @classmethod
    def from_values(cls, values: dict[str, Any], *, source_row: int | None = None) -> PersonData:
        income = values.get("declared_income")
        return cls(
            nik=values["nik"],
            full_name=values["full_name"],
            birth_date=dt.date.fromisoformat(values["birth_date"]),
            sex=values["sex"],
            village=values["village"],
            occupation=values["occupation"],
            birth_place=values.get("birth_place") or "",
            mother_name=values.get("mother_name") or "",
            address=values.get("address") or "",
            phone=values.get("phone") or "",
            declared_income=int(income) if income not in (None, "") else None,
            family_card_number=values.get("family_card_number") or "",
            source_row=source_row,
        )


def _person_ids(count: int) -> list[int]:
    """``count`` new primary keys for persons, taken before inserting them (so the audit
    events and the caller know them without reading the rows back).

    PostgreSQL: from the identity sequence, like any insert. SQLite: after the highest
    id ever used (``sqlite_sequence``); safe because Django opens SQLite transactions
    with ``BEGIN IMMEDIATE``, so no one else writes until we commit.
    """
    table = Person._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
        highest = cursor.fetchone()[0]
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = %s", [table]
            )
            highest = max(highest, cursor.fetchone()[0])
    return list(range(highest + 1, highest + 1 + count))


def person_references_missing(*, persons: Sequence[PersonData]) -> dict[str, list[str]]:
    """The village codes and occupation ids ``persons`` name that do not exist, checked
    set-wise (one query per table for the distinct values), so a bulk write fails with a
    readable reason before it starts rather than on a foreign key at commit."""
    from jamsos.regions.models import Region
    from jamsos.registry.models import Occupation

    villages = {p.village for p in persons}
    occupations = {p.occupation for p in persons}
    known_villages = set(Region.objects.filter(code__in=villages).values_list("code", flat=True))
    known_occupations = {
        str(pk) for pk in Occupation.objects.filter(pk__in=occupations).values_list("pk", flat=True)
    }
    missing = {
        "village": sorted(villages - known_villages),
        "occupation": sorted(str(o) for o in occupations if str(o) not in known_occupations),
    }
    return {key: values for key, values in missing.items() if values}


def person_bulk_create_prevalidated(
    *,
    persons: Sequence[PersonData],
    acting_user: User | None,
    data: dict[str, Any],
    progress: Callable[[int], None] | None = None,
    progress_every: int = 5000,
    one_event: bool = False,
) -> dict[str, int]:
    """Register many persons at once; return ``{nik: person id}``.

    For imports only: the values were validated row by row before (so no
    ``full_clean`` here) and the caller holds the transaction — a failure anywhere
    leaves no person and no event behind. Writes with ``COPY``/``executemany``
    (``lib.bulkcopy``) under primary keys taken beforehand. NIKs must be new and
    distinct (the caller checks; the unique index refuses the rest). ``progress(n)`` is
    called every ``progress_every`` persons written (and at the end) — from inside the
    transaction, so it must report through something other than this transaction
    (intake uses the cache).

    Audit: by default one ``registry.person.created`` event per person, sharing
    ``data`` plus the source row number. ``one_event``: a single
    ``registry.person.batch_created`` event (``_batch_event_record``) — an intake apply
    of 100,000 persons then writes 100,000 rows, not 200,000, and each person's history
    still shows its creation.
    """
    if not persons:
        return {}
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("person_bulk_create_prevalidated must run inside a transaction")
    now = timezone.now()
    # In NIK order the unique NIK index is appended to rather than split at random
    # (measured: 1.7 times as fast on SQLite for 100,000 persons). One event for all:
    # by village first, so each village's persons have consecutive ids (one range each).
    if one_event:
        persons = sorted(persons, key=lambda p: (p.village, p.nik))
    else:
        persons = sorted(persons, key=lambda p: p.nik)
    ids = dict(zip((p.nik for p in persons), _person_ids(len(persons)), strict=True))

    def reported(people: Sequence[PersonData]):
        for number, person in enumerate(people, start=1):
            yield person
            if progress is not None and number % progress_every == 0:
                progress(number)
        if progress is not None:
            progress(len(people))

    rows_insert(
        Person,
        _PERSON_COLUMNS,
        (
            (
                ids[p.nik],
                p.nik,
                p.full_name,
                p.birth_place,
                p.birth_date,
                p.sex,
                p.mother_name,
                p.address,
                p.village,
                p.phone,
                p.occupation,
                p.declared_income,
                p.family_card_number,
                False,
                now,
                now,
            )
            for p in reported(persons)
        ),
    )
    if one_event:
        _batch_event_record(persons=persons, ids=ids, acting_user=acting_user, data=data)
        return ids
    template = audit_event_build(
        action="registry.person.created", acting_user=acting_user, data=data
    )
    object_type = Person._meta.label_lower
    audit_rows_append(
        (
            template.occurred_at,
            template.actor_id,
            template.actor_label,
            template.agency_label,
            template.action,
            object_type,
            str(ids[p.nik]),
            p.full_name[:200],
            p.village,
            None,
            None,
            {**data, "row": p.source_row},
            template.ip_address,
        )
        for p in persons
    )
    return ids


# What ``person_bulk_create_from_select``'s SELECT yields, in this order: every data
# field of a person, the same as an explicit update may change.
PERSON_SELECT_COLUMNS = UPDATABLE_FIELDS


def person_bulk_create_from_select(
    *,
    select_sql: str,
    params: Sequence[Any],
    acting_user: User | None,
    data: dict[str, Any],
) -> int:
    """PostgreSQL: register the persons ``select_sql`` yields, in one server-side
    ``INSERT … SELECT`` (their values never pass through Python); return how many.

    ``select_sql`` (with ``params``) yields ``PERSON_SELECT_COLUMNS`` in that order,
    values already valid for the columns (dates as ``date``, income as ``bigint`` or
    NULL, optional texts ``''`` not NULL) — the intake apply's normalised rows. The
    same contract as ``person_bulk_create_prevalidated(one_event=True)``: the caller
    holds the transaction and checked the references; NIKs must be new and distinct
    (the unique index refuses the rest, ``IntegrityError``). Ids come from the identity
    sequence in village, then NIK order (byte order, as Python sorts), so each village's
    persons get consecutive ids; the statement returns the id ranges (gaps and islands
    per village over the inserted ids) for the one ``registry.person.batch_created``
    event, not the 100,000 ids.
    """
    if connection.vendor != "postgresql":
        raise RuntimeError("person_bulk_create_from_select needs PostgreSQL")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("person_bulk_create_from_select must run inside a transaction")
    now = timezone.now()
    table = connection.ops.quote_name(Person._meta.db_table)
    alias = ", ".join(connection.ops.quote_name(c) for c in PERSON_SELECT_COLUMNS)
    target = ", ".join(
        connection.ops.quote_name(Person._meta.get_field(name).column)
        for name in (*PERSON_SELECT_COLUMNS, "is_deceased", "created_at", "updated_at")
    )
    sql = f"""
        WITH created AS (
            INSERT INTO {table} ({target})
            SELECT s.*, false, %s, %s FROM ({select_sql}) AS s ({alias})
            ORDER BY s.village COLLATE "C", s.nik COLLATE "C"
            RETURNING id, village_id
        ), islands AS (
            SELECT id, village_id,
                   id - row_number() OVER (PARTITION BY village_id ORDER BY id) AS island
            FROM created
        )
        SELECT min(id), max(id), village_id, count(*)
        FROM islands GROUP BY village_id, island ORDER BY min(id)
    """  # noqa: S608 - names are ours, values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, now, *params])
        found = cursor.fetchall()
    count = sum(n for _first, _last, _village, n in found)
    if count:
        _batch_event_write(
            ranges=[(first, last, village) for first, last, village, _n in found],
            count=count,
            acting_user=acting_user,
            data=data,
        )
    return count


def _batch_event_record(
    *,
    persons: Sequence[PersonData],
    ids: dict[str, int],
    acting_user: User | None,
    data: dict[str, Any],
) -> None:
    """One ``registry.person.batch_created`` event for ``persons`` (created with
    ``ids``), naming them as id ranges per village (``audit_record_about_many``): the
    persons were written village by village, so each village is one range or a few."""
    ranges = id_ranges((ids[p.nik], p.village) for p in persons)
    _batch_event_write(ranges=ranges, count=len(persons), acting_user=acting_user, data=data)


def _batch_event_write(
    *,
    ranges: Sequence[tuple[int, int, str]],
    count: int,
    acting_user: User | None,
    data: dict[str, Any],
) -> None:
    """Write the ``registry.person.batch_created`` event of ``count`` persons whose ids
    are ``ranges`` (``(first, last, village)``, in id order)."""
    audit_record_about_many(
        action="registry.person.batch_created",
        acting_user=acting_user,
        object_type=Person._meta.label_lower,
        ranges=ranges,
        count=count,
        object_repr=f"{count} peserta",
        data=data,
    )


@transaction.atomic
def person_create(*, data: PersonData, acting_user: User) -> Person:
    """Register one person (Dinas data entry); the NIK must be new."""
    require_perm(acting_user, "registry.change_person")
    if Person.objects.filter(nik=data.nik).exists():
        raise DomainError(
            gettext("NIK %(nik)s sudah terdaftar.") % {"nik": data.nik}, code="nik_registered"
        )
    person = Person(
        nik=data.nik,
        full_name=data.full_name,
        birth_place=data.birth_place,
        birth_date=data.birth_date,
        sex=data.sex,
        mother_name=data.mother_name,
        address=data.address,
        village_id=data.village,
        phone=data.phone,
        occupation_id=data.occupation,
        declared_income=data.declared_income,
        family_card_number=data.family_card_number,
    )
    person.full_clean()
    person.save()
    audit_record(
        action="registry.person.created",
        acting_user=acting_user,
        obj=person,
        after=model_snapshot(person, ("full_name", "village", "occupation")),
    )
    return person


@transaction.atomic
def person_update(
    *, person: Person, changes: dict[str, Any], reason: str, acting_user: User
) -> Person:
    """Change a registered person's data: an explicit action with a reason.

    Only ``UPDATABLE_FIELDS`` may change (``field_not_updatable`` otherwise); the audit
    event keeps the fields' values before and after.
    """
    require_perm(acting_user, "registry.change_person")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(gettext("Alasan perubahan wajib diisi."), code="reason_required")
    unknown = sorted(set(changes) - set(UPDATABLE_FIELDS))
    if unknown:
        raise DomainError(
            gettext("Kolom ini tidak dapat diubah: %(unknown)s.") % {"unknown": ", ".join(unknown)},
            code="field_not_updatable",
        )
    person = Person.objects.select_for_update().get(pk=person.pk)
    changed = [name for name in changes if _current(person, name) != changes[name]]
    if not changed:
        return person
    before = model_snapshot(person, changed)
    for name in changed:
        attribute = f"{name}_id" if name in ("village", "occupation") else name
        setattr(person, attribute, changes[name])
    person.full_clean()
    person.save()
    audit_record(
        action="registry.person.updated",
        acting_user=acting_user,
        obj=person,
        before=before,
        after=model_snapshot(person, changed),
        data={"reason": reason},
    )
    return person


def _current(person: Person, name: str) -> Any:
    if name in ("village", "occupation"):
        return getattr(person, f"{name}_id")
    return getattr(person, name)


@transaction.atomic
def person_mark_deceased(*, person: Person, deceased_on: dt.date, acting_user: User) -> Person:
    """Record a death (the start of a JKM claim); not in the future, once only."""
    require_perm(acting_user, "registry.change_person")
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.is_deceased:
        raise DomainError(gettext("Peserta sudah tercatat meninggal."), code="already_deceased")
    return person_mark_deceased_unchecked(
        person=person, deceased_on=deceased_on, acting_user=acting_user
    )


def person_mark_deceased_unchecked(
    *, person: Person, deceased_on: dt.date, acting_user: User | None, source: str = ""
) -> Person:
    """Write the death on a locked person row. Unchecked: the caller holds the
    transaction and checked the permission of what records it (the registry's own page,
    or a paid death claim). A person already recorded as deceased is left as recorded."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("person_mark_deceased_unchecked must run inside a transaction")
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.is_deceased:
        return person
    if deceased_on > timezone.localdate():
        raise DomainError(
            gettext("Tanggal meninggal tidak boleh di masa depan."), code="date_future"
        )
    if deceased_on < person.birth_date:
        raise DomainError(
            gettext("Tanggal meninggal sebelum tanggal lahir."), code="date_before_birth"
        )
    person.is_deceased = True
    person.deceased_on = deceased_on
    person.full_clean()
    person.save()
    audit_record(
        action="registry.person.deceased",
        acting_user=acting_user,
        obj=person,
        after={"deceased_on": deceased_on.isoformat()},
        data={"source": source} if source else None,
    )
    return person


@transaction.atomic
def heir_add(
    *,
    person: Person,
    full_name: str,
    relationship: str,
    acting_user: User,
    nik: str = "",
    birth_date: dt.date | None = None,
    phone: str = "",
    bank_name: str = "",
    bank_account: str = "",
) -> Heir:
    """Record an heir (ahli waris) of a person ahead of any claim."""
    require_perm(acting_user, "registry.change_person")
    heir = Heir(
        person=person,
        full_name=" ".join(full_name.split()),
        relationship=relationship,
        nik=nik,
        birth_date=birth_date,
        phone=phone,
        bank_name=bank_name,
        bank_account=bank_account,
    )
    heir.full_clean()
    heir.save()
    audit_record(
        action="registry.heir.added",
        acting_user=acting_user,
        obj=person,
        data={"heir": heir.pk, "relationship": relationship},
    )
    return heir


@transaction.atomic
def heir_remove(*, heir: Heir, reason: str, acting_user: User) -> None:
    """Remove a wrongly recorded heir, with a reason (kept in the audit event)."""
    require_perm(acting_user, "registry.change_person")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(gettext("Alasan wajib diisi."), code="reason_required")
    person = heir.person
    snapshot = model_snapshot(heir, ("full_name", "relationship", "nik"))
    heir.delete()
    audit_record(
        action="registry.heir.removed",
        acting_user=acting_user,
        obj=person,
        before=snapshot,
        data={"reason": reason},
    )
