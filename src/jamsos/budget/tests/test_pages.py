"""Budget pages end to end with the shared personas: scope, permissions, forms."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jamsos.budget import services
from jamsos.budget.models import Allocation, FiscalYear, NagariQuota, Phase, Reservation
from jamsos.lib.periods import Month

pytestmark = pytest.mark.django_db

VIEWERS = ["dinas_operator", "dinas_head", "bpjs_officer", "executive", "dprd"]
NO_BUDGET = ["kecamatan_operator", "agent", "admin"]


@pytest.fixture
def client_for(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.mark.parametrize("who", VIEWERS)
def test_viewers_see_the_year_list_and_overview(personas, client_for, pagu_2025, who):
    client = client_for(getattr(personas, who))
    response = client.get(reverse("budget:year_list"))
    assert response.status_code == 200
    assert "TA 2025" in response.text
    assert "Rp 3.053.299.200" in response.text
    detail = client.get(reverse("budget:year_detail", args=[pagu_2025.fiscal_year_id]))
    assert detail.status_code == 200
    assert "Rp 3.053.299.200" in detail.text


@pytest.mark.parametrize("who", NO_BUDGET)
def test_roles_without_budget_permission_are_refused(personas, client_for, pagu_2025, who):
    client = client_for(getattr(personas, who))
    assert client.get(reverse("budget:year_list")).status_code == 403
    assert client.get(reverse("budget:allocation_detail", args=[pagu_2025.pk])).status_code == 403


def test_outsider_regency_sees_nothing_of_sijunjung(personas, client_for, pagu_2025):
    client = client_for(personas.outsider)  # Dinas operator of Kota Padang
    assert "TA 2025" not in client.get(reverse("budget:year_list")).text
    year = pagu_2025.fiscal_year_id
    assert client.get(reverse("budget:year_detail", args=[year])).status_code == 404
    assert client.get(reverse("budget:allocation_detail", args=[pagu_2025.pk])).status_code == 404
    response = client.post(
        reverse("budget:reservation_create", args=[pagu_2025.pk]),
        {"persons": 1, "first_month": "2025-12"},
    )
    assert response.status_code == 404
    assert not Reservation.objects.exists()


def test_dprd_sees_totals_but_no_reservation_rows(personas, client_for, pagu_2025):
    services.reservation_create(
        allocation=pagu_2025, persons=5, first_month=Month(2025, 1), acting_user=None
    )
    dprd = client_for(personas.dprd).get(reverse("budget:allocation_detail", args=[pagu_2025.pk]))
    assert dprd.status_code == 200
    assert "Rp 1.008.000" in dprd.text  # 5 × 12 × 16,800 reserved
    assert 'data-testid="reservation-table"' not in dprd.text
    assert 'data-testid="reserve-form"' not in dprd.text
    operator = client_for(personas.dinas_operator)
    page = operator.get(reverse("budget:allocation_detail", args=[pagu_2025.pk]))
    assert 'data-testid="reservation-table"' in page.text
    assert 'data-testid="reserve-form"' in page.text


def test_dprd_cannot_write(personas, client_for, year_2025):
    client = client_for(personas.dprd)
    response = client.post(reverse("budget:year_list"), {"region": "13.03", "year": 2026})
    assert response.status_code == 403
    response = client.post(
        reverse("budget:phase_list", args=[year_2025.pk]),
        {"number": 1, "first_month": "2025-03", "months": 9},
    )
    assert response.status_code == 403
    assert not Phase.objects.exists()


def test_operator_creates_year_source_pagu_phase_quota_and_reserves(personas, client):
    client.force_login(personas.dinas_operator)
    response = client.post(reverse("budget:year_list"), {"region": "13.03", "year": 2022})
    year = FiscalYear.objects.get(year=2022)
    assert response.status_code == 302
    response = client.post(
        reverse("budget:source_list"),
        {"region": "13.03", "kind": "apbd", "name": "APBD Sijunjung"},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("budget:allocation_create", args=[year.pk]),
        {
            "source": year.region.funding_sources.get().pk,
            "name": "Iuran 2022",
            "pagu": "Rp 201.549.600",
            "segment": "bpu",
        },
    )
    allocation = Allocation.objects.get()
    assert response.status_code == 302
    assert allocation.pagu == 201_549_600
    assert allocation.status == Allocation.Status.DRAFT
    response = client.post(
        reverse("budget:phase_list", args=[year.pk]),
        {
            "number": 1,
            "name": "Tahap I",
            "first_month": "2022-03",
            "months": 9,
            "allocation": allocation.pk,
        },
    )
    assert response.status_code == 302
    phase = Phase.objects.get()
    # Reserving a draft pagu is refused with the reason on the page.
    response = client.post(
        reverse("budget:reservation_create", args=[allocation.pk]),
        {"persons": 1333, "phase": phase.pk},
        follow=True,
    )
    assert "belum ditetapkan" in response.text
    # The operator cannot approve; the head can.
    response = client.post(reverse("budget:allocation_approve", args=[allocation.pk]))
    assert response.status_code == 403
    client.force_login(personas.dinas_head)
    client.post(reverse("budget:allocation_approve", args=[allocation.pk]))
    allocation.refresh_from_db()
    assert allocation.status == Allocation.Status.APPROVED
    client.force_login(personas.dinas_operator)
    response = client.post(
        reverse("budget:reservation_create", args=[allocation.pk]),
        {"persons": 1333, "phase": phase.pk},
        follow=True,
    )
    reservation = Reservation.objects.get()
    assert (reservation.amount, reservation.months) == (201_549_600, 9)
    assert "Rp 0" in response.text  # nothing left
    # A second reservation does not fit and the page says so.
    response = client.post(
        reverse("budget:reservation_create", args=[allocation.pk]),
        {"persons": 1, "first_month": "2022-12", "months": 1},
        follow=True,
    )
    assert "tidak cukup" in response.text
    assert Reservation.objects.count() == 1
    response = client.post(
        reverse("budget:quota_list", args=[year.pk]),
        {"nagari": "13.03.03.2001", "persons": 100},
    )
    assert response.status_code == 302
    assert NagariQuota.objects.get().persons == 100
    page = client.get(reverse("budget:quota_list", args=[year.pk]))
    assert "100" in page.text


def test_allocation_page_answers_how_many_more_people(personas, client_for, pagu_2025):
    client = client_for(personas.executive)
    response = client.get(
        reverse("budget:allocation_detail", args=[pagu_2025.pk]), {"start": "2025-05"}
    )
    assert response.status_code == 200
    assert "22.718 orang" in response.text
    response = client.get(
        reverse("budget:allocation_detail", args=[pagu_2025.pk]), {"start": "2026-01"}
    )
    assert "di luar tahun anggaran" in response.text


def test_estimate_page(personas, client_for):
    client = client_for(personas.bpjs_officer)
    response = client.get(
        reverse("budget:estimate"),
        {"persons": 1333, "months": 9, "start": "2022-03", "segment": "bpu", "payer": "apbd"},
    )
    assert response.status_code == 200
    assert "Rp 201.549.600" in response.text
    assert "Rp 16.800" in response.text
    assert "Lampiran II" in response.text
    bad = client.get(
        reverse("budget:estimate"),
        {
            "persons": 1,
            "months": 1,
            "start": "2022-03",
            "segment": "bpu",
            "payer": "apbd",
            "income": "1.500.000",
        },
    )
    assert "tidak ada di tabel Lampiran II" in bad.text


def test_admin_adds_an_unconfirmed_bracket_and_confirms_it(personas, client_for):
    client = client_for(personas.admin)
    assert client.get(reverse("budget:rate_list")).status_code == 200
    response = client.post(
        reverse("budget:rate_list"),
        {"declared_income": "1.300.000", "valid_from": "2015-07", "legal_basis": "Lampiran II"},
    )
    assert response.status_code == 302
    from jamsos.budget.models import IncomeBracket

    bracket = IncomeBracket.objects.get(declared_income=1_300_000)
    assert bracket.confirmed is False
    response = client.post(
        reverse("budget:rate_confirm", args=["penghasilan", bracket.pk]),
        {"legal_basis": "PP 44/2015 Lampiran II baris 3, diperiksa"},
    )
    bracket.refresh_from_db()
    assert bracket.confirmed is True
    # A Dinas operator may read the tables but not change them.
    operator = client_for(personas.dinas_operator)
    assert operator.get(reverse("budget:rate_list")).status_code == 200
    response = operator.post(
        reverse("budget:rate_list"),
        {"declared_income": "1.400.000", "valid_from": "2015-07", "legal_basis": "x"},
    )
    assert response.status_code == 403


def test_menu_shows_budget_to_viewers_only(personas, client_for):
    page = client_for(personas.dprd).get(reverse("web:home"))
    assert reverse("budget:year_list") in page.text
    page = client_for(personas.agent).get(reverse("web:home"))
    assert reverse("budget:year_list") not in page.text
