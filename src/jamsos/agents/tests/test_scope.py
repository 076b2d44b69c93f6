"""Scope: an agent sees only its own recruits (masked NIK) and never a claim or benefit
amount; Dinas/BPJS see agents of their kabupaten only; DPRD/executive see none."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from django.test import Client

from jamsos.agents import services
from jamsos.agents.access import access_agent, access_statement
from jamsos.agents.models import Agent
from jamsos.intake import services as intake_services
from jamsos.lib.errors import NotFoundOrForbidden
from jamsos.lib.nik import nik_build
from jamsos.lib.periods import Month
from jamsos.testing.factories import OccupationFactory

pytestmark = pytest.mark.django_db


NAMES = {5101: "Rosnidar Mulyani", 5102: "Yusniar Hasan", 5103: "Marlis Caniago"}


def _values(serial: int, village: str = "13.03.03.2001", district: str = "13.03.03") -> dict:
    return {
        "nik": nik_build(district, dt.date(1981, 2, 3), "P", serial),
        "full_name": NAMES[serial],
        "birth_date": "1981-02-03",
        "sex": "P",
        "occupation": "petani",
        "village": village,
    }


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture(autouse=True)
def _occupation(db):
    OccupationFactory()


def test_agent_lists_only_its_own_recruits_masked_and_without_claims(personas, agent, other_agent):
    mine = _values(5101)
    c = _client(personas.agent)
    assert (
        c.post(
            "/api/agents/me/proposals",
            {"client_id": str(uuid.uuid4()), "values": json.dumps(mine)},
        ).status_code
        == 201
    )
    # The Camat operator proposes someone in the same nagari; the other agent elsewhere.
    intake_services.person_propose(values=_values(5102), acting_user=personas.kecamatan_operator)
    intake_services.person_propose(
        values=_values(5103, "13.03.04.2001", "13.03.04"), acting_user=other_agent.user
    )
    items = c.get("/api/agents/me/proposals").json()
    assert [i["name"] for i in items] == ["Rosnidar Mulyani"]
    item = items[0]
    assert set(item) == {"client_id", "name", "nik", "proposed_on", "fate", "fate_code", "note"}
    assert item["nik"] != mine["nik"] and "*" in item["nik"]
    perf = c.get("/api/agents/me/performance").json()
    assert perf["proposed"] == 1
    assert not any("amount" in key or "claim" in key for key in perf)
    page = c.get("/agen/ponsel/")
    assert page.status_code == 200
    assert "Yusniar Hasan" not in page.content.decode()
    assert "/klaim/" not in page.content.decode()


def test_agent_cannot_open_dinas_pages_or_other_agents(personas, agent, other_agent):
    c = _client(personas.agent)
    assert c.get("/agen/").status_code == 403
    assert c.get(f"/agen/{other_agent.pk}/").status_code == 403
    assert c.get(f"/api/agents/agents/{other_agent.pk}").status_code == 404
    assert c.get("/api/agents/agents").status_code == 403


def test_agent_sees_its_own_statement_only(personas, agent, other_agent):
    own = services.statement_draft(
        agent=agent, month=Month(2025, 3), acting_user=personas.dinas_operator
    )
    theirs = services.statement_draft(
        agent=other_agent, month=Month(2025, 3), acting_user=personas.dinas_operator
    )
    assert access_statement(personas.agent, own.pk) == own
    with pytest.raises(NotFoundOrForbidden):
        access_statement(personas.agent, theirs.pk)
    assert _client(personas.agent).get(f"/agen/fee/{theirs.pk}/").status_code == 404


def test_outsiders_and_aggregate_roles_see_no_agent(personas, agent):
    for user in (personas.outsider, personas.dprd, personas.executive, personas.kecamatan_operator):
        with pytest.raises(NotFoundOrForbidden):
            access_agent(user, agent.pk)
    assert access_agent(personas.bpjs_officer, agent.pk) == agent
    assert _client(personas.outsider).get(f"/agen/{agent.pk}/").status_code == 404
    listed = _client(personas.outsider).get("/api/agents/agents").json()
    assert listed["items"] == []


def test_agent_nik_rules_apply(personas, sijunjung):
    bad = services.AgentPersonData(
        nik="1303031234567890"[:15],
        full_name="Salah",
        birth_date=dt.date(1990, 1, 1),
        sex="L",
        village="13.03.03.2001",
    )
    with pytest.raises(Exception, match="NIK"):
        services.agent_create(person=bad, region=sijunjung, acting_user=personas.dinas_operator)
    mismatch = services.AgentPersonData(
        nik=nik_build("13.03.03", dt.date(1990, 1, 1), "L", 12),
        full_name="Beda Tanggal",
        birth_date=dt.date(1991, 1, 1),
        sex="L",
        village="13.03.03.2001",
    )
    with pytest.raises(Exception, match=r"[Tt]anggal lahir"):
        services.agent_create(
            person=mismatch, region=sijunjung, acting_user=personas.dinas_operator
        )
    assert not Agent.objects.exists()
