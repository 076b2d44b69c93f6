""" "1 Nagari 100 orang" is a minimum (issue 9): a nagari may cover more than 100 of its
residents from its APB Nagari; each nagari's progress against the minimum (rule data) is
shown with its budget line, and the nagari below it are listed — on a page (Dinas, Camat
scoped to its kecamatan) and in the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from jamsos.budget import services as budget
from jamsos.budget.models import FundingSource, NagariMinimum
from jamsos.enrollment import selectors
from jamsos.enrollment.models import Membership
from jamsos.lib.periods import Month
from jamsos.testing.factories import PersonFactory, region

pytestmark = pytest.mark.django_db

TIMBULUN = "13.03.03.2001"  # the Camat persona's kecamatan (Tanjung Gadang)
NEIGHBOUR = "13.03.03.2002"  # same kecamatan
ELSEWHERE = "13.03.04.2001"  # Kecamatan Sijunjung
JUNE = Month(2025, 6)


def nagari_pagu(code: str, year: int = 2025):
    sij = region("13.03")
    fiscal_year = (
        budget.fiscal_year_create(region=sij, year=year, acting_user=None)
        if not (sij.fiscal_years.filter(year=year).exists())
        else sij.fiscal_years.get(year=year)
    )
    source = budget.funding_source_create(
        region=sij,
        kind=FundingSource.Kind.APB_NAGARI,
        name=f"APB Nagari {code}",
        nagari=region(code),
        acting_user=None,
    )
    allocation = budget.allocation_create(
        fiscal_year=fiscal_year,
        source=source,
        name=f"Iuran pekerja rentan {code} {year}",
        pagu=20_160_000,
        acting_user=None,
    )
    return budget.allocation_approve(allocation=allocation, acting_user=None)


def members(count: int, allocation, *, village: str, status=Membership.Status.ACTIVE):
    place = region(village)
    rows = [
        Membership(
            person=PersonFactory(village=place),
            segment="bpu",
            programmes=["jkk", "jkm"],
            funding_source=allocation.source,
            village=place,
            first_month=dt.date(2025, 1, 1),
            last_month=dt.date(2025, 12, 1),
            status=status,
        )
        for _ in range(count)
    ]
    Membership.objects.bulk_create(rows)


@pytest.fixture
def two_nagari(db):
    timbulun = nagari_pagu(TIMBULUN)
    neighbour = nagari_pagu(NEIGHBOUR)
    members(101, timbulun, village=TIMBULUN)  # over-achievement
    members(3, neighbour, village=NEIGHBOUR)
    members(2, neighbour, village=NEIGHBOUR, status=Membership.Status.CANCELLED)
    return timbulun, neighbour


def test_the_minimum_is_rule_data_from_2024_on():
    rule = NagariMinimum.objects.get(region_id="13.03")
    assert (rule.persons, rule.valid_from, rule.valid_to) == (100, dt.date(2024, 1, 1), None)
    assert "1 Nagari 100 Pekerja Rentan" in rule.legal_basis
    assert rule.confirmed is False  # only a news report of the launch (facts.md §0)


def test_a_nagari_may_reserve_beyond_its_target(personas):
    """The system refused the 101st person of a nagari; a target is not a cap."""
    timbulun = nagari_pagu(TIMBULUN)
    budget.nagari_quota_set(
        fiscal_year=timbulun.fiscal_year, nagari=region(TIMBULUN), persons=100, acting_user=None
    )
    ids = [PersonFactory(village=region(TIMBULUN)).pk for _ in range(101)]
    budget.allocation_revise(
        allocation=timbulun, pagu=10**9, reason="APB Nagari-P", acting_user=None
    )
    reservation = budget.reservation_create(
        allocation=timbulun, person_ids=ids, first_month=Month(2025, 1), acting_user=None
    )
    assert reservation.persons == 101
    [progress] = budget_progress(timbulun.fiscal_year)
    assert (progress.reserved_persons, progress.reached, str(progress.percent)) == (
        101,
        True,
        "101.0",
    )


def budget_progress(fiscal_year):
    from jamsos.budget.selectors import nagari_quota_progress

    return nagari_quota_progress(fiscal_year=fiscal_year)


def test_progress_counts_own_apb_nagari_members_and_lists_those_below(personas, two_nagari):
    timbulun, _neighbour = two_nagari
    report = selectors.nagari_minimum_progress(viewer=personas.dinas_operator, month=JUNE)
    rows = {row.code: row for row in report.rows}
    assert len(rows) == 62  # every nagari/desa of the kabupaten
    over, short = rows[TIMBULUN], rows[NEIGHBOUR]
    assert (over.members, over.minimum, over.below, str(over.percent)) == (101, 100, False, "101.0")
    assert (short.members, short.below, short.shortfall) == (3, True, 97)
    assert [line.name for line in over.budget_lines] == [timbulun.name]
    assert over.pagu == 20_160_000
    assert rows[ELSEWHERE].members == 0 and rows[ELSEWHERE].below
    below = selectors.nagari_minimum_progress(
        viewer=personas.dinas_operator, month=JUNE, below_only=True
    )
    assert TIMBULUN not in {row.code for row in below.rows}
    assert len(below.rows) == 61


def test_no_minimum_before_the_rule(personas, two_nagari):
    report = selectors.nagari_minimum_progress(viewer=personas.dinas_operator, month=Month(2023, 6))
    assert report.rules == {}
    assert not report.below


def test_camat_sees_its_kecamatan_only(personas, two_nagari):
    report = selectors.nagari_minimum_progress(viewer=personas.kecamatan_operator, month=JUNE)
    codes = {row.code for row in report.rows}
    assert TIMBULUN in codes and NEIGHBOUR in codes and ELSEWHERE not in codes
    assert all(code.startswith("13.03.03.") for code in codes)


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_page_for_dinas_and_camat_not_for_an_agent(personas, two_nagari):
    url = reverse("enrollment:nagari_minimum")
    page = client(personas.dinas_operator).get(url, {"bulan": "2025-06", "kurang": "1"})
    assert page.status_code == 200
    body = page.content.decode()
    assert f'data-testid="nagari-{NEIGHBOUR}"' in body
    assert f'data-testid="nagari-{TIMBULUN}"' not in body  # above the minimum
    assert "Iuran pekerja rentan 13.03.03.2002 2025" in body
    camat = client(personas.kecamatan_operator).get(url, {"bulan": "2025-06"}).content.decode()
    assert f'data-testid="nagari-{TIMBULUN}"' in camat
    assert f'data-testid="nagari-{ELSEWHERE}"' not in camat
    assert client(personas.agent).get(url).status_code == 403


def test_api_lists_the_nagari_below_the_minimum(personas, two_nagari):
    api = client(personas.kecamatan_operator)
    response = api.get("/api/enrollment/nagari-minimum", {"month": "2025-06", "below": "true"})
    assert response.status_code == 200, response.content
    data = response.json()
    codes = [row["nagari"] for row in data["nagari"]]
    assert NEIGHBOUR in codes and TIMBULUN not in codes and ELSEWHERE not in codes
    neighbour = next(row for row in data["nagari"] if row["nagari"] == NEIGHBOUR)
    assert (neighbour["members"], neighbour["minimum"], neighbour["shortfall"]) == (3, 100, 97)
    assert neighbour["budget_lines"][0]["pagu"] == 20_160_000
    assert data["below_count"] == len(codes)
    assert api.get("/api/enrollment/nagari-minimum", {"month": "0000-01"}).status_code == 422
    assert client(personas.agent).get("/api/enrollment/nagari-minimum").status_code == 403
