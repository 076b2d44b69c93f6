"""The reports API: coverage and targets, scoped like the pages; not found = forbidden."""

from __future__ import annotations

import datetime as dt

import pytest

from jamsos.reports.models import EligibleTarget
from jamsos.reports.services import figures_refresh_year
from jamsos.testing.factories import region

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(sijunjung, apbd, make_members):
    make_members(2, apbd, village="13.03.03.2001")
    EligibleTarget.objects.create(
        region=region("13.03.03.2001"),
        year=2025,
        count=40,
        source="Pendataan nagari",
        source_date=dt.date(2025, 1, 5),
        is_fictitious=True,
    )
    figures_refresh_year(regency_code="13.03", year=2025)


def test_coverage_and_targets_over_the_api(client, personas, data):
    client.force_login(personas.dprd)
    body = client.get("/api/reports/coverage?region=13.03.03&year=2025&month=5").json()
    timbulun = next(a for a in body["areas"] if a["code"] == "13.03.03.2001")
    assert (timbulun["active"], timbulun["eligible"], timbulun["coverage"]) == (2, 40, 0.05)
    assert "06.02.021" in body["formula"]
    targets = client.get("/api/reports/targets?year=2025").json()
    assert targets[0]["is_fictitious"] is True and targets[0]["count"] == 40


def test_api_scope(client, personas, data):
    client.force_login(personas.outsider)
    assert client.get("/api/reports/coverage?region=13.03&year=2025").status_code == 404
    assert client.get("/api/reports/targets").json() == []
    client.force_login(personas.kecamatan_operator)
    assert client.get("/api/reports/coverage?region=13.03.03&year=2025").status_code == 404
    assert client.get("/api/reports/coverage?region=bad&year=2025").status_code in (400, 422)
