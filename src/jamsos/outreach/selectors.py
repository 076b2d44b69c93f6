"""Reads of events and follow-ups, always scoped by the viewer's region."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from jamsos.accounts.access import region_code_q, scope_queryset
from jamsos.accounts.models import User
from jamsos.accounts.roles import Role
from jamsos.lib.periods import Month
from jamsos.outreach.models import FollowUp, OutreachEvent
from jamsos.regions.models import Region


def agents_of_village(village_code: str) -> list[User]:
    """The agents (Agen Perisai) working in a nagari: THE one place that answers it.

    The logins of active agents whose effective-dated assignment (``agents`` app) covers the
    nagari today, and the agent logins of that nagari not yet registered as an agent.
    Messages, follow-ups and the event pages all ask here.
    """
    from jamsos.agents.models import Agent, AgentAssignment

    today = timezone.localdate()
    assigned = AgentAssignment.objects.filter(
        nagari_id=village_code,
        valid_from__lte=today,
        agent__status=Agent.Status.ACTIVE,
        agent__user__isnull=False,
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
    unregistered = Q(role=Role.AGENT, region_id=village_code, agent__isnull=True)
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(pk__in=assigned.values("agent__user_id")) | unregistered)
        .order_by("pk")
    )


# --- Events ----------------------------------------------------------------------------------


def event_list(*, viewer: User, village: str = "", kind: str = "") -> QuerySet[OutreachEvent]:
    queryset = scope_queryset(
        viewer,
        OutreachEvent.objects.select_related("village__parent", "organiser"),
        "village",
    )
    if village:
        queryset = queryset.filter(village_id=village)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset


def event_detail_queryset() -> QuerySet[OutreachEvent]:
    return OutreachEvent.objects.select_related(
        "village__parent", "organiser", "created_by"
    ).prefetch_related("co_organisers", "officials__agency", "materials")


@dataclass(frozen=True)
class Conversion:
    """Proposals after an event: a count beside the event, never a claim that the event
    caused them (people may have been proposed anyway)."""

    days: int
    with_code: int
    from_village: int
    window_end: dt.date


def event_conversion(event: OutreachEvent) -> Conversion:
    """Proposal rows within ``OUTREACH_CONVERSION_DAYS`` after the event: those carrying
    its code, and all rows for its nagari (the code is often forgotten)."""
    from jamsos.intake.models import ProposalRow

    days = settings.OUTREACH_CONVERSION_DAYS
    start = dt.datetime.combine(event.held_on, dt.time.min, tzinfo=timezone.get_current_timezone())
    end = start + dt.timedelta(days=days + 1)
    rows = ProposalRow.objects.filter(
        batch__created_at__gte=start,
        batch__created_at__lt=end,
        status="valid",
    )
    return Conversion(
        days=days,
        with_code=rows.filter(event_code=event.code).count(),
        from_village=rows.filter(village_id=event.village_id).count(),
        window_end=event.held_on + dt.timedelta(days=days),
    )


@dataclass(frozen=True)
class Reach:
    villages: int
    reached: int
    not_reached: list[Region]
    since: dt.date


def village_reach(*, viewer: User, as_of: dt.date | None = None) -> Reach:
    """Nagari in the viewer's scope with and without an event in the last 12 months."""
    as_of = as_of or timezone.localdate()
    since = Month.from_date(as_of) - settings.OUTREACH_REACH_MONTHS
    since_date = since.first_day()  # type: ignore[union-attr]
    villages = Region.objects.filter(level=Region.Level.VILLAGE).filter(
        region_code_q(viewer, "code")
    )
    reached_codes = set(
        scope_queryset(viewer, OutreachEvent.objects.all(), "village")
        .filter(held_on__gte=since_date, held_on__lte=as_of)
        .values_list("village_id", flat=True)
    )
    all_villages = list(villages.select_related("parent").order_by("parent__name", "name"))
    return Reach(
        villages=len(all_villages),
        reached=sum(1 for v in all_villages if v.pk in reached_codes),
        not_reached=[v for v in all_villages if v.pk not in reached_codes],
        since=since_date,
    )


def events_per_quarter(*, viewer: User, year: int) -> list[dict[str, object]]:
    """Events per quarter and organiser (indicator "events per quarter by organiser")."""
    rows = (
        scope_queryset(viewer, OutreachEvent.objects.filter(held_on__year=year), "village")
        .values("held_on__quarter", "organiser__name")
        .annotate(n=Count("pk"))
        .order_by("held_on__quarter", "organiser__name")
    )
    return [
        {"quarter": r["held_on__quarter"], "organiser": r["organiser__name"], "events": r["n"]}
        for r in rows
    ]


# --- Follow-ups ------------------------------------------------------------------------------


def followup_list(*, viewer: User, status: str = "") -> QuerySet[FollowUp]:
    queryset = scope_queryset(
        viewer,
        FollowUp.objects.select_related("person", "village__parent", "claim"),
        "village",
    )
    if status:
        queryset = queryset.filter(status=status)
    return queryset
