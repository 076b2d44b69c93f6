"""Every table import is capped (issue 10 "Uploads without limits"): ``table_read``
applies the upload size cap and the .xlsx bomb checks by default, so the BPJS result
import and the contributions statement import are as safe as the proposal upload."""

from __future__ import annotations

import io
import zipfile

import pytest
import xlsxwriter

from jamsos.lib.tabular import TableError, table_read


def _workbook(headers: list[str]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Data")
    sheet.write_row(0, 0, headers)
    sheet.write_row(1, 0, ["x"] * len(headers))
    book.close()
    return buffer.getvalue()


def _bomb(headers: list[str], inflated: int) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(_workbook(headers)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            target.writestr(member, source.read(member))
        target.writestr("xl/media/image1.bin", b"\0" * inflated)
    return out.getvalue()


def _bpjs(data: bytes, name: str):
    from jamsos.enrollment.bpjs_layout import bpjs_results_read

    return bpjs_results_read(data, file_name=name)


def _statement(data: bytes, name: str):
    from jamsos.contributions.services import statement_parse

    return statement_parse(data, file_name=name)


READERS = {
    "bpjs": (_bpjs, ["NIK", "STATUS", "KPJ"]),
    "statement": (_statement, ["KPJ", "Nama", "Bulan", "Jumlah"]),
}


def test_table_read_checks_by_default(settings):
    settings.INTAKE_XLSX_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    with pytest.raises(TableError) as caught:
        table_read(_bomb(["A", "B"], 4 * 1024 * 1024), file_name="b.xlsx", header_score=len)
    assert caught.value.code == "xlsx_too_large"
    settings.INTAKE_UPLOAD_MAX_BYTES = 10
    with pytest.raises(TableError) as caught:
        table_read(b"a;b;c\n1;2;3\n", file_name="a.csv", header_score=len)
    assert caught.value.code == "file_too_large"
    assert "batas unggah 1 KB" in caught.value.message  # sizes round up to 1 KB


@pytest.mark.parametrize("reader", sorted(READERS))
def test_an_xlsx_bomb_is_refused_naming_the_limit(reader, settings):
    read, headers = READERS[reader]
    settings.INTAKE_XLSX_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    with pytest.raises(TableError) as caught:
        read(_bomb(headers, 8 * 1024 * 1024), "hasil.xlsx")
    assert caught.value.code == "xlsx_too_large"
    assert "paling besar 1 MB" in caught.value.message


@pytest.mark.parametrize("reader", sorted(READERS))
def test_a_file_over_the_upload_cap_is_refused_naming_the_cap(reader, settings):
    read, headers = READERS[reader]
    settings.INTAKE_UPLOAD_MAX_BYTES = 4 * 1024
    data = (";".join(headers) + "\n" + ("1;" * len(headers) + "\n") * 2000).encode()
    with pytest.raises(TableError) as caught:
        read(data, "hasil.csv")
    assert caught.value.code == "file_too_large"
    assert "batas unggah 4 KB" in caught.value.message


@pytest.mark.parametrize("reader", sorted(READERS))
def test_a_sheet_declaring_too_many_rows_is_refused(reader, settings):
    read, headers = READERS[reader]
    settings.INTAKE_XLSX_MAX_ROWS = 1
    with pytest.raises(TableError) as caught:
        read(_workbook(headers), "hasil.xlsx")
    assert caught.value.code == "xlsx_too_large"
    assert "paling banyak 1 baris" in caught.value.message
