import datetime as dt
import io
import zipfile

import pytest
import xlsxwriter

from jamsos.lib.tabular import TableError, column_letter, table_read, xlsx_numeric_cells


def score(cells):
    return sum(c.strip().lower() in {"nik", "nama", "alamat"} for c in cells)


def xlsx(rows, *, start_row=0):
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet()
    for r, row in enumerate(rows, start=start_row):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


def test_xlsx_header_below_title_lines_keeps_sheet_row_numbers():
    data = xlsx(
        [
            ["DAFTAR USULAN"],
            [None],
            ["No", "NIK", "Nama"],
            [1, "1303", "Budi"],
            [2, 1303031, "Ani"],
        ],
        start_row=2,  # two empty rows above the title
    )
    table = table_read(data, file_name="u.xlsx", header_score=score)
    assert table.headers == ["No", "NIK", "Nama"]
    assert table.header_row == 5
    assert table.first_row == 6
    assert table.frame["NIK"].to_list() == ["1303", "1303031"]  # numbers become text
    assert table.frame.height == 2


def test_xlsx_date_cells_read_as_iso_dates():
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["NIK", "Nama", "Tanggal Lahir"])
    sheet.write_row(1, 0, ["1303", "Budi"])
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_datetime(1, 2, dt.datetime(1980, 3, 15), date_format)
    book.close()
    table = table_read(buffer.getvalue(), file_name="u.xlsx", header_score=score)
    assert table.frame["Tanggal Lahir"].to_list() == ["1980-03-15"]


def test_xlsx_strings_starting_with_equals_are_text_not_formulas():
    data = xlsx([["NIK", "Nama"], ["=1+1", '=HYPERLINK("http://x")']])
    table = table_read(data, file_name="u.xlsx", header_score=score)
    assert table.frame.row(0) == ("=1+1", '=HYPERLINK("http://x")')


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_delimiter_and_encoding_are_detected(delimiter, encoding):
    text = delimiter.join(["NIK", "Nama", "Alamat"]) + "\r\n"
    text += delimiter.join(["1303", "Jos\u00e9 R\u00e9", "Jl. Ra"]) + "\r\n"
    data = ("Daftar usulan, Kecamatan X\r\n\r\n" + text).encode(encoding)
    table = table_read(data, file_name="u.CSV", header_score=score)
    assert table.delimiter == delimiter
    assert table.headers == ["NIK", "Nama", "Alamat"]
    assert table.frame.row(0) == ("1303", "José Ré", "Jl. Ra")
    assert table.first_row == 4


def test_csv_blank_lines_keep_line_numbers_and_duplicate_headers_are_made_unique():
    data = b"NIK;Nama;Nama;\n1;a;b;c\n\n2;x;y;z\n"
    table = table_read(data, file_name="u.csv", header_score=score)
    assert table.headers == ["NIK", "Nama", "Nama (2)", "Kolom D"]
    assert table.frame["NIK"].to_list() == ["1", None, "2"]


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("u.xls", b"x", "file_type"),
        ("u.pdf", b"%PDF", "file_type"),
        ("u.csv", b"", "file_empty"),
        ("u.xlsx", b"not a zip", "file_unreadable"),
        ("u.csv", b"a;b;c\n1;2;3\n", "header_not_found"),
    ],
)
def test_unreadable_files_raise_a_coded_error(name, data, code):
    with pytest.raises(TableError) as caught:
        table_read(data, file_name=name, header_score=score)
    assert caught.value.code == code
    assert name in caught.value.message


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 27, 701)] == ["A", "Z", "AA", "AB", "ZZ"]


def workbook_with_sheet(sheet_xml: str) -> bytes:
    """The three parts ``xlsx_numeric_cells`` reads, written by hand: any writer's
    attribute order and namespace prefixes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "xl/workbook.xml",
            '<workbook><sheets><sheet name="Usulan" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/>'
            "</Relationships>",
        )
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return buffer.getvalue()


def test_numeric_cells_found_whatever_the_attribute_order_or_prefix():
    data = workbook_with_sheet(
        "<x:worksheet><x:sheetData>"
        '<x:row r="2"><x:c r="B2" s="1"><x:v>1303010101800010</x:v></x:c></x:row>'
        '<x:row r="3"><x:c t="n" r="B3"><x:v>1303010101800020</x:v></x:c></x:row>'
        '<x:row r="4"><x:c r="B4" t="s"><x:v>7</x:v></x:c>'
        '<x:c r="C4"><x:v>1</x:v></x:c></x:row>'
        '<x:row r="5"><x:c t="inlineStr" r="B5"><x:is><x:t>1303010101800040</x:t></x:is></x:c>'
        '<x:c xr="B6"><x:v>1</x:v></x:c></x:row>'
        "</x:sheetData></x:worksheet>"
    )
    found = xlsx_numeric_cells(data, sheet="Usulan", column=1, rows={2, 3, 4, 5, 6})
    assert found == {2: "B2", 3: "B3"}
    # Only the rows asked about are looked at.
    assert xlsx_numeric_cells(data, sheet="Usulan", column=1, rows={3}) == {3: "B3"}
