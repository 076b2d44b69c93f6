"""Real office spreadsheets: the header printed on every page, a signature block at the
foot, and NIKs Excel stored as numbers (issue 9, "Real office spreadsheets")."""

from __future__ import annotations

import datetime as dt
import io
import random

import xlsxwriter

from jamsos.intake.reading import proposal_table_read
from jamsos.intake.tests.core_data import make_person
from jamsos.intake.tests.core_fixtures import (  # noqa: F401 (fixtures)
    COVERAGE,
    FULL_HEADERS,
    KEYS,
    codes_of,
    person_dict,
    validate_bytes,
    villages,
)

PAGE = 40  # persons per printed page; the header is printed again above each page
SIGNATURE = [
    # (column, text): the Camat signs on the left under "Nama", the proposer on the right
    [(11, "Kupitan, 20 November 2026")],
    [(2, "Mengetahui,"), (11, "Yang mengusulkan,")],
    [(2, "Camat Kupitan"), (11, "Wali Nagari Padang Sibusuk")],
    [(2, "(ttd)"), (11, "(ttd)")],
    [(2, "Drs. H. Syafrizal Malin Kayo, M.Si"), (11, "Afrizal Dt. Rajo Lelo")],
    [(2, "NIP 19700101 199003 1 001")],
]


def office_list(people, *, numeric_nik_at: int | None = None) -> tuple[bytes, dict[int, int]]:
    """A Camat office's list as it is printed: title, header, 40 persons per page with
    the header again on each page, one blank line, then the signature block.

    Returns the bytes and ``{person index: sheet row}``. The person at
    ``numeric_nik_at`` has their NIK typed into a General cell: Excel keeps 15
    significant digits, so the workbook holds a number whose 16th digit is 0.
    """
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    sheet = book.add_worksheet("Usulan")
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_string(0, 0, "DAFTAR USULAN PESERTA JAMINAN SOSIAL KETENAGAKERJAAN")
    sheet.write_string(1, 0, "KECAMATAN KUPITAN TAHUN 2026")
    line = 3
    rows: dict[int, int] = {}
    for index, person in enumerate(people):
        if index % PAGE == 0:
            if index:
                line += 1  # the page's last line stays empty
            sheet.write_row(line, 0, FULL_HEADERS)
            line += 1
        values = person_dict(person)
        for col, key in enumerate(KEYS):
            value = index + 1 if key == "no" else values.get(key, "")
            if key == "nik" and index == numeric_nik_at:
                sheet.write_number(line, col, int(str(value)[:15] + "0"))
            elif isinstance(value, dt.date):
                when = dt.datetime.combine(value, dt.time())
                sheet.write_datetime(line, col, when, date_format)
            elif isinstance(value, int):
                sheet.write_number(line, col, value)
            elif value:
                sheet.write_string(line, col, str(value))
        rows[index] = line + 1
        line += 1
    line += 1
    for cells in SIGNATURE:
        for col, text in cells:
            sheet.write_string(line, col, text)
        line += 1
    book.close()
    return buffer.getvalue(), rows


def persons(villages, n):  # noqa: F811 (the fixture)
    rng = random.Random(215)
    return [make_person(rng, villages, serial=i + 11, coverage_start=COVERAGE) for i in range(n)]


def test_a_215_person_list_with_page_headers_and_a_signature_is_215_rows(villages):  # noqa: F811
    people = persons(villages, 215)
    data, rows = office_list(people)
    table = proposal_table_read(data, file_name="kupitan.xlsx")
    assert table.frame.height == 215
    assert table.skipped == {"header_repeat": 5, "foot": 6}
    assert table.frame["row_number"].to_list() == [rows[i] for i in range(215)]

    result = validate_bytes(data, "kupitan.xlsx")
    counts = result.counts()
    assert counts["rows"] == 215
    assert counts["invalid"] == 0
    assert counts["valid"] == 215
    texts = " ".join(str(v) for row in result.raw.iter_rows() for v in row if v)
    for foot in ("Mengetahui", "Camat Kupitan", "(ttd)", "NIP 1970", "Syafrizal Malin"):
        assert foot not in texts
    assert "Jenis Kelamin" not in result.raw["Jenis Kelamin"].to_list()


def test_a_nik_stored_as_an_excel_number_is_a_warning_naming_the_cell(villages):  # noqa: F811
    people = persons(villages, 45)
    data, rows = office_list(people, numeric_nik_at=42)
    result = validate_bytes(data, "kupitan.xlsx")
    row = rows[42]
    assert "nik_excel_rounded" in codes_of(result, row)
    message = next(i for i in result.issues[row] if i["code"] == "nik_excel_rounded")["message"]
    assert f"sel B{row}" in message
    assert "15 digit" in message
    flagged = [
        r for r, found in result.issues.items() if "nik_excel_rounded" in codes_of(result, r)
    ]
    assert flagged == [row]  # NIKs typed as text (some end in 0 too) are not flagged
    assert result.counts()["warnings"]["nik_excel_rounded"] == 1


def test_a_text_nik_ending_in_zero_is_not_flagged(villages):  # noqa: F811
    people = persons(villages, 3)
    person = people[0]
    people[0] = type(person)(**{**person.__dict__, "nik": person.nik[:15] + "0"})
    data, rows = office_list(people)
    result = validate_bytes(data, "kupitan.xlsx")
    assert "nik_excel_rounded" not in codes_of(result, rows[0])
