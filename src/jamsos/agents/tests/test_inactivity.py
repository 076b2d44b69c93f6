"""The monthly inactivity check proposes (never enforces) ending an agent; warns first;
rerunning changes nothing; the Dinas decides; rejoining waits the rule's months."""

from __future__ import annotations

import datetime as dt

import pytest

from jamsos.agents import services
from jamsos.agents.models import Agent, AgentStatusChange, InactivityCheck
from jamsos.lib.errors import InvalidTransition, PermissionDenied
from jamsos.lib.periods import Month

pytestmark = pytest.mark.django_db


def _start(agent: Agent, day: dt.date) -> None:
    Agent.objects.filter(pk=agent.pk).update(appointment_date=day)
    agent.refresh_from_db()


def test_three_idle_months_propose_ending_but_do_not_end(agent):
    _start(agent, dt.date(2025, 1, 1))
    run = services.inactivity_check_run(month=Month(2025, 3))
    assert run.proposed == [agent.pk]
    agent.refresh_from_db()
    assert agent.status == Agent.Status.ACTIVE  # proposed, never enforced
    change = AgentStatusChange.objects.get(agent=agent)
    assert change.decision == "pending"
    assert change.to_status == Agent.Status.ENDED
    assert change.end_reason == Agent.EndReason.INACTIVE
    assert change.source == AgentStatusChange.Source.INACTIVITY
    assert change.requested_by is None
    # Rerunning the month changes nothing.
    again = services.inactivity_check_run(month=Month(2025, 3))
    assert again.proposed == [] and again.already_checked == 1
    assert AgentStatusChange.objects.filter(agent=agent).count() == 1


def test_warned_at_month_two(agent):
    _start(agent, dt.date(2025, 1, 1))
    run = services.inactivity_check_run(month=Month(2025, 2))
    assert run.warned == [agent.pk] and run.proposed == []
    check = InactivityCheck.objects.get(agent=agent)
    assert check.outcome == "warned" and check.months_inactive == 2
    assert not AgentStatusChange.objects.filter(agent=agent).exists()


def test_a_new_agent_is_not_inactive_before_it_started(agent):
    _start(agent, dt.date(2025, 3, 10))
    run = services.inactivity_check_run(month=Month(2025, 3))
    assert run.warned == [] and run.proposed == []


def test_a_recruit_or_a_collection_keeps_the_agent_active(agent, mandiri, make_members, make_bill):
    _start(agent, dt.date(2024, 1, 1))
    # A recruit accepted in February: March alone is idle (1 month), nothing happens.
    make_members(1, mandiri, agent=agent, first="2025-02")
    assert services.inactivity_check_run(month=Month(2025, 3)).proposed == []
    # Collections only (an old recruit's dues paid in May and June) also count.
    old = make_members(1, mandiri, agent=agent, first="2024-01")
    make_bill(mandiri, "2025-06", old)
    run = services.inactivity_check_run(month=Month(2025, 6))
    assert run.proposed == [] and run.warned == []


def test_dinas_decides_and_the_rejoin_wait_is_rule_data(personas, agent):
    _start(agent, dt.date(2025, 1, 1))
    services.inactivity_check_run(month=Month(2025, 3))
    change = AgentStatusChange.objects.get(agent=agent)
    with pytest.raises(PermissionDenied):
        services.agent_status_decide(
            change=change, approve=True, acting_user=personas.dinas_operator
        )
    services.agent_status_decide(change=change, approve=True, acting_user=personas.dinas_head)
    agent.refresh_from_db()
    assert agent.status == Agent.Status.ENDED
    assert agent.ended_on == dt.date(2025, 3, 31)
    assert agent.rejoin_eligible_from == dt.date(2025, 9, 1)  # + 6 months (seeded rule)
    assert not agent.assignments.filter(valid_to__isnull=True).exists()
    with pytest.raises(InvalidTransition):
        services.agent_status_request(
            agent=agent,
            to_status=Agent.Status.CANDIDATE,
            effective_on=dt.date(2025, 6, 1),
            acting_user=personas.dinas_operator,
        )
    rejoin = services.agent_status_request(
        agent=agent,
        to_status=Agent.Status.CANDIDATE,
        effective_on=dt.date(2025, 9, 1),
        acting_user=personas.dinas_operator,
    )
    assert rejoin.decision == "pending"


def test_the_maker_is_never_the_checker(personas, agent):
    change = services.agent_status_request(
        agent=agent,
        to_status=Agent.Status.SUSPENDED,
        acting_user=personas.bpjs_officer,
    )
    with pytest.raises(PermissionDenied):
        services.agent_status_decide(change=change, approve=True, acting_user=personas.bpjs_officer)
    services.agent_status_decide(change=change, approve=False, acting_user=personas.dinas_head)
    agent.refresh_from_db()
    assert agent.status == Agent.Status.ACTIVE


def test_illegal_transition_and_missing_reason_are_refused(personas, agent):
    with pytest.raises(InvalidTransition):
        services.agent_status_request(
            agent=agent, to_status=Agent.Status.CANDIDATE, acting_user=personas.dinas_operator
        )
    with pytest.raises(Exception, match="alasan"):
        services.agent_status_request(
            agent=agent, to_status=Agent.Status.ENDED, acting_user=personas.dinas_operator
        )


def test_cli_inactivity_check_json(agent, capsys):
    import json

    from django.core.management import call_command

    _start(agent, dt.date(2025, 1, 1))
    call_command("agent_inactivity_check", "--month", "2025-03", "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["proposed"] == [agent.pk]
