import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jamsos.lib.names import name_key, name_normalise, names_key, names_normalise


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  siti   NURHALIZA binti AHMAD ", "Siti Nurhaliza binti Ahmad"),
        ("BUDI BIN YUSUF", "Budi bin Yusuf"),
        ("ma'ruf amin", "Ma'ruf Amin"),
        ("h. muhammad", "H. Muhammad"),
        ("siti-nur aisyah", "Siti-Nur Aisyah"),
        ("Bin Laden", "Bin Laden"),  # a first word is a name, not a particle
        ("ahmad bin", "Ahmad bin"),
    ],
)
def test_name_normalise(raw, expected):
    assert name_normalise(raw) == expected


def test_name_key_drops_titles_particles_and_punctuation():
    assert name_key("H. Ma'ruf bin Amin") == "maruf amin"
    assert name_key("Hj. SITI  Rahmah, S.Pd") == "siti rahmah"
    assert name_key("Édouard") == "edouard"


names = st.text(alphabet="abcdeBINTbint'’ -.XYZ", max_size=30)


@given(st.lists(st.one_of(st.none(), names), max_size=20))
def test_property_vectorised_normalise_agrees_with_scalar(values):
    got = names_normalise(pl.Series("n", values, pl.String)).to_list()
    expected = [name_normalise(v) or None if v is not None else None for v in values]
    assert got == expected


@given(st.lists(st.one_of(names, st.text(max_size=12)), max_size=20))
def test_property_vectorised_key_agrees_with_scalar(values):
    assert names_key(pl.Series("n", values, pl.String)).to_list() == [name_key(v) for v in values]


@given(names)
def test_property_normalise_is_idempotent(value):
    once = name_normalise(value)
    assert name_normalise(once) == once
