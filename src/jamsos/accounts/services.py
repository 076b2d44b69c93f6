"""Writes for agencies, users and API tokens. Each one records its audit event.

Rules every user-management write keeps (``acting_user`` None is the system itself: the
demo loader or the first admin):
1. The actor holds ``accounts.manage_users`` (self-service password and token changes
   excepted).
2. The target user's current scope and its new scope both lie inside the actor's scope,
   so an admin can neither reach out of its region nor move a user into or out of it.
3. The agency is active and selectable by the actor (inside or containing its scope).
4. The region level fits the role (``ROLE_SCOPE_LEVELS``, checked by ``User.clean``).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from jamsos.accounts.access import (
    agency_selectable_q,
    region_in_scope,
    require_perm,
)
from jamsos.accounts.models import Agency, ApiToken, RoleGrant, User
from jamsos.accounts.roles import GRANT_REVIEWED_ROLES
from jamsos.audit.services import audit_record, model_snapshot
from jamsos.lib.errors import DomainError, PermissionDenied
from jamsos.regions.models import Region

USER_AUDIT_FIELDS = (
    "username",
    "full_name",
    "email",
    "phone",
    "role",
    "agency",
    "region",
    "is_active",
)
USER_EDITABLE_FIELDS = ("full_name", "email", "phone", "role", "agency", "region")


def _require_region_in_scope(acting_user: User | None, region: Region | None) -> None:
    if acting_user is None or acting_user.is_superuser:
        return
    if region is None or not region_in_scope(acting_user, region.code):
        raise DomainError(
            gettext("Wilayah %(value)s di luar cakupan Anda (%(value2)s).")
            % {"value": region or "(kosong)", "value2": acting_user.region_id or "-"},
            code="outside_scope",
            field="region",
            region=region.code if region else None,
        )


def _require_agency_selectable(acting_user: User | None, agency: Agency | None) -> None:
    if agency is None:
        return
    if not agency.is_active:
        raise DomainError(
            gettext("Instansi %(agency)s tidak aktif.") % {"agency": agency},
            code="agency_inactive",
            field="agency",
        )
    if acting_user is None or acting_user.is_superuser:
        return
    if not Agency.objects.filter(agency_selectable_q(acting_user), pk=agency.pk).exists():
        raise DomainError(
            gettext("Instansi %(agency)s di luar cakupan Anda.") % {"agency": agency},
            code="outside_scope",
            field="agency",
        )


def _require_manages(acting_user: User, user: User) -> None:
    """Rules 1 and 2 for an existing user."""
    require_perm(acting_user, "accounts.manage_users")
    if not region_in_scope(acting_user, user.region_id):
        raise PermissionDenied(gettext("Pengguna ini di luar cakupan Anda."), code="outside_scope")


def _validate_new_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc


@transaction.atomic
def agency_create(
    *, code: str, name: str, kind: str, region: Region, acting_user: User | None
) -> Agency:
    if acting_user is not None:
        require_perm(acting_user, "accounts.manage_users")
    _require_region_in_scope(acting_user, region)
    agency = Agency(code=code, name=name, kind=kind, region=region)
    agency.full_clean()
    agency.save()
    audit_record(
        action="accounts.agency.created",
        acting_user=acting_user,
        obj=agency,
        after={"code": code, "name": name, "kind": kind, "region": region.code},
    )
    return agency


@transaction.atomic
def user_create(
    *,
    username: str,
    full_name: str,
    role: str,
    agency: Agency | None,
    region: Region | None,
    password: str,
    email: str = "",
    phone: str = "",
    acting_user: User | None,
) -> User:
    """Create a user. ``acting_user`` None means the system itself (demo, first admin)."""
    if acting_user is not None:
        require_perm(acting_user, "accounts.manage_users")
    _require_region_in_scope(acting_user, region)
    _require_agency_selectable(acting_user, agency)
    user = User(
        username=username,
        full_name=full_name,
        role=role,
        agency=agency,
        region=region,
        email=email,
        phone=phone,
    )
    user.full_clean(exclude=["password"])
    # "Budi" and "budi" would be two accounts nobody can tell apart at the login form.
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(
            {
                "username": gettext("Nama pengguna %(username)s sudah dipakai.")
                % {"username": repr(username)}
            }
        )
    _validate_new_password(password, user)
    user.set_password(password)
    # A person (not the system) chose this password: its owner replaces it at first login.
    user.must_change_password = acting_user is not None
    reviewed = acting_user is not None and role in GRANT_REVIEWED_ROLES
    if reviewed:
        # Off until a second person approves the role (role_grant_approve switches it on).
        user.is_active = False
    user.save()
    audit_record(
        action="accounts.user.created",
        acting_user=acting_user,
        obj=user,
        after=model_snapshot(user, USER_AUDIT_FIELDS),
    )
    if reviewed:
        _role_grant_request(user=user, role=role, activates=True, acting_user=acting_user)
    return user


@transaction.atomic
def user_update(*, user: User, acting_user: User, **changes: Any) -> User:
    """Change the whitelisted fields in ``changes``; records before and after."""
    _require_manages(acting_user, user)
    unknown = set(changes) - set(USER_EDITABLE_FIELDS)
    if unknown:
        raise DomainError(
            gettext("Kolom tidak dapat diubah: %(unknown)s")
            % {"unknown": ", ".join(sorted(unknown))},
            code="field_not_editable",
        )
    if user.pk == acting_user.pk and changes.get("role", user.role) != user.role:
        # An admin demoting itself could leave a region with nobody to manage it.
        raise DomainError(
            gettext("Anda tidak dapat mengubah peran akun sendiri."),
            code="self_role_change",
            field="role",
        )
    before = model_snapshot(user, USER_AUDIT_FIELDS)
    kept = {name: getattr(user, name) for name in ("role", "region", "agency")}
    for name, value in changes.items():
        setattr(user, name, value)
    _require_region_in_scope(acting_user, user.region)
    if "agency" in changes and user.agency_id != before["agency"]:
        _require_agency_selectable(acting_user, user.agency)
    user.full_clean(exclude=["password"])
    if user.role != kept["role"] and user.role in GRANT_REVIEWED_ROLES:
        # The role (with the scope that fits it) changes when a second person approves;
        # the other fields change now.
        grant = RoleGrant(role=user.role, region=user.region, agency=user.agency)
        for name, value in kept.items():
            setattr(user, name, value)
        _role_grant_request(
            user=user,
            role=grant.role,
            activates=False,
            acting_user=acting_user,
            region=grant.region,
            agency=grant.agency,
        )
    user.save()
    after = model_snapshot(user, USER_AUDIT_FIELDS)
    if after != before:
        changed = sorted(k for k in after if after[k] != before[k])
        audit_record(
            action="accounts.user.updated",
            acting_user=acting_user,
            obj=user,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    return user


@transaction.atomic
def user_deactivate(*, user: User, acting_user: User) -> User:
    """Switch a user off. Users are never deleted: audit events point at them."""
    _require_manages(acting_user, user)
    if user.pk == acting_user.pk:
        raise DomainError(
            gettext("Anda tidak dapat menonaktifkan akun sendiri."), code="self_deactivate"
        )
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
        audit_record(
            action="accounts.user.deactivated",
            acting_user=acting_user,
            obj=user,
            before={"is_active": True},
            after={"is_active": False},
        )
    return user


@transaction.atomic
def user_activate(*, user: User, acting_user: User) -> User:
    _require_manages(acting_user, user)
    if not user.is_active and _role_unapproved(user):
        raise DomainError(
            gettext(
                "Peran %(role)s untuk %(username)s belum disetujui; akun aktif setelah "
                "disetujui orang kedua."
            )
            % {"role": user.get_role_display(), "username": user.username},
            code="role_grant_pending",
        )
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
        audit_record(
            action="accounts.user.reactivated",
            acting_user=acting_user,
            obj=user,
            before={"is_active": False},
            after={"is_active": True},
        )
    return user


@transaction.atomic
def user_set_password(*, user: User, password: str, acting_user: User) -> User:
    """Set a password: one's own (the view checks the old one), or another's as admin.

    Changing the password changes the session hash, so the user's other sessions end.
    """
    is_self = acting_user.pk == user.pk
    if not is_self:
        _require_manages(acting_user, user)
    _validate_new_password(password, user)
    user.set_password(password)
    # Set by an admin: the owner replaces it at next login, so nobody else knows it.
    user.must_change_password = not is_self
    # An admin who resets the password of an account that sees persons or approves could
    # log in as it before its owner does: the account waits for a second person too.
    # (Also when it is off: else deactivate, reset, reactivate would go around this.)
    held = not is_self and user.role in GRANT_REVIEWED_ROLES
    if held:
        user.is_active = False
    user.save(update_fields=["password", "must_change_password", "is_active"])
    audit_record(
        action="accounts.user.password_set",
        acting_user=acting_user,
        obj=user,
        data={"by": "self" if is_self else "admin"},
    )
    if held:
        _role_grant_request(
            user=user, role=user.role, activates=True, acting_user=acting_user, reason="password"
        )
    _api_tokens_revoke_all(user=user, acting_user=acting_user, reason="password_set")
    return user


def _api_tokens_revoke_all(*, user: User, acting_user: User, reason: str) -> int:
    """Revoke every live token of ``user``: whoever knew the old password may have made one."""
    live = list(ApiToken.objects.filter(user=user, revoked_at__isnull=True).order_by("pk"))
    now = timezone.now()
    for token in live:
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])
        audit_record(
            action="accounts.api_token.revoked",
            acting_user=acting_user,
            obj=user,
            data={"token": token.prefix, "name": token.name, "reason": reason},
        )
    return len(live)


@transaction.atomic
def api_token_create(*, user: User, name: str, acting_user: User) -> tuple[ApiToken, str]:
    """Create one of the actor's own tokens; return it with its key, shown once.

    Only the SHA-256 of the key is stored. Nobody mints tokens for someone else: that
    would be a way to act as them without their password.
    """
    if acting_user.pk != user.pk:
        raise PermissionDenied(gettext("Token API hanya dapat dibuat untuk akun sendiri."))
    if not user.is_active:
        raise PermissionDenied(gettext("Akun tidak aktif."))
    key = ApiToken.new_key()
    token = ApiToken(
        user=user, name=name.strip(), key_hash=ApiToken.hash_key(key), prefix=key[4:12]
    )
    token.full_clean()
    token.save()
    audit_record(
        action="accounts.api_token.created",
        acting_user=acting_user,
        obj=user,
        data={"token": token.prefix, "name": token.name},
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, acting_user: User) -> ApiToken:
    """Revoke a token: the owner's own, or any of a managed user's (a leaked key)."""
    if acting_user.pk != token.user_id:
        _require_manages(acting_user, token.user)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            action="accounts.api_token.revoked",
            acting_user=acting_user,
            obj=token.user,
            data={"token": token.prefix, "name": token.name},
        )
    return token


# --- Role grants (maker-checker) ------------------------------------------------------


def _role_unapproved(user: User) -> bool:
    """Whether the user's role still waits for (or was refused) a second person's approval.

    Accounts older than role grants have none and count as approved.
    """
    latest = RoleGrant.objects.filter(user=user, role=user.role).order_by("-pk").first()
    return latest is not None and latest.status != RoleGrant.Status.APPROVED


def _role_grant_request(
    *,
    user: User,
    role: str,
    activates: bool,
    acting_user: User,
    region: Region | None = None,
    agency: Agency | None = None,
    reason: str = "role",
) -> RoleGrant:
    if RoleGrant.objects.filter(user=user, status=RoleGrant.Status.PENDING).exists():
        raise DomainError(
            gettext("Permohonan peran untuk %(username)s masih menunggu persetujuan.")
            % {"username": user.username},
            code="role_grant_pending",
            field="role",
        )
    grant = RoleGrant(
        user=user,
        role=role,
        region=region or user.region,
        agency=agency or user.agency,
        activates=activates,
        requested_by=acting_user,
    )
    grant.full_clean()
    grant.save()
    audit_record(
        action="accounts.role_grant.requested",
        acting_user=acting_user,
        obj=user,
        data={
            "grant": grant.pk,
            "role": role,
            "region": grant.region_id,
            "from": user.role if not activates else None,
            "reason": reason,
        },
    )
    return grant


def _require_decides(grant: RoleGrant, acting_user: User) -> None:
    """The checker: holds ``accounts.approve_role_grant``, has the user in scope, and is
    neither the maker nor the user."""
    require_perm(acting_user, "accounts.approve_role_grant")
    if not region_in_scope(acting_user, grant.user.region_id):
        raise PermissionDenied(gettext("Pengguna ini di luar cakupan Anda."), code="outside_scope")
    if acting_user.pk == grant.requested_by_id:
        raise PermissionDenied(
            gettext(
                "Permohonan peran tidak dapat disetujui oleh pembuatnya; minta administrator "
                "lain atau Kepala Dinas."
            ),
            code="maker_cannot_check",
        )
    if acting_user.pk == grant.user_id:
        raise PermissionDenied(
            gettext("Anda tidak dapat memutus peran Anda sendiri."), code="own_grant"
        )
    if grant.status != RoleGrant.Status.PENDING:
        raise DomainError(
            gettext("Permohonan ini sudah %(status)s.")
            % {"status": grant.get_status_display().lower()},
            code="grant_decided",
        )


@transaction.atomic
def role_grant_approve(*, grant: RoleGrant, acting_user: User) -> RoleGrant:
    """Give the role (and switch a new account on); the approver is not the maker."""
    grant = RoleGrant.objects.select_for_update().select_related("user").get(pk=grant.pk)
    _require_decides(grant, acting_user)
    user = User.objects.select_for_update().get(pk=grant.user_id)
    before = model_snapshot(user, ("role", "region", "agency", "is_active"))
    user.role = grant.role
    user.region = grant.region
    user.agency = grant.agency
    if grant.activates:
        user.is_active = True
    user.full_clean(exclude=["password"])
    user.save(update_fields=["role", "region", "agency", "is_active"])
    grant.status = RoleGrant.Status.APPROVED
    grant.decided_by = acting_user
    grant.decided_at = timezone.now()
    grant.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(
        action="accounts.role_grant.approved",
        acting_user=acting_user,
        obj=user,
        before=before,
        after=model_snapshot(user, ("role", "region", "agency", "is_active")),
        data={"grant": grant.pk, "requested_by": grant.requested_by_id},
    )
    return grant


@transaction.atomic
def role_grant_reject(*, grant: RoleGrant, acting_user: User) -> RoleGrant:
    grant = RoleGrant.objects.select_for_update().select_related("user").get(pk=grant.pk)
    _require_decides(grant, acting_user)
    grant.status = RoleGrant.Status.REJECTED
    grant.decided_by = acting_user
    grant.decided_at = timezone.now()
    grant.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(
        action="accounts.role_grant.rejected",
        acting_user=acting_user,
        obj=grant.user,
        data={"grant": grant.pk, "role": grant.role, "requested_by": grant.requested_by_id},
    )
    return grant
