from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jamsos.lib.money import multiply, percent_of, ratio_percent, round_rupiah


@pytest.mark.parametrize(
    ("amount", "percent", "expected"),
    [
        (1_000_000, Decimal("1"), 10_000),
        (20_700_000, Decimal("1"), 207_000),
        (2_500_000, Decimal("0.54"), 13_500),
        (1_234_567, Decimal("0.24"), 2_963),  # 2,962.96 → 2,963
        (1_000_050, Decimal("0.30"), 3_000),  # 3,000.15 → 3,000
        (16_801, Decimal("50"), 8_401),  # 8,400.5 → 8,401: half rounds up
        (16_799, Decimal("50"), 8_400),  # 8,399.5 → 8,400
        (0, Decimal("1.74"), 0),
    ],
)
def test_percent_of_rounds_half_up_to_whole_rupiah(amount, percent, expected):
    assert percent_of(amount, percent) == expected


def test_percent_of_refuses_floats():
    with pytest.raises(TypeError, match="Decimal"):
        percent_of(1_000_000, 0.54)
    with pytest.raises(TypeError, match="integer rupiah"):
        percent_of(1_000_000.0, Decimal("1"))
    with pytest.raises(TypeError):
        percent_of(True, Decimal("1"))


def test_round_rupiah_half_up_also_for_negatives():
    assert round_rupiah(Decimal("0.5")) == 1
    assert round_rupiah(Decimal("-0.5")) == -1
    assert round_rupiah(Decimal("2.49")) == 2


def test_multiply_is_integer_only():
    assert multiply(16_800, 1_333, 9) == 201_549_600
    with pytest.raises(TypeError):
        multiply(16_800, 1.5)


def test_ratio_percent():
    assert ratio_percent(1, 3) == Decimal("33.3")
    assert ratio_percent(2, 3) == Decimal("66.7")
    assert ratio_percent(5, 0) == Decimal("0.0")


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=10_000))
def test_percent_of_is_within_half_a_rupiah_of_exact(amount, basis_points):
    percent = Decimal(basis_points) / 100
    exact = Decimal(amount) * percent / 100
    assert abs(Decimal(percent_of(amount, percent)) - exact) <= Decimal("0.5")
