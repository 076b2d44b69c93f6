import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from jamsos.lib.errors import DomainError
from jamsos.lib.formats import (
    angka,
    bulan,
    persen,
    rupiah,
    rupiah_parse,
    tahun,
    tanggal,
    waktu,
)

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (0, "Rp 0"),
        (999, "Rp 999"),
        (1000, "Rp 1.000"),
        (16800, "Rp 16.800"),
        (201_549_600, "Rp 201.549.600"),
        (42_000_000, "Rp 42.000.000"),
        (-16800, "-Rp 16.800"),
        (-5, "-Rp 5"),
    ],
)
def test_rupiah(amount, text):
    assert rupiah(amount) == text


@pytest.mark.parametrize("bad", [16800.0, Decimal("16800"), "16800", True, None])
def test_rupiah_refuses_anything_but_int(bad):
    with pytest.raises(TypeError):
        rupiah(bad)


@pytest.mark.parametrize(
    ("value", "text"), [(0, "0"), (7, "7"), (1234567, "1.234.567"), (-1234, "-1.234")]
)
def test_angka(value, text):
    assert angka(value) == text


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_rupiah_round_trips(amount):
    text = rupiah(amount)
    assert rupiah_parse(text) == amount
    # the digits shown are exactly the amount's digits, grouped by three
    digits = text.removeprefix("-").removeprefix("Rp ")
    assert digits.replace(".", "") == str(abs(amount))
    assert all(len(group) == 3 for group in digits.split(".")[1:])


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("Rp 16.800", 16800),
        ("Rp16.800", 16800),
        ("rp. 16.800", 16800),
        ("16800", 16800),
        ("16.800,00", 16800),
        ("Rp 16.800,-", 16800),
        (" -Rp 1.000 ", -1000),
        ("Rp -1.000", -1000),
    ],
)
def test_rupiah_parse_accepts_what_operators_type(typed, amount):
    assert rupiah_parse(typed) == amount


@pytest.mark.parametrize(
    "typed", ["16.80", "16,800.50", "Rp 16.800,50", "", "Rp", "--1", "-Rp -1", "1.2345", "US$ 5"]
)
def test_rupiah_parse_refuses_ambiguous_amounts(typed):
    with pytest.raises(DomainError) as exc:
        rupiah_parse(typed)
    assert exc.value.code == "rupiah_format"
    assert typed in exc.value.message


def test_tanggal():
    assert tanggal(dt.date(2022, 3, 15)) == "15 Maret 2022"
    assert tanggal(dt.date(2025, 1, 1)) == "1 Januari 2025"
    assert tanggal(dt.date(2022, 3, 15), lang="en") == "15 March 2022"
    assert tanggal(dt.date(2022, 8, 17), lang="en-us") == "17 August 2022"


def test_tanggal_of_a_timestamp_is_the_day_in_jakarta():
    # 20:00 UTC on 14 March is 03:00 on 15 March in Jakarta.
    late = dt.datetime(2022, 3, 14, 20, 0, tzinfo=dt.UTC)
    assert tanggal(late) == "15 Maret 2022"


def test_waktu():
    ts = dt.datetime(2022, 3, 15, 7, 30, tzinfo=dt.UTC)
    assert waktu(ts) == "15 Maret 2022 14.30 WIB"


def test_bulan():
    assert bulan("2022-03") == "Maret 2022"
    assert bulan("2022-3") == "Maret 2022"
    assert bulan(dt.date(2024, 12, 31)) == "Desember 2024"
    assert bulan("2022-05", lang="en") == "May 2022"


@pytest.mark.parametrize("bad", ["2022-13", "2022-00", "03-2022", "Maret 2022", ""])
def test_bulan_refuses_other_shapes(bad):
    with pytest.raises(DomainError) as exc:
        bulan(bad)
    assert exc.value.code == "month_format"


def _render(source, **context):
    return Template("{% load formats %}" + source).render(Context(context))


def test_template_filters():
    out = _render(
        "{{ a|rupiah }}|{{ n|angka }}|{{ d|tanggal }}|{{ m|bulan }}|{{ none|rupiah }}",
        a=16800,
        n=1234567,
        d=dt.date(2022, 3, 15),
        m="2022-03",
        none=None,
    )
    assert out == "Rp 16.800|1.234.567|15 Maret 2022|Maret 2022|"


def test_template_filters_follow_the_language_for_month_names():
    with translation.override("en"):
        assert _render("{{ d|tanggal }}", d=dt.date(2022, 3, 15)) == "15 March 2022"
        # amounts keep the Indonesian form in every language
        assert _render("{{ a|rupiah }}", a=16800) == "Rp 16.800"


def test_template_filters_accept_integral_decimals_and_leave_odd_values_alone():
    assert _render("{{ a|rupiah }}", a=Decimal("16800")) == "Rp 16.800"
    assert _render("{{ a|rupiah }}", a="abc") == "abc"
    assert _render("{{ m|bulan }}", m="bukan bulan") == "bukan bulan"


@pytest.mark.parametrize(
    ("value", "digits", "text"),
    [
        (Decimal("2.70"), None, "2,7 %"),
        (Decimal("5E+1"), None, "50 %"),
        (50, None, "50 %"),
        (Decimal("0"), None, "0 %"),
        (0.5, 1, "0,5 %"),
        (3, 1, "3,0 %"),
        (Decimal("1234.5"), None, "1.234,5 %"),
        (Decimal("-2.5"), None, "-2,5 %"),
        (Decimal("-0.01"), 1, "0,0 %"),
    ],
)
def test_persen(value, digits, text):
    assert persen(value, digits=digits) == text


def test_tahun_is_never_grouped():
    assert tahun(2026) == "2026"
    assert tahun(dt.date(2026, 3, 15)) == "2026"
    with pytest.raises(TypeError):
        tahun("2026")


def test_one_number_style_in_templates():
    out = _render(
        "{{ y|tahun }}|{{ y }}|{{ p|persen }}|{{ q|persen:1 }}|{{ a|rupiah }}|{{ n|angka }}"
        "|{{ d|tanggal }}",
        y=2026,
        p=Decimal("2.70"),
        q=Decimal("12"),
        a=16800,
        n=22718,
        d=dt.date(2026, 3, 15),
    )
    # A plain {{ y }} is plain digits too: the thousand separator is off, so ids and years
    # written without a filter are never grouped ("2.026", "ev-9.578").
    assert out == "2026|2026|2,7 %|12,0 %|Rp 16.800|22.718|15 Maret 2026"


def test_plain_numbers_are_not_grouped_in_any_language():
    for language in ("id", "en"):
        with translation.override(language):
            assert _render('<input value="{{ pk }}" id="ev-{{ pk }}">', pk=9578) == (
                '<input value="9578" id="ev-9578">'
            )
