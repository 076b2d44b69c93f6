"""The budget REST API end to end: schemas, scope, permissions, domain errors."""

from __future__ import annotations

import pytest

from jamsos.budget import services
from jamsos.budget.models import Reservation
from jamsos.lib.periods import Month
from jamsos.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db

API = "/api/budget"


@pytest.fixture
def api(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


def test_estimate_reproduces_the_seed(personas, api):
    response = api(personas.dprd).get(
        f"{API}/estimate", {"persons": 1333, "months": 9, "start": "2022-03"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 201_549_600
    assert body["per_person_month"] == 16_800
    assert body["components"] == {"jkk": 10_000, "jkm": 6_800}
    assert body["legal_basis"]


def test_estimate_bad_income_is_a_400_with_a_code(personas, api):
    response = api(personas.dinas_operator).get(
        f"{API}/estimate", {"persons": 1, "months": 1, "start": "2022-03", "income": 1_500_000}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "income_not_in_table"


def test_estimate_needs_budget_permission(personas, api):
    response = api(personas.agent).get(f"{API}/estimate", {"persons": 1, "months": 1})
    assert response.status_code == 403


def test_full_flow_over_the_api(personas, api):
    operator = api(personas.dinas_operator)
    year = operator.post(f"{API}/years", {"region": "13.03", "year": 2025}, "application/json")
    assert year.status_code == 201, year.content
    year_id = year.json()["id"]
    source = operator.post(
        f"{API}/sources",
        {"region": "13.03", "kind": "apbd", "name": "APBD Sijunjung"},
        "application/json",
    )
    assert source.status_code == 201, source.content
    allocation = operator.post(
        f"{API}/allocations",
        {
            "fiscal_year": year_id,
            "source": source.json()["id"],
            "name": "Iuran 2025",
            "pagu": 3_053_299_200,
        },
        "application/json",
    )
    assert allocation.status_code == 201, allocation.content
    allocation_id = allocation.json()["id"]
    assert allocation.json()["status"] == "draft"
    phase = operator.post(
        f"{API}/phases",
        {
            "fiscal_year": year_id,
            "number": 1,
            "first_month": "2025-05",
            "months": 8,
            "allocation": allocation_id,
        },
        "application/json",
    )
    assert phase.status_code == 201, phase.content
    assert phase.json()["last_month"] == "2025-12"
    # The operator cannot approve (403); the head can.
    denied = operator.post(f"{API}/allocations/{allocation_id}/approve")
    assert denied.status_code == 403
    head = api(personas.dinas_head)
    approved = head.post(f"{API}/allocations/{allocation_id}/approve")
    assert approved.json()["status"] == "approved"
    operator = api(personas.dinas_operator)
    capacity = operator.get(f"{API}/allocations/{allocation_id}/capacity", {"start": "2025-05"})
    assert capacity.json()["persons"] == 22_718
    assert capacity.json()["leftover"] == 0
    persons = PersonFactory.create_batch(2)
    named = operator.post(
        f"{API}/reservations",
        {
            "allocation": allocation_id,
            "person_ids": [p.pk for p in persons],
            "phase": phase.json()["id"],
        },
        "application/json",
    )
    assert named.status_code == 201, named.content
    assert named.json()["named_persons"] is True
    assert named.json()["amount"] == 2 * 8 * 16_800
    too_many = operator.post(
        f"{API}/reservations",
        {"allocation": allocation_id, "persons": 22_718, "first_month": "2025-05"},
        "application/json",
    )
    assert too_many.status_code == 409
    assert too_many.json()["code"] == "budget_exhausted"
    assert "Paling banyak 22.716 orang" in too_many.json()["message"]
    overview = operator.get(f"{API}/years/{year_id}").json()
    assert overview["totals"]["reserved"] == 2 * 8 * 16_800
    listed = operator.get(f"{API}/allocations/{allocation_id}/reservations").json()
    assert [r["persons"] for r in listed] == [2]
    quota = operator.post(
        f"{API}/quotas",
        {"fiscal_year": year_id, "nagari": "13.03.03.2001", "persons": 100},
        "application/json",
    )
    assert quota.status_code == 200, quota.content
    assert quota.json()["remaining"] == 100
    released = operator.post(f"{API}/reservations/{named.json()['id']}/release")
    assert released.json()["status"] == "released"


def test_dprd_gets_totals_but_not_reservation_rows(personas, api, pagu_2025):
    services.reservation_create(
        allocation=pagu_2025, persons=3, first_month=Month(2025, 1), acting_user=None
    )
    dprd = api(personas.dprd)
    overview = dprd.get(f"{API}/years/{pagu_2025.fiscal_year_id}")
    assert overview.status_code == 200
    assert overview.json()["totals"]["reserved"] == 3 * 12 * 16_800
    rows = dprd.get(f"{API}/allocations/{pagu_2025.pk}/reservations")
    assert rows.status_code == 403
    assert rows.json()["code"] == "aggregate_only"
    write = dprd.post(
        f"{API}/reservations",
        {"allocation": pagu_2025.pk, "persons": 1, "first_month": "2025-12"},
        "application/json",
    )
    assert write.status_code == 403
    assert Reservation.objects.count() == 1


def test_outsider_gets_404_for_everything_of_sijunjung(personas, api, pagu_2025):
    outsider = api(personas.outsider)
    assert outsider.get(f"{API}/years").json() == []
    assert outsider.get(f"{API}/years/{pagu_2025.fiscal_year_id}").status_code == 404
    assert outsider.get(f"{API}/allocations/{pagu_2025.pk}").status_code == 404
    response = outsider.post(
        f"{API}/reservations",
        {"allocation": pagu_2025.pk, "persons": 1, "first_month": "2025-12"},
        "application/json",
    )
    assert response.status_code == 404
    response = outsider.post(f"{API}/years", {"region": "13.03", "year": 2030}, "application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "outside_scope"


def test_bad_month_is_a_422(personas, api, pagu_2025):
    response = api(personas.dinas_operator).get(
        f"{API}/allocations/{pagu_2025.pk}/capacity", {"start": "Mei 2025"}
    )
    assert response.status_code == 422


def test_reserving_beyond_a_nagari_target_over_the_api(personas, api, pagu_2025):
    services.nagari_quota_set(
        fiscal_year=pagu_2025.fiscal_year,
        nagari=pagu_2025.fiscal_year.region.children.get(code="13.03.03").children.get(
            code="13.03.03.2001"
        ),
        persons=10,
        acting_user=None,
    )
    response = api(personas.dinas_operator).post(
        f"{API}/reservations",
        {
            "allocation": pagu_2025.pk,
            "persons": 11,
            "first_month": "2025-01",
            "nagari": "13.03.03.2001",
        },
        "application/json",
    )
    assert response.status_code == 201, response.content
    quotas = api(personas.dinas_operator).get(f"{API}/years/{pagu_2025.fiscal_year_id}/quotas")
    [row] = quotas.json()
    assert (row["reserved_persons"], row["remaining"], row["full"]) == (11, 0, True)
