"""Validation rules beyond single codes: statuses, duplicates, the NIK fast path."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jamsos.intake import dedup
from jamsos.intake.reading import ProposalTable
from jamsos.intake.tests import core_fixtures
from jamsos.intake.tests.core_fixtures import (
    COVERAGE,
    TODAY,
    codes_of,
    person_dict,
    status_of,
    validate_bytes,
    write_file,
)
from jamsos.intake.validation import ValidationContext, proposals_validate
from jamsos.lib import nik as nik_rules
from jamsos.lib.names import name_key
from jamsos.lib.nik import nik_build
from jamsos.regions.models import Region
from jamsos.regions.selectors import region_codebook
from jamsos.testing.factories import PersonFactory

villages = core_fixtures.villages
people = core_fixtures.people
NIK_CODES = set(nik_rules.MESSAGES) | {"nik_excel_number"}
FIXTURES_OK = settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None, max_examples=40
)


@pytest.fixture
def context(db):
    return ValidationContext.build(
        region=Region.objects.get(pk="13.03"), coverage_start=COVERAGE, today=TODAY
    )


def run(context, rows: list[dict]) -> object:
    data = {"row_number": list(range(1, len(rows) + 1))}
    for key in ("nik", "full_name", "birth_date", "sex", "village", "occupation"):
        data[key] = [r.get(key) for r in rows]
    frame = pl.DataFrame(
        data, schema={"row_number": pl.Int64, **dict.fromkeys(list(data)[1:], pl.String)}
    )
    return proposals_validate(ProposalTable(frame=frame, raw=None, labels={}), context=context)


dates = st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2010, 12, 31))
nik_like = st.one_of(
    st.from_regex(
        r"(13|99|31)(0[0-9]|71)(0[0-9]|1[0-5])[0-7][0-9][01][0-9][0-9]{2}[0-9]{4}", fullmatch=True
    ),
    st.text(alphabet="0123456789 .-", min_size=10, max_size=20),
)


@FIXTURES_OK
@given(st.lists(st.tuples(nik_like, dates, st.sampled_from("LP")), min_size=1, max_size=25))
def test_property_nik_codes_are_exactly_nik_parse_codes(context, cases):
    """The vectorised fast path never hides a code nik_parse would give, nor adds one."""
    rows = [
        {"nik": nik, "birth_date": born.isoformat(), "sex": sex, "full_name": "Budi"}
        for nik, born, sex in cases
    ]
    result = run(context, rows)
    for number, (nik, born, sex) in enumerate(cases, start=1):
        expected = nik_rules.nik_parse(
            nik, codebook=region_codebook(), birth_date=born, sex=sex, today=TODAY
        )
        got = codes_of(result, number) & NIK_CODES
        assert got == set(expected.errors) | set(expected.warnings), (nik, born, sex)


@FIXTURES_OK
@given(
    dates,
    st.sampled_from("LP"),
    st.lists(st.sampled_from([" ", ".", "-", "  ", "\u00a0"]), min_size=15, max_size=15),
)
def test_property_nik_separators_are_forgiven(context, born, sex, separators):
    nik = nik_build("13.03.03", born, sex, 12)
    typed = "".join(d + s for d, s in zip(nik, [*separators, ""], strict=True))
    result = run(context, [{"nik": typed, "birth_date": born.isoformat(), "sex": sex}])
    assert not codes_of(result, 1) & NIK_CODES
    assert result.frame["nik"].item() == nik


def test_status_precedence_and_first_row_wins(people):
    a, b = (person_dict(p) for p in people(2))
    broken = dict(a)
    broken["sex"] = "?"
    registered = dict(b)
    PersonFactory(nik=b["nik"], birth_date=b["birth_date"], sex=b["sex"])
    rows = [a, dict(a), broken, registered, dict(registered)]
    result = validate_bytes(write_file("csv", rows), "u.csv")
    assert [status_of(result, n) for n in range(4, 9)] == [
        "valid",
        "duplicate_in_file",
        "invalid",  # an error outranks a repeated NIK
        "already_registered",
        "duplicate_in_file",
    ]
    assert result.counts()["rows"] == 5


def test_possible_duplicates_in_file_and_registry(people, villages):
    timbulun = next(v for v in villages if v.code == "13.03.03.2001")
    base = person_dict(people(1, village=timbulun)[0])
    born, sex = base["birth_date"], base["sex"]
    other = "P" if sex == "L" else "L"

    def nik(serial, sex=sex):
        return nik_build("13.03.03", born, sex, serial)

    base.update(full_name="Siti Rahmah Yanti", nik=nik(1))
    twin = dict(base, full_name="Siti Yanti", nik=nik(2))  # a missing part
    other_sex_elsewhere = dict(base, sex=other, nik=nik(3, other), village="Muaro", district="")
    other_sex_same_village = dict(base, sex=other, nik=nik(4, other))
    stranger = dict(base, full_name="Zulkarnain Tanjung", nik=nik(5))
    registered = PersonFactory(
        nik=nik_build("13.03.04", born, sex, 4321),
        birth_date=born,
        sex=sex,
        full_name="SITI RAHMAH YANTI",
        village_id="13.03.04.2002",
    )
    rows = [base, twin, other_sex_elsewhere, other_sex_same_village, stranger]
    result = validate_bytes(write_file("csv", rows), "u.csv")
    assert result.candidates[4] == [
        {
            "source": "registry",
            "person_id": registered.pk,
            "nik": nik_rules.nik_mask(registered.nik),
            "name": "SITI RAHMAH YANTI",
            "birth_date": born.isoformat(),
            "village": "13.03.04.2002",
            "score": 100.0,
        }
    ]
    assert {(c["source"], c.get("row_number")) for c in result.candidates[5]} == {
        ("file", 4),
        ("registry", None),
    }
    assert 6 not in result.candidates  # other sex, other village (and not the registry's)
    # same village as rows 4 and 5, same sex as row 6; best score first
    assert [c["row_number"] for c in result.candidates[7]] == [4, 6, 5]
    assert 8 not in result.candidates
    assert [status_of(result, n) for n in range(4, 9)] == ["valid"] * 5
    message = next(i["message"] for i in result.issues[5] if i["code"] == "possible_duplicate")
    assert message.startswith('Baris 5, kolom "Nama Lengkap": "Siti Yanti" mungkin orang yang sama')


def test_nik_outside_a_kecamatan_batch(people, villages):
    village = next(v for v in villages if v.code.startswith("13.03.03."))
    person = person_dict(people(1, village=village)[0])
    inside = validate_bytes(write_file("csv", [person]), "u.csv", region="13.03.03")
    assert "nik_outside_region" not in codes_of(inside, 4)
    moved = dict(person, nik=nik_build("13.03.04", person["birth_date"], person["sex"], 3))
    outside = validate_bytes(write_file("csv", [moved]), "u.csv", region="13.03.03")
    assert "nik_outside_region" in codes_of(outside, 4)
    assert status_of(outside, 4) == "valid"


@given(
    st.lists(
        st.text(alphabet="abcdefgh ", min_size=1, max_size=18).map(lambda s: " ".join(s.split())),
        min_size=2,
        max_size=12,
    )
)
def test_property_bulk_duplicate_search_agrees_with_name_score(keys):
    born = dt.date(1980, 1, 1)
    people_ = dedup.people_frame(
        dedup.Person(i, f"{i:016d}", k, k, born, "L", "") for i, k in enumerate(keys, start=1)
    )
    found = dedup.possible_duplicates(people_)
    for later in range(2, len(keys) + 1):
        expected = {
            earlier
            for earlier in range(1, later)
            if keys[earlier - 1]
            and keys[later - 1]
            and dedup.name_score(keys[later - 1], keys[earlier - 1]) >= dedup.THRESHOLD
        }
        got = {c["row_number"] for c in found.get(later, [])}
        assert got == expected or len(got) == dedup.MAX_CANDIDATES


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Budi Santoso", "budi santosa", True),  # typo
        ("Budi Santoso", "Budi Snatoso", True),  # transposed letters
        ("Santoso Budi", "Budi Santoso", True),  # swapped parts
        ("Siti Rahmah Yanti", "Siti Yanti", True),  # missing part
        ("H. Ma'ruf bin Amin", "Maruf Amin", True),  # title, particle, apostrophe
        ("Budi Santoso", "Budi Hartono", False),
        ("Muhammad Rizki", "Muhammad Ridwan", False),
        ("Nur Aini", "Nur", False),  # one short part says too little
    ],
)
def test_name_score_examples(a, b, same):
    assert (dedup.name_score(name_key(a), name_key(b)) >= dedup.THRESHOLD) is same


def test_repeated_nik_and_undated_rows_are_never_paired(people):
    """Duplicate search leaves out a repeated NIK and a row without a readable birth
    date (it unsets their birth date instead of filtering: issue 10)."""
    base = person_dict(people(1)[0])
    same_person_again = dict(base)  # same NIK: duplicate_in_file, not a candidate
    undated = dict(base, nik=nik_build("13.03.03", base["birth_date"], base["sex"], 77))
    undated["birth_date"] = "31-02-1980"
    result = validate_bytes(write_file("csv", [base, same_person_again, undated]), "u.csv")
    assert [status_of(result, n) for n in (4, 5, 6)] == [
        "valid",
        "duplicate_in_file",
        "invalid",
    ]
    assert result.candidates == {}
    first = next(i for i in result.issues[5] if i["code"] == "duplicate_in_file")
    assert first["params"] == {"first_row": "4"}


def test_validation_takes_the_rows_and_renders_issues_when_read(context):
    """The table's rows are handed over (not held twice); issues are kept compact and
    become entries, message included, in the language active when they are read."""
    from django.utils import translation

    table_frame = pl.DataFrame(
        {"row_number": [1], "nik": ["12"], "full_name": ["Budi"], "sex": ["X"]},
        schema={"row_number": pl.Int64, **dict.fromkeys(["nik", "full_name", "sex"], pl.String)},
    )
    table = ProposalTable(frame=table_frame, raw=None, labels={"sex": "JK"})
    result = proposals_validate(table, context=context)
    assert table.frame.height == 0 and table.frame.columns == table_frame.columns
    assert 1 in result.issues and len(result.issues) == 1
    sex = next(i for i in result.issues[1] if i["code"] == "sex_invalid")
    assert sex["column"] == "JK" and sex["value"] == "X" and sex["severity"] == "error"
    assert sex["message"].startswith('Baris 1, kolom "JK": "X"')
    with translation.override("en"):
        english = next(i for i in result.issues[1] if i["code"] == "sex_invalid")
    assert english["message"].startswith('Row 1, column "JK": "X"')
    assert result.counts()["errors"]["sex_invalid"] == 1


def test_row_store_slices_give_the_same_rows(people):
    """The row store encodes JSON a slice at a time; the slices line up with the rows
    and the file's own cells whatever their size."""
    from jamsos.intake.rowstore import row_tuples

    rows = [person_dict(p) for p in people(5)]
    rows[2]["sex"] = "?"
    result = validate_bytes(write_file("csv", rows), "u.csv")
    whole = list(row_tuples(1, result))
    assert [t[1] for t in whole] == [4, 5, 6, 7, 8]
    assert list(row_tuples(1, result, slice_rows=2)) == whole
    assert list(row_tuples(1, result, slice_rows=1)) == whole
    assert rows[2]["full_name"] in whole[2][2]  # the file's own cells of that row
