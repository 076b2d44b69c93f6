"""Every agents service checks the acting user's region itself (review): a Dinas of
another kabupaten holding the same permissions cannot change, decide on or pay an agent
of Sijunjung by calling the service (the API, a command, a future view) directly."""

from __future__ import annotations

import datetime as dt

import pytest

from jamsos.accounts.models import Agency
from jamsos.accounts.roles import Role
from jamsos.agents import services
from jamsos.agents.models import Agent, AgentStatement, AgentTraining
from jamsos.lib.errors import NotFoundOrForbidden
from jamsos.lib.periods import Month
from jamsos.testing.factories import AgencyFactory, UserFactory, region
from jamsos.testing.personas import OUTSIDER_REGENCY

pytestmark = pytest.mark.django_db


@pytest.fixture
def outside_head(db):
    padang = AgencyFactory(
        code="disnaker-padang-2", kind=Agency.Kind.DINAS, region=region(OUTSIDER_REGENCY)
    )
    return UserFactory(username="p_padang_head", role=Role.DINAS_HEAD, agency=padang)


def test_outsider_cannot_update_or_train_or_reassign(personas, agent):
    with pytest.raises(NotFoundOrForbidden):
        services.agent_update(agent=agent, bpjs_code="HIJACK", acting_user=personas.outsider)
    with pytest.raises(NotFoundOrForbidden):
        services.training_add(
            agent=agent,
            topic=AgentTraining.Topic.choices[0][0],
            title="x",
            held_on=dt.date(2025, 1, 1),
            acting_user=personas.outsider,
        )
    assignment = agent.assignments.get()
    with pytest.raises(NotFoundOrForbidden):
        services.assignment_end(
            assignment=assignment, valid_to=dt.date(2025, 2, 1), acting_user=personas.outsider
        )
    agent.refresh_from_db()
    assert agent.bpjs_code == "AGN-0001"
    assert not AgentTraining.objects.exists()


def test_outsider_cannot_request_or_decide_a_status_change(personas, agent, outside_head):
    with pytest.raises(NotFoundOrForbidden):
        services.agent_status_request(
            agent=agent, to_status=Agent.Status.SUSPENDED, acting_user=personas.outsider
        )
    change = services.agent_status_request(
        agent=agent, to_status=Agent.Status.SUSPENDED, acting_user=personas.dinas_operator
    )
    with pytest.raises(NotFoundOrForbidden):
        services.agent_status_decide(change=change, approve=True, acting_user=outside_head)
    agent.refresh_from_db()
    assert agent.status == Agent.Status.ACTIVE


def test_outsider_cannot_approve_a_fee_statement(
    personas, agent, mandiri, make_members, make_bill, outside_head
):
    make_bill(mandiri, "2025-03", make_members(1, mandiri, agent=agent))
    statement = services.statement_draft(
        agent=agent, month=Month(2025, 3), acting_user=personas.dinas_operator
    )
    with pytest.raises(NotFoundOrForbidden):
        services.statement_approve(statement=statement, acting_user=outside_head)
    statement.refresh_from_db()
    assert statement.status == AgentStatement.Status.DRAFT
