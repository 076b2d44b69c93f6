from __future__ import annotations

import html

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jamsos.accounts.models import Agency, ApiToken, User
from jamsos.accounts.roles import Role
from jamsos.accounts.services import api_token_create
from jamsos.accounts.tests.conftest import STRONG_PASSWORD
from jamsos.audit.models import AuditEvent
from jamsos.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

NON_ADMINS = [
    "dinas_operator",
    "dinas_head",
    "bpjs_officer",
    "kecamatan_operator",
    "agent",
    "executive",
    "dprd",
    "outsider",
]


def admin_urls(personas) -> list[tuple[str, str]]:
    pk = personas.agent.pk
    return [
        ("get", reverse("accounts:user_list")),
        ("get", reverse("accounts:user_create")),
        ("get", reverse("accounts:user_edit", args=[pk])),
        ("get", reverse("accounts:user_password", args=[pk])),
        ("post", reverse("accounts:user_deactivate", args=[pk])),
        ("post", reverse("accounts:user_activate", args=[pk])),
        ("get", reverse("accounts:agency_list")),
        ("get", reverse("accounts:agency_create")),
    ]


def body(response) -> str:
    return html.unescape(response.content.decode())


# --- permissions ------------------------------------------------------------------------


def test_anonymous_is_sent_to_login_everywhere(client, personas):
    for method, url in [*admin_urls(personas), ("get", reverse("accounts:profile"))]:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("web:login")), url


@pytest.mark.parametrize("name", NON_ADMINS)
def test_non_admins_get_403_on_user_management(client, personas, name):
    client.force_login(getattr(personas, name))
    for method, url in admin_urls(personas):
        assert getattr(client, method)(url).status_code == 403, url
    assert User.objects.get(pk=personas.agent.pk).is_active


def test_admin_reaches_every_page(client, personas):
    client.force_login(personas.admin)
    for method, url in admin_urls(personas):
        if method == "get":
            assert client.get(url).status_code == 200, url


def test_out_of_scope_user_is_404_for_admin(client, personas, padang_admin):
    client.force_login(personas.admin)
    pk = personas.outsider.pk
    assert client.get(reverse("accounts:user_edit", args=[pk])).status_code == 404
    assert client.get(reverse("accounts:user_password", args=[pk])).status_code == 404
    assert client.post(reverse("accounts:user_deactivate", args=[pk])).status_code == 404
    assert client.get(reverse("accounts:user_edit", args=[999_999])).status_code == 404
    personas.outsider.refresh_from_db()
    assert personas.outsider.is_active


@pytest.mark.parametrize("name", [*NON_ADMINS, "admin"])
def test_everyone_has_a_profile_page(client, personas, name):
    client.force_login(getattr(personas, name))
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_state_changes_need_post_and_csrf(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.admin)
    url = reverse("accounts:user_deactivate", args=[personas.agent.pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403  # no CSRF token
    personas.agent.refresh_from_db()
    assert personas.agent.is_active


# --- list ---------------------------------------------------------------------------------


def listed(client, **params) -> set[str]:
    response = client.get(reverse("accounts:user_list"), params)
    assert response.status_code == 200
    return {u.username for u in response.context["page"].object_list}


def test_list_shows_scope_and_filters(client, personas):
    client.force_login(personas.admin)
    everyone = listed(client)
    assert "p_agent" in everyone
    assert "p_outsider" not in everyone
    assert listed(client, role=Role.AGENT) == {"p_agent"}
    assert listed(client, agency=personas.dinas_head.agency_id) == {"p_operator", "p_head"}
    assert listed(client, q="camat") == {"p_camat"}
    personas.dprd.is_active = False
    personas.dprd.save()
    assert listed(client, active="0") == {"p_dprd"}
    # An agency outside the scope is not a valid choice: an error, and nothing listed.
    response = client.get(reverse("accounts:user_list"), {"agency": personas.outsider.agency_id})
    assert response.context["form"].errors["agency"]
    assert list(response.context["page"].object_list) == []


def list_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("accounts:user_list")).status_code == 200
    return len(ctx.captured_queries)


def test_list_query_count_does_not_grow_with_users(client, personas, django_assert_max_num_queries):
    client.force_login(personas.admin)
    few = list_queries(client)
    agency = personas.dinas_operator.agency
    for i in range(30):
        UserFactory(username=f"extra{i}", role=Role.DINAS_OPERATOR, agency=agency)
    assert list_queries(client) == few
    # The page shell costs 4 (session, user, the user's agency and region); the page
    # itself 3 or 4 (count, rows, filter choices).
    with django_assert_max_num_queries(8):
        client.get(reverse("accounts:user_list"))


# --- create, edit, deactivate, password ---------------------------------------------------------


def form_data(personas, **overrides) -> dict[str, str]:
    data = {
        "username": "agen_baru",
        "full_name": "Agen Baru",
        "email": "",
        "phone": "0812 7000 1111",
        "role": Role.AGENT,
        "agency": str(personas.agent.agency_id),
        "region": "Nagari contoh (13.03.03.2001)",
        "password1": STRONG_PASSWORD,
        "password2": STRONG_PASSWORD,
    }
    data.update(overrides)
    return data


def test_create_user_redirects_and_audits(client, personas):
    client.force_login(personas.admin)
    response = client.post(reverse("accounts:user_create"), form_data(personas))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:user_list")
    user = User.objects.get(username="agen_baru")
    assert user.region_id == "13.03.03.2001"
    assert user.check_password(STRONG_PASSWORD)
    assert AuditEvent.objects.filter(action="accounts.user.created", object_id=user.pk).exists()


@pytest.mark.parametrize(
    ("overrides", "field", "text"),
    [
        ({"region": "13.03.03"}, "region", "Agen Perisai harus bercakupan Desa/Nagari/Kelurahan"),
        ({"region": "13.71.01.1001"}, "region", "di luar cakupan Anda"),
        ({"region": "99.99"}, "region", "Kode wilayah “99.99” tidak ditemukan"),
        ({"region": "Sijunjung"}, "region", "bukan kode wilayah"),
        ({"password2": "lain-sekali-123"}, "password2", "Kedua kata sandi tidak sama"),
        ({"password1": "12345", "password2": "12345"}, "password1", "terlalu pendek"),
        ({"username": "p_AGENT"}, "username", "sudah dipakai"),
        ({"username": "ada spasi"}, "username", "tanpa spasi"),
    ],
)
def test_create_errors_are_shown_next_to_their_field(client, personas, overrides, field, text):
    client.force_login(personas.admin)
    response = client.post(reverse("accounts:user_create"), form_data(personas, **overrides))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert text in errors
    assert f'data-testid="error-{field}"' in body(response)
    assert not User.objects.filter(username="agen_baru").exists()


def test_edit_user(client, personas):
    client.force_login(personas.admin)
    url = reverse("accounts:user_edit", args=[personas.agent.pk])
    page = client.get(url)
    assert page.context["form"]["region"].value() == "13.03.03.2001"
    data = {
        "full_name": "Nama Diubah",
        "email": "",
        "phone": "",
        "role": Role.AGENT,
        "agency": str(personas.agent.agency_id),
        "region": "13.03.03.2001",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    personas.agent.refresh_from_db()
    assert personas.agent.full_name == "Nama Diubah"
    event = AuditEvent.objects.get(action="accounts.user.updated")
    assert event.after["full_name"] == "Nama Diubah"


def test_deactivate_and_reactivate_via_post(client, personas):
    client.force_login(personas.admin)
    pk = personas.agent.pk
    response = client.post(reverse("accounts:user_deactivate", args=[pk]))
    assert response["Location"] == reverse("accounts:user_edit", args=[pk])
    assert not User.objects.get(pk=pk).is_active
    client.post(reverse("accounts:user_activate", args=[pk]))
    assert User.objects.get(pk=pk).is_active


def test_self_deactivation_is_refused_with_a_message(client, personas):
    client.force_login(personas.admin)
    response = client.post(
        reverse("accounts:user_deactivate", args=[personas.admin.pk]), follow=True
    )
    assert "tidak dapat menonaktifkan akun sendiri" in body(response)
    personas.admin.refresh_from_db()
    assert personas.admin.is_active


def test_admin_sets_new_password(client, personas):
    client.force_login(personas.admin)
    url = reverse("accounts:user_password", args=[personas.agent.pk])
    response = client.post(url, {"password1": "123", "password2": "123"})
    assert response.context["form"].errors["password1"]
    response = client.post(url, {"password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD})
    assert response.status_code == 302
    personas.agent.refresh_from_db()
    assert personas.agent.check_password(STRONG_PASSWORD)


# --- agencies -----------------------------------------------------------------------------------


def test_agency_list_and_create(client, personas):
    client.force_login(personas.admin)
    response = client.get(reverse("accounts:agency_list"))
    names = {a.name for a in response.context["page"].object_list}
    assert "Disnakertrans Sijunjung" in names
    assert "Disnaker Kota Padang" not in names
    response = client.post(
        reverse("accounts:agency_create"),
        {"code": "kua-tg", "name": "KUA Tanjung Gadang", "kind": "kua", "region": "13.03.03"},
    )
    assert response.status_code == 302
    assert Agency.objects.filter(code="kua-tg", region_id="13.03.03").exists()
    response = client.post(
        reverse("accounts:agency_create"),
        {"code": "kua-padang", "name": "KUA", "kind": "kua", "region": "13.71"},
    )
    assert "di luar cakupan Anda" in " ".join(response.context["form"].errors["region"])


# --- Profil saya --------------------------------------------------------------------------------


def test_change_own_password_keeps_the_session(client, personas):
    client.force_login(personas.agent)
    url = reverse("accounts:profile_password")
    wrong = client.post(
        url,
        {
            "old_password": "salah",
            "new_password1": STRONG_PASSWORD,
            "new_password2": STRONG_PASSWORD,
        },
    )
    assert wrong.context["password_form"].errors["old_password"]
    response = client.post(
        url,
        {
            "old_password": "sandi-uji-yang-panjang",
            "new_password1": STRONG_PASSWORD,
            "new_password2": STRONG_PASSWORD,
        },
    )
    assert response.status_code == 302
    personas.agent.refresh_from_db()
    assert personas.agent.check_password(STRONG_PASSWORD)
    assert client.get(reverse("accounts:profile")).status_code == 200  # still logged in
    event = AuditEvent.objects.get(action="accounts.user.password_set")
    assert event.actor == personas.agent


def test_token_key_is_shown_exactly_once(client, personas):
    client.force_login(personas.agent)
    response = client.post(reverse("accounts:token_create"), {"name": "skrip"}, follow=True)
    key = response.context["new_token_key"]
    assert key.startswith("jms_")
    assert key in body(response)
    token = ApiToken.objects.get(user=personas.agent)
    assert token.key_hash == ApiToken.hash_key(key)
    again = client.get(reverse("accounts:profile"))
    assert again.context["new_token_key"] is None
    assert key not in body(again)
    assert token.prefix in body(again)


def test_token_name_is_required(client, personas):
    client.force_login(personas.agent)
    response = client.post(reverse("accounts:token_create"), {"name": ""})
    assert response.context["token_form"].errors["name"]
    assert not ApiToken.objects.exists()


def test_revoke_own_token_but_not_anothers(client, personas):
    token, _ = api_token_create(user=personas.agent, name="a", acting_user=personas.agent)
    client.force_login(personas.dinas_operator)
    assert client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
    client.force_login(personas.agent)
    assert client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
