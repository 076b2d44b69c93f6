"""The agents API end to end: scope, maker-checker and the agent's own reads."""

from __future__ import annotations

import pytest
from django.test import Client

from jamsos.agents import services
from jamsos.agents.models import Agent, AgentStatusChange
from jamsos.agents.tasks import agent_inactivity_check_task
from jamsos.lib.periods import Month

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_list_and_detail_mask_the_nik(personas, agent):
    c = _client(personas.bpjs_officer)
    page = c.get("/api/agents/agents").json()
    assert page["meta"]["count"] == 1
    item = page["items"][0]
    assert item["nik"] != agent.person.nik and "*" in item["nik"]
    detail = c.get(f"/api/agents/agents/{agent.pk}").json()
    assert detail["performance"]["retention"][0]["months"] == 3
    assert c.get("/api/agents/agents?status=nonsense").status_code == 422


def test_status_request_and_decision_maker_checker(personas, agent):
    maker = _client(personas.dinas_operator)
    response = maker.post(
        f"/api/agents/agents/{agent.pk}/status-requests",
        {"to_status": "diberhentikan_sementara", "note": "Sedang dirawat"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    change_id = response.json()["id"]
    # The operator may not decide at all; the head may.
    assert (
        maker.post(
            f"/api/agents/status-requests/{change_id}/decision",
            {"approve": True},
            content_type="application/json",
        ).status_code
        == 404
    )
    decided = _client(personas.dinas_head).post(
        f"/api/agents/status-requests/{change_id}/decision",
        {"approve": True},
        content_type="application/json",
    )
    assert decided.status_code == 200 and decided.json()["decision"] == "approved"
    agent.refresh_from_db()
    assert agent.status == Agent.Status.SUSPENDED
    again = maker.post(
        f"/api/agents/agents/{agent.pk}/status-requests",
        {"to_status": "calon"},
        content_type="application/json",
    )
    assert again.status_code == 409


def test_statements_api(personas, agent, mandiri, make_members, make_bill):
    make_bill(mandiri, "2025-03", make_members(1, mandiri, agent=agent))
    statement = services.statement_draft(
        agent=agent, month=Month(2025, 3), acting_user=personas.dinas_operator
    )
    rows = _client(personas.dinas_head).get("/api/agents/statements?month=2025-03").json()
    assert [r["id"] for r in rows] == [statement.pk]
    assert rows[0]["contributions_total"] == 16_800
    approved = _client(personas.dinas_head).post(f"/api/agents/statements/{statement.pk}/approve")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert _client(personas.outsider).get("/api/agents/statements").json() == []


def test_inactivity_task_runs_the_check(agent):
    Agent.objects.filter(pk=agent.pk).update(appointment_date="2025-01-01")
    result = agent_inactivity_check_task.call("2025-03")
    assert result["proposed"] == [agent.pk]
    assert AgentStatusChange.objects.filter(agent=agent, source="inactivity").count() == 1
