"""Contributions fixtures: Sijunjung's APBD and one nagari's APB Nagari, and memberships
made directly (the enrollment app makes them for real from decrees)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from jamsos.budget import services as budget_services
from jamsos.budget.models import FundingSource, Segment
from jamsos.enrollment.models import Membership
from jamsos.lib.periods import Month
from jamsos.testing.factories import PersonFactory, region

NAGARI = "13.03.03.2001"  # Timbulun, the personas' agent's nagari
OTHER_NAGARI = "13.03.04.2001"


@pytest.fixture
def sijunjung(db):
    return region("13.03")


@pytest.fixture
def apbd(sijunjung) -> FundingSource:
    return budget_services.funding_source_create(
        region=sijunjung, kind=FundingSource.Kind.APBD, name="APBD Sijunjung", acting_user=None
    )


@pytest.fixture
def apb_nagari(sijunjung) -> FundingSource:
    return budget_services.funding_source_create(
        region=sijunjung,
        kind=FundingSource.Kind.APB_NAGARI,
        name="APB Nagari Timbulun",
        nagari=region(NAGARI),
        acting_user=None,
    )


@pytest.fixture
def csr(sijunjung) -> FundingSource:
    return budget_services.funding_source_create(
        region=sijunjung,
        kind=FundingSource.Kind.CSR,
        name="CSR PT Bukit Asam",
        company="PT Bukit Asam",
        acting_user=None,
    )


MakeMembers = Callable[..., list[Membership]]


@pytest.fixture
def make_members(db) -> MakeMembers:
    """``make_members(n, source, first="2025-01", last="2025-12", status="active")``."""
    counter = iter(range(1, 1_000_000))

    def make(
        count: int,
        source: FundingSource,
        *,
        first: str = "2025-01",
        last: str = "2025-12",
        status: str = Membership.Status.ACTIVE,
        segment: str = Segment.BPU,
        village: str = NAGARI,
        wage: int | None = None,
        risk_group: str = "",
    ) -> list[Membership]:
        persons = PersonFactory.create_batch(count, village=region(village))
        return Membership.objects.bulk_create(
            Membership(
                person=person,
                segment=segment,
                programmes=["jkk", "jkm"],
                funding_source=source,
                village_id=village,
                kpj_number=f"25{next(counter):09d}",
                wage=wage,
                risk_group=risk_group,
                first_month=Month.parse(first).first_day(),
                last_month=Month.parse(last).first_day(),
                status=status,
            )
            for person in persons
        )

    return make
