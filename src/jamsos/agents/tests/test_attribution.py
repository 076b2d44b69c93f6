"""Memberships record the agent who brought the person; a renewal by another agent is
recorded apart and the recruiter is kept."""

from __future__ import annotations

import datetime as dt

import pytest

from jamsos.agents.services import memberships_attribute_agents
from jamsos.enrollment.models import Membership
from jamsos.intake import services as intake_services
from jamsos.lib.nik import nik_build
from jamsos.registry.models import Person
from jamsos.testing.factories import OccupationFactory

pytestmark = pytest.mark.django_db


def _propose(user, serial: int, village: str = "13.03.03.2001"):
    OccupationFactory()
    return intake_services.person_propose(
        values={
            "nik": nik_build("13.03.03", dt.date(1977, 7, 7), "L", serial),
            "full_name": "Zulkifli",
            "birth_date": "1977-07-07",
            "sex": "L",
            "occupation": "petani",
            "village": village,
        },
        acting_user=user,
    )


def test_recruiter_kept_and_renewal_by_another_recorded(
    personas, agent, other_agent, mandiri, make_members
):
    row = _propose(personas.agent, 6601)
    assert row.agent_id == agent.pk
    [first] = make_members(1, mandiri, agent=None, first="2025-01", last="2025-12")
    person = first.person
    Person.objects.filter(pk=person.pk).update(nik=row.nik)
    row.person = person
    row.save()
    assert memberships_attribute_agents(membership_ids=[first.pk]) == 1
    first.refresh_from_db()
    assert first.agent_id == agent.pk and first.renewed_by_agent_id is None

    # Next year another agent proposes the same person again: the renewal.
    # (the other agent's row is in its own nagari; the link to the person is what counts)
    later = _propose(other_agent.user, 6602, "13.03.04.2001")
    later.person = person
    later.save()
    renewal = Membership.objects.create(
        person=person,
        segment=first.segment,
        programmes=first.programmes,
        funding_source=mandiri,
        village_id=first.village_id,
        first_month=dt.date(2026, 1, 1),
        last_month=dt.date(2026, 12, 1),
    )
    memberships_attribute_agents(membership_ids=[renewal.pk])
    renewal.refresh_from_db()
    assert renewal.agent_id == agent.pk
    assert renewal.renewed_by_agent_id == other_agent.pk


def test_no_agent_no_attribution(personas, mandiri, make_members):
    [membership] = make_members(1, mandiri, agent=None)
    assert memberships_attribute_agents(membership_ids=[membership.pk]) == 0
