import csv
import io

import pytest

from jamsos.lib.csvio import cell_would_run, csv_bytes, csv_safe_cell


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://x.test","klik")', '\'=HYPERLINK("http://x.test","klik")'),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("+Andi", "'+Andi"),
        ("-2+3", "'-2+3"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Andi", "Andi"),
        ("Siti = Ani", "Siti = Ani"),
        ("-16800", "-16800"),
        ("-1,5", "-1,5"),
        ("+62812", "+62812"),
        ("", ""),
        (None, ""),
        (-16800, -16800),
    ],
)
def test_csv_safe_cell(value, written):
    assert csv_safe_cell(value) == written


def test_csv_bytes_round_trip_has_no_cell_that_would_run():
    data = csv_bytes([["Nama", "Jumlah"], ["=1+1", -5], ["@A1", "-7"], ["+Andi", 3]])
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows == [["Nama", "Jumlah"], ["'=1+1", "-5"], ["'@A1", "-7"], ["'+Andi", "3"]]
    assert not any(cell_would_run(cell) for row in rows for cell in row)
