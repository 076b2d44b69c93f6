"""The hash chain of the personal-data access log ("who saw my data", issue 10).

Design goal: as for the audit trail (``audit.chain``), the database owner must not be
able to remove, change or slip in a read of someone's data without ``jamsos
audit_verify`` noticing. The access log keeps its own chain, because reads are written
far more often than audit events and on their own path:

- each ``PersonalDataAccess`` row carries ``seq`` (1, 2, 3, … without gaps, unique),
  ``prev_hash`` (the hash of row ``seq - 1``, ``GENESIS`` for the first) and ``hash``;
- ``hash`` is SHA-256 over ``prev_hash``, ``seq``, the row's content (``ACCESS_FIELDS``)
  and a digest of its persons (``items_digest``: its ``PersonalDataAccessItem`` rows as
  ``person_id:nik_digest`` lines in sorted order), so a person removed from or added to
  an export's list breaks the row that lists them.

Appends are serialised like the audit trail's: a PostgreSQL transaction-level advisory
lock with its own key, or the SQLite write lock. The serialisation is copied into
migration ``audit.0008`` (backfill); change it only with a migration that re-chains.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import connections

from jamsos.audit.chain import GENESIS, ip_normal

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper

    from jamsos.audit.models import PersonalDataAccess

# Any constant other than the audit chain's; names the lock that serialises log appends.
ACCESS_CHAIN_LOCK_KEY = 0x4A414D534F54

ACCESS_FIELDS = (
    "occurred_at",
    "viewer",
    "viewer_label",
    "agency_label",
    "purpose",
    "path",
    "fields",
    "person_count",
    "ip_address",
)


def items_digest(items: Iterable[tuple[int, str]]) -> str:
    """The digest of one read's persons, ``(person_id, nik_digest)`` pairs in any order."""
    text = "\n".join(f"{pk}:{digest}" for pk, digest in sorted(items))
    return hashlib.sha256(text.encode()).hexdigest()


def access_digest(prev_hash: str, seq: int, values: list[Any], persons: str) -> str:
    """The hash of one read: ``values`` in ``ACCESS_FIELDS`` order, as stored."""
    occurred_at, viewer, viewer_label, agency_label, purpose, path, fields = values[:7]
    person_count, ip_address = values[7:]
    payload = [
        seq,
        occurred_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        viewer,
        viewer_label,
        agency_label,
        purpose,
        path,
        list(fields or []),
        person_count,
        ip_address or None,
        persons,
    ]
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(f"{prev_hash}:{text}".encode()).hexdigest()


def _head_locked(connection: BaseDatabaseWrapper) -> tuple[int, str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ACCESS_CHAIN_LOCK_KEY])
        cursor.execute(
            "SELECT seq, hash FROM audit_personaldataaccess WHERE seq IS NOT NULL "
            "ORDER BY seq DESC LIMIT 1"
        )
        row = cursor.fetchone()
    return (row[0], row[1]) if row else (0, GENESIS)


def access_chain_seal(
    access: PersonalDataAccess, items: Iterable[tuple[int, str]], *, using: str = "default"
) -> None:
    """Give an unsaved read its place and hash; the caller saves it (and its items) in
    the same transaction, which must be open."""
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError("access log rows are chained inside a transaction")
    seq, prev = _head_locked(connection)
    access.ip_address = ip_normal(access.ip_address)
    values = [getattr(access, "viewer_id" if f == "viewer" else f) for f in ACCESS_FIELDS]
    access.seq = seq + 1
    access.prev_hash = prev
    access.hash = access_digest(prev, seq + 1, values, items_digest(items))


@dataclass(frozen=True)
class AccessChainReport:
    reads: int
    ok: bool
    first_broken: int | None
    head_seq: int
    head_hash: str

    def as_dict(self) -> dict[str, Any]:
        return {"reads": self.reads, "ok": self.ok, "first_broken": self.first_broken}


def _items_by_access(using: str, chunk_size: int) -> Iterator[tuple[int, str]]:
    """``(access_id, items digest)`` for every read that has items, in access id order."""
    Item = apps.get_model("audit", "PersonalDataAccessItem")
    rows = (
        Item.objects.using(using)
        .order_by("access_id", "person_id", "nik_digest")
        .values_list("access_id", "person_id", "nik_digest")
        .iterator(chunk_size=chunk_size)
    )
    current: int | None = None
    pairs: list[tuple[int, str]] = []
    for access_id, person_id, digest in rows:
        if access_id != current:
            if current is not None:
                yield current, items_digest(pairs)
            current, pairs = access_id, []
        pairs.append((person_id, digest))
    if current is not None:
        yield current, items_digest(pairs)


def access_chain_verify(*, using: str = "default", chunk_size: int = 5000) -> AccessChainReport:
    """Walk the reads in ``seq`` order, recomputing each hash with its persons' digest.

    Reads are appended under the lock, so ``seq`` order is id order; the items are
    merged in by access id in one ordered pass (memory stays flat). The first broken
    read is a changed one (its own id), the one after a removed read, or an inserted
    one (no place in the chain, or a place that does not follow).
    """
    Access = apps.get_model("audit", "PersonalDataAccess")
    reads = Access.objects.using(using)
    empty = items_digest([])
    items = _items_by_access(using, chunk_size)
    pending = next(items, None)
    prev, expected, count, first_broken = GENESIS, 1, 0, None
    rows = (
        reads.filter(seq__isnull=False)
        .order_by("seq")
        .values_list("id", "seq", "prev_hash", "hash", *ACCESS_FIELDS)
        .iterator(chunk_size=chunk_size)
    )
    for pk, seq, prev_hash, stored, *values in rows:
        count += 1
        while pending is not None and pending[0] < pk:
            if first_broken is None:
                first_broken = pending[0]  # items of a read that is gone or out of order
            pending = next(items, None)
        persons = empty
        if pending is not None and pending[0] == pk:
            persons = pending[1]
            pending = next(items, None)
        if first_broken is None and (
            seq != expected
            or prev_hash != prev
            or access_digest(prev, seq, values, persons) != stored
        ):
            first_broken = pk
        prev, expected = stored, seq + 1
    if first_broken is None and pending is not None:
        first_broken = pending[0]
    unchained = reads.filter(seq__isnull=True).order_by("id").values_list("id", flat=True)
    loose = unchained.count()
    if first_broken is None and loose:
        first_broken = unchained.first()
    return AccessChainReport(
        reads=count + loose,
        ok=first_broken is None,
        first_broken=first_broken,
        head_seq=expected - 1,
        head_hash=prev,
    )
