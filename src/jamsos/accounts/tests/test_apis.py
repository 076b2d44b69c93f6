from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jamsos.accounts.models import User
from jamsos.accounts.roles import Role
from jamsos.accounts.services import api_token_create
from jamsos.accounts.tests.conftest import STRONG_PASSWORD
from jamsos.audit.models import AuditEvent
from jamsos.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

ME = "/api/accounts/me"
USERS = "/api/accounts/users"


def bearer(user) -> dict[str, str]:
    _token, key = api_token_create(user=user, name="uji", acting_user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def payload(personas, **overrides) -> dict[str, object]:
    data = {
        "username": "agen_api",
        "full_name": "Agen Lewat API",
        "role": "agent",
        "agency_id": personas.agent.agency_id,
        "region_code": "13.03.03.2001",
        "password": STRONG_PASSWORD,
    }
    data.update(overrides)
    return data


def post(client, personas, user, **overrides):
    return client.post(
        USERS, payload(personas, **overrides), content_type="application/json", **bearer(user)
    )


def test_me_with_session(client, personas):
    client.force_login(personas.dinas_head)
    body = client.get(ME).json()
    assert body["username"] == "p_head"
    assert body["role"] == "dinas_head"
    assert body["role_label"] == "Kepala Disnakertrans"
    assert body["region"] == "13.03"
    assert body["agency"]["name"] == "Disnakertrans Sijunjung"
    assert "audit.view_events" in body["permissions"]
    assert "accounts.manage_users" not in body["permissions"]


def test_users_list_is_scoped_and_paginated(client, personas):
    headers = bearer(personas.admin)
    body = client.get(USERS, {"page_size": 3}, **headers).json()
    assert (body["count"], body["pages"], len(body["items"])) == (8, 3, 3)
    everyone = {
        item["username"]
        for page in (1, 2, 3)
        for item in client.get(USERS, {"page_size": 3, "page": page}, **headers).json()["items"]
    }
    assert "p_outsider" not in everyone
    assert len(everyone) == 8
    empty = client.get(USERS, {"page": 99}, **headers).json()
    assert empty["items"] == []


def test_users_list_filters(client, personas):
    headers = bearer(personas.admin)
    body = client.get(USERS, {"role": "agent"}, **headers).json()
    assert [u["username"] for u in body["items"]] == ["p_agent"]
    body = client.get(USERS, {"search": "head"}, **headers).json()
    assert [u["username"] for u in body["items"]] == ["p_head"]
    assert client.get(USERS, {"role": "raja"}, **headers).status_code == 422
    assert client.get(USERS, {"page_size": 1000}, **headers).status_code == 422


def test_users_list_query_count_is_flat(client, personas, django_assert_max_num_queries):
    headers = bearer(personas.admin)
    client.get(USERS, **headers)  # the first use of a token also records last_used_at
    with CaptureQueriesContext(connection) as few:
        client.get(USERS, **headers)
    for i in range(20):
        UserFactory(username=f"x{i}", role=Role.DINAS_OPERATOR, agency=personas.dinas_head.agency)
    with CaptureQueriesContext(connection) as many:
        client.get(USERS, **headers)
    assert len(many.captured_queries) == len(few.captured_queries)
    with django_assert_max_num_queries(4):
        client.get(USERS, **headers)


def test_padang_admin_lists_only_padang(client, personas, padang_admin):
    body = client.get(USERS, **bearer(padang_admin)).json()
    assert {u["username"] for u in body["items"]} == {"p_outsider", "padang_admin"}


@pytest.mark.parametrize("name", ["agent", "dprd", "dinas_head", "outsider"])
def test_non_admins_get_403(client, personas, name):
    user = getattr(personas, name)
    response = client.get(USERS, **bearer(user))
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert post(client, personas, user).status_code == 403
    assert not User.objects.filter(username="agen_api").exists()


def test_create_user(client, personas):
    response = post(client, personas, personas.admin)
    assert response.status_code == 201
    body = response.json()
    # An agent sees its nagari's claims: the account waits for a second person.
    assert (body["username"], body["region"], body["is_active"]) == (
        "agen_api",
        "13.03.03.2001",
        False,
    )
    user = User.objects.get(username="agen_api")
    assert user.check_password(STRONG_PASSWORD)
    event = AuditEvent.objects.get(action="accounts.user.created")
    assert event.actor == personas.admin


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"region_code": "99.99"}, 400, "region_unknown"),
        ({"agency_id": 999_999}, 400, "agency_unknown"),
        ({"region_code": "13.71.01.1001"}, 400, "outside_scope"),
        ({"region_code": "13.03.03"}, 422, "invalid"),
        ({"password": "123"}, 422, "invalid"),
        ({"username": "p_agent"}, 422, "invalid"),
        ({"username": "ada spasi"}, 422, "invalid_request"),
        ({"role": "raja"}, 422, "invalid_request"),
    ],
)
def test_create_errors(client, personas, overrides, status, code):
    response = post(client, personas, personas.admin, **overrides)
    assert response.status_code == status, response.json()
    body = response.json()
    assert body["code"] == code
    assert body["message"]
    assert not User.objects.filter(full_name="Agen Lewat API").exists()


def test_create_error_names_the_field(client, personas):
    body = post(client, personas, personas.admin, region_code="13.03.03").json()
    assert "region" in body["params"]["fields"]
    assert "Agen Perisai" in body["message"]


def test_agency_of_another_region_is_unknown(client, personas, padang_admin):
    response = post(client, personas, padang_admin, region_code="13.71.01.1001")
    assert response.status_code == 400
    assert response.json()["code"] == "agency_unknown"
