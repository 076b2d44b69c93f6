"""Every row code, from real .xlsx and .csv files, with its message."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from jamsos.intake.codes import CODES, ERROR, FILE_CODES, INFO, WARNING
from jamsos.intake.tests import core_fixtures
from jamsos.intake.tests.core_fixtures import (
    codes_of,
    first_data_row,
    person_dict,
    status_of,
    validate_bytes,
    write_file,
)
from jamsos.lib.nik import nik_build
from jamsos.testing.factories import PersonFactory

PADANG_DISTRICT = "13.71.01"
villages = core_fixtures.villages
people = core_fixtures.people


def build_cases(people, kind="xlsx"):
    """(expected code, column header, rows) — each case's first row carries the code."""
    p = lambda **kw: person_dict(people(1, **kw)[0])  # noqa: E731
    cases = []

    def case(code, header, *rows):
        cases.append((code, header, list(rows)))

    row = p()
    row["full_name"] = ""
    case("required_missing", "Nama Lengkap", row)
    row = p()
    row["full_name"] = "A" * 151
    case("value_too_long", "Nama Lengkap", row)
    row = p()
    row["full_name"] = "Budi 123"
    case("full_name_invalid", "Nama Lengkap", row)
    row = p()
    row["nik"] = "1303-ABC"
    case("nik_format", "NIK", row)
    row = p()
    row["nik"] = "1,30303E+15"
    case("nik_excel_number", "NIK", row)
    row = p()
    row["nik"] = "99" + row["nik"][2:]
    case("nik_province_unknown", "NIK", row)
    row = p()
    row["nik"] = row["nik"][:6] + "32" + row["nik"][8:]
    case("nik_birthdate_invalid", "NIK", row)
    row = p()
    row["nik"] = row["nik"][:12] + "0000"
    case("nik_serial_zero", "NIK", row)
    row = p()
    row["birth_date"] = row["birth_date"] + dt.timedelta(days=3)
    case("nik_birthdate_mismatch", "NIK", row)
    row = p()
    row["sex"] = "P" if row["sex"] == "L" else "L"
    case("nik_sex_mismatch", "NIK", row)
    row = p()
    row["nik"] = "130399" + row["nik"][6:]
    case("nik_district_unknown", "NIK", row)
    row = p()
    row["nik"] = nik_build(PADANG_DISTRICT, row["birth_date"], row["sex"], 77)
    case("nik_outside_region", "NIK", row)
    row = p()
    row["birth_date"] = "31-02-1980"
    case("birth_date_invalid", "Tanggal Lahir", row)
    row = p()
    row["birth_date"] = "01-01-2031"
    case("birth_date_future", "Tanggal Lahir", row)
    row = p()
    row["sex"] = "X"
    case("sex_invalid", "Jenis Kelamin", row)
    young = dt.date(2010, 5, 5)
    row = p()
    row.update(birth_date=young, nik=nik_build("13.03.03", young, row["sex"], 5))
    case("age_below_minimum", "Tanggal Lahir", row)
    old = dt.date(1955, 5, 5)
    row = p()
    row.update(birth_date=old, nik=nik_build("13.03.03", old, row["sex"], 6))
    case("age_above_maximum", "Tanggal Lahir", row)
    row = p()
    row.update(village="Nagari Entah Berantah", district="")
    case("village_unknown", "Nagari/Desa", row)
    row = p()
    row.update(village="Kamang Baru", district="")
    case("village_ambiguous", "Nagari/Desa", row)
    row = p()
    row.update(village="1371011001", district="")
    case("village_outside_region", "Nagari/Desa", row)
    row = p()
    row.update(village="Timbulunn", district="Tanjung Gadang")
    case("village_guessed", "Nagari/Desa", row)
    row = p()
    row["district"] = "Kecamatan Entah"
    case("district_unknown", "Nagari/Desa", row)
    row = p()
    row.update(village="Muaro", district="Tanjung Gadang")
    case("district_mismatch", "Nagari/Desa", row)
    row = p()
    row["occupation"] = "Astronot"
    case("occupation_unknown", "Pekerjaan", row)
    row = p()
    row["occupation"] = "Petanii"
    case("occupation_guessed", "Pekerjaan", row)
    row = p()
    row["phone"] = "12345"
    case("phone_invalid", "No HP", row)
    row = p()
    row["family_card_number"] = "123"
    case("family_card_invalid", "No KK", row)
    row = p()
    row["declared_income"] = "banyak"
    case("income_invalid", "Penghasilan", row)
    row = p()
    row["event_code"] = "SOS-99999"  # no such sosialisasi event
    case("event_code_unknown", "Kode Kegiatan", row)
    row = p()
    row["declared_income"] = "3000000"  # no BPU bracket value of the seeded table
    case("income_not_bracket", "Penghasilan", row)
    if kind == "xlsx":  # only a workbook has number cells
        row = p()
        row["nik"] = int(row["nik"][:12] + "0120")  # typed into a General cell
        case("nik_excel_rounded", "NIK", row)
    row = p()
    row["birth_place"] = ""
    case("birth_place_missing", "Tempat Lahir", row)
    row = p()
    row["mother_name"] = "-"
    case("mother_name_missing", "Nama Ibu Kandung", row)
    row = p()
    row["address"] = '=HYPERLINK("http://x","klik")'
    case("formula_like_value", "Alamat", row)
    first = p()
    twin = dict(first)
    twin["nik"] = first["nik"][:12] + f"{(int(first['nik'][12:]) + 50) % 9999 + 1:04d}"
    twin["full_name"] = (
        first["full_name"].replace("a", "e", 1)
        if "a" in first["full_name"]
        else first["full_name"] + "x"
    )
    case("possible_duplicate", "Nama Lengkap", twin, first)
    row = p()
    case("duplicate_in_file", "NIK", dict(row), row)
    row = p()
    case("already_registered", "NIK", row)
    return cases


def _file_rows(cases):
    """Rows in file order and, per case, the file row number carrying its code."""
    rows, at = [], []
    for code, header, case_rows in cases:
        if code in ("possible_duplicate", "duplicate_in_file"):
            rows.extend(reversed(case_rows))  # the second (later) row carries the code
            at.append((code, header, len(rows)))
        else:
            rows.extend(case_rows)
            at.append((code, header, len(rows) - len(case_rows) + 1))
    return rows, at


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_every_row_code_from_a_real_file(kind, people, tmp_path):
    cases = build_cases(people, kind)
    rows, at = _file_rows(cases)
    registered = rows[at[-1][2] - 1]
    PersonFactory(
        nik=registered["nik"],
        birth_date=registered["birth_date"],
        sex=registered["sex"],
        full_name="Orang Terdaftar",
    )
    data = write_file(kind, rows, tmp_path / f"usulan.{kind}")
    result = validate_bytes(data, f"usulan.{kind}")
    offset = first_data_row(kind) - 1
    xlsx_only = {"nik_excel_rounded"} if kind == "csv" else set()
    assert {code for code, _h, _r in at} == set(CODES) - xlsx_only, "a code has no case"
    for code, header, index in at:
        number = index + offset
        found = [i for i in result.issues.get(number, []) if i["code"] == code]
        assert found, f"{code} not on row {number}: {result.issues.get(number)}"
        entry = found[0]
        assert entry["severity"] == CODES[code].severity
        assert entry["column"] == header
        assert entry["message"].startswith(f'Baris {number}, kolom "{header}"')
        expected_status = {
            "duplicate_in_file": "duplicate_in_file",
            "already_registered": "already_registered",
        }.get(code, "invalid" if CODES[code].severity == ERROR else "valid")
        assert status_of(result, number) == expected_status, (code, result.issues.get(number))


def test_messages_name_row_column_and_value(people, tmp_path):
    row = person_dict(people(1)[0])
    row["birth_date"] = "31-02-1980"
    result = validate_bytes(write_file("xlsx", [row]), "u.xlsx")
    message = next(i["message"] for i in result.issues[5] if i["code"] == "birth_date_invalid")
    assert message == 'Baris 5, kolom "Tanggal Lahir": "31-02-1980" bukan tanggal yang sah.'


def test_warnings_never_change_the_status(people):
    row = person_dict(people(1)[0])
    row.update(phone="12345", birth_place="", mother_name="", address="=1+1")
    result = validate_bytes(write_file("csv", [row]), "u.csv")
    assert codes_of(result, 4) == {
        "phone_invalid",
        "birth_place_missing",
        "mother_name_missing",
        "formula_like_value",
    }
    assert status_of(result, 4) == "valid"
    assert "phone" not in {k for k, v in result.row_check(4).values.items() if v}


def test_every_code_is_documented():
    doc = (Path(__file__).resolve().parents[4] / "docs" / "intake.md").read_text()
    documented = set(re.findall(r"^\| `([a-z0-9_]+)` \|", doc, flags=re.MULTILINE))
    assert set(CODES) | set(FILE_CODES) <= documented
    assert {c.severity for c in CODES.values()} == {ERROR, WARNING, INFO}


def test_a_message_names_the_value_once():
    from jamsos.intake.codes import issue_message
    from jamsos.lib.nik import MESSAGES, NIK_FORMAT

    detail = MESSAGES[NIK_FORMAT].format(raw="12345")
    message = issue_message("nik_format", row=2, column="NIK", value="12345", detail=detail)
    assert message.count("12345") == 1
    assert message.startswith('Baris 2, kolom "NIK": NIK harus 16 angka')
    # a value the text does not quote is quoted after the column, once
    other = issue_message("required_missing", row=3, column="Nama", value="x")
    assert other == 'Baris 3, kolom "Nama": "x" wajib diisi.'


def test_a_stored_issue_is_shown_in_the_readers_language():
    """ProposalRow.issues keep the code, row and parameters: pages and the API render
    the message again in English; issues stored before the parameters keep their text."""
    from django.utils import translation

    from jamsos.intake.codes import issue, issue_text

    stored = issue(
        "value_too_long", row=12, field="full_name", column="Nama", value="x" * 5, limit=3
    )
    assert stored["params"] == {"limit": "3"} and stored["row"] == 12
    assert (
        stored["message"]
        == 'Baris 12, kolom "Nama": "xxxxx" terlalu panjang (paling banyak 3 huruf).'
    )
    with translation.override("en"):
        assert (
            issue_text(stored)
            == 'Row 12, column "Nama": "xxxxx" is too long (at most 3 characters).'
        )
    old = {k: v for k, v in stored.items() if k not in ("params", "row")}
    with translation.override("en"):
        assert issue_text(old) == stored["message"]


def test_a_nik_rule_is_shown_in_the_readers_language(people):
    """The NIK rules' messages (jamsos.lib.nik) are stored as the values they name, so an
    English reader reads them in English; a row stored with only the Indonesian text
    (``detail``) keeps showing that text."""
    from django.utils import translation

    from jamsos.intake.codes import issue_text

    row = person_dict(people(1)[0])
    row["sex"] = "P" if row["sex"] == "L" else "L"
    bad = person_dict(people(1)[0])
    bad["nik"] = "12345"
    result = validate_bytes(write_file("csv", [row, bad]), "usulan.csv")
    first = first_data_row("csv")
    (sex,) = [i for i in result.issues[first] if i["code"] == "nik_sex_mismatch"]
    (shape,) = [i for i in result.issues[first + 1] if i["code"] == "nik_format"]
    nik_sex = "laki-laki" if row["sex"] == "P" else "perempuan"
    declared = "perempuan" if row["sex"] == "P" else "laki-laki"
    assert sex["params"] == {"nik_sex": nik_sex, "declared_sex": declared}
    assert sex["message"].endswith(
        f"Jenis kelamin pada NIK ({nik_sex}) berbeda dengan yang diisi ({declared})."
    )
    english = {"laki-laki": "male", "perempuan": "female"}
    with translation.override("en"):
        assert issue_text(sex) == (
            f'Row {first}, column "NIK": "{sex["value"]}" The sex in the NIK '
            f"({english[nik_sex]}) differs "
            f"from the one entered ({english[declared]})."
        )
        assert issue_text(shape) == (
            f'Row {first + 1}, column "NIK": A NIK has 16 digits (spaces, dots and hyphens '
            "are allowed); entered: “12345”."
        )
        old = dict(shape, params={"detail": shape["message"].split(": ", 1)[1]})
        assert issue_text(old).endswith(
            ": NIK harus 16 angka (spasi, titik dan tanda hubung boleh); diisi: “12345”."
        )
