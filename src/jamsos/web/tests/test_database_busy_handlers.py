"""A "database is locked" raised after the view, by a middleware (the session save),
reaches ``handler500``, which still answers 503 (the live lock test, where the view
itself meets the lock, is test_database_busy.py). This module is its own URLconf: one
view that changes the session, so SessionMiddleware writes it after the view returned."""

from __future__ import annotations

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError
from django.http import HttpResponse
from django.test import Client
from django.urls import path


def remember(request):
    request.session["seen"] = True
    return HttpResponse("ok")


urlpatterns = [path("remember/", remember)]
handler500 = "jamsos.web.busy.server_error"

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def failing_save(message: str):
    def save(*args, **kwargs):
        raise OperationalError(message)

    return save


def test_a_lock_met_by_the_session_save_answers_503_not_500(monkeypatch):
    client = Client(raise_request_exception=False)
    assert client.get("/remember/").status_code == 200
    monkeypatch.setattr(SessionStore, "save", failing_save("database is locked"))
    response = client.get("/remember/")
    assert response.status_code == 503
    assert response["Retry-After"]
    assert b'data-testid="database-busy"' in response.content


def test_another_database_error_is_still_a_500(monkeypatch):
    client = Client(raise_request_exception=False)
    monkeypatch.setattr(SessionStore, "save", failing_save("no such table: django_session"))
    assert client.get("/remember/").status_code == 500


def test_the_project_urlconf_uses_this_handler():
    from jamsos.config import urls

    assert urls.handler500 == handler500
