from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.utils.translation import gettext

from jamsos.accounts.access import region_in_scope, require_perm
from jamsos.audit.access_chain import access_chain_seal
from jamsos.audit.actions import ACTIONS
from jamsos.audit.context import current_ip
from jamsos.audit.models import AuditEvent, PersonalDataAccess, PersonalDataAccessItem
from jamsos.audit.pseudonyms import nik_digest
from jamsos.audit.signals import events_recorded
from jamsos.lib.errors import NotFoundOrForbidden

if TYPE_CHECKING:
    from jamsos.accounts.models import User
    from jamsos.registry.models import Person


class UnknownAuditAction(ValueError):
    pass


def _object_region(obj: models.Model | None) -> str:
    if obj is None:
        return ""
    code = getattr(obj, "audit_region_code", None)
    if code is None:
        for attr in ("region_id", "village_id"):
            code = getattr(obj, attr, None)
            if code:
                break
    return str(code or "")


def audit_event_build(
    *,
    action: str,
    acting_user: User | None,
    obj: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
    region_code: str | None = None,
) -> AuditEvent:
    """Build (not save) one event; ``audit_record`` and bulk writers share this."""
    if action not in ACTIONS:
        raise UnknownAuditAction(f"audit action {action!r} is not registered in audit.actions")
    agency = getattr(acting_user, "agency", None) if acting_user else None
    return AuditEvent(
        actor=acting_user if acting_user and acting_user.pk else None,
        actor_label=(str(acting_user) if acting_user else "sistem")[:200],
        agency_label=(str(agency) if agency else "")[:200],
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        region_code=region_code if region_code is not None else _object_region(obj),
        before=before,
        after=after,
        data=data or {},
        ip_address=current_ip.get(),
    )


def audit_record(
    *,
    action: str,
    acting_user: User | None,
    obj: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
    region_code: str | None = None,
) -> AuditEvent:
    """Write one audit event. Call it inside the transaction of the change it records."""
    event = audit_event_build(
        action=action,
        acting_user=acting_user,
        obj=obj,
        before=before,
        after=after,
        data=data,
        region_code=region_code,
    )
    event.save(force_insert=True)
    events_recorded.send(sender=AuditEvent, events=[event])
    return event


def audit_record_many(events: Iterable[AuditEvent], *, batch_size: int = 2000) -> int:
    """Write events built with ``audit_event_build`` in bulk (imports, billing runs)."""
    written = AuditEvent.objects.bulk_create(list(events), batch_size=batch_size)
    events_recorded.send(sender=AuditEvent, events=written)
    return len(written)


def id_ranges(items: Iterable[tuple[int, str]]) -> list[tuple[int, int, str]]:
    """``(first id, last id, region)`` for each run of consecutive ids in one region, in
    the order ``items`` (``(id, region code)`` pairs) come."""
    ranges: list[tuple[int, int, str]] = []
    for pk, region in items:
        if ranges and ranges[-1][2] == region and ranges[-1][1] == pk - 1:
            ranges[-1] = (ranges[-1][0], pk, region)
        else:
            ranges.append((pk, pk, region))
    return ranges


def common_region(codes: Iterable[str]) -> str:
    """The smallest region holding every code: ``13.03.01.2001`` and ``13.03.02.2004``
    → ``13.03``; nothing in common → ``""``."""
    parts = [code.split(".") for code in sorted(set(codes))]
    common: list[str] = []
    for level in zip(*parts, strict=False):
        if len(set(level)) != 1:
            break
        common.append(level[0])
    return ".".join(common)


def audit_record_about_many(
    *,
    action: str,
    acting_user: User | None,
    object_type: str,
    ranges: Sequence[tuple[int, int, str]],
    count: int,
    object_repr: str,
    data: dict[str, Any],
) -> AuditEvent:
    """One event about many objects of ``object_type`` at once (an intake batch's
    persons, a page of leads shown), instead of one event each.

    The event's ``data`` names them as id ranges (``[first, last, region]``), covered by
    the hash chain like any data; the same ranges go to ``AuditObjectRange``, which is
    how an object's history and the audit list's search by id (or a person's name) find
    the event, and which ``audit_verify`` checks against the chained ranges. The event's
    region is the smallest holding every range's; each range keeps its own, so a viewer
    scoped to a kecamatan sees the event for the objects in it.
    """
    from jamsos.audit.models import AuditObjectRange

    event = audit_event_build(
        action=action,
        acting_user=acting_user,
        data={**data, "count": count, "ranges": [list(r) for r in ranges]},
        region_code=common_region(region for _f, _l, region in ranges),
    )
    event.object_type = object_type
    event.object_repr = object_repr[:200]
    audit_record_many([event])
    AuditObjectRange.objects.bulk_create(
        AuditObjectRange(
            event=event, object_type=object_type, first_id=first, last_id=last, region_code=region
        )
        for first, last, region in ranges
    )
    return event


def model_snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """A JSON-safe copy of some fields, for the before/after columns."""
    snapshot: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        value = getattr(obj, getattr(field, "attname", name))
        if value is not None and not isinstance(value, (str, int, float, bool, list, dict)):
            value = str(value)
        snapshot[name] = value
    return snapshot


def may_view_full_nik(viewer: User, person: Person) -> bool:
    """Whether ``nik_access_log`` would let this viewer see this person's full NIK."""
    return viewer.has_perm("registry.view_full_nik") and region_in_scope(viewer, person.village_id)


@transaction.atomic
def nik_access_log(*, viewer: User, person: Person, purpose: str) -> AuditEvent:
    """Record that ``viewer`` is being shown ``person``'s full NIK, and why.

    Call it exactly where the full value is put into a response (the ``{% nik_full %}``
    tag, an export, an API field). It refuses viewers who may not see the NIK, so that a
    logged view is always an allowed one. The NIK itself is not copied into the event.
    """
    require_perm(viewer, "registry.view_full_nik")
    if not region_in_scope(viewer, person.village_id):
        raise NotFoundOrForbidden(gettext("Peserta tidak ditemukan."))
    return audit_record(
        action="registry.person.nik_viewed",
        acting_user=viewer,
        obj=person,
        data={"purpose": purpose[:200]},
    )


# Fields a purpose shows, for the log's "what": stated by the caller, stored as given.
PERSON_DETAIL_FIELDS = (
    "full_name",
    "nik",
    "birth_place",
    "birth_date",
    "sex",
    "address",
    "phone",
    "occupation",
    "declared_income",
    "heirs",
)
# A claim page shows the worker, the event (accident or death), heirs and the payout account.
CLAIM_DETAIL_FIELDS = ("full_name", "nik", "event", "heirs", "payout_account")
# A decree's lampiran lists each person's name, masked NIK, village, occupation and KPJ.
DECREE_LINE_FIELDS = ("full_name", "nik_masked", "village", "occupation", "kpj_number")
# A proposal row shows what the file said about one person and what was made of it.
PROPOSAL_ROW_FIELDS = ("full_name", "nik", "birth_date", "address", "phone", "issues")
# A membership page shows the member, the KPJ number, the funder and the coverage months.
MEMBERSHIP_DETAIL_FIELDS = ("full_name", "nik", "birth_date", "village", "kpj_number")


def personal_data_access_log(
    *,
    viewer: User,
    persons: Iterable[tuple[int, str]],
    purpose: str,
    fields: Iterable[str],
    path: str = "",
) -> PersonalDataAccess | None:
    """Record that ``viewer`` is shown personal data of ``persons`` (``(id, NIK)`` pairs).

    One row for the read and one small item per person (an export of 100,000 persons
    writes one access row and 100,000 items in batches). NIKs are stored only as their
    keyed digest. Call it where the data leaves for the viewer: the page, the API
    response, the export. Nothing is written for an empty list.
    """
    persons = [(pk, nik_digest(nik)) for pk, nik in persons]
    if not persons:
        return None
    agency = getattr(viewer, "agency", None)
    with transaction.atomic():
        access = PersonalDataAccess(
            viewer=viewer,
            viewer_label=str(viewer)[:200],
            agency_label=(str(agency) if agency else "")[:200],
            purpose=purpose[:200],
            path=path[:300],
            fields=list(fields),
            person_count=len(persons),
            ip_address=current_ip.get(),
        )
        access_chain_seal(access, persons)
        access.save(force_insert=True)
        PersonalDataAccessItem.objects.bulk_create(
            (
                PersonalDataAccessItem(access=access, person_id=pk, nik_digest=digest)
                for pk, digest in persons
            ),
            batch_size=5000,
        )
    return access


@transaction.atomic
def personal_data_access_search_record(*, viewer: User, nik: str, found: int) -> AuditEvent:
    """The data officer's search is itself recorded (with the NIK's digest, not the NIK)."""
    return audit_record(
        action="audit.access_log.searched",
        acting_user=viewer,
        data={"nik_digest": nik_digest(nik), "found": found},
        region_code=viewer.region_id or "",
    )
