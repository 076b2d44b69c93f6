"""Review: opening one agent's record (page or API) is a read of its personal data
(name, phone, NIK) and is logged like any person's detail (issue 10, "who saw my data")."""

from __future__ import annotations

import pytest
from django.test import Client

from jamsos.audit.models import PersonalDataAccess

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_agent_detail_page_and_api_log_the_read(personas, agent):
    c = _client(personas.dinas_operator)
    assert c.get(f"/agen/{agent.pk}/").status_code == 200
    page = PersonalDataAccess.objects.get()
    assert page.viewer == personas.dinas_operator and page.person_count == 1
    assert page.path == f"/agen/{agent.pk}/"
    assert c.get(f"/api/agents/agents/{agent.pk}").status_code == 200
    assert PersonalDataAccess.objects.count() == 2


def test_refused_reads_log_nothing(personas, agent):
    assert _client(personas.outsider).get(f"/agen/{agent.pk}/").status_code == 404
    assert not PersonalDataAccess.objects.exists()
