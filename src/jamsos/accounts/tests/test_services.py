from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from jamsos.accounts import services
from jamsos.accounts.models import Agency, ApiToken, RoleGrant, User
from jamsos.accounts.roles import Role
from jamsos.accounts.tests.conftest import STRONG_PASSWORD
from jamsos.audit.models import AuditEvent
from jamsos.lib.errors import DomainError, PermissionDenied
from jamsos.testing.factories import AgencyFactory, region

pytestmark = pytest.mark.django_db

NAGARI = "13.03.03.2001"


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def create(personas, **overrides) -> User:
    kwargs = {
        "username": "agen_baru",
        "full_name": "Agen Baru",
        "role": Role.AGENT,
        "agency": personas.agent.agency,
        "region": region(NAGARI),
        "password": STRONG_PASSWORD,
        "acting_user": personas.admin,
    }
    kwargs.update(overrides)
    return services.user_create(**kwargs)


# --- user_create -----------------------------------------------------------------------


def test_create_writes_user_and_event(personas):
    user = create(personas, email="agen@example.test")
    assert user.check_password(STRONG_PASSWORD)
    assert user.password != STRONG_PASSWORD
    (event,) = events("accounts.user.created")
    assert event.actor == personas.admin
    assert event.region_code == NAGARI
    assert event.after["role"] == "agent"
    assert event.after["region"] == NAGARI
    assert "password" not in event.after


def test_role_level_must_fit(personas):
    with pytest.raises(ValidationError) as exc:
        create(personas, region=region("13.03.03"))
    message = " ".join(exc.value.message_dict["region"])
    assert "Agen Perisai" in message
    assert "Desa/Nagari/Kelurahan" in message
    assert "Kecamatan" in message
    with pytest.raises(ValidationError):
        create(personas, role=Role.DINAS_HEAD, agency=personas.dinas_head.agency)
    assert not User.objects.filter(username="agen_baru").exists()
    assert events("accounts.user.created") == []


def test_region_outside_admin_scope_is_refused(personas):
    with pytest.raises(DomainError) as exc:
        create(personas, region=region("13.71.01.1001"))
    assert exc.value.code == "outside_scope"
    assert exc.value.params["field"] == "region"
    # A province scope is wider than the regency admin's own.
    with pytest.raises(DomainError):
        create(personas, role=Role.DINAS_HEAD, region=region("13"))


def test_agency_must_be_selectable_and_active(personas, province_bpjs):
    with pytest.raises(DomainError) as exc:
        create(personas, agency=personas.outsider.agency)
    assert (exc.value.code, exc.value.params["field"]) == ("outside_scope", "agency")
    # An agency anchored above the admin's scope is fine.
    officer = create(
        personas,
        username="bpjs2",
        role=Role.BPJS_OFFICER,
        agency=province_bpjs,
        region=region("13.03"),
    )
    assert officer.agency == province_bpjs
    closed = AgencyFactory(code="tutup", region=region("13.03"), is_active=False)
    with pytest.raises(DomainError) as exc:
        create(personas, agency=closed)
    assert exc.value.code == "agency_inactive"


def test_usernames_are_unique_ignoring_case(personas):
    create(personas)
    with pytest.raises(ValidationError) as exc:
        create(personas, username="AGEN_BARU")
    assert "AGEN_BARU" in exc.value.message_dict["username"][0]


@pytest.mark.parametrize("password", ["pendek", "1234567890123", "password123"])
def test_weak_passwords_are_refused_under_the_password_field(personas, password):
    with pytest.raises(ValidationError) as exc:
        create(personas, password=password)
    assert "password" in exc.value.message_dict


@pytest.mark.parametrize("name", ["dinas_head", "agent", "dprd"])
def test_non_admins_cannot_create(personas, name):
    with pytest.raises(PermissionDenied):
        create(personas, acting_user=getattr(personas, name))


def test_the_system_may_create_anywhere(personas):
    user = create(
        personas, region=region("13.71.01.1001"), agency=personas.outsider.agency, acting_user=None
    )
    assert events("accounts.user.created")[0].actor_label == "sistem"
    assert user.region_id == "13.71.01.1001"


# --- user_update -------------------------------------------------------------------------


def test_update_records_only_changed_fields(personas):
    services.user_update(
        user=personas.agent,
        acting_user=personas.admin,
        full_name="Nama Baru",
        phone=personas.agent.phone,
    )
    (event,) = events("accounts.user.updated")
    assert event.after == {"full_name": "Nama Baru"}
    assert list(event.before) == ["full_name"]


def test_update_without_change_writes_nothing(personas):
    services.user_update(
        user=personas.agent, acting_user=personas.admin, full_name=personas.agent.full_name
    )
    assert events("accounts.user.updated") == []


def test_update_refuses_unlisted_fields(personas):
    with pytest.raises(DomainError) as exc:
        services.user_update(user=personas.agent, acting_user=personas.admin, is_superuser=True)
    assert exc.value.code == "field_not_editable"


def test_update_cannot_reach_or_move_out_of_scope(personas, padang_admin):
    with pytest.raises(PermissionDenied):
        services.user_update(user=personas.agent, acting_user=padang_admin, full_name="x")
    with pytest.raises(DomainError) as exc:
        services.user_update(
            user=personas.dinas_operator,
            acting_user=personas.admin,
            region=region("13.71"),
            agency=personas.outsider.agency,
        )
    assert exc.value.code == "outside_scope"
    personas.dinas_operator.refresh_from_db()
    assert personas.dinas_operator.region_id == "13.03"


def test_admin_cannot_change_own_role(personas):
    with pytest.raises(DomainError) as exc:
        services.user_update(user=personas.admin, acting_user=personas.admin, role=Role.DINAS_HEAD)
    assert exc.value.code == "self_role_change"


def test_role_change_with_fitting_region(personas):
    services.user_update(
        user=personas.agent,
        acting_user=personas.admin,
        role=Role.KECAMATAN_OPERATOR,
        region=region("13.03.03"),
        agency=personas.kecamatan_operator.agency,
    )
    # A Camat operator sees persons: the change waits for a second person (RoleGrant).
    (grant,) = RoleGrant.objects.filter(user=personas.agent)
    services.role_grant_approve(grant=grant, acting_user=personas.dinas_head)
    personas.agent.refresh_from_db()
    assert personas.agent.role == Role.KECAMATAN_OPERATOR
    (event,) = events("accounts.role_grant.approved")
    assert event.before["region"] == NAGARI
    assert event.after["region"] == "13.03.03"


# --- deactivate / activate ------------------------------------------------------------------


def test_deactivate_keeps_the_row_and_is_idempotent(personas):
    services.user_deactivate(user=personas.agent, acting_user=personas.admin)
    services.user_deactivate(user=personas.agent, acting_user=personas.admin)
    personas.agent.refresh_from_db()
    assert not personas.agent.is_active
    assert len(events("accounts.user.deactivated")) == 1
    services.user_activate(user=personas.agent, acting_user=personas.admin)
    personas.agent.refresh_from_db()
    assert personas.agent.is_active
    assert len(events("accounts.user.reactivated")) == 1


def test_cannot_deactivate_self_or_out_of_scope(personas, padang_admin):
    with pytest.raises(DomainError) as exc:
        services.user_deactivate(user=personas.admin, acting_user=personas.admin)
    assert exc.value.code == "self_deactivate"
    with pytest.raises(PermissionDenied):
        services.user_deactivate(user=personas.agent, acting_user=padang_admin)
    with pytest.raises(PermissionDenied):
        services.user_activate(user=personas.agent, acting_user=personas.dinas_head)


def test_deactivated_user_loses_its_session(client, personas):
    client.force_login(personas.agent)
    assert client.get("/").status_code == 200
    services.user_deactivate(user=personas.agent, acting_user=personas.admin)
    assert client.get("/").status_code == 302


def test_users_are_never_deleted_while_events_point_at_them(personas):
    from django.db.models import ProtectedError

    services.user_update(user=personas.agent, acting_user=personas.admin, full_name="x")
    with pytest.raises(ProtectedError):
        personas.admin.delete()


# --- passwords ----------------------------------------------------------------------------------


def test_admin_sets_password_of_managed_user(personas):
    services.user_set_password(
        user=personas.agent, password=STRONG_PASSWORD, acting_user=personas.admin
    )
    personas.agent.refresh_from_db()
    assert personas.agent.check_password(STRONG_PASSWORD)
    assert events("accounts.user.password_set")[0].data == {"by": "admin"}


def test_user_sets_own_password_without_admin_rights(personas):
    services.user_set_password(
        user=personas.agent, password=STRONG_PASSWORD, acting_user=personas.agent
    )
    assert events("accounts.user.password_set")[0].data == {"by": "self"}


def test_password_of_others_needs_admin_in_scope(personas, padang_admin):
    with pytest.raises(PermissionDenied):
        services.user_set_password(
            user=personas.agent, password=STRONG_PASSWORD, acting_user=personas.dinas_head
        )
    with pytest.raises(PermissionDenied):
        services.user_set_password(
            user=personas.agent, password=STRONG_PASSWORD, acting_user=padang_admin
        )
    with pytest.raises(ValidationError):
        services.user_set_password(
            user=personas.agent, password="12345", acting_user=personas.admin
        )
    assert events("accounts.user.password_set") == []


# --- API tokens ---------------------------------------------------------------------------------


def test_token_key_is_returned_once_and_only_its_hash_stored(personas):
    token, key = services.api_token_create(
        user=personas.agent, name=" skrip ", acting_user=personas.agent
    )
    assert key.startswith("jms_")
    assert token.key_hash == ApiToken.hash_key(key)
    assert key not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    assert token.name == "skrip"
    (event,) = events("accounts.api_token.created")
    assert key not in str(event.data)


def test_tokens_are_minted_only_for_oneself(personas):
    with pytest.raises(PermissionDenied):
        services.api_token_create(user=personas.agent, name="x", acting_user=personas.admin)
    with pytest.raises(ValidationError):
        services.api_token_create(user=personas.agent, name="", acting_user=personas.agent)


def test_revoke_own_or_as_admin_in_scope(personas, padang_admin):
    token, _ = services.api_token_create(user=personas.agent, name="a", acting_user=personas.agent)
    with pytest.raises(PermissionDenied):
        services.api_token_revoke(token=token, acting_user=padang_admin)
    with pytest.raises(PermissionDenied):
        services.api_token_revoke(token=token, acting_user=personas.dinas_operator)
    services.api_token_revoke(token=token, acting_user=personas.admin)
    services.api_token_revoke(token=token, acting_user=personas.agent)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert len(events("accounts.api_token.revoked")) == 1


# --- agencies -------------------------------------------------------------------------------------


def test_agency_create_inside_scope(personas):
    agency = services.agency_create(
        code="kua-tanjung-gadang",
        name="KUA Tanjung Gadang",
        kind=Agency.Kind.KUA,
        region=region("13.03.03"),
        acting_user=personas.admin,
    )
    (event,) = events("accounts.agency.created")
    assert event.object_id == str(agency.pk)
    assert event.region_code == "13.03.03"


def test_agency_create_refuses_outside_scope_duplicates_and_non_admins(personas):
    with pytest.raises(DomainError):
        services.agency_create(
            code="x", name="X", kind="kua", region=region("13.71"), acting_user=personas.admin
        )
    with pytest.raises(ValidationError) as exc:
        services.agency_create(
            code="dprd-sijunjung",
            name="X",
            kind="dprd",
            region=region("13.03"),
            acting_user=personas.admin,
        )
    assert "code" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.agency_create(
            code="y", name="Y", kind="kua", region=region("13.03"), acting_user=personas.dinas_head
        )
    assert events("accounts.agency.created") == []
