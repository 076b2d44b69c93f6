from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone

from jamsos.accounts.access import require_perm
from jamsos.accounts.models import Agency, ApiToken, User
from jamsos.audit.services import audit_record, model_snapshot
from jamsos.lib.errors import DomainError
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


def _check_inside_scope(acting_user: User | None, region: Region | None) -> None:
    if acting_user is None or acting_user.is_superuser:
        return
    if region is None or acting_user.region is None or not acting_user.region.contains(region.code):
        raise DomainError(
            "Wilayah di luar cakupan Anda.",
            code="outside_scope",
            region=region.code if region else None,
        )


@transaction.atomic
def agency_create(
    *, code: str, name: str, kind: str, region: Region, acting_user: User | None
) -> Agency:
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
    _check_inside_scope(acting_user, region)
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
    validate_password(password, user)
    user.set_password(password)
    user.save()
    audit_record(
        action="accounts.user.created",
        acting_user=acting_user,
        obj=user,
        after=model_snapshot(user, USER_AUDIT_FIELDS),
    )
    return user


@transaction.atomic
def user_update(*, user: User, acting_user: User, **changes: Any) -> User:
    require_perm(acting_user, "accounts.manage_users")
    unknown = set(changes) - set(USER_EDITABLE_FIELDS)
    if unknown:
        raise DomainError(
            f"Kolom tidak dapat diubah: {', '.join(sorted(unknown))}", code="field_not_editable"
        )
    before = model_snapshot(user, USER_AUDIT_FIELDS)
    for name, value in changes.items():
        setattr(user, name, value)
    _check_inside_scope(acting_user, user.region)
    user.full_clean(exclude=["password"])
    user.save()
    after = model_snapshot(user, USER_AUDIT_FIELDS)
    if after != before:
        audit_record(
            action="accounts.user.updated",
            acting_user=acting_user,
            obj=user,
            before=before,
            after=after,
        )
    return user


@transaction.atomic
def user_deactivate(*, user: User, acting_user: User) -> User:
    require_perm(acting_user, "accounts.manage_users")
    if user.pk == acting_user.pk:
        raise DomainError("Anda tidak dapat menonaktifkan akun sendiri.", code="self_deactivate")
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
        audit_record(action="accounts.user.deactivated", acting_user=acting_user, obj=user)
    return user


@transaction.atomic
def user_set_password(*, user: User, password: str, acting_user: User) -> User:
    if acting_user.pk != user.pk:
        require_perm(acting_user, "accounts.manage_users")
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(action="accounts.user.password_set", acting_user=acting_user, obj=user)
    return user


@transaction.atomic
def api_token_create(*, user: User, name: str, acting_user: User) -> tuple[ApiToken, str]:
    """Create a token and return it with its key, which is shown once and never stored."""
    if acting_user.pk != user.pk:
        require_perm(acting_user, "accounts.manage_users")
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=user, name=name, key_hash=ApiToken.hash_key(key), prefix=key[4:12]
    )
    audit_record(
        action="accounts.api_token.created",
        acting_user=acting_user,
        obj=user,
        data={"token": token.prefix, "name": name},
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, acting_user: User) -> ApiToken:
    if acting_user.pk != token.user_id:
        require_perm(acting_user, "accounts.manage_users")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            action="accounts.api_token.revoked",
            acting_user=acting_user,
            obj=token.user,
            data={"token": token.prefix},
        )
    return token
