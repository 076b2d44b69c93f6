"""The pages end to end with the test client: Dinas/BPJS registry of agents with
maker-checker, fee statements, and the agent's installable phone app."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from jamsos.agents.models import Agent, AgentStatement, AgentStatusChange
from jamsos.lib.nik import nik_build
from jamsos.testing.factories import OccupationFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_operator_records_an_agent_and_the_head_approves_activation(personas, sijunjung):
    OccupationFactory()
    operator = _client(personas.dinas_operator)
    assert operator.get("/agen/").status_code == 200
    assert operator.get("/agen/baru/").status_code == 200
    response = operator.post(
        "/agen/baru/",
        {
            "nik": nik_build("13.03.03", dt.date(1988, 8, 8), "P", 321),
            "full_name": "Yenni Marlina",
            "birth_date": "1988-08-08",
            "sex": "P",
            "village": "13.03.03.2001",
            "user": personas.agent.pk,
            "bpjs_code": "AGN-77",
            "is_perangkat_nagari": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    agent = Agent.objects.get()
    assert agent.status == Agent.Status.CANDIDATE and agent.is_perangkat_nagari
    assert agent.user == personas.agent
    detail = operator.get(f"/agen/{agent.pk}/")
    assert detail.status_code == 200
    assert "Yenni Marlina" in detail.content.decode()
    operator.post(
        f"/agen/{agent.pk}/status/",
        {"to_status": "aktif", "effective_on": "2025-05-01", "note": "SK diterima"},
    )
    change = AgentStatusChange.objects.get()
    # The maker is not offered the approve button; the head is.
    assert 'data-testid="status-approve"' not in operator.get(f"/agen/{agent.pk}/").content.decode()
    head = _client(personas.dinas_head)
    assert 'data-testid="status-approve"' in head.get(f"/agen/{agent.pk}/").content.decode()
    head.post(f"/agen/status/{change.pk}/putuskan/", {"decision": "approve"})
    agent.refresh_from_db()
    assert agent.status == Agent.Status.ACTIVE
    # A bad NIK is refused on the page with the NIK rule's message.
    bad = operator.post(
        "/agen/baru/",
        {
            "nik": "123",
            "full_name": "X Y",
            "birth_date": "1990-01-01",
            "sex": "L",
            "village": "13.03.03.2001",
        },
    )
    assert bad.status_code == 200 and "NIK" in bad.content.decode()


def test_statements_page_runs_approves_and_prints(
    personas, agent, mandiri, make_members, make_bill
):
    make_bill(mandiri, "2025-03", make_members(2, mandiri, agent=agent))
    operator = _client(personas.dinas_operator)
    assert operator.post("/agen/fee/", {"month": "2025-03"}).status_code == 302
    statement = AgentStatement.objects.get(agent=agent)
    assert operator.get("/agen/fee/").status_code == 200
    page = operator.get(f"/agen/fee/{statement.pk}/").content.decode()
    assert "statement-approve" not in page  # the maker cannot approve
    head = _client(personas.dinas_head)
    head.post(f"/agen/fee/{statement.pk}/setujui/")
    statement.refresh_from_db()
    assert statement.status == "approved"
    pdf = head.get(f"/agen/fee/{statement.pk}/rekap.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_phone_app_is_installable_and_runs_no_inline_script(personas, agent):
    c = _client(personas.agent)
    page = c.get("/agen/ponsel/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'rel="manifest"' in html
    # Only our own static scripts; the config is a JSON data block, not a script.
    for tag in re.findall(r"<script[^>]*>", html):
        assert 'src="/static/' in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"\son[a-z]+=", html)
    manifest = c.get("/manifest.webmanifest")
    assert manifest["Content-Type"].startswith("application/manifest+json")
    data = manifest.json()
    assert data["start_url"] == "/agen/ponsel/" and data["display"] == "standalone"
    assert {icon["sizes"] for icon in data["icons"]} == {"192x192", "512x512"}
    sw = Client().get("/sw.js")
    assert sw.status_code == 200 and sw["Content-Type"].startswith("application/javascript")
    assert sw["Service-Worker-Allowed"] == "/"
    assert 'const SHELL = "/agen/ponsel/"' in sw.content.decode()
    token = c.get("/agen/ponsel/token/").json()
    assert token["user"] == personas.agent.pk and token["csrf"]


def test_phone_app_needs_an_agent_record(personas):
    assert _client(personas.agent).get("/agen/ponsel/").status_code == 404
    assert _client(personas.dinas_operator).get("/agen/ponsel/").status_code == 403


def test_menu_offers_the_app_to_an_agent_with_a_record_only(personas, agent, other_agent):
    from jamsos.web.navigation import may_open

    assert may_open(personas.agent, "agents:phone")
    assert not may_open(personas.kecamatan_operator, "agents:phone")
    assert may_open(personas.bpjs_officer, "agents:agent_list")
    assert not may_open(personas.dprd, "agents:agent_list")
