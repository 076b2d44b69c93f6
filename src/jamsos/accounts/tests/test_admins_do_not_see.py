"""Admins administer, they do not see: no role that sees persons or approves without a
second person, no use of a password an admin chose, no token outliving a password change
or its age, and no person's name in the admin's audit trail."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from jamsos.accounts import services
from jamsos.accounts.models import ApiToken, RoleGrant, User
from jamsos.accounts.roles import GRANT_REVIEWED_ROLES, Role
from jamsos.accounts.tests.conftest import STRONG_PASSWORD
from jamsos.audit.models import AuditEvent
from jamsos.audit.services import audit_record
from jamsos.lib.errors import DomainError, PermissionDenied
from jamsos.testing.factories import PersonFactory, UserFactory, region

pytestmark = pytest.mark.django_db

ME = "/api/accounts/me"


@pytest.fixture
def second_admin(personas):
    return UserFactory(
        username="admin_dua", role=Role.ADMIN, agency=personas.admin.agency, region=region("13.03")
    )


def create_head(personas) -> User:
    return services.user_create(
        username="kadis_baru",
        full_name="Kepala Baru",
        role=Role.DINAS_HEAD,
        agency=personas.dinas_head.agency,
        region=personas.dinas_head.region,
        password=STRONG_PASSWORD,
        acting_user=personas.admin,
    )


def log_in(client, username: str, password: str) -> bool:
    client.post(reverse("web:login"), {"username": username, "password": password})
    return "_auth_user_id" in client.session


def pending(user: User) -> RoleGrant:
    return RoleGrant.objects.get(user=user, status=RoleGrant.Status.PENDING)


# --- maker-checker on roles ------------------------------------------------------------


def test_roles_that_see_persons_or_approve_are_reviewed():
    assert {Role.DINAS_HEAD, Role.DINAS_OPERATOR, Role.BPJS_OFFICER, Role.ADMIN} <= (
        GRANT_REVIEWED_ROLES
    )
    assert Role.KECAMATAN_OPERATOR in GRANT_REVIEWED_ROLES  # sees persons of its kecamatan
    assert Role.AGENT in GRANT_REVIEWED_ROLES  # sees its nagari's claims
    assert not {Role.DPRD, Role.EXECUTIVE} & GRANT_REVIEWED_ROLES


def test_an_admin_made_dinas_head_is_off_until_someone_else_approves(
    personas, second_admin, client
):
    head = create_head(personas)
    assert not head.is_active
    grant = pending(head)
    assert (grant.role, grant.requested_by, grant.activates) == (
        Role.DINAS_HEAD,
        personas.admin,
        True,
    )
    # The maker can neither log in as it nor switch it on nor approve it.
    assert not log_in(client, "kadis_baru", STRONG_PASSWORD)
    with pytest.raises(DomainError) as err:
        services.user_activate(user=head, acting_user=personas.admin)
    assert err.value.code == "role_grant_pending"
    with pytest.raises(PermissionDenied) as err:
        services.role_grant_approve(grant=grant, acting_user=personas.admin)
    assert err.value.code == "maker_cannot_check"
    head.refresh_from_db()
    assert not head.is_active
    # Another admin approves: the account is on with its role.
    services.role_grant_approve(grant=grant, acting_user=second_admin)
    head.refresh_from_db()
    assert head.is_active and head.role == Role.DINAS_HEAD
    (event,) = AuditEvent.objects.filter(action="accounts.role_grant.approved")
    assert event.actor == second_admin
    assert event.after["is_active"] is True


def test_the_dinas_head_may_approve_and_a_decided_grant_stays_decided(personas):
    head = create_head(personas)
    grant = pending(head)
    services.role_grant_approve(grant=grant, acting_user=personas.dinas_head)
    with pytest.raises(DomainError) as err:
        services.role_grant_reject(grant=grant, acting_user=personas.dinas_head)
    assert err.value.code == "grant_decided"


def test_a_rejected_grant_cannot_be_switched_on_by_activation(personas, second_admin):
    head = create_head(personas)
    services.role_grant_reject(grant=pending(head), acting_user=second_admin)
    with pytest.raises(DomainError):
        services.user_activate(user=head, acting_user=personas.admin)
    head.refresh_from_db()
    assert not head.is_active


def test_roles_without_personal_data_are_given_at_once(personas):
    dprd = services.user_create(
        username="dprd_baru",
        full_name="Anggota Baru",
        role=Role.DPRD,
        agency=personas.dprd.agency,
        region=personas.dprd.region,
        password=STRONG_PASSWORD,
        acting_user=personas.admin,
    )
    assert dprd.is_active
    assert not RoleGrant.objects.filter(user=dprd).exists()


def test_an_agent_sees_claims_so_its_account_waits_for_a_second_person(personas, second_admin):
    """An agent reads its nagari's claims (the dead or injured worker, the heirs): an
    admin who makes an agent, or resets an agent's password, could read them as the
    agent, so both wait for a second person as for the other roles (issue 10)."""
    assert Role.AGENT in GRANT_REVIEWED_ROLES
    agent = services.user_create(
        username="agen_baru",
        full_name="Agen Baru",
        role=Role.AGENT,
        agency=personas.agent.agency,
        region=personas.agent.region,
        password=STRONG_PASSWORD,
        acting_user=personas.admin,
    )
    assert not agent.is_active
    pending(agent)

    existing = personas.agent
    services.user_set_password(
        user=existing, password="Rendang-Kapau-7z", acting_user=personas.admin
    )
    existing.refresh_from_db()
    assert not existing.is_active  # the admin cannot log in as the agent meanwhile
    grant = pending(existing)
    with pytest.raises(PermissionDenied):
        services.role_grant_approve(grant=grant, acting_user=personas.admin)
    services.role_grant_approve(grant=grant, acting_user=second_admin)
    existing.refresh_from_db()
    assert existing.is_active and existing.must_change_password


def test_a_role_change_waits_for_approval_with_its_scope(personas, second_admin):
    agent = personas.agent
    services.user_update(
        user=agent,
        acting_user=personas.admin,
        role=Role.KECAMATAN_OPERATOR,
        region=region("13.03.03"),
        agency=personas.kecamatan_operator.agency,
        full_name="Nama Baru",
    )
    agent.refresh_from_db()
    assert (agent.role, agent.region_id, agent.full_name) == (
        Role.AGENT,
        "13.03.03.2001",
        "Nama Baru",
    )
    grant = pending(agent)
    # A second request while one is open is refused.
    with pytest.raises(DomainError):
        services.user_update(
            user=agent,
            acting_user=personas.admin,
            role=Role.DINAS_OPERATOR,
            region=region("13.03"),
            agency=personas.dinas_operator.agency,
        )
    services.role_grant_approve(grant=grant, acting_user=second_admin)
    agent.refresh_from_db()
    assert (agent.role, agent.region_id) == (Role.KECAMATAN_OPERATOR, "13.03.03")


def test_an_admin_cannot_raise_another_admin_alone(personas):
    """A second admin made by the first would be a sock puppet that approves its grants."""
    puppet = services.user_create(
        username="admin_boneka",
        full_name="Boneka",
        role=Role.ADMIN,
        agency=personas.admin.agency,
        region=personas.admin.region,
        password=STRONG_PASSWORD,
        acting_user=personas.admin,
    )
    assert not puppet.is_active
    with pytest.raises(PermissionDenied):
        services.role_grant_approve(grant=pending(puppet), acting_user=personas.admin)


def test_outsiders_and_roles_without_the_permission_cannot_decide(personas, padang_admin):
    grant = pending(create_head(personas))
    with pytest.raises(PermissionDenied):
        services.role_grant_approve(grant=grant, acting_user=padang_admin)  # out of scope
    with pytest.raises(PermissionDenied):
        services.role_grant_approve(grant=grant, acting_user=personas.dinas_operator)


def test_the_database_refuses_a_maker_who_checks(personas):
    grant = pending(create_head(personas))
    grant.status = RoleGrant.Status.APPROVED
    grant.decided_by = personas.admin
    with pytest.raises(IntegrityError), transaction.atomic():
        grant.save()


def test_the_grant_page_lets_another_approver_decide(personas, client):
    head = create_head(personas)
    grant = pending(head)
    client.force_login(personas.admin)
    page = client.get(reverse("accounts:role_grant_list"))
    assert page.status_code == 200
    assert b"kadis_baru" in page.content
    assert reverse("accounts:role_grant_decide", args=[grant.pk]).encode() not in page.content
    client.post(reverse("accounts:role_grant_decide", args=[grant.pk]), {"decision": "approve"})
    grant.refresh_from_db()
    assert grant.status == RoleGrant.Status.PENDING  # the maker's POST changed nothing
    client.force_login(personas.dinas_head)
    response = client.post(
        reverse("accounts:role_grant_decide", args=[grant.pk]), {"decision": "approve"}
    )
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.status == RoleGrant.Status.APPROVED
    client.force_login(personas.agent)
    assert client.get(reverse("accounts:role_grant_list")).status_code == 403


# --- passwords an admin chose ----------------------------------------------------------


def test_an_admin_reset_forces_a_change_at_login_and_revokes_tokens(personas, client):
    operator = personas.dinas_operator
    _token, key = services.api_token_create(user=operator, name="skrip", acting_user=operator)
    assert client.get(ME, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    services.user_set_password(user=operator, password=STRONG_PASSWORD, acting_user=personas.admin)
    operator.refresh_from_db()
    assert operator.must_change_password
    # The operator sees persons: the account is off until a second person approves.
    assert not operator.is_active
    assert not log_in(client, operator.username, STRONG_PASSWORD)
    grant = pending(operator)
    with pytest.raises(PermissionDenied):
        services.role_grant_approve(grant=grant, acting_user=personas.admin)
    with pytest.raises(DomainError):
        services.user_activate(user=operator, acting_user=personas.admin)
    services.role_grant_approve(grant=grant, acting_user=personas.dinas_head)
    operator.refresh_from_db()
    assert operator.is_active and operator.role == Role.DINAS_OPERATOR
    assert client.get(ME, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    assert ApiToken.objects.get(user=operator).revoked_at is not None
    assert AuditEvent.objects.filter(
        action="accounts.api_token.revoked", data__reason="password_set"
    ).exists()

    # Logged in with the admin's password, every page leads to the change form.
    assert log_in(client, operator.username, STRONG_PASSWORD)
    forced = reverse("accounts:password_change_required")
    for path in ("/", reverse("accounts:profile"), "/registri/"):
        response = client.get(path)
        assert (response.status_code, response["Location"]) == (302, forced), path
    assert client.get(ME).status_code == 403
    assert client.get(forced).status_code == 200
    # A wrong old password changes nothing.
    client.post(
        forced,
        {
            "old_password": "salah",
            "new_password1": "Sate-Padang-9x",
            "new_password2": "Sate-Padang-9x",
        },
    )
    operator.refresh_from_db()
    assert operator.must_change_password
    response = client.post(
        forced,
        {
            "old_password": STRONG_PASSWORD,
            "new_password1": "Sate-Padang-9x",
            "new_password2": "Sate-Padang-9x",
        },
    )
    assert response.status_code == 302
    operator.refresh_from_db()
    assert not operator.must_change_password
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert client.get(ME).status_code == 200


def test_new_accounts_made_by_an_admin_change_their_password_first(personas):
    agent = services.user_create(
        username="agen_baru",
        full_name="Agen Baru",
        role=Role.AGENT,
        agency=personas.agent.agency,
        region=personas.agent.region,
        password=STRONG_PASSWORD,
        acting_user=personas.admin,
    )
    assert agent.must_change_password


def test_changing_ones_own_password_revokes_ones_tokens(personas):
    user = personas.bpjs_officer
    services.api_token_create(user=user, name="a", acting_user=user)
    services.api_token_create(user=user, name="b", acting_user=user)
    services.user_set_password(user=user, password="Sate-Padang-9x", acting_user=user)
    user.refresh_from_db()
    assert not user.must_change_password
    assert not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()


# --- token age -------------------------------------------------------------------------


def test_tokens_expire_after_the_configured_age(personas, client, settings):
    settings.API_TOKEN_MAX_AGE_DAYS = 90
    user = personas.bpjs_officer
    token, key = services.api_token_create(user=user, name="lama", acting_user=user)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    ApiToken.objects.filter(pk=token.pk).update(created_at=timezone.now() - dt.timedelta(days=89))
    assert client.get(ME, **headers).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(
        created_at=timezone.now() - dt.timedelta(days=90, minutes=1)
    )
    assert client.get(ME, **headers).status_code == 401
    settings.API_TOKEN_MAX_AGE_DAYS = 365
    assert client.get(ME, **headers).status_code == 200
    token.refresh_from_db()
    assert token.expires_at == token.created_at + dt.timedelta(days=365)


# --- pseudonyms in the admin's audit trail ---------------------------------------------


def test_admins_read_pseudonyms_where_persons_were_named(personas, client):
    person = PersonFactory(full_name="Afrida Putri", village=region("13.03.03.2001"))
    audit_record(
        action="registry.person.updated",
        acting_user=personas.dinas_operator,
        obj=person,
        before={"full_name": "Afrida", "phone": "0812"},
        after={"full_name": "Afrida Putri", "phone": "0813"},
    )
    client.force_login(personas.admin)
    page = client.get(reverse("audit:event_list"))
    assert page.status_code == 200
    assert b"Afrida" not in page.content
    assert b"0813" not in page.content
    assert "Orang ·".encode() in page.content
    # The same person has the same pseudonym on every page and in the API.
    api = client.get("/api/audit/events", {"object_type": "registry.person"}).json()
    (item,) = [i for i in api["items"] if i["object_id"] == str(person.pk)]
    assert (
        item["object_repr"].startswith("Orang ·") and item["object_repr"].encode() in page.content
    )
    assert item["after"] == {"full_name": "•••", "phone": "•••"}
    # Searching by name tells an admin nothing.
    found = client.get("/api/audit/events", {"q": "Afrida"}).json()
    assert found["count"] == 0
    # The Dinas head (who sees persons) reads the name.
    client.force_login(personas.dinas_head)
    assert b"Afrida Putri" in client.get(reverse("audit:event_list")).content


def test_deactivate_reset_reactivate_does_not_go_around_the_second_person(personas):
    head = personas.dinas_head
    services.user_deactivate(user=head, acting_user=personas.admin)
    services.user_set_password(user=head, password=STRONG_PASSWORD, acting_user=personas.admin)
    with pytest.raises(DomainError) as err:
        services.user_activate(user=head, acting_user=personas.admin)
    assert err.value.code == "role_grant_pending"
    head.refresh_from_db()
    assert not head.is_active
