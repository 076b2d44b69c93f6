"""API rate limits: per user and per client address, 429 with Retry-After."""

from __future__ import annotations

import pytest

from jamsos.accounts.services import api_token_create

pytestmark = pytest.mark.django_db

ME = "/api/accounts/me"


def key_of(user) -> dict[str, str]:
    _, key = api_token_create(user=user, name="uji", acting_user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_150_calls_in_a_burst_are_cut_off_at_the_users_limit(client, personas, settings):
    settings.API_THROTTLE_USER = "120/m"
    settings.API_THROTTLE_IP = "1000/m"
    auth = key_of(personas.agent)
    codes = [client.get(ME, **auth).status_code for _ in range(150)]
    assert codes[:120] == [200] * 120
    assert set(codes[120:]) == {429}
    response = client.get(ME, **auth)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert response.json()["code"] == "throttled"
    # another user from the same address is not slowed by the first one's calls
    assert client.get(ME, **key_of(personas.kecamatan_operator)).status_code == 200


def test_the_address_limit_holds_across_users(client, personas, settings):
    settings.API_THROTTLE_USER = "1000/m"
    settings.API_THROTTLE_IP = "10/m"
    users = [personas.agent, personas.kecamatan_operator, personas.dinas_operator]
    keys = [key_of(u) for u in users]
    codes = [client.get(ME, **keys[n % 3], REMOTE_ADDR="10.1.1.1").status_code for n in range(12)]
    assert codes[:10] == [200] * 10
    assert codes[10:] == [429, 429]
    # another address is still served
    assert client.get(ME, **keys[0], REMOTE_ADDR="10.1.1.2").status_code == 200


def test_a_forged_forwarded_for_header_does_not_escape_the_address_limit(
    client, personas, settings
):
    settings.API_THROTTLE_USER = "1000/m"
    settings.API_THROTTLE_IP = "5/m"
    auth = key_of(personas.agent)
    codes = [
        client.get(ME, **auth, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code for n in range(7)
    ]
    assert codes == [200] * 5 + [429, 429]
