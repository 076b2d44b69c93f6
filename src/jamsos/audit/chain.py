"""The hash chain that makes the audit trail tamper-evident.

Design goal: someone who can write to the database directly (the owner role, a restored
dump, a disk editor) must not be able to change, remove or slip in an audit event
without ``jamsos audit_verify`` noticing. Each event carries

- ``seq``: its place in the chain, 1, 2, 3, … without gaps (a unique index refuses two
  events at one place);
- ``prev_hash``: the ``hash`` of event ``seq - 1`` (``GENESIS`` for the first);
- ``hash``: SHA-256 over ``prev_hash`` and a canonical serialisation of the event's
  content (``CHAIN_FIELDS`` plus ``seq``; not the database id, which bulk writes do
  not know in advance).

Appends are serialised so that two writers never take the same place or fork the chain:
on PostgreSQL a transaction-level advisory lock (``pg_advisory_xact_lock``), held until
the writing transaction commits, so the next writer reads the committed head; on SQLite
the write lock itself (Jamsos opens transactions ``IMMEDIATE``). The unique index on
``seq`` is the last line: a writer that slipped past the lock fails instead of forking.

The chain cannot tell whether the *newest* events were cut off; the daily verification
logs the head (``seq`` and ``hash``) so an operator can compare it with yesterday's
(docs/operations.md, "Audit chain").

The serialisation is copied into migration ``audit.0005`` (backfill); change it only with
a migration that re-chains, or every old event will read as changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import connections, transaction
from django.utils.ipv6 import clean_ipv6_address

from jamsos.lib.bulkcopy import rows_insert

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models import Model as AuditEvent

GENESIS = "0" * 64
# Any constant; names the one advisory lock that serialises audit appends.
CHAIN_LOCK_KEY = 0x4A414D534F53  # "JAMSOS"

# Content that the hash covers, in this order (model field names; ``actor`` is its id).
CHAIN_FIELDS = (
    "occurred_at",
    "actor",
    "actor_label",
    "agency_label",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "region_code",
    "before",
    "after",
    "data",
    "ip_address",
)
_JSON_FIELDS = {"before", "after", "data"}


def _json_key(key: Any) -> str:
    # The keys ``json.dumps`` writes, so a value hashes the same before and after storage.
    if isinstance(key, str):
        return key
    if key is True:
        return "true"
    if key is False:
        return "false"
    if key is None:
        return "null"
    return json.dumps(key)


def _normal(value: Any) -> Any:
    """A JSON value as it reads back from either database: dict keys as text, tuples as
    lists, integral floats as ints (PostgreSQL's jsonb writes ``1e20`` as digits)."""
    if isinstance(value, dict):
        return {_json_key(k): _normal(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_normal(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def ip_normal(value: str | None) -> str | None:
    """What ``GenericIPAddressField`` stores: None for blank, IPv6 in its short form."""
    if not value:
        return None
    if ":" in value:
        return clean_ipv6_address(value)
    return value


def _timestamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_digest(prev_hash: str, seq: int, values: Sequence[Any]) -> str:
    """The hash of one event: ``values`` in ``CHAIN_FIELDS`` order, as stored."""
    (occurred_at, actor, actor_label, agency_label, action, object_type, object_id) = values[:7]
    (object_repr, region_code, before, after, data, ip_address) = values[7:]
    payload = [
        seq,
        _timestamp(occurred_at),
        actor,
        actor_label,
        agency_label,
        action,
        object_type,
        object_id,
        object_repr,
        region_code,
        _normal(before),
        _normal(after),
        _normal(data if data is not None else {}),
        ip_address or None,
    ]
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(f"{prev_hash}:{text}".encode()).hexdigest()


def _head_locked(connection: BaseDatabaseWrapper) -> tuple[int, str]:
    """Take the append lock and return the chain's last ``(seq, hash)``.

    Call inside a transaction: the PostgreSQL lock lasts until it ends.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
        cursor.execute(
            "SELECT seq, hash FROM audit_auditevent WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1"
        )
        row = cursor.fetchone()
    return (row[0], row[1]) if row else (0, GENESIS)


def event_values(event: AuditEvent) -> list[Any]:
    """An unsaved event's content in ``CHAIN_FIELDS`` order, normalised as it is stored."""
    event.ip_address = ip_normal(event.ip_address)
    if event.data is None:
        event.data = {}
    return [getattr(event, "actor_id" if f == "actor" else f) for f in CHAIN_FIELDS]


def chain_seal_events(events: Sequence[AuditEvent], *, using: str = "default") -> None:
    """Give unsaved events their place and hashes. The caller saves them in the same
    transaction, which must be open (``audit_record`` and ``bulk_create`` do this)."""
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError("audit events are chained inside a transaction")
    seq, prev = _head_locked(connection)
    for event in events:
        seq += 1
        event.seq = seq
        event.prev_hash = prev
        event.hash = prev = event_digest(prev, seq, event_values(event))


def _json_text(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def audit_rows_append(rows: Iterable[Sequence[Any]], *, using: str = "default") -> int:
    """Append many events given as tuples in ``CHAIN_FIELDS`` order (``actor`` as an id,
    JSON columns as Python values); the fast path for imports and decrees.

    1. Take the append lock and read the head.
    2. Number and hash the rows in order while they stream into ``lib.bulkcopy``
       (``COPY`` on PostgreSQL, ``executemany`` on SQLite).
    Returns how many were written. Values must already fit their columns (callers cut
    ``object_repr`` to 200 characters): the hash covers what is stored.
    """
    # The model is looked up, not imported: audit.models imports this module to seal
    # events in save()/bulk_create(), and the dependency goes that way only.
    AuditEvent = apps.get_model("audit", "AuditEvent")

    with transaction.atomic(using=using):
        seq, prev = _head_locked(connections[using])

        def chained() -> Iterator[tuple[Any, ...]]:
            nonlocal seq, prev
            for row in rows:
                values = list(row)
                values[-1] = ip_normal(values[-1])
                if values[11] is None:
                    values[11] = {}
                seq += 1
                digest = event_digest(prev, seq, values)
                for i in (9, 10, 11):
                    values[i] = _json_text(values[i])
                yield (*values, seq, prev, digest)
                prev = digest

        return rows_insert(
            AuditEvent, (*CHAIN_FIELDS, "seq", "prev_hash", "hash"), chained(), using=using
        )


@dataclass(frozen=True)
class ChainReport:
    events: int
    ok: bool
    first_broken: int | None
    head_seq: int
    head_hash: str

    def as_dict(self) -> dict[str, Any]:
        return {"events": self.events, "ok": self.ok, "first_broken": self.first_broken}


def audit_chain_verify(*, using: str = "default", chunk_size: int = 5000) -> ChainReport:
    """Walk the chain in ``seq`` order and recompute every hash.

    The first broken event is:
    - a changed event: its recomputed hash differs from the stored one (its own id);
    - a removed event: the next event's ``seq`` skips, or its ``prev_hash`` no longer
      matches (the id of the event after the gap);
    - an inserted event: it has no place in the chain (no ``seq``), or a place whose
      ``prev_hash``/``hash`` do not follow (its own id).
    Reads in chunks, so memory stays flat on millions of events.
    """
    # The model is looked up, not imported: audit.models imports this module to seal
    # events in save()/bulk_create(), and the dependency goes that way only.
    AuditEvent = apps.get_model("audit", "AuditEvent")

    events = AuditEvent.objects.using(using)
    prev, expected, count, first_broken = GENESIS, 1, 0, None
    rows = (
        events.filter(seq__isnull=False)
        .order_by("seq")
        .values_list("id", "seq", "prev_hash", "hash", *CHAIN_FIELDS)
        .iterator(chunk_size=chunk_size)
    )
    for pk, seq, prev_hash, stored, *values in rows:
        count += 1
        if first_broken is None and (
            seq != expected or prev_hash != prev or event_digest(prev, seq, values) != stored
        ):
            first_broken = pk
        # Continue from what is stored, so one change does not flag every later event.
        prev, expected = stored, seq + 1
    unchained = events.filter(seq__isnull=True).order_by("id").values_list("id", flat=True)
    loose = unchained.count()
    if first_broken is None and loose:
        first_broken = unchained.first()
    return ChainReport(
        events=count + loose,
        ok=first_broken is None,
        first_broken=first_broken,
        head_seq=expected - 1,
        head_hash=prev,
    )


@dataclass(frozen=True)
class RangesReport:
    ranges: int
    ok: bool
    first_broken: int | None

    def as_dict(self) -> dict[str, Any]:
        return {"ranges": self.ranges, "ok": self.ok, "first_broken": self.first_broken}


def object_ranges_verify(*, using: str = "default") -> RangesReport:
    """Check the ``AuditObjectRange`` rows against the events they index.

    An event about many objects at once (an intake batch's persons) lists its id
    ranges in ``data["ranges"]`` (``[first, last, region]``), which the hash chain
    covers; the range rows are only an index, so a row removed, changed or added with
    raw SQL would hide a person's creation from its history or pin it on another
    event, and the chain alone would not notice. ``first_broken`` is the smallest id
    of an event whose rows differ from its chained ranges (or that has rows and no
    ranges at all).
    """
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditObjectRange = apps.get_model("audit", "AuditObjectRange")

    chained: dict[int, set[tuple[str, int, int, str]]] = {}
    events = AuditEvent.objects.using(using).filter(data__has_key="ranges")
    for pk, object_type, data in events.values_list("id", "object_type", "data").iterator():
        try:
            chained[pk] = {(object_type, int(f), int(la), str(r)) for f, la, r in data["ranges"]}
        except (TypeError, ValueError):
            chained[pk] = {("", 0, -1, "")}  # unreadable ranges match no row
    indexed: dict[int, set[tuple[str, int, int, str]]] = {}
    count = 0
    rows = AuditObjectRange.objects.using(using).values_list(
        "event_id", "object_type", "first_id", "last_id", "region_code"
    )
    for event_id, object_type, first, last, region in rows.iterator(chunk_size=5000):
        count += 1
        indexed.setdefault(event_id, set()).add((object_type, first, last, region))
    broken = [pk for pk in chained.keys() | indexed.keys() if chained.get(pk) != indexed.get(pk)]
    return RangesReport(ranges=count, ok=not broken, first_broken=min(broken, default=None))
