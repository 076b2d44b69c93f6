"""Agents fixtures: the personas' agent recorded as an Agen Perisai of Sijunjung, a second
agent of another nagari, a self-paid (mandiri) and an APBD funding source, and a helper
that makes a reconciled bill of some memberships for some months."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from jamsos.accounts.models import Agency
from jamsos.accounts.roles import Role
from jamsos.agents import services
from jamsos.agents.models import Agent
from jamsos.budget import services as budget_services
from jamsos.budget.models import FundingSource, Segment
from jamsos.contributions.models import Bill, BillLine
from jamsos.enrollment.models import Membership
from jamsos.lib.nik import nik_build
from jamsos.lib.periods import Month
from jamsos.testing.factories import AgencyFactory, PersonFactory, UserFactory, region
from jamsos.testing.personas import AGENT_NAGARI

OTHER_NAGARI = "13.03.04.2001"


def person_data(serial: int, *, village: str = AGENT_NAGARI) -> services.AgentPersonData:
    born = dt.date(1985, 4, 12)
    return services.AgentPersonData(
        nik=nik_build(village.rsplit(".", 1)[0], born, "L", serial),
        full_name=f"Agen Uji {serial}",
        birth_date=born,
        sex="L",
        village=village,
        phone="081200000000",
    )


@pytest.fixture
def sijunjung(db):
    return region("13.03")


@pytest.fixture
def agent(personas, sijunjung) -> Agent:
    made = services.agent_create(
        person=person_data(7001),
        region=sijunjung,
        user=personas.agent,
        bpjs_code="AGN-0001",
        appointment_date=dt.date(2024, 1, 15),
        acting_user=personas.dinas_operator,
    )
    Agent.objects.filter(pk=made.pk).update(status=Agent.Status.ACTIVE)
    made.refresh_from_db()
    services.assignment_add(
        agent=made,
        nagari=region(AGENT_NAGARI),
        valid_from=dt.date(2024, 1, 15),
        is_primary=True,
        acting_user=personas.dinas_operator,
    )
    return made


@pytest.fixture
def other_agent(personas, sijunjung) -> Agent:
    nagari = AgencyFactory(
        code="nagari-13-03-04-2001",
        kind=Agency.Kind.NAGARI,
        region=region(OTHER_NAGARI),
    )
    user = UserFactory(username="p_agent2", role=Role.AGENT, agency=nagari)
    made = services.agent_create(
        person=person_data(7002, village=OTHER_NAGARI),
        region=sijunjung,
        user=user,
        acting_user=personas.dinas_operator,
    )
    Agent.objects.filter(pk=made.pk).update(status=Agent.Status.ACTIVE)
    made.refresh_from_db()
    return made


@pytest.fixture
def mandiri(sijunjung) -> FundingSource:
    return budget_services.funding_source_create(
        region=sijunjung, kind=FundingSource.Kind.MANDIRI, name="Mandiri", acting_user=None
    )


@pytest.fixture
def apbd(sijunjung) -> FundingSource:
    return budget_services.funding_source_create(
        region=sijunjung, kind=FundingSource.Kind.APBD, name="APBD Sijunjung", acting_user=None
    )


MakeMembers = Callable[..., list[Membership]]


@pytest.fixture
def make_members(db) -> MakeMembers:
    counter = iter(range(1, 1_000_000))

    def make(
        count: int,
        source: FundingSource,
        *,
        agent: Agent | None,
        first: str = "2025-01",
        last: str = "2025-12",
        status: str = Membership.Status.ACTIVE,
        village: str = AGENT_NAGARI,
    ) -> list[Membership]:
        persons = PersonFactory.create_batch(count, village=region(village))
        return Membership.objects.bulk_create(
            Membership(
                person=person,
                segment=Segment.BPU,
                programmes=["jkk", "jkm"],
                funding_source=source,
                village_id=village,
                kpj_number=f"26{next(counter):09d}",
                first_month=Month.parse(first).first_day(),
                last_month=Month.parse(last).first_day(),
                status=status,
                agent=agent,
            )
            for person in persons
        )

    return make


MakeBill = Callable[..., Bill]


@pytest.fixture
def make_bill(sijunjung) -> MakeBill:
    """A bill of ``source`` for ``month`` with one 16,800 line per membership."""
    counter = iter(range(1, 1_000_000))

    def make(
        source: FundingSource,
        month: str,
        memberships: list[Membership],
        *,
        status: str = Bill.Status.RECONCILED,
        amount: int = 16_800,
    ) -> Bill:
        m = Month.parse(month)
        bill = Bill.objects.create(
            number=f"IUR/UJI/{next(counter)}",
            regency=sijunjung,
            region=sijunjung,
            funding_source=source,
            first_month=m.first_day(),
            last_month=m.first_day(),
            status=status,
            members=len(memberships),
            person_months=len(memberships),
            total=amount * len(memberships),
        )
        BillLine.objects.bulk_create(
            BillLine(bill=bill, membership=ms, month=m.first_day(), amount=amount)
            for ms in memberships
        )
        return bill

    return make
