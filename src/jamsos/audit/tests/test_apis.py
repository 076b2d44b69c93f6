from __future__ import annotations

import pytest

from jamsos.accounts.services import api_token_create
from jamsos.audit.services import audit_record

pytestmark = pytest.mark.django_db

URL = "/api/audit/events"


def bearer(user) -> dict[str, str]:
    _token, key = api_token_create(user=user, name="uji", acting_user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_events_are_scoped_for_the_head(client, personas, trail):
    response = client.get(URL, {"action": "accounts.user.updated"}, **bearer(personas.dinas_head))
    assert response.status_code == 200
    body = response.json()
    regions = {item["region_code"] for item in body["items"]}
    assert body["count"] == len(body["items"]) == 8
    assert all(code.startswith("13.03") for code in regions)


def test_outsider_auditor_gets_none_of_sijunjung(client, padang_auditors, trail):
    body = client.get(URL, {"action": "accounts.user.updated"}, **bearer(padang_auditors[1])).json()
    assert [item["region_code"] for item in body["items"]] == ["13.71"]


def test_filters_and_paging(client, personas, trail):
    for _ in range(3):
        audit_record(
            action="accounts.agency.created", acting_user=personas.admin, obj=personas.admin.agency
        )
    headers = bearer(personas.admin)
    body = client.get(
        URL, {"action": "accounts.agency.created", "page_size": 2, "page": 2}, **headers
    ).json()
    assert (body["count"], body["pages"], body["page"], len(body["items"])) == (3, 2, 2, 1)
    item = body["items"][0]
    assert item["action_label"] == "Instansi dibuat"
    assert item["actor_label"] == str(personas.admin)
    body = client.get(URL, {"q": "diskominfo"}, **headers).json()
    assert body["count"] == 3


def test_unknown_action_is_a_400_with_a_code(client, personas):
    response = client.get(URL, {"action": "tidak.ada"}, **bearer(personas.admin))
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_action"


def test_bad_date_is_a_422(client, personas):
    response = client.get(URL, {"date_from": "kemarin"}, **bearer(personas.admin))
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"


@pytest.mark.parametrize("name", ["dinas_operator", "agent", "dprd", "executive"])
def test_non_auditors_get_403(client, personas, name):
    response = client.get(URL, **bearer(getattr(personas, name)))
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_anonymous_gets_401(client):
    response = client.get(URL)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
