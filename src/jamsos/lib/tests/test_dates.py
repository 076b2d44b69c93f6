import datetime as dt

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jamsos.lib.dates import (
    MONTHS,
    age_on,
    date_parse,
    dates_parse,
    first_of_next_month,
    year_from_two_digits,
)

TODAY = dt.date(2026, 6, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15-03-1980", dt.date(1980, 3, 15)),
        ("15/03/1980", dt.date(1980, 3, 15)),
        ("1980-03-15", dt.date(1980, 3, 15)),
        ("1980/3/5", dt.date(1980, 3, 5)),
        ("5.3.1980", dt.date(1980, 3, 5)),
        ("15 Maret 1980", dt.date(1980, 3, 15)),
        ("15 MARET 1980", dt.date(1980, 3, 15)),
        ("15 Mar 1980", dt.date(1980, 3, 15)),
        ("15-Agt-80", dt.date(1980, 8, 15)),
        ("1 Pebruari 1975", dt.date(1975, 2, 1)),
        ("17 Agustus 1945", dt.date(1945, 8, 17)),
        ("15 March 1980", dt.date(1980, 3, 15)),
        ("1980-03-15 00:00:00", dt.date(1980, 3, 15)),
        ("19800315", dt.date(1980, 3, 15)),
        ("15031980", dt.date(1980, 3, 15)),
        ("29295", dt.date(1980, 3, 15)),  # Excel serial
        ("15-03-05", dt.date(2005, 3, 15)),
        ("15-03-30", dt.date(1930, 3, 15)),
        ("  15 - 03 - 1980 ", dt.date(1980, 3, 15)),
    ],
)
def test_date_parse_accepts_what_people_write(text, expected):
    assert date_parse(text, today=TODAY) == expected


@pytest.mark.parametrize(
    "text",
    ["31-02-1980", "03/15/1980", "1980", "kemarin", "", "15 Maretan 1980", "32-01-1980", "0"],
)
def test_date_parse_refuses_impossible_or_unreadable(text):
    assert date_parse(text, today=TODAY) is None


def test_two_digit_year_resolves_to_the_past():
    assert year_from_two_digits(26, TODAY) == 2026
    assert year_from_two_digits(27, TODAY) == 1927


def test_age_and_coverage_start():
    assert age_on(dt.date(1961, 12, 2), dt.date(2026, 12, 1)) == 64
    assert age_on(dt.date(1961, 12, 1), dt.date(2026, 12, 1)) == 65
    assert first_of_next_month(dt.date(2026, 12, 15)) == dt.date(2027, 1, 1)
    assert first_of_next_month(dt.date(2026, 1, 31)) == dt.date(2026, 2, 1)


dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2026, 6, 1))


@given(dates, st.sampled_from(["-", "/", "."]), st.booleans())
def test_property_day_first_round_trip(day, sep, pad):
    text = (
        f"{day.day:02d}{sep}{day.month:02d}{sep}{day.year}"
        if pad
        else f"{day.day}{sep}{day.month}{sep}{day.year}"
    )
    assert date_parse(text, today=TODAY) == day


@given(dates)
def test_property_iso_and_month_names_round_trip(day):
    assert date_parse(day.isoformat(), today=TODAY) == day
    name = next(k for k, v in MONTHS.items() if v == day.month)
    assert date_parse(f"{day.day} {name.title()} {day.year}", today=TODAY) == day


@given(st.lists(st.one_of(st.none(), st.text(max_size=14), dates.map(str)), max_size=30))
def test_property_vectorised_agrees_with_scalar(values):
    expected = [date_parse(v, today=TODAY) if v is not None else None for v in values]
    got = dates_parse(pl.Series("d", values, pl.String), today=TODAY).to_list()
    assert got == expected


@given(
    st.lists(
        st.from_regex(r"[0-9]{1,4}[-/.][0-9]{1,2}[-/.][0-9]{1,4}", fullmatch=True), max_size=30
    )
)
def test_property_vectorised_agrees_on_numeric_shapes(values):
    expected = [date_parse(v, today=TODAY) for v in values]
    assert dates_parse(pl.Series("d", values), today=TODAY).to_list() == expected
