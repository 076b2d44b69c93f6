"""Every rate and rounding rule, from the seeded regulation tables (no figure in code)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jamsos.budget import services
from jamsos.budget.estimates import cost_estimate
from jamsos.budget.models import ContributionRate, IncomeBracket
from jamsos.lib.errors import DomainError
from jamsos.lib.periods import Month

pytestmark = pytest.mark.django_db


def test_seed_phase_one_1333_persons_9_months():
    estimate = cost_estimate(persons=1_333, months=9, start=Month(2022, 3))
    assert estimate.total == 201_549_600
    assert estimate.per_person_month == 16_800
    assert estimate.components == {"jkk": 10_000, "jkm": 6_800}
    assert estimate.end == Month(2022, 11)
    assert any("Lampiran II" in basis for basis in estimate.legal_basis)
    assert estimate.unconfirmed == ()


def test_seed_2025_budget_is_181744_person_months():
    estimate = cost_estimate(persons=22_718, months=8, start=Month(2025, 5))
    assert estimate.person_months == 181_744
    assert estimate.total == 3_053_299_200


def test_seeded_brackets_are_the_confirmed_minimum_and_maximum():
    rows = list(IncomeBracket.objects.values_list("declared_income", "confirmed"))
    # The maximum's only sources are news items and a branch statement (contributions
    # migration 0007, issue 9): used, but unconfirmed.
    assert rows == [(1_000_000, True), (20_700_000, False)]
    top = cost_estimate(persons=1, months=1, start=Month(2024, 1), income=20_700_000)
    assert top.components == {"jkk": 207_000, "jkm": 6_800}
    low = cost_estimate(persons=1, months=1, start=Month(2024, 1), income=1_000_000)
    assert low.components == {"jkk": 10_000, "jkm": 6_800}


def test_income_not_in_the_table_is_refused_naming_the_available_values():
    with pytest.raises(DomainError) as excinfo:
        cost_estimate(persons=1, months=1, start=Month(2024, 1), income=1_500_000)
    assert excinfo.value.code == "income_not_in_table"
    assert "Rp 1.500.000" in excinfo.value.message
    assert "Rp 1.000.000, Rp 20.700.000" in excinfo.value.message


def test_admin_added_bracket_is_used_and_reported_unconfirmed():
    services.income_bracket_add(
        declared_income=1_500_000,
        valid_from=Month(2015, 7),
        legal_basis="PP 44/2015 Lampiran II (belum diperiksa)",
        acting_user=None,
    )
    estimate = cost_estimate(persons=2, months=3, start=Month(2024, 1), income=1_500_000)
    assert estimate.components == {"jkk": 15_000, "jkm": 6_800}
    assert estimate.total == 2 * 3 * 21_800
    assert len(estimate.unconfirmed) == 1
    assert "1.500.000" in estimate.unconfirmed[0]


@pytest.mark.parametrize(
    ("risk_group", "jkk"),
    [
        ("sangat_rendah", 6_000),  # 0.24 % of 2,500,000
        ("rendah", 13_500),  # 0.54 %
        ("sedang", 22_250),  # 0.89 %
        ("tinggi", 31_750),  # 1.27 %
        ("sangat_tinggi", 43_500),  # 1.74 %
    ],
)
def test_pu_jkk_by_risk_group_and_jkm_030_percent(risk_group, jkk):
    estimate = cost_estimate(
        persons=1,
        months=1,
        start=Month(2025, 1),
        segment="pu",
        wage=2_500_000,
        risk_group=risk_group,
    )
    assert estimate.components == {"jkk": jkk, "jkm": 7_500}


def test_pu_rounds_each_component_half_up_per_month():
    # 0.24 % of 2,512,345 = 6,029.628 → 6,030; 0.30 % = 7,537.035 → 7,537.
    estimate = cost_estimate(
        persons=3,
        months=2,
        start=Month(2025, 1),
        segment="pu",
        wage=2_512_345,
        risk_group="sangat_rendah",
    )
    assert estimate.components == {"jkk": 6_030, "jkm": 7_537}
    assert estimate.total == (6_030 + 7_537) * 3 * 2


def test_pp50_discount_does_not_apply_when_the_apbd_pays():
    estimate = cost_estimate(
        persons=100, months=12, start=Month(2026, 1), payer="apbd", sector="transportasi"
    )
    assert estimate.per_person_month == 16_800
    assert estimate.total == 100 * 12 * 16_800
    assert not any("PP 50/2025" in basis for basis in estimate.legal_basis)
    assert any("tidak berlaku" in note and "APBD" in note for note in estimate.notes)


def test_pp50_discount_also_excludes_apb_nagari_as_seeded():
    estimate = cost_estimate(
        persons=1, months=3, start=Month(2026, 1), payer="apb_nagari", sector="transportasi"
    )
    assert estimate.per_person_month == 16_800


def test_pp50_discount_halves_a_self_paying_transport_worker_for_15_months():
    estimate = cost_estimate(
        persons=1, months=16, start=Month(2026, 1), payer="mandiri", sector="transportasi"
    )
    first, second = estimate.lines
    assert (first.first_month, first.last_month) == (Month(2026, 1), Month(2027, 3))
    assert (first.jkk, first.jkm, first.per_person_month) == (5_000, 3_400, 8_400)
    assert first.discount_percent == Decimal("50")
    assert (second.first_month, second.per_person_month) == (Month(2027, 4), 16_800)
    assert estimate.per_person_month is None  # the rate changes inside the period
    assert estimate.total == 15 * 8_400 + 16_800
    assert any("PP 50/2025" in basis for basis in estimate.legal_basis)


def test_pp50_non_transport_period_is_used_but_reported_unconfirmed():
    estimate = cost_estimate(
        persons=1, months=12, start=Month(2026, 1), payer="csr", sector="lainnya"
    )
    assert [line.per_person_month for line in estimate.lines] == [16_800, 8_400]
    assert estimate.lines[1].first_month == Month(2026, 4)
    assert estimate.total == 3 * 16_800 + 9 * 8_400
    assert any("lainnya" in row for row in estimate.unconfirmed)


def test_discount_rounds_half_up_per_component():
    services.contribution_rate_add(
        segment="bpu",
        programme="jkm",
        basis=ContributionRate.Basis.FLAT,
        amount=6_801,
        valid_from=Month(2026, 1),
        legal_basis="uji pembulatan",
        acting_user=None,
    )
    estimate = cost_estimate(
        persons=1, months=1, start=Month(2026, 1), payer="mandiri", sector="transportasi"
    )
    assert estimate.components == {"jkk": 5_000, "jkm": 3_401}  # 3,400.5 → 3,401


def test_rate_change_mid_year_applies_by_month():
    services.contribution_rate_add(
        segment="bpu",
        programme="jkm",
        basis=ContributionRate.Basis.FLAT,
        amount=7_000,
        valid_from=Month(2025, 7),
        legal_basis="perubahan hipotetis untuk uji",
        acting_user=None,
    )
    old = ContributionRate.objects.get(segment="bpu", programme="jkm", amount=6_800)
    assert old.valid_to.isoformat() == "2025-06-01"  # closed the month before
    estimate = cost_estimate(persons=10, months=12, start=Month(2025, 1))
    assert [
        (str(x.first_month), str(x.last_month), x.per_person_month) for x in estimate.lines
    ] == [
        ("2025-01", "2025-06", 16_800),
        ("2025-07", "2025-12", 17_000),
    ]
    assert estimate.total == 10 * (6 * 16_800 + 6 * 17_000)
    # A period entirely before the change is untouched.
    assert cost_estimate(persons=1, months=6, start=Month(2025, 1)).per_person_month == 16_800


def test_overlapping_rate_rows_are_refused():
    with pytest.raises(DomainError, match="bertumpang tindih"):
        services.contribution_rate_add(
            segment="bpu",
            programme="jkm",
            basis=ContributionRate.Basis.FLAT,
            amount=7_000,
            valid_from=Month(2015, 7),  # the same start as the seeded row
            legal_basis="x",
            acting_user=None,
        )


def test_missing_rate_for_a_month_is_a_clear_error():
    with pytest.raises(DomainError) as excinfo:
        cost_estimate(persons=1, months=1, start=Month(2010, 1))
    assert excinfo.value.code == "rate_missing"
    assert "2010-01" in excinfo.value.message


@pytest.mark.parametrize(
    ("kwargs", "text"),
    [
        ({"persons": 0}, "Jumlah orang"),
        ({"months": 0}, "Jumlah bulan"),
        ({"segment": "xx"}, "Segmen"),
        ({"payer": "bank"}, "Pembayar"),
        ({"wage": 2_000_000}, "hanya untuk segmen PU"),
        ({"segment": "pu", "risk_group": "rendah"}, "memerlukan upah"),
        ({"segment": "pu", "wage": 2_000_000, "risk_group": "x"}, "Kelompok risiko"),
        ({"segment": "pu", "wage": 2_000_000, "risk_group": "rendah", "income": 1}, "BPU"),
    ],
)
def test_bad_inputs_are_explained(kwargs, text):
    arguments = {"persons": 1, "months": 1, "start": Month(2025, 1)} | kwargs
    with pytest.raises(DomainError, match=text):
        cost_estimate(**arguments)
