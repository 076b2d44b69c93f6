"""The Excel files intake hands out, opened back with openpyxl as a proposer would."""

from __future__ import annotations

import io

import openpyxl
import pytest

from jamsos.intake.exports import (
    DATA_SHEET,
    GUIDE_SHEET,
    LIST_SHEET,
    TEMPLATE_COLUMNS,
    TEMPLATE_HEADER_ROW,
    proposal_template_xlsx,
)
from jamsos.regions.models import Region
from jamsos.registry.models import Occupation

pytestmark = pytest.mark.django_db


def _open(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def _column_letter(key: str) -> str:
    index = [c.key for c in TEMPLATE_COLUMNS].index(key)
    return openpyxl.utils.get_column_letter(index + 1)


def _validation_for(sheet, key: str):
    cell = f"{_column_letter(key)}{TEMPLATE_HEADER_ROW + 2}"
    for validation in sheet.data_validations.dataValidation:
        if cell in validation.sqref:
            return validation
    raise AssertionError(f"no dropdown on {cell}")


def _list_values(book, formula: str) -> list[str]:
    # formula like 'Daftar'!$B$2:$B$14
    sheet_name, ref = formula.lstrip("=").split("!")
    sheet = book[sheet_name.strip("'")]
    return [c.value for row in sheet[ref.replace("$", "")] for c in row]


def _template(code: str = "13.03") -> openpyxl.Workbook:
    return _open(proposal_template_xlsx(region=Region.objects.get(pk=code)))


def test_template_has_title_header_with_notes_and_hidden_lists():
    book = _template()
    assert book.sheetnames[0] == DATA_SHEET
    sheet = book[DATA_SHEET]
    assert "Usulan" in sheet["A1"].value
    assert "Sijunjung" in sheet["A2"].value
    header = [c.value for c in sheet[TEMPLATE_HEADER_ROW + 1]][: len(TEMPLATE_COLUMNS)]
    assert header == [c.header for c in TEMPLATE_COLUMNS]
    for cell in sheet[TEMPLATE_HEADER_ROW + 1][: len(TEMPLATE_COLUMNS)]:
        assert cell.comment is not None and len(cell.comment.text) > 10, cell.coordinate
    assert "16 angka" in sheet[f"A{TEMPLATE_HEADER_ROW + 1}"].comment.text
    assert book[LIST_SHEET].sheet_state == "hidden"


def test_template_occupation_dropdown_lists_active_occupations():
    Occupation.objects.filter(code="lainnya").update(is_active=False)
    book = _template()
    validation = _validation_for(book[DATA_SHEET], "occupation")
    assert validation.type == "list"
    values = _list_values(book, validation.formula1)
    assert "Petani" in values and "Guru TPQ/TPSQ" in values
    assert "Pekerja informal lainnya" not in values
    assert len(values) == Occupation.objects.filter(is_active=True).count()


def test_template_village_dropdown_holds_exactly_the_villages_of_the_region():
    book = _template("13.03.03")  # Kecamatan Tanjung Gadang
    validation = _validation_for(book[DATA_SHEET], "village")
    values = _list_values(book, validation.formula1)
    expected = set(
        Region.objects.filter(level="village", code__startswith="13.03.03.").values_list(
            "name", flat=True
        )
    )
    assert set(values) == expected and len(expected) > 3
    district = _validation_for(book[DATA_SHEET], "district")
    assert _list_values(book, district.formula1) == ["Tanjung Gadang"]


def test_template_for_one_nagari_offers_only_that_nagari():
    nagari = Region.objects.get(pk="13.03.03.2001")
    book = _template(nagari.code)
    validation = _validation_for(book[DATA_SHEET], "village")
    assert _list_values(book, validation.formula1) == [nagari.name]


def test_template_sex_dropdown_and_text_formats():
    book = _template()
    sheet = book[DATA_SHEET]
    sex = _validation_for(sheet, "sex")
    assert sex.formula1 == '"L,P"'
    for key in ("nik", "phone", "family_card_number"):
        letter = _column_letter(key)
        assert sheet.column_dimensions[letter].number_format == "@", key
    assert sheet.column_dimensions[_column_letter("birth_date")].number_format == "dd-mm-yyyy"


def test_template_example_row_on_guide_sheet_keeps_nik_as_text():
    book = _template()
    guide = book[GUIDE_SHEET]
    header = [c.value for c in guide[3]][: len(TEMPLATE_COLUMNS)]
    assert header == [c.header for c in TEMPLATE_COLUMNS]
    example = {c.key: guide.cell(4, i + 1) for i, c in enumerate(TEMPLATE_COLUMNS)}
    assert example["nik"].value == "1303035508800001"
    assert example["nik"].data_type == "s"
    assert example["birth_date"].is_date
    assert example["sex"].value == "P"
    assert example["village"].value  # a real village of the region


def test_template_has_no_formula_cells():
    book = _template()
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate)


# -- rejection report -------------------------------------------------------------------


def _report_batch(personas):
    from jamsos.intake.models import ProposalRow
    from jamsos.intake.tests.test_ui_batches import issue, make_batch, make_row, person_values

    batch = make_batch(personas.agent, column_mapping={"NIK": "nik", "Nama": "full_name"})
    make_row(batch, 1)  # valid, pending: not in the report
    make_row(
        batch,
        2,
        status=ProposalRow.Status.INVALID,
        raw={"NIK": '=HYPERLINK("http://x")', "Nama": "+Budi"},
        values=person_values(2, nik='=HYPERLINK("http://x")', full_name="+Budi"),
        issues=[
            issue("nik_format", "nik", 'Baris 2, kolom "NIK": NIK harus 16 angka.'),
            issue("phone_invalid", "phone", "nomor HP", severity="warning"),
        ],
    )
    make_row(
        batch,
        3,
        raw={"NIK": "1303031705850003", "Nama": "@Citra"},
        decision=ProposalRow.Decision.REJECTED,
        decision_reason="-sudah pindah",
    )
    return batch


def test_rejection_report_lists_invalid_and_rejected_rows_as_text(personas):
    from jamsos.intake.exports import rejection_report_xlsx

    batch = _report_batch(personas)
    book = _open(rejection_report_xlsx(batch=batch, viewer=personas.agent))
    fix = book["Perbaiki"]
    header = [c.value for c in fix[4] if c.value]
    assert header == ["NIK", "Nama", "Baris asal", "Status", "Keterangan"]
    lines = [[c.value for c in row] for row in fix.iter_rows(min_row=5)]
    assert [line[2] for line in lines] == [2, 3]
    assert lines[0][0] == '=HYPERLINK("http://x")' and lines[0][1] == "+Budi"
    assert "NIK harus 16 angka" in lines[0][4]
    assert "nomor HP" not in lines[0][4]  # warnings are not reasons to resubmit
    assert lines[1][1] == "@Citra" and "-sudah pindah" in lines[1][3]
    issues = [[c.value for c in row] for row in book["Masalah"].iter_rows(min_row=2)]
    assert issues[0] == [2, "nik", "x", "nik_format", 'Baris 2, kolom "NIK": NIK harus 16 angka.']
    assert issues[1][0] == 3 and issues[1][3] == "rejected_by_reviewer"
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)


def test_rejection_report_is_scoped(personas):
    from jamsos.intake.exports import rejection_report_xlsx
    from jamsos.lib.errors import NotFoundOrForbidden

    batch = _report_batch(personas)
    with pytest.raises(NotFoundOrForbidden):
        rejection_report_xlsx(batch=batch, viewer=personas.outsider)


def test_filled_template_is_read_back_by_the_intake(personas, django_capture_on_commit_callbacks):
    """The template's own header and formats must be what the reader understands."""
    import datetime as dt

    from django.core.files.base import ContentFile

    from jamsos.intake import services
    from jamsos.intake.tests.test_ui_batches import person_values

    region = Region.objects.get(pk="13.03.03")
    book = _open(proposal_template_xlsx(region=region))
    sheet = book[DATA_SHEET]
    values = person_values(1)
    cells = {
        "nik": values["nik"],
        "full_name": values["full_name"],
        "birth_place": values["birth_place"],
        "birth_date": dt.datetime(1985, 5, 17),
        "sex": "L",
        "mother_name": values["mother_name"],
        "address": values["address"],
        "district": "Tanjung Gadang",
        "village": "Timbulun",
        "occupation": "Petani",
        "phone": values["phone"],
    }
    for col, column in enumerate(TEMPLATE_COLUMNS, start=1):
        if column.key in cells:
            sheet.cell(TEMPLATE_HEADER_ROW + 2, col, cells[column.key])
    buffer = io.BytesIO()
    book.save(buffer)
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.batch_stage_upload(
            upload=ContentFile(buffer.getvalue()),
            file_name="templat-terisi.xlsx",
            region=region,
            acting_user=personas.kecamatan_operator,
        )
    batch.refresh_from_db()
    assert (batch.status, batch.rows_total, batch.rows_valid) == ("validated", 1, 1), batch.summary
    row = batch.rows.get()
    assert row.nik == values["nik"] and row.village_id == "13.03.03.2001"
