"""Login hardening: lockout after repeated failures, audit of failures, safe settings."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from jamsos.audit.models import AuditEvent
from jamsos.config import env

LOGIN = reverse("web:login")
PASSWORD = "sandi-uji-yang-panjang"  # the factories' password


def attempt(client, username: str, password: str, ip: str = "10.0.0.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_sixth_attempt_is_locked_out_even_with_the_right_password(client, personas):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "p_agent", "salah-sekali")
    response = attempt(client, "p_agent", PASSWORD)
    assert response.status_code == 429
    assert "web/locked_out.html" in [t.name for t in response.templates]
    assert 'data-testid="locked-out"' in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_four_failures_still_allow_a_login(client, personas):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = attempt(client, "p_agent", "salah-sekali")
        assert response.status_code == 200
    response = attempt(client, "p_agent", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(personas.agent.pk)


@pytest.mark.django_db
def test_lockout_is_per_username_and_ip(client, personas):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "p_agent", "salah-sekali")
    # Another IP, or another user from the same IP, is not locked.
    assert attempt(client, "p_agent", PASSWORD, ip="10.0.0.8").status_code == 302
    client.logout()
    assert attempt(client, "p_camat", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_failures_and_lockout_are_audited_in_the_users_region(client, personas):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "p_agent", "salah-sekali")
    failed = AuditEvent.objects.filter(action="accounts.user.login_failed")
    assert failed.count() == settings.AXES_FAILURE_LIMIT
    assert {e.region_code for e in failed} == {"13.03.03.2001"}
    assert {e.data["username"] for e in failed} == {"p_agent"}
    assert {e.ip_address for e in failed} == {"10.0.0.7"}
    assert all("salah" not in str(e.data) for e in failed)  # never the password
    locked = AuditEvent.objects.get(action="accounts.user.locked_out")
    assert locked.object_id == str(personas.agent.pk)
    assert locked.data == {"username": "p_agent", "ip": "10.0.0.7"}


@pytest.mark.django_db
def test_failure_under_an_unknown_name_is_region_less(client, personas):
    attempt(client, "tidak_ada", "apa-saja")
    event = AuditEvent.objects.get(action="accounts.user.login_failed")
    assert (event.region_code, event.object_id) == ("", "")
    assert event.data == {"username": "tidak_ada"}


@pytest.mark.django_db
def test_successful_login_and_logout_are_audited(client, personas):
    attempt(client, "p_agent", PASSWORD)
    client.post(reverse("web:logout"))
    actions = list(AuditEvent.objects.filter(actor=personas.agent).values_list("action", flat=True))
    assert sorted(actions) == ["accounts.user.logged_in", "accounts.user.logged_out"]


# --- settings -----------------------------------------------------------------------------


def test_base_settings_hash_with_argon2_first():
    from jamsos.config.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_session_and_csrf_cookies_are_http_only_and_lax():
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.CSRF_COOKIE_HTTPONLY is True
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.X_FRAME_OPTIONS == "DENY"


def test_axes_is_configured_as_documented():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == 0.5  # hours: 30 minutes
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"


def _base_settings_debug(tmp_path, **env_vars: str) -> subprocess.CompletedProcess[str]:
    """Import the base settings in a fresh interpreter with a controlled environment."""
    environ = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_DEBUG"}}
    environ.update({"JAMSOS_DATA_DIR": str(tmp_path), **env_vars})
    return subprocess.run(
        [sys.executable, "-c", "from jamsos.config.settings import base; print(base.DEBUG)"],
        env=environ,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_debug_is_off_by_default(tmp_path):
    result = _base_settings_debug(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
    assert _base_settings_debug(tmp_path, DEBUG="1").stdout.strip() == "True"


def test_a_malformed_debug_value_stops_start_up(tmp_path):
    result = _base_settings_debug(tmp_path, DEBUG="maybe")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


# --- env helpers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"), [("1", True), ("TRUE", True), (" yes ", True), ("off", False), ("", False)]
)
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, value):
    monkeypatch.setenv("JAMSOS_T", raw)
    assert env.env_bool("JAMSOS_T", default=not value) is value


def test_env_bool_rejects_maybe(monkeypatch):
    monkeypatch.setenv("JAMSOS_T", "maybe")
    with pytest.raises(ImproperlyConfigured, match="JAMSOS_T='maybe' is not a boolean"):
        env.env_bool("JAMSOS_T", default=False)


def test_env_int_reads_and_rejects(monkeypatch):
    monkeypatch.setenv("JAMSOS_T", "42")
    assert env.env_int("JAMSOS_T", default=1) == 42
    monkeypatch.setenv("JAMSOS_T", "x")
    with pytest.raises(ImproperlyConfigured, match="not an integer"):
        env.env_int("JAMSOS_T", default=1)
    monkeypatch.delenv("JAMSOS_T")
    assert env.env_int("JAMSOS_T", default=7) == 7


def test_secrets_can_come_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("rahasia-dari-berkas\n", encoding="utf-8")
    monkeypatch.setenv("JAMSOS_T", "dari-env")
    monkeypatch.setenv("JAMSOS_T_FILE", str(secret))
    assert env.env_str("JAMSOS_T") == "rahasia-dari-berkas"  # the file wins, stripped
    monkeypatch.setenv("JAMSOS_T_FILE", str(tmp_path / "hilang"))
    with pytest.raises(ImproperlyConfigured, match="JAMSOS_T_FILE"):
        env.env_str("JAMSOS_T")


def test_env_list_and_path(monkeypatch, tmp_path):
    monkeypatch.setenv("JAMSOS_T", " a.example , ,b.example")
    assert env.env_list("JAMSOS_T", default=[]) == ["a.example", "b.example"]
    monkeypatch.setenv("JAMSOS_T", str(tmp_path / "x" / ".." / "data"))
    assert env.env_path("JAMSOS_T", default=tmp_path) == (tmp_path / "data").resolve()


@pytest.mark.django_db
def test_spraying_one_password_across_accounts_locks_the_address(client, personas, settings):
    """Per username+IP, one failure for each of 20 accounts never locks a pair; the
    address rule locks the address at its 20th failure."""
    settings.AXES_IP_FAILURE_LIMIT = 20
    for n in range(settings.AXES_IP_FAILURE_LIMIT - 1):
        response = attempt(client, f"korban{n}", "Rahasia2026!", ip="10.9.9.9")
        assert response.status_code == 200, n
    assert attempt(client, "korban-terakhir", "Rahasia2026!", ip="10.9.9.9").status_code == 429
    # the address is now locked, even for a real account with its right password ...
    response = attempt(client, "p_agent", PASSWORD, ip="10.9.9.9")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # ... while the same account logs in from another address
    assert attempt(client, "p_agent", PASSWORD, ip="10.9.9.10").status_code == 302
