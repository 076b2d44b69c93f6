"""The only place that decides which rows a user may see.

Design goal: a view, API or selector never filters by region itself; it asks here. A user
with no scope sees nothing (except superusers, who see everything). Not-found and
forbidden are indistinguishable to the caller.
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, Q, QuerySet

from jamsos.accounts.models import Agency, User
from jamsos.accounts.roles import AGGREGATE_ONLY_ROLES
from jamsos.lib.errors import NotFoundOrForbidden, PermissionDenied

M = TypeVar("M", bound=Model)


def region_q(user: User, field: str) -> Q:
    """A filter keeping rows whose region column (a Region FK or code) lies in user's scope.

    ``field`` is the path to a ``Region`` foreign key, e.g. ``"village"`` or
    ``"person__village"``. Codes are dotted and fixed-width per level, so "inside" is
    equality or a prefix followed by a dot. The code is Region's primary key, so Django
    compares the foreign-key column itself: no join.
    """
    if user.is_superuser:
        return Q()
    if not user.is_active or user.region_id is None:
        return Q(pk__in=[])
    code = user.region_id
    return Q(**{f"{field}__code": code}) | Q(**{f"{field}__code__startswith": code + "."})


def scope_queryset(user: User, queryset: QuerySet[M], field: str) -> QuerySet[M]:
    return queryset.filter(region_q(user, field))


def require_perm(user: User, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied("Anda tidak berwenang untuk tindakan ini.", perm=perm)


def may_see_persons(user: User) -> bool:
    """DPRD and the executive see totals only, never a person (DESIGN.md)."""
    if user.is_superuser:
        return True
    return (
        user.is_active
        and user.role not in AGGREGATE_ONLY_ROLES
        and user.has_perm("registry.view_persons")
    )


def user_list_for(viewer: User) -> QuerySet[User]:
    require_perm(viewer, "accounts.manage_users")
    queryset = User.objects.select_related("agency", "region")
    return scope_queryset(viewer, queryset, "region")


def access_user(viewer: User, pk: int, *, for_write: bool = False) -> User:
    if not viewer.has_perm("accounts.manage_users"):
        raise NotFoundOrForbidden("Pengguna tidak ditemukan.")
    queryset = scope_queryset(viewer, User.objects.select_related("agency", "region"), "region")
    if for_write:
        queryset = queryset.select_for_update()
    user = queryset.filter(pk=pk).first()
    if user is None:
        raise NotFoundOrForbidden("Pengguna tidak ditemukan.")
    return user


def agency_list_for(viewer: User) -> QuerySet[Agency]:
    return scope_queryset(viewer, Agency.objects.select_related("region"), "region")
