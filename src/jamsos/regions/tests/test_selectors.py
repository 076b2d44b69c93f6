"""Look-ups by code and name against the real Kemendagri 2025 data loaded by migration."""

from __future__ import annotations

import pytest

from jamsos.regions.models import Region
from jamsos.regions.selectors import (
    VillageResolver,
    historical_code_describe,
    historical_code_get,
    region_children,
    region_code_normalise,
    region_codebook,
    region_find,
    region_get,
    region_path,
    region_paths,
)

pytestmark = pytest.mark.django_db

AIE_AMO = "13.03.06.2004"  # Nagari Aie Amo, Kamang Baru, Sijunjung
KUNANGAN = "13.03.06.2006"  # Nagari Kunangan Parik Rantang
LUBUAK_TAROK = "13.03.07.2001"  # Nagari Lubuak Tarok, in Kecamatan Lubuk Tarok
SIJUNJUNG = "13.03"


def test_the_data_is_all_of_indonesia():
    assert Region.objects.count() == 91_599
    assert Region.objects.filter(level="province").count() == 38
    assert region_children(SIJUNJUNG).count() == 8


@pytest.mark.parametrize(
    ("typed", "dotted"),
    [
        ("1303062004", AIE_AMO),
        ("13.03.06.2004", AIE_AMO),
        (" 13 03 06 2004 ", AIE_AMO),
        ("130306", "13.03.06"),
        ("1303", "13.03"),
        ("13", "13"),
        ("13030620", None),  # 8 digits is no level
        ("13.3.06", None),
        ("１３０３", None),  # full-width digits
        ("Sijunjung", None),
    ],
)
def test_region_code_normalise(typed, dotted):
    assert region_code_normalise(typed) == dotted


def test_region_get_accepts_plain_and_dotted_codes():
    assert region_get("1303062004").name == "Aie Amo"
    assert region_get("13.03.06.2004").kind == Region.Kind.NAGARI
    assert region_get("13.03.10.2004").kind == Region.Kind.DESA  # the one desa
    assert region_get("9999") is None
    assert region_get("not a code") is None


def test_region_children_and_path():
    assert [r.code for r in region_children("1303")][:2] == ["13.03.03", "13.03.04"]
    assert list(region_children("13.03.06.2004")) == []
    assert list(region_children("not a code")) == []
    assert region_children(region_get("13")).count() == 19  # 12 kabupaten + 7 kota
    assert region_path(region_get(AIE_AMO)) == [
        "Sumatera Barat",
        "Kabupaten Sijunjung",
        "Kamang Baru",
        "Aie Amo",
    ]
    assert region_path("13") == ["Sumatera Barat"]
    assert region_paths([AIE_AMO, "13.71"])["13.71"] == ["Sumatera Barat", "Kota Padang"]


@pytest.mark.parametrize(
    ("typed", "code", "score"),
    [
        ("Nagari Aie Amo", AIE_AMO, 100),
        ("AIE AMO", AIE_AMO, 100),
        ("aie-amo.", AIE_AMO, 100),
        ("Air Amo", AIE_AMO, 98),  # Indonesian spelling of the Minang name
        ("Desa Air Amo", AIE_AMO, 98),
        ("Kunangan Parit Rantang", KUNANGAN, 98),
        ("Nagari Kunangan Parik Rantang", KUNANGAN, 100),
        ("Lubuk Tarok", LUBUAK_TAROK, 98),
        ("Sungai Lanset", "13.03.06.2001", None),  # a typo: fuzzy, below 98
        # Glued words must not fall to the shorter neighbour "Taratak Baru" (13.03.03.2003).
        ("Taratak BaruUtara", "13.03.03.2008", None),
        ("Tanjung Bonai AurSelatan", "13.03.09.2011", None),
    ],
)
def test_region_find_forgives_spelling_among_the_kabupaten_villages(typed, code, score):
    found = region_find(typed, level="village", parent=SIJUNJUNG)
    assert found is not None
    assert found.match is not None and found.match.code == code
    if score is not None:
        assert found.score == score
    else:
        assert 80 <= found.score < 98


def test_region_find_without_parent_searches_all_of_indonesia():
    found = region_find("Air Amo", level="village")
    assert found.match.code == AIE_AMO
    assert region_find("Nagari Aie Amo", level="village").score == 100


def test_region_find_other_levels_and_kind_words():
    assert region_find("Kec. Lubuak Tarok", level="district", parent="13.03").match.code == (
        "13.03.07"
    )
    assert region_find("kab sijunjung", level="regency").match.code == SIJUNJUNG
    assert region_find("Prov. Sumatera Barat", level="province").match.code == "13"
    # "Kota Solok" and "Kabupaten Solok" share the name: the typed kind word decides.
    assert region_find("Kota Solok", level="regency").match.code == "13.72"
    assert region_find("Kab. Solok", level="regency").match.code == "13.02"


def test_region_find_reports_near_ties_instead_of_guessing():
    found = region_find("Solok", level="regency")
    assert found.ambiguous and found.match is None
    assert {c.region.code for c in found.candidates} == {"13.02", "13.72"}
    data = found.as_dict()
    assert data["found"] is False and data["match"] is None
    assert {c["code"] for c in data["candidates"]} == {"13.02", "13.72"}
    assert data["candidates"][0]["path"][0] == "Sumatera Barat"


def test_region_find_none_when_nothing_is_close():
    assert region_find("Xyzzy Qwerty", level="village", parent=SIJUNJUNG) is None
    assert region_find("Aie Amo", level="village", parent="13.71") is None  # Kota Padang
    assert region_find("Aie Amo", level="village", parent="not-a-code") is None
    with pytest.raises(ValueError, match="level"):
        region_find("Aie Amo", level="nagari")


def test_historical_papua_kecamatan_codes():
    # Merauke was 91.01.01 until the 2022 split; NIKs issued there keep 910101.
    assert region_get("91.01.01") is None
    old = historical_code_get("910101")
    assert old.name == "Merauke" and old.last_seen < 2025
    described = historical_code_describe(old)
    assert described["path"] == ["Papua", "Kabupaten Merauke", "Merauke"]
    assert described["parent"] == "91.01"
    codebook = region_codebook()
    assert codebook.name("910101") == "Merauke"
    assert codebook.name("9101") == "Kabupaten Merauke"  # "KAB. MERAUKE" in the archive
    assert codebook.name("930101") == "Merauke"  # the current code, Papua Selatan
    assert codebook.name("130306") == "Kamang Baru"
    assert codebook.name("130399") is None


class TestVillageResolver:
    def test_names_codes_and_spellings(self):
        resolver = VillageResolver(SIJUNJUNG)
        assert len(resolver) == 62
        assert resolver.resolve("Nagari Aie Amo").code == AIE_AMO
        assert resolver.resolve("air amo").code == AIE_AMO
        assert resolver.resolve("Kunangan Parit Rantang", "Kamang Baru").code == KUNANGAN
        assert resolver.resolve("1303062004").code == AIE_AMO
        assert resolver.resolve("13.03.06.2004").code == AIE_AMO

    def test_outside_the_scope_is_none(self):
        resolver = VillageResolver(SIJUNJUNG)
        assert resolver.resolve("13.71.01.1001") is None  # a Padang kelurahan
        assert resolver.resolve("13.03.06") is None  # a kecamatan, not a village
        assert resolver.match("Xyzzy") is None

    def test_the_kecamatan_settles_a_name_used_twice(self):
        # Kabupaten Solok has a Nagari Koto Laweh in two kecamatan.
        resolver = VillageResolver("13.02")
        both = resolver.match("Koto Laweh")
        assert both.ambiguous
        assert {c.region.code for c in both.candidates} == {"13.02.06.2003", "13.02.09.2008"}
        assert resolver.resolve("Koto Laweh", "Lembang Jaya").code == "13.02.06.2003"
        assert resolver.resolve("Kota Laweh", "Kec. IX Koto Sungai Lasi").code == "13.02.09.2008"
        assert resolver.resolve("Koto Laweh", "130209").code == "13.02.09.2008"
        # An unknown kecamatan is ignored rather than trusted.
        assert resolver.match("Koto Laweh", "Kecamatan Entah").ambiguous
        # A known kecamatan that lacks the village does not borrow one from elsewhere.
        assert resolver.resolve("Koto Laweh", "Payung Sekaki") is None

    def test_answers_are_remembered(self):
        resolver = VillageResolver(SIJUNJUNG)
        first = resolver.match("Lubuak  Tarok")
        assert resolver.match("lubuak  tarok") is first
        assert resolver.district("Kamang Baru").code == "13.03.06"
        assert resolver.district("Kamang Barru").code == "13.03.06"  # a typo
        assert resolver.district("Kamang") is None  # too short to be sure
        assert resolver.district("Sumatera") is None

    def test_a_kecamatan_scope(self):
        resolver = VillageResolver("13.03.06")
        assert len(resolver) == 11
        assert resolver.resolve("Air Amo", "Kamang Baru").code == AIE_AMO
        assert resolver.resolve("Timbulun") is None  # Tanjung Gadang, outside

    def test_unknown_scope(self):
        with pytest.raises(ValueError, match="scope"):
            VillageResolver("99.99")
