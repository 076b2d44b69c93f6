"""Bearer tokens and sessions on the API, and the one error shape."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from jamsos.accounts.models import ApiToken
from jamsos.accounts.services import api_token_create, api_token_revoke, user_deactivate

pytestmark = pytest.mark.django_db

ME = "/api/accounts/me"
USERS = "/api/accounts/users"


@pytest.fixture
def agent_key(personas) -> str:
    _token, key = api_token_create(user=personas.agent, name="uji", acting_user=personas.agent)
    return key


def auth(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_bearer_token_authenticates(client, personas, agent_key):
    response = client.get(ME, **auth(agent_key))
    assert response.status_code == 200
    assert response.json()["username"] == "p_agent"
    token = ApiToken.objects.get()
    assert token.last_used_at is not None


def test_last_use_is_written_at_most_every_few_minutes(client, personas, agent_key):
    client.get(ME, **auth(agent_key))
    first = ApiToken.objects.get().last_used_at
    client.get(ME, **auth(agent_key))
    assert ApiToken.objects.get().last_used_at == first
    ApiToken.objects.update(last_used_at=timezone.now() - dt.timedelta(minutes=10))
    client.get(ME, **auth(agent_key))
    assert ApiToken.objects.get().last_used_at > first


def test_revoked_token_is_401(client, personas, agent_key):
    api_token_revoke(token=ApiToken.objects.get(), acting_user=personas.agent)
    response = client.get(ME, **auth(agent_key))
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_token_of_a_deactivated_user_is_401(client, personas, agent_key):
    user_deactivate(user=personas.agent, acting_user=personas.admin)
    assert client.get(ME, **auth(agent_key)).status_code == 401


@pytest.mark.parametrize("header", ["Bearer jms_tebakan", "Token abc", "Bearer ", "jms_x"])
def test_unknown_or_malformed_tokens_are_401(client, personas, header):
    response = client.get(ME, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert set(response.json()) == {"code", "message", "params"}


def test_revoked_token_post_is_401_not_a_csrf_403(personas, agent_key):
    client = Client(enforce_csrf_checks=True)
    api_token_revoke(token=ApiToken.objects.get(), acting_user=personas.agent)
    response = client.post(USERS, {}, content_type="application/json", **auth(agent_key))
    assert response.status_code == 401


def test_token_post_needs_no_csrf(personas):
    _token, key = api_token_create(user=personas.admin, name="x", acting_user=personas.admin)
    client = Client(enforce_csrf_checks=True)
    response = client.post(USERS, {}, content_type="application/json", **auth(key))
    assert response.status_code == 422  # past auth and CSRF, stopped by the empty payload


def test_session_post_needs_csrf(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.admin)
    response = client.post(USERS, {}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert client.get(ME).status_code == 200  # reads are fine


def test_session_post_with_csrf_token_passes(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.admin)
    client.get("/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(USERS, {}, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 422


def test_openapi_declares_errors_and_bearer_scheme(client):
    schema = client.get("/api/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())
    post_users = schema["paths"][USERS]["post"]["responses"]
    assert {"201", "400", "401", "403", "404", "422"} <= set(post_users)
    assert "/api/me" not in schema["paths"]
