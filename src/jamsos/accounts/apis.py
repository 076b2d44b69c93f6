"""``/api/accounts/``: who am I, and user management for admins (same rules as the UI)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status

from jamsos.accounts import services
from jamsos.accounts.access import access_agency, require_perm
from jamsos.accounts.models import User
from jamsos.accounts.roles import PERMISSIONS, ROLE_PERMISSIONS, Role
from jamsos.accounts.selectors import UserFilters, user_list
from jamsos.api.schemas import READ_ERRORS, Id, PageIn, PageMetaOut, errors, paginate
from jamsos.lib.errors import DomainError, NotFoundOrForbidden
from jamsos.regions.models import Region

router = Router(tags=["accounts"])


class AgencyRefOut(Schema):
    id: int
    code: str
    name: str


class UserOut(Schema):
    id: int
    username: str
    full_name: str
    email: str
    phone: str
    role: str
    role_label: str
    agency: AgencyRefOut | None
    region: str | None = Field(None, description="Kode wilayah cakupan.")
    is_active: bool

    @staticmethod
    def resolve_role_label(obj: User) -> str:
        return str(obj.get_role_display())

    @staticmethod
    def resolve_region(obj: User) -> str | None:
        return obj.region_id


class MeOut(UserOut):
    permissions: list[str]

    @staticmethod
    def resolve_permissions(obj: User) -> list[str]:
        if obj.is_superuser:
            return sorted(PERMISSIONS)
        return sorted(ROLE_PERMISSIONS.get(obj.role, frozenset()))


class UserListFilterIn(PageIn):
    search: str = Field("", max_length=100, description="Nama, nama pengguna, atau email.")
    role: Role | None = None
    agency_id: Id | None = None
    is_active: bool | None = None


class UserListOut(PageMetaOut):
    items: list[UserOut]


class UserCreateIn(Schema):
    username: str = Field(..., min_length=1, max_length=150, pattern=r"^[\w.@+-]+$")
    full_name: str = Field(..., min_length=1, max_length=150)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=20)
    role: Role
    agency_id: Id
    region_code: str = Field(..., description="Kode wilayah cakupan, mis. `13.03.03.2001`.")
    password: str = Field(..., min_length=1, max_length=128)


def _viewer(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@router.get(
    "/me",
    response={200: MeOut, **errors(401)},
    summary="Pengguna yang sedang masuk",
)
def me(request: HttpRequest):
    return _viewer(request)


@router.get(
    "/users",
    response={200: UserListOut, **READ_ERRORS},
    summary="Daftar pengguna dalam cakupan (admin)",
)
def users_list(request: HttpRequest, filters: Query[UserListFilterIn]):
    users = user_list(
        viewer=_viewer(request),
        filters=UserFilters(
            search=filters.search,
            role=filters.role or "",
            agency_id=filters.agency_id,
            is_active=filters.is_active,
        ),
    )
    meta, items = paginate(users, filters)
    return {**meta.dict(), "items": items}


@router.post(
    "/users",
    response={201: UserOut, **errors(400, 401, 403, 404, 422)},
    summary="Buat pengguna (admin)",
)
def users_create(request: HttpRequest, payload: UserCreateIn):
    viewer = _viewer(request)
    require_perm(viewer, "accounts.manage_users")
    try:
        agency = access_agency(viewer, payload.agency_id)
    except NotFoundOrForbidden as exc:
        raise DomainError(
            gettext("Instansi %(agency_id)s tidak ditemukan.") % {"agency_id": payload.agency_id},
            code="agency_unknown",
            field="agency_id",
        ) from exc
    region = Region.objects.filter(pk=payload.region_code).first()
    if region is None:
        raise DomainError(
            gettext("Kode wilayah %(region_code)s tidak ditemukan.")
            % {"region_code": repr(payload.region_code)},
            code="region_unknown",
            field="region_code",
        )
    user = services.user_create(
        username=payload.username,
        full_name=payload.full_name,
        email=payload.email,
        phone=payload.phone,
        role=payload.role,
        agency=agency,
        region=region,
        password=payload.password,
        acting_user=viewer,
    )
    return Status(201, user)
