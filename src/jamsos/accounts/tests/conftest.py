from __future__ import annotations

import pytest

from jamsos.accounts.models import Agency
from jamsos.accounts.roles import Role
from jamsos.testing.factories import AgencyFactory, UserFactory, region

STRONG_PASSWORD = "Rendang-Padang-2026"


@pytest.fixture
def padang_admin(personas):
    """An admin of Kota Padang: manages users, but none in Sijunjung."""
    padang = Agency.objects.get(code="disnaker-padang")
    return UserFactory(username="padang_admin", role=Role.ADMIN, agency=padang)


@pytest.fixture
def province_bpjs(personas):
    """An agency anchored at the province (13), above a Sijunjung admin's scope."""
    return AgencyFactory(
        code="bpjs-sumbar",
        name="BPJS Ketenagakerjaan Wilayah Sumbar",
        kind=Agency.Kind.BPJS_BRANCH,
        region=region("13"),
    )
