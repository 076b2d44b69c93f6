import datetime as dt
import io

import pytest
import xlsxwriter

from jamsos.lib.tabular import TableError, column_letter, table_read


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
