"""Reads of the audit trail, scoped by the region of the object each event is about.

Who sees what (decided here, once):
- a superuser sees everything;
- everybody else with ``audit.view_events`` (admins, Dinas heads) sees events whose
  ``region_code`` lies inside its own scope;
- events with no region (a failed login under an unknown name, a lockout of such a name,
  system jobs) belong to no kabupaten, so only holders of ``audit.view_system_events``
  (admins) see them. A Dinas head therefore never sees usernames typed at the login form
  by people outside its region. Logins of known users carry that user's region.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from jamsos.accounts.access import region_code_q, region_q, require_perm
from jamsos.accounts.models import User
from jamsos.audit.actions import ACTIONS
from jamsos.audit.models import (
    AuditEvent,
    AuditObjectRange,
    PersonalDataAccess,
    PersonalDataAccessItem,
)
from jamsos.audit.pseudonyms import PERSONAL_OBJECT_TYPES, event_pseudonymise, nik_digest
from jamsos.lib.errors import DomainError
from jamsos.lib.nik import nik_clean

NIK_RE = re.compile(r"\d{16}")

# Access-log events say who looked at whose personal data; only auditors read them.
NIK_VIEWED = "registry.person.nik_viewed"
ACCESS_LOG_ACTIONS = frozenset({NIK_VIEWED})


@dataclass(frozen=True)
class AuditEventFilters:
    """What the audit list can be narrowed by; empty values mean "any"."""

    action: str = ""
    actor: str = ""
    object_type: str = ""
    object_text: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def _visibility_q(viewer: User) -> Q:
    if viewer.is_superuser:
        return Q()
    visible = region_code_q(viewer, "region_code")
    if viewer.has_perm("audit.view_system_events"):
        visible |= Q(region_code="")
    return visible


def _day_start(day: dt.date) -> dt.datetime:
    """Midnight in the local time zone, so the index on ``occurred_at`` stays usable."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_event_list(
    *, viewer: User, filters: AuditEventFilters | None = None
) -> QuerySet[AuditEvent]:
    """Events the viewer may read (see the module docstring), newest first, filtered."""
    require_perm(viewer, "audit.view_events")
    filters = filters or AuditEventFilters()
    if filters.action and filters.action not in ACTIONS:
        raise DomainError(
            gettext("Kode aksi %(action)s tidak terdaftar.") % {"action": repr(filters.action)},
            code="unknown_action",
            field="action",
        )
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise DomainError(
            gettext("Tanggal akhir %(date_to)s lebih awal dari tanggal mulai %(date_from)s.")
            % {"date_to": filters.date_to, "date_from": filters.date_from},
            code="date_range_reversed",
            field="date_to",
        )
    queryset = AuditEvent.objects.filter(_visibility_q(viewer))
    if filters.action:
        queryset = queryset.filter(action=filters.action)
    if filters.actor:
        term = filters.actor.strip()
        queryset = queryset.filter(Q(actor__username__iexact=term) | Q(actor_label__icontains=term))
    if filters.object_type:
        queryset = queryset.filter(object_type=filters.object_type.strip().lower())
    if filters.object_text:
        term = filters.object_text.strip()
        by_name = Q(object_repr__icontains=term)
        if not sees_persons(viewer):
            # Searching names would tell who is in the registry; ids still match.
            by_name &= ~Q(object_type__in=PERSONAL_OBJECT_TYPES)
        object_type = filters.object_type.strip().lower()
        in_ranges = _range_event_ids(viewer, object_type, term)
        in_ranges += _range_event_ids_by_name(viewer, object_type, term)
        queryset = queryset.filter(by_name | Q(object_id=term) | Q(pk__in=in_ranges))
    if filters.date_from:
        queryset = queryset.filter(occurred_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        next_day = filters.date_to + dt.timedelta(days=1)
        queryset = queryset.filter(occurred_at__lt=_day_start(next_day))
    return queryset.order_by("-occurred_at", "-id")


def sees_persons(viewer: User) -> bool:
    """Whether the viewer may read persons' names; admins may not (they administer)."""
    return viewer.has_perm("registry.view_persons")


def audit_events_present(events: Iterable[AuditEvent], viewer: User) -> list[AuditEvent]:
    """The events as this viewer may read them: for a viewer who does not see persons,
    a person's name becomes a stable pseudonym and personal values are hidden."""
    events = list(events)
    if sees_persons(viewer):
        return events
    return [event_pseudonymise(event) for event in events]


def _range_event_ids(viewer: User, object_type: str, pk: object) -> list[int]:
    """Events naming a range of ids that holds ``pk`` (of ``object_type``, or of any type
    if empty), where the viewer may see that range's region (``AuditObjectRange``)."""
    ranges = AuditObjectRange.objects.filter(_visibility_q(viewer)).holding(object_type, pk)
    return list(ranges.values_list("event_id", flat=True).distinct())


# Persons whose name matches a search, looked up in the ranges of events about many
# persons at once (an intake batch): enough for a name, bounded for "Siti".
NAME_SEARCH_PERSONS = 500
NAME_SEARCH_MIN_LETTERS = 3


def _range_event_ids_by_name(viewer: User, object_type: str, term: str) -> list[int]:
    """Events about many persons at once whose ranges hold a person, in the viewer's
    scope, whose name contains ``term`` (at most ``NAME_SEARCH_PERSONS`` such persons):
    a batch import's single event names no one in ``object_repr``, yet an auditor
    searching a name must find where that person came from. Only for viewers who may
    read persons' names (the same rule as the name search itself)."""
    person_type = "registry.person"
    if object_type not in ("", person_type) or not sees_persons(viewer):
        return []
    if len(term) < NAME_SEARCH_MIN_LETTERS or term.isdigit():
        return []
    Person = apps.get_model("registry", "Person")  # registry imports audit, not back
    persons = Person.objects.filter(region_q(viewer, "village"), full_name__icontains=term)
    ids = list(persons.values_list("pk", flat=True)[:NAME_SEARCH_PERSONS])
    if not ids:
        return []
    holding = Q()
    for pk in ids:
        holding |= Q(first_id__lte=pk, last_id__gte=pk)
    ranges = AuditObjectRange.objects.filter(_visibility_q(viewer), object_type=person_type)
    return list(ranges.filter(holding).values_list("event_id", flat=True).distinct())


def audit_events_for(obj: Model, viewer: User) -> QuerySet[AuditEvent]:
    """The history of one object, for its detail page.

    Call it after ``access_<entity>`` has granted the viewer the object itself. Region
    scope still applies, and access-log events (who saw a full NIK) are left out unless
    the viewer is an auditor (``audit.view_events``). Events about many objects at once
    (an intake batch's persons) count for each object in their ranges, scoped by the
    range's region (each range lies in one village).
    """
    named = Q(object_type=obj._meta.label_lower, object_id=str(obj.pk)) & _visibility_q(viewer)
    in_ranges = _range_event_ids(viewer, obj._meta.label_lower, obj.pk)
    queryset = AuditEvent.objects.filter(named | Q(pk__in=in_ranges) if in_ranges else named)
    if not viewer.has_perm("audit.view_events"):
        queryset = queryset.exclude(action__in=ACCESS_LOG_ACTIONS)
    return queryset.order_by("-occurred_at", "-id")


def audit_action_choices() -> list[tuple[str, str]]:
    """Every registered action code with its label, sorted by code, for filter forms."""
    return sorted((code, f"{label} ({code})") for code, label in ACTIONS.items())


def audit_object_types() -> list[str]:
    """Object types named by the registered codes (``accounts.user.created`` → ``accounts.user``).

    Taken from the registry rather than ``SELECT DISTINCT`` over a table that grows by
    millions of rows.
    """
    return sorted({code.rsplit(".", 1)[0] for code in ACTIONS})


@dataclass(frozen=True)
class AccessRow:
    """One line of the answer: a logged read (``PersonalDataAccess``) or a full NIK shown
    (``registry.person.nik_viewed`` audit event: the claim letter, the membership card,
    the ``{% nik_full %}`` tag), in the same shape."""

    occurred_at: dt.datetime
    viewer_label: str
    agency_label: str
    fields: list[str]
    purpose: str
    path: str
    person_count: int


@dataclass(frozen=True)
class AccessLogAnswer:
    """The answer to "who looked at my data": the person (if registered in scope) and
    every read of it, newest first."""

    nik: str
    person_ids: list[int]
    accesses: list[AccessRow]


def _same_read(read_times: list[dt.datetime], event: AuditEvent) -> bool:
    window = dt.timedelta(minutes=5)
    return any(abs(at - event.occurred_at) < window for at in read_times)


def personal_data_access_for_nik(*, viewer: User, nik: str) -> AccessLogAnswer:
    """Every logged read of the person with this NIK, for a Dinas data officer.

    Found by the NIK's keyed digest (the log holds no NIK) and by the ids of persons in
    the registry with that NIK now (a NIK corrected later), plus every time the full NIK
    was shown (``nik_access_log`` writes those to the audit trail, by person id). Only
    persons in the viewer's region scope are answered for: outside it, the answer is
    empty, as for an unknown NIK.
    """
    require_perm(viewer, "audit.view_access_log")
    nik = nik_clean(nik)
    if not NIK_RE.fullmatch(nik):
        raise DomainError(f"NIK {nik!r} harus 16 angka.", code="nik_invalid", field="nik")
    from jamsos.registry.models import Person

    persons = list(
        Person.objects.filter(region_q(viewer, "village"), nik=nik).values_list("pk", flat=True)
    )
    if not persons:
        return AccessLogAnswer(nik=nik, person_ids=[], accesses=[])
    access_ids = PersonalDataAccessItem.objects.filter(
        Q(nik_digest=nik_digest(nik)) | Q(person_id__in=persons)
    ).values("access_id")
    reads = list(
        PersonalDataAccess.objects.filter(pk__in=access_ids).order_by("-occurred_at", "-id")
    )
    rows = [
        AccessRow(
            occurred_at=a.occurred_at,
            viewer_label=a.viewer_label,
            agency_label=a.agency_label,
            fields=list(a.fields),
            purpose=a.purpose,
            path=a.path,
            person_count=a.person_count,
        )
        for a in reads
    ]
    # A page that logs its read and also shows the full NIK (``{% nik_full %}``, purpose
    # = the page's path) wrote both; the read already says so, once.
    page_reads: dict[tuple[int, str], list[dt.datetime]] = {}
    for a in reads:
        if a.path:
            page_reads.setdefault((a.viewer_id, a.path), []).append(a.occurred_at)
    shown = AuditEvent.objects.filter(
        action=NIK_VIEWED,
        object_type="registry.person",
        object_id__in=[str(pk) for pk in persons],
    ).order_by("-occurred_at", "-id")
    rows += [
        AccessRow(
            occurred_at=e.occurred_at,
            viewer_label=e.actor_label,
            agency_label=e.agency_label,
            fields=["nik"],
            purpose=str((e.data or {}).get("purpose", "")),
            path="",
            person_count=1,
        )
        for e in shown
        if not _same_read(page_reads.get((e.actor_id, (e.data or {}).get("purpose")), []), e)
    ]
    rows.sort(key=lambda r: r.occurred_at, reverse=True)
    return AccessLogAnswer(nik=nik, person_ids=persons, accesses=rows)
