"""Budget fixtures: Kabupaten Sijunjung's 2025 APBD pagu, made by the system user."""

from __future__ import annotations

import pytest

from jamsos.budget import services
from jamsos.budget.models import Allocation, FundingSource
from jamsos.testing.factories import region

PAGU_2025 = 3_053_299_200  # facts.md §7.2: 181,744 person-months at the minimum package


@pytest.fixture
def sijunjung(db):
    return region("13.03")


@pytest.fixture
def year_2025(sijunjung):
    return services.fiscal_year_create(region=sijunjung, year=2025, acting_user=None)


@pytest.fixture
def apbd(sijunjung):
    return services.funding_source_create(
        region=sijunjung, kind=FundingSource.Kind.APBD, name="APBD Sijunjung", acting_user=None
    )


@pytest.fixture
def pagu_2025(year_2025, apbd) -> Allocation:
    allocation = services.allocation_create(
        fiscal_year=year_2025,
        source=apbd,
        name="Belanja iuran JKK/JKM pekerja rentan 2025",
        pagu=PAGU_2025,
        acting_user=None,
    )
    return services.allocation_approve(allocation=allocation, acting_user=None)
