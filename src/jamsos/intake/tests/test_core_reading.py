"""Reading proposal files: header below titles, header variants, TTL, required columns."""

from __future__ import annotations

import io

import pytest
import xlsxwriter

from jamsos.intake.exports import proposal_template_xlsx
from jamsos.intake.reading import (
    header_field,
    proposal_table_from_values,
    proposal_table_read,
    ttl_split,
)
from jamsos.lib.tabular import TableError
from jamsos.regions.models import Region


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("NIK", "nik"),
        ("No. KTP", "nik"),
        ("Nomor Induk Kependudukan (NIK)", "nik"),
        ("NIK (16 digit)", "nik"),
        ("Nama", "full_name"),
        ("NAMA LENGKAP", "full_name"),
        ("Tempat Lahir", "birth_place"),
        ("Tgl. Lahir", "birth_date"),
        ("Tanggal Lahir (dd-mm-yyyy)", "birth_date"),
        ("Tempat/Tgl Lahir", "ttl"),
        ("TTL", "ttl"),
        ("JK", "sex"),
        ("L/P", "sex"),
        ("Jenis Kelamin", "sex"),
        ("Alamat", "address"),
        ("Desa/Kelurahan", "village"),
        ("Nagari", "village"),
        ("Kecamatan", "district"),
        ("Pekerjaan", "occupation"),
        ("No. HP", "phone"),
        ("Telepon", "phone"),
        ("No. Telp", "phone"),
        ("Nama Ibu Kandung", "mother_name"),
        ("No KK", "family_card_number"),
        ("Nomor", None),
        ("Keterangan", None),
    ],
)
def test_header_variants(header, field):
    assert header_field(header) == field


def sheet(rows):
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    page = book.add_worksheet()
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                page.write_string(r, c, value)
    book.close()
    return buffer.getvalue()


def test_header_found_below_title_lines_with_ttl_and_no_village_for_an_agent():
    data = sheet(
        [
            ["USULAN PESERTA"],
            ["Nagari Timbulun", None, "Tahun 2026"],
            [],
            ["No.", "No KTP", "Nama", "Tempat/Tgl Lahir", "L/P", "Pekerjaan"],
            ["1", "1303035508800001", "siti", "Sijunjung, 15-08-1980", "P", "Petani"],
            ["2", None, None, None, None, None],  # pre-numbered empty template row
            ["3", "1303031505800002", "budi", "Padang 15 Mei 1980", "L", "Petani"],
        ]
    )
    table = proposal_table_read(data, file_name="u.xlsx", village_optional=True)
    assert table.header_row == 4
    assert table.mapping == {
        "No KTP": "nik",
        "Nama": "full_name",
        "Tempat/Tgl Lahir": "ttl",
        "L/P": "sex",
        "Pekerjaan": "occupation",
    }
    frame = table.frame
    assert frame["row_number"].to_list() == [5, 7]
    assert frame["birth_place"].to_list() == ["Sijunjung", "Padang"]
    assert frame["birth_date"].to_list() == ["15-08-1980", "15 Mei 1980"]
    assert table.label("birth_date") == "Tempat/Tgl Lahir"
    assert table.raw["No."].to_list() == ["1", "3"]


def test_a_missing_required_column_names_it():
    data = sheet([["NIK", "Nama", "Tanggal Lahir", "JK", "Pekerjaan"], ["1", "a", "b", "L", "x"]])
    with pytest.raises(TableError) as caught:
        proposal_table_read(data, file_name="u.xlsx")
    assert caught.value.code == "column_missing"
    assert 'Kolom wajib "Nagari/Desa"' in caught.value.message
    assert "baris 1" in caught.value.message


@pytest.mark.django_db
def test_the_downloadable_template_reads_back():
    data = proposal_template_xlsx(region=Region.objects.get(pk="13.03"))
    table = proposal_table_read(data, file_name="template.xlsx")
    assert set(table.mapping.values()) >= {"nik", "full_name", "birth_date", "sex", "village"}
    assert table.frame.height == 0  # the example lives on the guide sheet


def test_ttl_split():
    assert ttl_split("Sijunjung, 15-03-1980") == ("Sijunjung", "15-03-1980")
    assert ttl_split("Padang / 1 Mei 1980") == ("Padang", "1 Mei 1980")
    assert ttl_split("Solok") == ("Solok", None)
    assert ttl_split("15-03-1980") == (None, "15-03-1980")


def test_form_values_become_a_one_row_table():
    table = proposal_table_from_values({"nik": " 1303 ", "full_name": "-", "unknown": "x"})
    assert table.frame.row(0, named=True)["nik"] == "1303"
    assert table.frame.row(0, named=True)["full_name"] is None
    assert table.label("full_name") == "Nama Lengkap"
