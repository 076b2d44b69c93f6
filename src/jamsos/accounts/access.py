"""The only place that decides which rows a user may see.

Design goal: a view, API or selector never filters by region itself; it asks here. A user
with no scope sees nothing (except superusers, who see everything). Not-found and
forbidden are indistinguishable to the caller. Each conditional stands on its own line
so that branch coverage shows every rule was exercised (STYLE.md 17).
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext

from jamsos.accounts.models import Agency, ApiToken, RoleGrant, User
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


def region_code_q(user: User, field: str) -> Q:
    """``region_q`` for a plain code column (``AuditEvent.region_code``), not a foreign key."""
    if user.is_superuser:
        return Q()
    if not user.is_active or user.region_id is None:
        return Q(pk__in=[])
    code = user.region_id
    return Q(**{field: code}) | Q(**{f"{field}__startswith": code + "."})


def scope_queryset(user: User, queryset: QuerySet[M], field: str) -> QuerySet[M]:
    return queryset.filter(region_q(user, field))


def scoped_get(
    viewer: User, queryset: QuerySet[M], field: str, pk: int, *, for_write: bool, missing: str
) -> M:
    """Row ``pk`` of ``queryset`` if its ``field`` region is in the viewer's scope, else
    ``NotFoundOrForbidden(missing)`` (a row out of scope and a missing one look the same).

    ``for_write`` locks the row (not the joined ones), so call it inside the transaction
    of the change. The ``access_*`` helpers check their permission first, then call this.
    """
    queryset = scope_queryset(viewer, queryset, field)
    if for_write:
        queryset = queryset.select_for_update(of=("self",))
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise NotFoundOrForbidden(missing)
    return obj


def region_in_scope(user: User, code: str | None) -> bool:
    """The same rule as ``region_q`` for one code already in memory (no query)."""
    if user.is_superuser:
        return True
    if not user.is_active or user.region_id is None or not code:
        return False
    return code == user.region_id or code.startswith(user.region_id + ".")


def require_region(user: User, code: str | None) -> None:
    """``region_in_scope`` for a write: a region outside the user's scope is the same
    404 as a missing one."""
    if not region_in_scope(user, code):
        raise NotFoundOrForbidden(gettext("Wilayah di luar cakupan Anda."))


def ancestor_codes(code: str) -> list[str]:
    """``"13.03.03"`` → ``["13", "13.03"]``: the regions that contain this one."""
    parts = code.split(".")
    return [".".join(parts[:n]) for n in range(1, len(parts))]


def require_perm(user: User, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied(gettext("Anda tidak berwenang untuk tindakan ini."), perm=perm)


def may_see_persons(user: User) -> bool:
    """DPRD and the executive see totals only, never a person (DESIGN.md)."""
    if user.is_superuser:
        return True
    return (
        user.is_active
        and user.role not in AGGREGATE_ONLY_ROLES
        and user.has_perm("registry.view_persons")
    )


def access_user(viewer: User, pk: int, *, for_write: bool = False) -> User:
    """A user the viewer manages: needs ``accounts.manage_users`` and the user in scope.

    ``for_write`` locks the row, so call it inside the transaction of the change.
    """
    missing = gettext("Pengguna tidak ditemukan.")
    if not viewer.has_perm("accounts.manage_users"):
        raise NotFoundOrForbidden(missing)
    queryset = User.objects.select_related("agency", "region")
    return scoped_get(viewer, queryset, "region", pk, for_write=for_write, missing=missing)


def agency_selectable_q(viewer: User) -> Q:
    """Agencies a viewer may assign users to: inside its scope, or containing it.

    An agency anchored above the admin's scope (a BPJS branch anchored at the province
    that serves several kabupaten) must stay selectable; one in a neighbouring kabupaten
    must not.
    """
    if viewer.is_superuser:
        return Q()
    if viewer.region_id is None:
        return Q(pk__in=[])
    return region_q(viewer, "region") | Q(region_id__in=ancestor_codes(viewer.region_id))


def access_agency(viewer: User, pk: int) -> Agency:
    if not viewer.has_perm("accounts.manage_users"):
        raise NotFoundOrForbidden(gettext("Instansi tidak ditemukan."))
    agency = Agency.objects.filter(agency_selectable_q(viewer), pk=pk).first()
    if agency is None:
        raise NotFoundOrForbidden(gettext("Instansi tidak ditemukan."))
    return agency


def access_own_api_token(viewer: User, pk: int) -> ApiToken:
    """One of the viewer's own tokens; anybody else's looks like a missing one."""
    token = ApiToken.objects.select_related("user").filter(user_id=viewer.pk, pk=pk).first()
    if token is None:
        raise NotFoundOrForbidden(gettext("Token tidak ditemukan."))
    return token


def access_role_grant(viewer: User, pk: int) -> RoleGrant:
    """A role grant of a user in the viewer's scope, for a checker (404 otherwise)."""
    require_perm(viewer, "accounts.approve_role_grant")
    grant = (
        RoleGrant.objects.select_related("user")
        .filter(region_q(viewer, "user__region"), pk=pk)
        .first()
    )
    if grant is None:
        raise NotFoundOrForbidden("Permohonan peran tidak ditemukan.")
    return grant
