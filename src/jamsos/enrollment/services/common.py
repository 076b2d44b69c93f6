"""Helpers the enrollment services share: permission checks, bulk id filters, person
locks, bulk audit rows and the coverage-overlap check."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext

from jamsos.accounts.access import region_in_scope, require_perm
from jamsos.accounts.models import User
from jamsos.audit.models import AuditEvent
from jamsos.enrollment.models import Decree, DecreeLine, Membership
from jamsos.lib.errors import DomainError, PermissionDenied
from jamsos.lib.nik import nik_mask
from jamsos.lib.periods import Month
from jamsos.registry.models import Person

CHUNK = 10_000  # ids per query on SQLite: below its bound-parameter limit
SHOWN = 10  # problems named in one error message
# ``DecreeLine.budget_return_ref`` prefix of accepted persons an amendment struck: only
# the months after their coverage ends go back to the pagu, not the whole period.
REMAINING_MONTHS_REF = "sisa:"


class AlreadyCovered(DomainError):
    code = "already_covered"
    http_status = 409


def require(acting_user: User | None, perm: str, region_code: str) -> None:
    """The actor holds ``perm`` and the kabupaten lies in its scope (None = the system)."""
    if acting_user is None:
        return
    require_perm(acting_user, perm)
    if not region_in_scope(acting_user, region_code):
        raise PermissionDenied(gettext("SK ini di luar cakupan Anda."), code="outside_scope")


def validated(obj: Any, *, exclude: Sequence[str] = ()) -> None:
    """``full_clean`` with Django's messages turned into one domain error."""
    try:
        obj.full_clean(exclude=list(exclude), validate_unique=False)
    except ValidationError as exc:
        parts = [
            ("" if name == "__all__" else f"{name}: ") + " ".join(str(m) for m in messages)
            for name, messages in exc.message_dict.items()
        ]
        raise DomainError("; ".join(parts), code="invalid", fields=exc.message_dict) from exc


def id_chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    """PostgreSQL takes any number of ids as one array parameter; SQLite needs chunks."""
    if connection.vendor == "postgresql":
        yield ids
        return
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def ids_q(field: str, ids: Sequence[int]) -> Q:
    """``field IN ids``; on PostgreSQL as ``= ANY(array)``: one parameter, not 100,000."""
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__in": RawSQL("SELECT unnest(%s::bigint[])", (list(ids),))})
    return Q(**{f"{field}__in": ids})


def unique_ids(items: Iterable[Any]) -> list[int]:
    """Person objects or ids, de-duplicated in order."""
    return list(dict.fromkeys(int(getattr(item, "pk", item)) for item in items))


def persons_lock(ids: Sequence[int]) -> None:
    """Lock the persons' rows (in id order, so two writers never wait on each other in
    opposite orders) for the rest of the transaction.

    Coverage of one person must not overlap, but decrees come from different pagu and
    memberships from different decrees: no other row is common to two writers about the
    same person. On SQLite a writing transaction already excludes every other writer.
    """
    if connection.vendor != "postgresql" or not ids:
        return
    table = connection.ops.quote_name(Person._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {table} WHERE id = ANY(%s::bigint[]) ORDER BY id FOR UPDATE",  # noqa: S608
            [sorted(ids)],
        )


def coverage_clashes(
    ids: Sequence[int],
    *,
    first: dt.date,
    last: dt.date,
    exclude_decree_ids: Iterable[int] = (),
    check_lines: bool = True,
) -> list[str]:
    """Persons among ``ids`` already covered for a month of ``first``–``last``: by a
    pending or active membership, or named in a live line of another decree that BPJS
    has not answered yet (an accepted line has its membership)."""
    exclude = list(exclude_decree_ids)
    clashes: list[str] = []
    for chunk in id_chunks(ids):
        memberships = Membership.objects.filter(
            ids_q("person_id", chunk),
            status__in=Membership.COVERING_STATUSES,
            first_month__lte=last,
            last_month__gte=first,
        ).values_list("person__full_name", "person__nik", "first_month", "last_month")
        clashes += [
            f"{name} ({nik_mask(nik)}) sudah peserta {Month.from_date(a)} s.d. {Month.from_date(b)}"
            for name, nik, a, b in memberships[:SHOWN]
        ]
        if check_lines and len(clashes) < SHOWN:
            lines = (
                DecreeLine.objects.filter(
                    ids_q("person_id", chunk),
                    action=DecreeLine.Action.ADD,
                    removed_by_line__isnull=True,
                    bpjs_status=DecreeLine.BpjsStatus.PENDING,
                    decree__status__in=[
                        Decree.Status.DRAFT,
                        Decree.Status.APPROVED,
                        Decree.Status.ISSUED,
                    ],
                    first_month__lte=last,
                    last_month__gte=first,
                )
                .exclude(decree_id__in=exclude)
                .values_list("full_name", "nik", "decree_id", "decree__number")
            )
            clashes += [
                f"{name} ({nik_mask(nik)}) sudah ada di {number or f'draf SK #{decree}'}"
                for name, nik, decree, number in lines[: SHOWN - len(clashes)]
            ]
        if len(clashes) >= SHOWN:
            break
    return clashes


def raise_if_covered(ids: Sequence[int], **kwargs: Any) -> None:
    clashes = coverage_clashes(ids, **kwargs)
    if clashes:
        raise AlreadyCovered(
            "Sudah tercakup pada periode yang bertumpang tindih: " + "; ".join(clashes) + ".",
            persons=clashes,
        )


def audit_bulk(events: Iterable[AuditEvent]) -> int:
    """Write events built with ``audit_event_build`` with COPY/executemany: one event per
    line of a 100,000-person decree costs about a second, not a minute.

    The events are built before the COPY starts: building one may query (the actor's
    agency), and PostgreSQL accepts no other statement on a connection inside a COPY.
    """
    from jamsos.audit.chain import CHAIN_FIELDS, audit_rows_append

    events = list(events)
    return audit_rows_append(
        [getattr(e, "actor_id" if f == "actor" else f) for f in CHAIN_FIELDS] for e in events
    )


AuditRow = tuple[str, str, str, str, Any, Any, dict[str, Any]]
"""``(action, object id, object repr, region code, before, after, data)``."""


def audit_rows_insert(*, acting_user: Any, object_type: str, rows: Iterable[AuditRow]) -> int:
    """Many events of one actor without building an ``AuditEvent`` per row: the actor's
    labels come from one template event (built, and its agency read, before the COPY)."""
    from jamsos.audit.actions import ACTIONS
    from jamsos.audit.chain import audit_rows_append
    from jamsos.audit.services import UnknownAuditAction, audit_event_build

    template = audit_event_build(action="enrollment.bpjs.results_recorded", acting_user=acting_user)

    def values() -> Iterable[tuple[Any, ...]]:
        for action, object_id, object_repr, region, before, after, data in rows:
            if action not in ACTIONS:
                raise UnknownAuditAction(f"audit action {action!r} is not registered")
            yield (
                template.occurred_at,
                template.actor_id,
                template.actor_label,
                template.agency_label,
                action,
                object_type,
                object_id,
                object_repr[:200],
                region,
                before,
                after,
                data,
                template.ip_address,
            )

    return audit_rows_append(values())
