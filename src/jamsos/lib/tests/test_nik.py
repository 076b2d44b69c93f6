"""NIK rules, as examples and as properties (hypothesis) over the real region codebook."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from jamsos.lib.nik import (
    MESSAGES,
    NIK_BIRTHDATE_INVALID,
    NIK_BIRTHDATE_MISMATCH,
    NIK_DISTRICT_UNKNOWN,
    NIK_FORMAT,
    NIK_PROVINCE_UNKNOWN,
    NIK_SERIAL_ZERO,
    NIK_SEX_MISMATCH,
    nik_build,
    nik_clean,
    nik_mask,
    nik_parse,
)

# The database is only read, once, by the session fixture below; the mark makes
# pytest-django create the test database even when this module runs alone.
pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 6, 1)
TANJUNG_GADANG = "13.03.03"


@pytest.fixture(scope="session")
def real(django_db_setup, django_db_blocker):
    """The codebook and every current and historical kecamatan code, read once from the
    test database (loaded by the regions migration)."""
    from jamsos.regions.models import HistoricalCode, Region
    from jamsos.regions.selectors import region_codebook

    with django_db_blocker.unblock():
        region_codebook.cache_clear()
        codebook = region_codebook()
        current = list(Region.objects.filter(level="district").values_list("code", flat=True))
        historical = list(
            HistoricalCode.objects.filter(level="district", last_seen__lt=2025).values_list(
                "code", flat=True
            )
        )
    region_codebook.cache_clear()
    return codebook, current, historical


def parse(raw, real, **kwargs):
    kwargs.setdefault("today", TODAY)
    return nik_parse(raw, codebook=real[0], **kwargs)


# --- examples --------------------------------------------------------------------------


def test_a_woman_from_sijunjung(real):
    result = parse("1303034503900001", real)
    assert result.valid and not result.warnings
    assert result.as_dict() == {
        "nik": "1303034503900001",
        "valid": True,
        "errors": [],
        "warnings": [],
        "province": "Sumatera Barat",
        "regency": "Kabupaten Sijunjung",
        "district": "Tanjung Gadang",
        "birth_date": "1990-03-05",
        "sex": "P",
    }


@pytest.mark.parametrize(
    "typed",
    [
        "1303 0345 0390 0001",
        "1303.0345.0390.0001",
        "1303-0345-0390-0001",
        " 130303 450390 0001 ",
        "1303\u00a00345\u20130390\u20140001",  # non-breaking space, en and em dash
        "'1303034503900001",  # Excel's text marker
    ],
)
def test_separators_operators_type(typed, real):
    assert parse(typed, real).as_dict() == parse("1303034503900001", real).as_dict()


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "130303450390000",  # 15 digits
        "13030345039000011",  # 17 digits
        "1303/0345/0390/0001",
        "1303_0345_0390_0001",
        "13030345039O0001",  # a letter O
        "１３０３０３４５０３９００００１",  # full-width digits
        "1.303034503900001e15",
    ],
)
def test_anything_else_is_nik_format_only(typed, real):
    result = parse(typed, real)
    assert result.errors == [NIK_FORMAT] and result.warnings == []
    assert result.birth_date is None and result.province is None
    assert "16 angka" in result.message(NIK_FORMAT)


def test_unknown_province_is_an_error_and_unknown_kecamatan_a_warning(real):
    unknown_province = parse("9903034503900001", real)
    assert unknown_province.errors == [NIK_PROVINCE_UNKNOWN]
    assert unknown_province.message(NIK_PROVINCE_UNKNOWN) == (
        "Kode provinsi 99 pada NIK tidak dikenal."
    )
    unknown_district = parse("1303994503900001", real)
    assert unknown_district.valid
    assert unknown_district.warnings == [NIK_DISTRICT_UNKNOWN]
    assert "13.03.99" in unknown_district.message(NIK_DISTRICT_UNKNOWN)
    assert unknown_district.province == "Sumatera Barat" and unknown_district.district is None


def test_papua_kecamatan_code_from_before_2022_is_accepted(real):
    # 91.01.01 (Merauke, Papua) became 93.01.01 (Papua Selatan) in 2022; old NIKs remain.
    result = parse("9101015208850003", real)
    assert result.valid and result.warnings == []
    assert (result.province, result.regency, result.district) == (
        "Papua",
        "Kabupaten Merauke",
        "Merauke",
    )
    assert result.birth_date == dt.date(1985, 8, 12) and result.sex == "P"


@pytest.mark.parametrize(
    ("part", "birth_date"),
    [
        ("010625", dt.date(2025, 6, 1)),  # today: this century
        ("020625", dt.date(1925, 6, 2)),  # tomorrow in 2025 is not yet: 1925
        ("151225", dt.date(1925, 12, 15)),
        ("010100", dt.date(2000, 1, 1)),
        ("290200", dt.date(2000, 2, 29)),  # 1900 had no 29 February
        ("311299", dt.date(1999, 12, 31)),
    ],
)
def test_century_without_a_declared_birth_date(part, birth_date, real):
    assert parse(f"130303{part}0001", real).birth_date == birth_date


def test_the_declared_birth_date_decides_the_century(real):
    nik = "1303030101200001"  # 01-01-20
    assert parse(nik, real).birth_date == dt.date(2020, 1, 1)
    old = parse(nik, real, birth_date=dt.date(1920, 1, 1))
    assert old.valid and old.birth_date == dt.date(1920, 1, 1)
    young = parse(nik, real, birth_date=dt.date(2020, 1, 1))
    assert young.valid and young.birth_date == dt.date(2020, 1, 1)


def test_mismatches_are_errors_with_both_values(real):
    result = parse("1303034503900001", real, birth_date=dt.date(1991, 3, 5), sex="L")
    assert result.errors == [NIK_BIRTHDATE_MISMATCH, NIK_SEX_MISMATCH]
    assert result.message(NIK_BIRTHDATE_MISMATCH) == (
        "Tanggal lahir pada NIK (05-03-1990) berbeda dengan tanggal lahir yang diisi (05-03-1991)."
    )
    assert result.message(NIK_SEX_MISMATCH) == (
        "Jenis kelamin pada NIK (perempuan) berbeda dengan yang diisi (laki-laki)."
    )
    # A datetime is compared as its date; "p" is read as "P".
    same = parse("1303034503900001", real, birth_date=dt.datetime(1990, 3, 5, 8), sex="p")
    assert same.valid


def test_invalid_declared_sex_is_a_programming_error(real):
    with pytest.raises(ValueError, match="sex"):
        parse("1303034503900001", real, sex="W")


@pytest.mark.parametrize(
    "part",
    ["000190", "320190", "400190", "720190", "990190", "011390", "010090", "300290", "700290"],
)
def test_impossible_birth_dates(part, real):
    result = parse(f"130303{part}0001", real)
    assert NIK_BIRTHDATE_INVALID in result.errors
    assert result.birth_date is None and result.sex is None
    assert part[:2] in result.message(NIK_BIRTHDATE_INVALID)


def test_birth_dates_in_the_future_or_before_1900_are_invalid(real):
    # Declared 1899 forces 1899, which is too early; the NIK then reads as 1999.
    result = parse("1303030101990001", real, birth_date=dt.date(1899, 1, 1))
    assert result.birth_date == dt.date(1999, 1, 1)
    assert result.errors == [NIK_BIRTHDATE_MISMATCH]
    tomorrow = parse("1303030206250001", real, birth_date=dt.date(2025, 6, 2))
    assert tomorrow.birth_date == dt.date(1925, 6, 2)
    assert NIK_BIRTHDATE_MISMATCH in tomorrow.errors


def test_serial_zero(real):
    result = parse("1303034503900000", real)
    assert result.errors == [NIK_SERIAL_ZERO]
    assert result.message(NIK_SERIAL_ZERO) == MESSAGES[NIK_SERIAL_ZERO]


def test_nik_build_refuses_nonsense():
    with pytest.raises(ValueError, match="kecamatan"):
        nik_build("13.03", dt.date(1990, 1, 1), "L", 1)
    with pytest.raises(ValueError, match="sex"):
        nik_build(TANJUNG_GADANG, dt.date(1990, 1, 1), "W", 1)
    with pytest.raises(ValueError, match="serial"):
        nik_build(TANJUNG_GADANG, dt.date(1990, 1, 1), "L", 0)
    with pytest.raises(ValueError, match="serial"):
        nik_build(TANJUNG_GADANG, dt.date(1990, 1, 1), "L", 10_000)


def test_nik_mask():
    assert nik_mask("1303034503900012") == "130303********12"
    assert nik_mask("1303 0345 0390 0012") == "130303********12"
    assert nik_mask("12345") == "*****"


# --- properties ------------------------------------------------------------------------

PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY)
recent_dates = st.dates(min_value=dt.date(TODAY.year - 99, 1, 1), max_value=TODAY)
sexes = st.sampled_from(["L", "P"])
serials = st.integers(min_value=1, max_value=9999)
SEPARATORS = [" ", ".", "-", "  ", " - ", "\u00a0", "\u2013", "\u2014"]


@st.composite
def kecamatan(draw, real):
    _codebook, current, historical = real
    return draw(st.sampled_from(current + historical))


@PROPERTY
@given(data=st.data(), born=dates, sex=sexes, serial=serials)
def test_property_declared_birth_date_round_trips(real, data, born, sex, serial):
    district = data.draw(kecamatan(real))
    nik = nik_build(district, born, sex, serial)
    result = parse(nik, real, birth_date=born, sex=sex)
    assert result.valid, result.errors
    assert result.warnings == []  # every current or historical kecamatan is known
    assert (result.birth_date, result.sex) == (born, sex)
    assert result.district == real[0].name(district.replace(".", ""))
    assert result.district_digits == district.replace(".", "")


@PROPERTY
@given(data=st.data(), born=recent_dates, sex=sexes, serial=serials)
def test_property_last_100_years_round_trip_without_declaration(real, data, born, sex, serial):
    district = data.draw(kecamatan(real))
    result = parse(nik_build(district, born, sex, serial), real)
    assert result.valid
    assert (result.birth_date, result.sex) == (born, sex)


@PROPERTY
@given(data=st.data(), born=dates, sex=sexes, serial=serials)
def test_property_separators_never_change_the_result(real, data, born, sex, serial):
    nik = nik_build(data.draw(kecamatan(real)), born, sex, serial)
    cuts = sorted(data.draw(st.sets(st.integers(min_value=1, max_value=15), max_size=6)))
    typed, start = "", 0
    for cut in cuts:
        typed += nik[start:cut] + data.draw(st.sampled_from(SEPARATORS))
        start = cut
    typed += nik[start:]
    assert nik_clean(typed) == nik
    assert parse(typed, real).as_dict() == parse(nik, real).as_dict()


@PROPERTY
@given(born=dates, serial=serials)
def test_property_women_have_day_41_to_71(real, born, serial):
    woman = nik_build(TANJUNG_GADANG, born, "P", serial)
    man = nik_build(TANJUNG_GADANG, born, "L", serial)
    assert 41 <= int(woman[6:8]) <= 71
    assert 1 <= int(man[6:8]) <= 31
    assert int(woman[6:8]) - int(man[6:8]) == 40
    assert parse(woman, real, birth_date=born).sex == "P"
    assert parse(man, real, birth_date=born).sex == "L"


@PROPERTY
@given(
    day=st.one_of(st.integers(32, 40), st.integers(72, 99), st.just(0)),
    born=dates,
    serial=serials,
)
def test_property_day_outside_both_ranges_is_invalid(real, day, born, serial):
    nik = nik_build(TANJUNG_GADANG, born, "L", serial)
    broken = f"{nik[:6]}{day:02d}{nik[8:]}"
    result = parse(broken, real)
    assert NIK_BIRTHDATE_INVALID in result.errors
    assert result.birth_date is None and result.sex is None


@PROPERTY
@given(data=st.data(), born=dates, sex=sexes)
def test_property_serial_zero_is_invalid(real, data, born, sex):
    nik = nik_build(data.draw(kecamatan(real)), born, sex, 1)
    result = parse(nik[:12] + "0000", real, birth_date=born)
    assert result.errors == [NIK_SERIAL_ZERO]


@PROPERTY
@given(born=dates, sex=sexes, serial=serials)
def test_property_declared_century_decides(real, born, sex, serial):
    """The same NIK reads as 19YY or 20YY according to the declared birth date, when
    both exist (up to today)."""
    nik = nik_build(TANJUNG_GADANG, born, sex, serial)
    try:
        other_century = born.replace(year=born.year + 100 if born.year < 2000 else born.year - 100)
    except ValueError:  # 29 February 2000 has no 1900 twin
        assume(False)
    assume(dt.date(1900, 1, 1) <= other_century <= TODAY)
    assert parse(nik, real, birth_date=born).birth_date == born
    assert parse(nik, real, birth_date=other_century).birth_date == other_century


@PROPERTY
@given(born=dates, declared=dates, sex=sexes, declared_sex=sexes, serial=serials)
def test_property_mismatches_are_reported(real, born, declared, sex, declared_sex, serial):
    nik = nik_build(TANJUNG_GADANG, born, sex, serial)
    result = parse(nik, real, birth_date=declared, sex=declared_sex)
    same_day = (born.day, born.month, born.year % 100) == (
        declared.day,
        declared.month,
        declared.year % 100,
    )
    assert (NIK_BIRTHDATE_MISMATCH in result.errors) == (not same_day)
    assert (NIK_SEX_MISMATCH in result.errors) == (sex != declared_sex)
    for code in result.errors:
        assert result.message(code)  # every message formats with its values
