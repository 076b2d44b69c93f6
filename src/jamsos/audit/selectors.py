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
from dataclasses import dataclass

from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from jamsos.accounts.access import region_code_q, require_perm
from jamsos.accounts.models import User
from jamsos.audit.actions import ACTIONS
from jamsos.audit.models import AuditEvent
from jamsos.lib.errors import DomainError

# Access-log events say who looked at whose personal data; only auditors read them.
ACCESS_LOG_ACTIONS = frozenset({"registry.person.nik_viewed"})


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
        queryset = queryset.filter(Q(object_repr__icontains=term) | Q(object_id=term))
    if filters.date_from:
        queryset = queryset.filter(occurred_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        next_day = filters.date_to + dt.timedelta(days=1)
        queryset = queryset.filter(occurred_at__lt=_day_start(next_day))
    return queryset.order_by("-occurred_at", "-id")


def audit_events_for(obj: Model, viewer: User) -> QuerySet[AuditEvent]:
    """The history of one object, for its detail page.

    Call it after ``access_<entity>`` has granted the viewer the object itself. Region
    scope still applies, and access-log events (who saw a full NIK) are left out unless
    the viewer is an auditor (``audit.view_events``).
    """
    queryset = AuditEvent.objects.for_object(obj).filter(_visibility_q(viewer))
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
