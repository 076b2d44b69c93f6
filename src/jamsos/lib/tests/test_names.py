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


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Muhammad Fadli", "m fadli"),
        ("M. Fadli", "m fadli"),
        ("MUH. FADLI", "m fadli"),
        ("Moh Fadli", "m fadli"),
        ("Mhd. Fadli", "m fadli"),
        ("Muhamad Fadli", "m fadli"),
        ("Mochammad Fadli", "m fadli"),
        ("Nurhayati", "nur hayati"),
        ("Siti Nur Hayati", "siti nur hayati"),
        ("Abdulhakim Koto", "abdul hakim koto"),
        ("Nurul Huda", "nurul huda"),  # too short to be a second name
        ("Fadli Chaniago Dt. Rajo Ameh", "fadli chaniago"),
        ("Fadli Chaniago Datuak Rajo Ameh", "fadli chaniago"),
        ("H. Fadli Sutan Mudo, S.Pd", "fadli"),
        ("Fadli St. Mudo", "fadli"),
        ("Sutan Sjahrir", "sutan sjahrir"),  # a first word is a name, not a gelar
        ("Nur", "nur"),
        ("Mudhar Hakim", "mudhar hakim"),  # not an abbreviation of Muhammad
    ],
)
def test_name_key_fold(raw, expected):
    assert name_key(raw, fold=True) == expected


def test_name_key_without_fold_is_unchanged():
    assert name_key("M. Fadli Dt. Rajo Ameh") == "m fadli dt rajo ameh"
    assert name_key("Nur Hayati") == "nur hayati"


folded_names = st.lists(
    st.sampled_from(["Muhammad", "M.", "Muh", "Nur", "Abdul", "Dt.", "Sutan", "St.", "H.", "bin"])
    | names,
    max_size=6,
).map(" ".join)


@given(st.lists(st.one_of(folded_names, st.text(max_size=12)), max_size=20))
def test_property_vectorised_folded_key_agrees_with_scalar(values):
    got = names_key(pl.Series("n", values, pl.String), fold=True).to_list()
    assert got == [name_key(v, fold=True) for v in values]
