from __future__ import annotations

from unittest import mock

import pytest
from django.db.utils import OperationalError
from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

import jamsos
from jamsos.accounts.roles import Role
from jamsos.web.navigation import CARDS, ROLE_INTROS

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_login(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp["Content-Type"] == "application/json"
    assert resp.json() == {"status": "ok", "database": True}


def test_healthz_reports_an_unreachable_database(client):
    with mock.patch(
        "jamsos.web.views.connection.cursor", side_effect=OperationalError("connection refused")
    ):
        resp = client.get("/healthz")
    assert resp.status_code == 503
    assert resp.json() == {"status": "error", "database": False}


def test_home_needs_login(client):
    resp = client.get("/")
    assert resp.status_code == 302
    assert resp["Location"].startswith(reverse("web:login"))


def test_wrong_password_shows_an_indonesian_error(client, personas):
    resp = client.post(reverse("web:login"), {"username": "p_agent", "password": "salah-sekali"})
    assert resp.status_code == 200
    assert "Nama pengguna atau kata sandi salah" in resp.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_with_the_right_password_lands_on_home(client, personas):
    resp = client.post(
        reverse("web:login"),
        {"username": "p_agent", "password": "sandi-uji-yang-panjang"},
        follow=True,
    )
    assert resp.redirect_chain[-1][0] == reverse("web:home")
    assert personas.agent.full_name in resp.content.decode()


def _cards(resp) -> list[str]:
    return [str(card.title) for card in resp.context["cards"]]


def test_each_role_sees_its_introduction(client, personas):
    for name, user in personas.all().items():
        if name == "outsider":
            continue
        client.force_login(user)
        body = client.get("/").content.decode()
        assert str(ROLE_INTROS[user.role]) in body, name
        assert user.get_role_display() in body


@pytest.mark.parametrize("role", ["dprd", "executive"])
def test_aggregate_only_roles_see_only_the_aggregate_report(client, personas, role):
    client.force_login(getattr(personas, role))
    resp = client.get("/")
    # The forum's minutes and scorecard name agencies, never a participant (issue 11).
    assert _cards(resp) == ["Forum komunikasi", "Rapor kolaborasi", "Laporan agregat"]
    assert "Registri peserta" not in resp.content.decode()


def test_admin_sees_user_management_and_the_agent_does_not(client, personas):
    client.force_login(personas.admin)
    resp = client.get("/")
    assert "Pengguna" in _cards(resp)
    assert 'href="/pengguna/"' in resp.content.decode()

    client.force_login(personas.agent)
    resp = client.get("/")
    assert "Pengguna" not in _cards(resp)
    assert "Usulkan pekerja" in _cards(resp)
    assert 'href="/pengguna/"' not in resp.content.decode()


def test_cards_follow_the_role_permissions(client, personas):
    client.force_login(personas.dinas_head)
    titles = _cards(client.get("/"))
    assert "Setujui usulan" in titles
    assert "Usulkan pekerja" not in titles  # the head approves; operators propose
    assert len(titles) == len({c.title for c in CARDS if _held(Role.DINAS_HEAD, c.permission)})


def _held(role, permission):
    from jamsos.accounts.roles import ROLE_PERMISSIONS

    perms = (permission,) if isinstance(permission, str) else permission
    return any(p in ROLE_PERMISSIONS[role] for p in perms)


def test_a_forbidden_page_answers_403_in_indonesian(client, personas):
    client.force_login(personas.agent)
    resp = client.get(reverse("accounts:user_list"))
    assert resp.status_code == 403
    assert "Akses ditolak" in resp.content.decode()


def test_an_unknown_page_answers_404_in_indonesian(client, personas):
    client.force_login(personas.agent)
    resp = client.get("/tidak-ada-halaman-ini/")
    assert resp.status_code == 404
    assert "Halaman tidak ditemukan" in resp.content.decode()


def test_the_500_page_renders_without_a_request_context():
    resp = server_error(RequestFactory().get("/"))
    assert resp.status_code == 500
    assert "Terjadi kesalahan pada sistem" in resp.content.decode()


def test_footer_shows_the_version(client, personas):
    client.force_login(personas.agent)
    body = client.get("/").content.decode()
    assert f'data-testid="version">{jamsos.__version__}<' in body


def test_language_switcher_posts_to_set_language(client):
    body = client.get(reverse("web:login")).content.decode()
    assert f'action="{reverse("set_language")}"' in body
    assert 'name="language" value="en"' in body

    resp = client.post(reverse("set_language"), {"language": "en", "next": "/masuk/"})
    assert resp.status_code == 302
    assert client.cookies["django_language"].value == "en"
    assert '<html lang="en">' in client.get(reverse("web:login")).content.decode()


def test_english_is_available(client, personas):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Log in to Jamsos" in client.get(reverse("web:login")).content.decode()

    client.force_login(personas.agent)
    body = client.get("/").content.decode()
    assert "Propose workers" in body
    assert "Perisai agent" in body
    assert "Usulkan pekerja" not in body


def test_logout_clears_the_browsers_cache_and_storage(client, personas):
    """A shared phone: the agent app's cached shell and queue go with the session."""
    client.force_login(personas.agent)
    response = client.post("/keluar/")
    assert response.status_code == 302
    assert '"cache"' in response["Clear-Site-Data"]
    assert '"storage"' in response["Clear-Site-Data"]
    assert client.get("/agen/ponsel/").status_code == 302  # and the session is gone


def test_agent_service_worker_drops_the_shell_when_logged_out(client):
    body = client.get("/sw.js").content.decode()
    assert "cache.delete(SHELL)" in body
