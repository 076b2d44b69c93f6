"""Portal fixtures: a funded membership of a known person, and a client per address."""

from __future__ import annotations

import pytest
from django.test import Client

from jamsos.budget import services as budget_services
from jamsos.budget.models import FundingSource
from jamsos.enrollment.models import Membership
from jamsos.lib.periods import Month
from jamsos.testing.factories import PersonFactory, region

NAGARI = "13.03.03.2001"  # the personas' agent works here
OTHER_NAGARI = "13.03.04.2001"  # Kecamatan Sijunjung, outside the camat's area


@pytest.fixture(autouse=True)
def _no_timing_floor(settings):
    """Speed: the timing floor has its own test (test_lookup.py)."""
    settings.PORTAL_LOOKUP_MIN_MS = 0


@pytest.fixture
def apbd(db) -> FundingSource:
    return budget_services.funding_source_create(
        region=region("13.03"),
        kind=FundingSource.Kind.APBD,
        name="APBD Sijunjung",
        acting_user=None,
    )


@pytest.fixture
def member(apbd) -> Membership:
    person = PersonFactory(full_name="Siti Nurhaliza", village=region(NAGARI))
    return Membership.objects.create(
        person=person,
        segment="bpu",
        programmes=["jkk", "jkm"],
        funding_source=apbd,
        village=person.village,
        kpj_number="26000000123",
        first_month=Month(2026, 1).first_day(),
        last_month=Month(2026, 12).first_day(),
        status=Membership.Status.ACTIVE,
    )


def client_from(ip: str) -> Client:
    return Client(REMOTE_ADDR=ip)
