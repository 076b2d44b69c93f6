"""Reads of the collaboration app, always scoped by the viewer (STYLE.md 8)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from jamsos.accounts.access import region_q, scope_queryset
from jamsos.accounts.models import Agency, User
from jamsos.collaboration.models import (
    ActionItem,
    Agreement,
    Forum,
    InterAgencyRequest,
    Meeting,
    ObligationInstance,
    ScorecardSnapshot,
)
from jamsos.regions.models import Region


def forum_list(*, viewer: User) -> QuerySet[Forum]:
    if not viewer.has_perm("collaboration.view_forum"):
        return Forum.objects.none()
    return scope_queryset(
        viewer, Forum.objects.select_related("region", "convening_agency"), "region"
    ).annotate(meeting_count=Count("meetings"))


def meeting_list(*, viewer: User, forum: Forum | None = None) -> QuerySet[Meeting]:
    if not viewer.has_perm("collaboration.view_forum"):
        return Meeting.objects.none()
    meetings = scope_queryset(
        viewer, Meeting.objects.select_related("forum", "convened_by"), "forum__region"
    )
    if forum is not None:
        meetings = meetings.filter(forum=forum)
    return meetings.annotate(
        decision_count=Count("decisions", distinct=True),
        agency_count=Count("attendances__agency", distinct=True),
    )


def meetings_upcoming(*, viewer: User, forum: Forum) -> QuerySet[Meeting]:
    return meeting_list(viewer=viewer, forum=forum).filter(starts_at__gte=timezone.now())


def action_item_list(
    *, viewer: User, mine: bool = False, status: str | None = None
) -> QuerySet[ActionItem]:
    if not viewer.has_perm("collaboration.view_forum"):
        return ActionItem.objects.none()
    items = scope_queryset(
        viewer,
        ActionItem.objects.select_related("forum", "owner_agency", "decision__meeting"),
        "forum__region",
    )
    if mine:
        items = items.filter(owner_agency_id=viewer.agency_id)
    if status:
        items = items.filter(status=status)
    return items.order_by("status", "due_on", "pk")


def request_list(*, viewer: User, box: str = "") -> QuerySet[InterAgencyRequest]:
    if not viewer.has_perm("collaboration.view_forum"):
        return InterAgencyRequest.objects.none()
    requests = scope_queryset(
        viewer,
        InterAgencyRequest.objects.select_related("forum", "from_agency", "to_agency"),
        "forum__region",
    )
    if box == "masuk":
        requests = requests.filter(to_agency_id=viewer.agency_id)
    elif box == "keluar":
        requests = requests.filter(from_agency_id=viewer.agency_id)
    return requests


def agreement_list(*, viewer: User) -> QuerySet[Agreement]:
    if not viewer.has_perm("collaboration.view_agreements"):
        return Agreement.objects.none()
    return scope_queryset(
        viewer, Agreement.objects.select_related("region", "amends"), "region"
    ).prefetch_related("parties__agency")


def obligation_instances(*, agreement: Agreement) -> QuerySet[ObligationInstance]:
    return (
        ObligationInstance.objects.filter(obligation__agreement=agreement)
        .select_related("obligation", "obligation__party")
        .order_by("-due_on", "obligation__code")
    )


def agencies_for(*, region: Region) -> QuerySet[Agency]:
    """Agencies that may take part in a forum of ``region``: its own and those inside it,
    and the regency's when the forum is a kecamatan's."""
    code = region.code
    regency = code[:5]
    return Agency.objects.filter(
        Q(region_id=code) | Q(region__code__startswith=code + ".") | Q(region_id=regency),
        is_active=True,
    ).order_by("kind", "name")


def scorecard_regions(*, viewer: User) -> QuerySet[Region]:
    """The kabupaten whose scorecard the viewer may read."""
    if not viewer.has_perm("collaboration.view_scorecard"):
        return Region.objects.none()
    regencies = Region.objects.filter(level=Region.Level.REGENCY)
    if viewer.is_superuser:
        return regencies.filter(code__in=Forum.objects.values("region_id"))
    code = viewer.region_id or ""
    return regencies.filter(Q(code=code) | Q(code__startswith=code + "."))


def snapshot_list(*, viewer: User, region: Region | None = None) -> QuerySet[ScorecardSnapshot]:
    if not viewer.has_perm("collaboration.view_scorecard"):
        return ScorecardSnapshot.objects.none()
    snapshots = ScorecardSnapshot.objects.filter(region_q(viewer, "region")).select_related(
        "region", "published_by"
    )
    if region is not None:
        snapshots = snapshots.filter(region=region)
    # Drafts are for the agencies that reply; DPRD and the Bupati read published ones.
    if not viewer.has_perm("collaboration.respond"):
        snapshots = snapshots.filter(status=ScorecardSnapshot.Status.PUBLISHED)
    return snapshots


def overdue_count(*, viewer: User, today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    return (
        action_item_list(viewer=viewer, status=ActionItem.Status.OPEN)
        .filter(due_on__lt=today)
        .count()
    )
