import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jamsos.lib.errors import DomainError
from jamsos.lib.periods import Month, last_month, month_range, months_between


def test_parse_and_str_round_trip():
    assert Month.parse("2022-03") == Month(2022, 3)
    assert Month.parse(" 2022-3 ") == Month(2022, 3)
    assert str(Month(2022, 3)) == "2022-03"


@pytest.mark.parametrize("text", ["2022-13", "2022-00", "22-03", "Maret 2022", "", "2022/03"])
def test_parse_refuses_bad_text_with_a_clear_message(text):
    with pytest.raises(DomainError) as excinfo:
        Month.parse(text)
    assert excinfo.value.code == "month_format"
    assert "TTTT-BB" in excinfo.value.message


def test_add_and_subtract_cross_years():
    assert Month(2022, 11) + 3 == Month(2023, 2)
    assert Month(2023, 2) - 3 == Month(2022, 11)
    assert Month(2023, 2) - Month(2022, 11) == 3
    assert Month(2022, 1).add(-1) == Month(2021, 12)


def test_months_between_is_inclusive():
    # The seed's phase I: March to November 2022 is 9 paid months.
    assert months_between(Month(2022, 3), Month(2022, 11)) == 9
    assert months_between(Month(2025, 5), Month(2025, 12)) == 8
    assert months_between(Month(2025, 5), Month(2025, 5)) == 1
    assert months_between(Month(2025, 6), Month(2025, 5)) == 0


def test_range_and_last_month():
    assert list(month_range(Month(2022, 11), Month(2023, 1))) == [
        Month(2022, 11),
        Month(2022, 12),
        Month(2023, 1),
    ]
    assert last_month(Month(2022, 3), 9) == Month(2022, 11)
    with pytest.raises(ValueError):
        last_month(Month(2022, 3), 0)


def test_first_and_last_day():
    assert Month(2024, 2).first_day() == dt.date(2024, 2, 1)
    assert Month(2024, 2).last_day() == dt.date(2024, 2, 29)  # leap year
    assert Month(2023, 2).last_day() == dt.date(2023, 2, 28)
    assert Month.from_date(dt.date(2022, 3, 31)) == Month(2022, 3)
    assert Month(2022, 3).december() == Month(2022, 12)


def test_ordering():
    assert Month(2022, 12) < Month(2023, 1)
    assert max(Month(2022, 3), Month(2021, 12)) == Month(2022, 3)


def test_invalid_month_value():
    with pytest.raises(ValueError):
        Month(2022, 13)


@given(
    st.integers(min_value=12 * 1000, max_value=12 * 9000),
    st.integers(min_value=-500, max_value=500),
)
def test_index_arithmetic_is_consistent(index, delta):
    month = Month.from_index(index)
    assert month.index == index
    assert (month + delta) - month == delta
    assert months_between(month, month + abs(delta)) == abs(delta) + 1
