"""Who sees which users and agencies (accounts.access and accounts.selectors)."""

from __future__ import annotations

import pytest
from django.db import transaction

from jamsos.accounts.access import (
    access_agency,
    access_own_api_token,
    access_user,
    agency_selectable_q,
    ancestor_codes,
    may_see_persons,
    region_code_q,
    region_in_scope,
    region_q,
    require_perm,
    require_region,
)
from jamsos.accounts.models import Agency, User
from jamsos.accounts.roles import Role
from jamsos.accounts.selectors import UserFilters, agency_list, region_choices, user_list
from jamsos.accounts.services import api_token_create
from jamsos.lib.errors import NotFoundOrForbidden, PermissionDenied
from jamsos.regions.models import Region
from jamsos.testing.factories import AgencyFactory, UserFactory, region

pytestmark = pytest.mark.django_db

SIJUNJUNG_USERNAMES = {
    "p_operator",
    "p_head",
    "p_bpjs",
    "p_camat",
    "p_agent",
    "p_bupati",
    "p_dprd",
    "p_admin",
}


def usernames(queryset) -> set[str]:
    return set(queryset.values_list("username", flat=True))


def test_scope_filter_keeps_users_inside_region_only(personas):
    visible = usernames(User.objects.filter(region_q(personas.dinas_operator, "region")))
    assert visible == SIJUNJUNG_USERNAMES


def test_agent_scope_is_its_nagari(personas):
    assert usernames(User.objects.filter(region_q(personas.agent, "region"))) == {"p_agent"}


def test_camat_scope_is_its_kecamatan(personas):
    visible = usernames(User.objects.filter(region_q(personas.kecamatan_operator, "region")))
    assert visible == {"p_camat", "p_agent"}


def test_outsider_sees_none_of_sijunjung(personas):
    assert usernames(User.objects.filter(region_q(personas.outsider, "region"))) == {"p_outsider"}


def test_prefix_needs_a_dot_boundary(personas):
    # 13.03 must not match a hypothetical 13.030: the dot closes the prefix.
    assert not region_in_scope(personas.dinas_operator, "13.030")
    assert region_in_scope(personas.dinas_operator, "13.03")
    assert region_in_scope(personas.dinas_operator, "13.03.03.2001")
    assert not region_in_scope(personas.dinas_operator, "13.71.01")
    assert not region_in_scope(personas.dinas_operator, "")


def test_require_region_refuses_outside_the_scope_like_a_missing_row(personas):
    require_region(personas.dinas_operator, "13.03.03.2001")
    with pytest.raises(NotFoundOrForbidden) as caught:
        require_region(personas.dinas_operator, "13.71.01")
    assert caught.value.message == "Wilayah di luar cakupan Anda."


def test_inactive_or_unscoped_users_see_nothing(personas):
    personas.admin.is_active = False
    assert not User.objects.filter(region_q(personas.admin, "region")).exists()
    assert not Region.objects.filter(region_code_q(personas.admin, "code")).exists()
    assert not region_in_scope(personas.admin, "13.03")
    unscoped = User(username="x", role=Role.ADMIN)
    assert not User.objects.filter(region_q(unscoped, "region")).exists()
    assert not Agency.objects.filter(agency_selectable_q(unscoped)).exists()


def test_superuser_sees_everything(personas):
    root = User(username="root", is_superuser=True)
    assert User.objects.filter(region_q(root, "region")).count() == User.objects.count()
    assert Region.objects.filter(region_code_q(root, "code")).count() == Region.objects.count()
    assert region_in_scope(root, "99.99")
    assert Agency.objects.filter(agency_selectable_q(root)).count() == Agency.objects.count()


def test_ancestor_codes():
    assert ancestor_codes("13.03.03.2001") == ["13", "13.03", "13.03.03"]
    assert ancestor_codes("13") == []


def test_user_list_per_persona(personas, padang_admin):
    assert usernames(user_list(viewer=personas.admin)) == SIJUNJUNG_USERNAMES
    assert usernames(user_list(viewer=padang_admin)) == {"p_outsider", "padang_admin"}


@pytest.mark.parametrize(
    "name",
    [
        "dinas_operator",
        "dinas_head",
        "bpjs_officer",
        "kecamatan_operator",
        "agent",
        "executive",
        "dprd",
        "outsider",
    ],
)
def test_only_admins_list_users(personas, name):
    with pytest.raises(PermissionDenied):
        user_list(viewer=getattr(personas, name))


def test_user_list_filters(personas):
    admin = personas.admin
    assert usernames(user_list(viewer=admin, filters=UserFilters(role=Role.AGENT))) == {"p_agent"}
    dinas = personas.dinas_operator.agency
    by_agency = user_list(viewer=admin, filters=UserFilters(agency_id=dinas.pk))
    assert usernames(by_agency) == {"p_operator", "p_head"}
    personas.dprd.is_active = False
    personas.dprd.save()
    inactive = user_list(viewer=admin, filters=UserFilters(is_active=False))
    assert usernames(inactive) == {"p_dprd"}
    assert "p_dprd" not in usernames(user_list(viewer=admin, filters=UserFilters(is_active=True)))
    search = user_list(viewer=admin, filters=UserFilters(search="P_CAM"))
    assert usernames(search) == {"p_camat"}


def test_access_user_inside_scope(personas):
    assert access_user(personas.admin, personas.agent.pk) == personas.agent
    with transaction.atomic():
        assert access_user(personas.admin, personas.agent.pk, for_write=True) == personas.agent


def test_access_user_hides_out_of_scope_and_missing_alike(personas, padang_admin):
    with pytest.raises(NotFoundOrForbidden) as outside:
        access_user(personas.admin, personas.outsider.pk)
    with pytest.raises(NotFoundOrForbidden) as missing:
        access_user(personas.admin, 999_999)
    assert outside.value.message == missing.value.message
    assert outside.value.http_status == 404
    with pytest.raises(NotFoundOrForbidden):
        access_user(padang_admin, personas.agent.pk)


@pytest.mark.parametrize("name", ["dinas_head", "agent", "dprd"])
def test_access_user_without_permission_is_not_found(personas, name):
    with pytest.raises(NotFoundOrForbidden):
        access_user(getattr(personas, name), getattr(personas, name).pk)


def test_agencies_selectable_inside_or_above_scope(personas, province_bpjs):
    neighbour = AgencyFactory(code="dinas-solok", region=region("13.02"))
    selectable = set(Agency.objects.filter(agency_selectable_q(personas.admin)))
    assert province_bpjs in selectable
    assert personas.agent.agency in selectable
    assert neighbour not in selectable
    assert personas.outsider.agency not in selectable
    assert access_agency(personas.admin, province_bpjs.pk) == province_bpjs
    with pytest.raises(NotFoundOrForbidden):
        access_agency(personas.admin, neighbour.pk)
    with pytest.raises(NotFoundOrForbidden):
        access_agency(personas.dinas_head, province_bpjs.pk)


def test_agency_list_counts_only_users_in_scope(personas, province_bpjs):
    UserFactory(username="sumbar_officer", role=Role.BPJS_OFFICER, agency=province_bpjs)
    UserFactory(
        username="sij_officer",
        role=Role.BPJS_OFFICER,
        agency=province_bpjs,
        region=region("13.03"),
    )
    counts = {a.code: a.user_count for a in agency_list(viewer=personas.admin)}
    assert counts["bpjs-sumbar"] == 1  # the province-scoped officer is not the admin's
    assert counts["disnakertrans-sijunjung"] == 2
    assert "disnaker-padang" not in counts
    assert [a.code for a in agency_list(viewer=personas.admin, search="DPRD")] == ["dprd-sijunjung"]


def test_region_choices_drop_villages_when_too_many(personas):
    all_levels = region_choices(viewer=personas.admin)
    assert {r.level for r in all_levels} == {"regency", "district", "village"}
    assert all(r.code.startswith("13.03") for r in all_levels)
    coarse = region_choices(viewer=personas.admin, limit=20)
    assert {r.level for r in coarse} <= {"regency", "district"}
    assert all(r.code.startswith("13.71") for r in region_choices(viewer=personas.outsider))


def test_own_api_token_only(personas):
    token, _key = api_token_create(user=personas.agent, name="hp", acting_user=personas.agent)
    assert access_own_api_token(personas.agent, token.pk) == token
    with pytest.raises(NotFoundOrForbidden):
        access_own_api_token(personas.admin, token.pk)


def test_require_perm_and_may_see_persons(personas):
    require_perm(personas.admin, "accounts.manage_users")
    with pytest.raises(PermissionDenied):
        require_perm(personas.agent, "accounts.manage_users")
    assert may_see_persons(personas.dinas_operator)
    assert not may_see_persons(personas.dprd)
    assert not may_see_persons(personas.executive)
    assert not may_see_persons(personas.agent)
    assert may_see_persons(User(username="root", is_superuser=True))
