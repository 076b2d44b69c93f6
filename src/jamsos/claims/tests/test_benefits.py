"""Every benefit rule of facts.md §3, computed from the seeded tables."""

from __future__ import annotations

import datetime as dt

import pytest

from jamsos.budget.models import IncomeBracket
from jamsos.claims.benefits import BenefitInputError, benefit_estimate
from jamsos.claims.models import BenefitRule, ClaimParameter
from jamsos.claims.rules import RuleMissing

pytestmark = pytest.mark.django_db

ON = dt.date(2025, 6, 15)


def amounts(estimate) -> dict[str, int]:
    return {line.code: line.amount for line in estimate.lines}


# --- JKM --------------------------------------------------------------------------------------


def test_jkm_pays_42_million_in_three_lines_with_legal_basis():
    estimate = benefit_estimate(benefit_type="jkm", on=ON)
    assert estimate.total == 42_000_000
    assert amounts(estimate) == {
        "jkm_santunan_sekaligus": 20_000_000,
        "jkm_santunan_berkala": 12_000_000,
        "jkm_biaya_pemakaman": 10_000_000,
    }
    assert all("PP 82/2019" in line.legal_basis for line in estimate.lines)
    # The amounts are confirmed; the 3-month threshold comes from a branch statement only.
    assert all(line.confirmed for line in estimate.lines)
    assert len(estimate.unconfirmed) == 1
    assert "Masa iur minimal JKM penuh" in estimate.unconfirmed[0]


@pytest.mark.parametrize(("months", "total"), [(0, 10_000_000), (2, 10_000_000), (3, 42_000_000)])
def test_jkm_with_fewer_than_three_months_pays_10_million_only(months, total):
    estimate = benefit_estimate(benefit_type="jkm", on=ON, months_paid=months)
    assert estimate.total == total
    if total == 10_000_000:
        assert amounts(estimate) == {
            "jkm_masa_iur_pendek_santunan": 8_000_000,
            "jkm_masa_iur_pendek_pemakaman": 2_000_000,
        }
        assert any("kurang dari 3 bulan" in note for note in estimate.notes)
        # Only a BPJS branch (in the press) gives the Rp 10 M split: unconfirmed (issue 9).
        assert not any(line.confirmed for line in estimate.lines)


def test_rows_sourced_only_from_news_or_a_branch_are_unconfirmed():
    from jamsos.claims.models import BenefitRule

    short = BenefitRule.objects.filter(membership="short")
    assert short.count() == 2
    assert not short.filter(confirmed=True).exists()
    assert all("pernyataan cabang" in rule.note for rule in short)
    threshold = ClaimParameter.objects.get(key="jkm_full_min_months")
    assert not threshold.confirmed
    # Rows with a regulation text or a national BPJS/Kemnaker statement stay confirmed.
    assert BenefitRule.objects.get(code="jkm_santunan_sekaligus").confirmed
    assert ClaimParameter.objects.get(key="jkk_claim_years").confirmed


def test_jkm_threshold_is_data():
    ClaimParameter.objects.filter(key="jkm_full_min_months").update(value=6)
    assert benefit_estimate(benefit_type="jkm", on=ON, months_paid=5).total == 10_000_000
    assert benefit_estimate(benefit_type="jkm", on=ON, months_paid=6).total == 42_000_000


# --- JKK death ------------------------------------------------------------------------------


def test_jkk_death_at_the_lowest_income_is_the_publicised_70_million():
    estimate = benefit_estimate(benefit_type="jkk_death", on=ON)
    assert estimate.total == 70_000_000
    assert estimate.inputs["income"] == 1_000_000
    assert amounts(estimate)["jkk_meninggal_santunan_sekaligus"] == 48_000_000
    assert any("nilai terendah BPU" in note for note in estimate.notes)


def test_jkk_death_is_48_times_income_plus_12_and_10_million():
    estimate = benefit_estimate(benefit_type="jkk_death", on=ON, income=2_537_129)
    assert amounts(estimate) == {
        "jkk_meninggal_santunan_sekaligus": 48 * 2_537_129,
        "jkk_meninggal_santunan_berkala": 12_000_000,
        "jkk_meninggal_biaya_pemakaman": 10_000_000,
    }
    # The periodic and funeral rows come from a third-party calculator: listed as such.
    assert len(estimate.unconfirmed) == 2


def test_the_lowest_income_follows_the_bracket_table():
    IncomeBracket.objects.filter(declared_income=1_000_000).update(declared_income=1_100_000)
    assert benefit_estimate(benefit_type="jkk_death", on=ON).total == 48 * 1_100_000 + 22_000_000


# --- STMB -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "total"),
    [
        (1, 33_333),  # 1,000,000 / 30, rounded half-up once
        (30, 1_000_000),
        (45, 1_500_000),
        (360, 12_000_000),  # the first 12 months at 100 %
        (390, 12_500_000),  # then 50 %
    ],
)
def test_stmb_is_100_percent_for_12_months_then_50(days, total):
    assert benefit_estimate(benefit_type="stmb", on=ON, days=days).total == total


def test_stmb_lines_split_at_the_twelfth_month():
    estimate = benefit_estimate(benefit_type="jkk_stmb", on=ON, days=400, income=3_000_000)
    assert amounts(estimate) == {
        "stmb_12_bulan_pertama": 36_000_000,
        "stmb_bulan_berikutnya": 2_000_000,  # 40 days × 50 % × 3,000,000 / 30
    }
    # The conversion to days is the system's reading, not yet confirmed.
    assert any("STMB" in row for row in estimate.unconfirmed)


def test_stmb_needs_days():
    with pytest.raises(BenefitInputError) as exc:
        benefit_estimate(benefit_type="stmb", on=ON)
    assert exc.value.code == "stmb_days_required"


# --- Scholarship ----------------------------------------------------------------------------


def test_beasiswa_maximum_is_87_million_per_child_and_174_for_two():
    one = benefit_estimate(benefit_type="beasiswa", on=ON)
    two = benefit_estimate(benefit_type="beasiswa", on=ON, children=2)
    assert (one.total, two.total) == (87_000_000, 174_000_000)
    assert amounts(one) == {
        "beasiswa_tk_sd": 12_000_000,
        "beasiswa_smp": 6_000_000,
        "beasiswa_sma": 9_000_000,
        "beasiswa_pt": 60_000_000,
    }


@pytest.mark.parametrize(
    ("level", "years", "children", "total"),
    [
        ("tk_sd", 8, 1, 12_000_000),
        ("smp", 1, 2, 4_000_000),
        ("sma", 3, 1, 9_000_000),
        ("pt", 2, 2, 48_000_000),
    ],
)
def test_beasiswa_per_level_per_year_per_child(level, years, children, total):
    estimate = benefit_estimate(
        benefit_type="beasiswa", on=ON, level=level, years=years, children=children
    )
    assert estimate.total == total


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"level": "smp", "years": 4}, "beasiswa_years"),
        ({"level": "tk_sd", "years": 9}, "beasiswa_years"),
        ({"children": 3}, "beasiswa_children"),
        ({"years": 2}, "beasiswa_years_without_level"),
        ({"level": "s3"}, "beasiswa_level_unknown"),
    ],
)
def test_beasiswa_limits(kwargs, code):
    with pytest.raises(BenefitInputError) as exc:
        benefit_estimate(benefit_type="beasiswa", on=ON, **kwargs)
    assert exc.value.code == code


def test_beasiswa_for_named_children_counts_two_at_most():
    estimate = benefit_estimate(
        benefit_type="beasiswa",
        on=ON,
        child_levels=[("Anak A", "tk_sd"), ("Anak B", "pt"), ("Anak C", "smp")],
    )
    assert estimate.total == 1_500_000 + 12_000_000
    assert any("Anak C tidak dihitung" in note for note in estimate.notes)


# --- Disability and medical care -----------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "total"),
    [("total_tetap", 56_000_000), ("lengan_kanan_bahu", 32_000_000), ("ibu_jari_kiri", 9_600_000)],
)
def test_disability_is_table_percent_times_80_times_income(row, total):
    estimate = benefit_estimate(benefit_type="jkk_disability", on=ON, disability=row)
    assert estimate.total == total
    # Every disability row is from memory of Lampiran III: marked unconfirmed.
    assert estimate.unconfirmed


def test_every_disability_row_is_marked_unconfirmed():
    rows = BenefitRule.objects.filter(benefit="jkk_disability")
    assert rows.count() >= 10
    assert not rows.filter(confirmed=True).exists()


def test_unknown_disability_row_names_the_choices():
    with pytest.raises(BenefitInputError) as exc:
        benefit_estimate(benefit_type="jkk_disability", on=ON, disability="hidung")
    assert exc.value.code == "disability_unknown"
    assert "total_tetap" in exc.value.message


def test_medical_care_pays_actual_costs_and_caps_transport():
    estimate = benefit_estimate(
        benefit_type="jkk_medical",
        on=ON,
        medical_costs=87_654_321,
        transport="laut",
        transport_costs=3_500_000,
    )
    assert amounts(estimate) == {"jkk_perawatan": 87_654_321, "jkk_transportasi_laut": 2_000_000}


# --- Rules are effective-dated data ----------------------------------------------------------


def test_a_new_row_changes_the_benefit_from_its_month_on():
    old = BenefitRule.objects.get(code="jkm_santunan_sekaligus")
    old.valid_to = dt.date(2026, 12, 1)
    old.save()
    new = BenefitRule(
        benefit="jkm",
        code="jkm_santunan_sekaligus",
        label="Santunan sekaligus",
        kind="flat",
        amount=25_000_000,
        membership="full",
        valid_from=dt.date(2027, 1, 1),
        legal_basis="PP baru (uji)",
    )
    new.full_clean()
    new.save()
    assert benefit_estimate(benefit_type="jkm", on=dt.date(2026, 12, 31)).total == 42_000_000
    later = benefit_estimate(benefit_type="jkm", on=dt.date(2027, 1, 1))
    assert later.total == 47_000_000
    assert "PP baru (uji)" in later.legal_basis


def test_overlapping_rows_are_refused():
    clash = BenefitRule(
        benefit="jkm",
        code="jkm_santunan_sekaligus",
        label="x",
        kind="flat",
        amount=1,
        valid_from=dt.date(2024, 1, 1),
        legal_basis="x",
    )
    with pytest.raises(Exception, match="tumpang tindih"):
        clash.full_clean()


def test_events_before_the_seeded_rules_raise_rule_missing():
    with pytest.raises(RuleMissing):
        benefit_estimate(benefit_type="jkm", on=dt.date(2018, 5, 1))


def test_unknown_type():
    with pytest.raises(BenefitInputError) as exc:
        benefit_estimate(benefit_type="jht", on=ON)
    assert exc.value.code == "benefit_type_unknown"


# --- The reader's language ---------------------------------------------------------------


def test_notes_and_details_are_in_the_readers_language():
    """A live estimate speaks the active language; a stored one (``Claim.estimate``, made
    in Bahasa Indonesia) is shown again in English, and one stored before the notes kept
    their sources shows its text."""
    from django.utils import translation

    from jamsos.claims.benefits import estimate_shown

    with translation.override("en"):
        live = benefit_estimate(benefit_type="jkm", on=ON, months_paid=2)
        scholarship = benefit_estimate(benefit_type="beasiswa", on=ON, level="smp", years=2)
    assert live.notes == (
        "2 months of contributions, fewer than 3: only the short-contribution benefit is paid.",
    )
    assert scholarship.lines[0].detail.endswith("× 2 year(s) × 1 child(ren)")

    with translation.override("id"):
        stored = benefit_estimate(benefit_type="jkk_death", on=ON).as_dict()
        medical = benefit_estimate(benefit_type="medical", on=ON, medical_costs=500_000).as_dict()
    assert stored["notes"][0].startswith("Penghasilan sebulan: nilai terendah BPU Rp 1.000.000")
    with translation.override("en"):
        shown = estimate_shown(stored)
        shown_medical = estimate_shown(medical)
        old = estimate_shown({k: v for k, v in stored.items() if k != "note_sources"})
    assert shown["notes"][0].startswith("Monthly income: the lowest BPU bracket, Rp 1.000.000")
    assert shown["lines"] == stored["lines"]  # multiples carry no words
    assert "as on the receipts, no upper limit" in [
        line["detail"] for line in shown_medical["lines"]
    ]
    assert old["notes"] == stored["notes"]
    assert stored["notes"][0] != shown["notes"][0]
