"""Enrollment fixtures: Sijunjung's 2022 APBD pagu, phase I and persons to name.

The budget is made by the system user (``acting_user=None``) through the budget's own
services; decrees by the personas, so permissions and maker-checker are real.
"""

from __future__ import annotations

import datetime as dt

import pytest

from jamsos.budget import services as budget
from jamsos.budget.models import Allocation, FundingSource, Phase, Reservation
from jamsos.enrollment import services
from jamsos.enrollment.models import Decree
from jamsos.lib.periods import Month
from jamsos.testing.factories import PersonFactory, region

PHASE_I_PERSONS = 1_333
NAGARI = "13.03.03.2001"  # Tanjung Gadang (the Camat persona's kecamatan)
OTHER_NAGARI = "13.03.04.2001"  # Kecamatan Sijunjung


@pytest.fixture
def sijunjung(db):
    return region("13.03")


@pytest.fixture
def year_2022(sijunjung):
    return budget.fiscal_year_create(region=sijunjung, year=2022, acting_user=None)


@pytest.fixture
def apbd(sijunjung):
    return budget.funding_source_create(
        region=sijunjung, kind=FundingSource.Kind.APBD, name="APBD Sijunjung", acting_user=None
    )


@pytest.fixture
def pagu_2022(year_2022, apbd) -> Allocation:
    allocation = budget.allocation_create(
        fiscal_year=year_2022,
        source=apbd,
        name="Iuran JKK/JKM pekerja rentan 2022",
        pagu=201_549_600,
        acting_user=None,
    )
    return budget.allocation_approve(allocation=allocation, acting_user=None)


@pytest.fixture
def phase_1(year_2022, pagu_2022) -> Phase:
    return budget.phase_create(
        fiscal_year=year_2022,
        number=1,
        name="Tahap I",
        first_month=Month(2022, 3),
        months=9,
        allocation=pagu_2022,
        acting_user=None,
    )


def make_persons(count: int, village: str = NAGARI) -> list:
    place = region(village)
    return [PersonFactory(village=place) for _ in range(count)]


@pytest.fixture
def persons(db):
    """Four persons in Tanjung Gadang and two in Kecamatan Sijunjung."""
    return make_persons(4) + make_persons(2, OTHER_NAGARI)


def reserve(allocation, *, persons=None, count=None, phase=None) -> Reservation:
    return budget.reservation_create(
        allocation=allocation,
        person_ids=[p.pk for p in persons] if persons is not None else None,
        persons=count,
        phase=phase,
        first_month=None if phase else Month(2022, 3),
        months=None if phase else 9,
        acting_user=None,
    )


@pytest.fixture
def named_reservation(pagu_2022, phase_1, persons) -> Reservation:
    return reserve(pagu_2022, persons=persons, phase=phase_1)


def issued_decree(reservation, personas, *, persons=None, number="188.45/131/KPTS-BPT-2022"):
    """Draft (operator) → approve (head) → issue, as the programme does."""
    decree = services.decree_draft_from_reservation(
        reservation=reservation, persons=persons, acting_user=personas.dinas_operator
    )
    decree = services.decree_approve(decree=decree, acting_user=personas.dinas_head)
    return services.decree_issue(
        decree=decree,
        number=number,
        decree_date=dt.date(2022, 3, 15),
        acting_user=personas.dinas_operator,
    )


@pytest.fixture
def decree(named_reservation, personas) -> Decree:
    return issued_decree(named_reservation, personas)
