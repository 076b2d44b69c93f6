"""Reads for user management. Every list goes through the access layer's scope."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from jamsos.accounts.access import (
    agency_selectable_q,
    region_code_q,
    region_q,
    require_perm,
    scope_queryset,
)
from jamsos.accounts.models import Agency, ApiToken, RoleGrant, User
from jamsos.regions.models import Region

# Above this many, the region picker drops the lowest level (a province has thousands of
# villages); the field still accepts any in-scope code typed by hand.
REGION_CHOICES_LIMIT = 2500


@dataclass(frozen=True)
class UserFilters:
    """What the user list can be narrowed by; empty values mean "any"."""

    search: str = ""
    role: str = ""
    agency_id: int | None = None
    is_active: bool | None = None


def user_list(*, viewer: User, filters: UserFilters | None = None) -> QuerySet[User]:
    """Users whose scope lies inside the viewer's, for admins (``accounts.manage_users``)."""
    require_perm(viewer, "accounts.manage_users")
    filters = filters or UserFilters()
    queryset = scope_queryset(viewer, User.objects.select_related("agency", "region"), "region")
    if filters.search:
        term = filters.search.strip()
        queryset = queryset.filter(
            Q(username__icontains=term) | Q(full_name__icontains=term) | Q(email__icontains=term)
        )
    if filters.role:
        queryset = queryset.filter(role=filters.role)
    if filters.agency_id is not None:
        queryset = queryset.filter(agency_id=filters.agency_id)
    if filters.is_active is not None:
        queryset = queryset.filter(is_active=filters.is_active)
    return queryset.order_by("username")


def agency_list(*, viewer: User, search: str = "") -> QuerySet[Agency]:
    """Agencies the viewer may assign users to, with the number of in-scope users each."""
    require_perm(viewer, "accounts.manage_users")
    queryset = (
        Agency.objects.filter(agency_selectable_q(viewer))
        .select_related("region")
        .annotate(user_count=Count("users", filter=region_q(viewer, "users__region")))
    )
    if search.strip():
        queryset = queryset.filter(
            Q(name__icontains=search.strip()) | Q(code__icontains=search.strip())
        )
    return queryset.order_by("region_id", "name")


def agency_choices(*, viewer: User) -> QuerySet[Agency]:
    """Active agencies offered in the user form (no counts: a plain select)."""
    return (
        Agency.objects.filter(agency_selectable_q(viewer), is_active=True)
        .select_related("region")
        .order_by("region_id", "name")
    )


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    """A user's own tokens, newest first; revoked ones stay listed for the record."""
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def region_choices(*, viewer: User, limit: int = REGION_CHOICES_LIMIT) -> list[Region]:
    """Regions inside the viewer's scope to offer in a picker, coarsest levels first kept.

    1. Take every region in scope. 2. While there are more than ``limit``, drop the
    finest remaining level (villages, then kecamatan). Costs one COUNT per level tried.
    """
    queryset = Region.objects.filter(region_code_q(viewer, "code")).only(
        "code", "name", "level", "kind"
    )
    for finer in (Region.Level.VILLAGE, Region.Level.DISTRICT):
        if queryset.count() <= limit:
            break
        queryset = queryset.exclude(level=finer)
    return list(queryset.order_by("code")[:limit])


def role_grant_list(*, viewer: User) -> QuerySet[RoleGrant]:
    """Role grants of users in the viewer's scope, open ones first."""
    require_perm(viewer, "accounts.approve_role_grant")
    return (
        scope_queryset(viewer, RoleGrant.objects.all(), "user__region")
        .select_related("user", "requested_by", "decided_by")
        .order_by("-status", "-requested_at", "-id")
    )
