import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jamsos.lib.phone import phone_normalise, phones_normalise


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("081234567890", "+6281234567890"),
        ("0812-3456-7890", "+6281234567890"),
        ("0812 3456 7890", "+6281234567890"),
        ("62812345678", "+62812345678"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("0062 812 3456 7890", "+6281234567890"),
        ("+62 (0)812-3456-7890", "+6281234567890"),
        ("81234567890", "+6281234567890"),  # Excel dropped the leading zero
        ("(0812) 345.678", "+62812345678"),
    ],
)
def test_mobile_numbers_become_plus_62(raw, expected):
    assert phone_normalise(raw) == expected


@pytest.mark.parametrize(
    "raw", ["0754-123456", "12345", "0812", "08123456789012345", "telp 0812345678", "", None]
)
def test_not_a_mobile_number(raw):
    assert phone_normalise(raw) is None


subscriber = st.from_regex(r"8[0-9]{8,11}", fullmatch=True)
separators = st.sampled_from(["", " ", "-", ".", " - "])


@given(subscriber, st.sampled_from(["0", "62", "+62", "+62 ", "0062"]), separators)
def test_property_any_written_form_normalises_to_one(number, prefix, sep):
    written = prefix + sep.join([number[:3], number[3:7], number[7:]])
    assert phone_normalise(written) == "+62" + number


@given(st.lists(st.one_of(st.none(), st.text(alphabet="0123456789+-() .62", max_size=18))))
def test_property_vectorised_agrees_with_scalar(values):
    got = phones_normalise(pl.Series("p", values, pl.String)).to_list()
    assert got == [phone_normalise(v) for v in values]
