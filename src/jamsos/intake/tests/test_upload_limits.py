"""Uploads without limits (issue 10): a size cap, and an .xlsx checked for what it
inflates to and the sheet size it declares before anything parses it."""

from __future__ import annotations

import io
import zipfile

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jamsos.intake.models import ProposalBatch
from jamsos.intake.reading import proposal_table_read
from jamsos.intake.tests.test_ui_batches import CSV_HEADER, csv_line, person_values
from jamsos.lib.tabular import TableError

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def csv_bytes(rows: int) -> bytes:
    lines = [CSV_HEADER] + [csv_line(person_values(n % 20 + 1)) for n in range(rows)]
    return "\n".join(lines).encode()


def workbook(*, last_row: int = 3) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Usulan")
    sheet.write_row(0, 0, ["NIK", "Nama", "Tanggal Lahir", "JK", "Nagari", "Pekerjaan"])
    sheet.write_string(last_row, 0, "x")
    book.close()
    return buffer.getvalue()


def zip_bomb(inflated: int) -> bytes:
    """A real workbook with one more member of zeros: tiny on disk, huge when opened."""
    source = zipfile.ZipFile(io.BytesIO(workbook()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            target.writestr(member, source.read(member))
        target.writestr("xl/media/image1.bin", b"\0" * inflated)
    return out.getvalue()


def upload(client, user, name, data):
    client.force_login(user)
    return client.post(
        reverse("intake:batch_upload"),
        {"region": user.region_id, "file": SimpleUploadedFile(name, data)},
    )


def test_form_refuses_a_file_over_the_limit_naming_it(client, personas, settings):
    settings.INTAKE_UPLOAD_MAX_BYTES = 4 * 1024
    data = csv_bytes(60)
    assert len(data) > 4 * 1024
    response = upload(client, personas.agent, "besar.csv", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "batas unggah 4 KB" in html
    assert not ProposalBatch.objects.exists()


def test_default_limit_is_20_mb(settings):
    from jamsos.config.settings import base

    assert base.INTAKE_UPLOAD_MAX_BYTES == 20 * MB


def test_api_refuses_a_file_over_the_limit_with_413(client, personas, settings):
    settings.INTAKE_UPLOAD_MAX_BYTES = 4 * 1024
    client.force_login(personas.agent)
    response = client.post(
        "/api/intake/batches",
        {"region": personas.agent.region_id, "file": SimpleUploadedFile("b.csv", csv_bytes(60))},
    )
    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "file_too_large"
    assert "batas unggah 4 KB" in body["message"]
    assert not ProposalBatch.objects.exists()


def test_a_zip_bomb_is_refused_before_it_is_read(client, personas, settings):
    settings.INTAKE_XLSX_MAX_UNCOMPRESSED_BYTES = 8 * MB
    data = zip_bomb(64 * MB)
    assert len(data) < 200 * 1024
    response = upload(client, personas.agent, "bom.xlsx", data)
    html = response.content.decode()
    assert "mengembang menjadi" in html and "64 MB" in html
    assert not ProposalBatch.objects.exists()
    # the reader (the validation task) refuses it too
    with pytest.raises(TableError) as caught:
        proposal_table_read(data, file_name="bom.xlsx")
    assert caught.value.code == "xlsx_too_large"


def test_an_inflation_ratio_beyond_the_limit_is_refused(settings):
    settings.INTAKE_XLSX_MAX_RATIO = 50
    with pytest.raises(TableError) as caught:
        proposal_table_read(zip_bomb(4 * MB), file_name="bom.xlsx")
    assert caught.value.code == "xlsx_too_large"
    assert "50 kali" in caught.value.message


def test_a_sheet_declaring_too_many_rows_is_refused(settings):
    settings.INTAKE_XLSX_MAX_ROWS = 1000
    with pytest.raises(TableError) as caught:
        proposal_table_read(workbook(last_row=5000), file_name="panjang.xlsx")
    assert caught.value.code == "xlsx_too_large"
    assert "5001 baris" in caught.value.message
    table = proposal_table_read(
        workbook(last_row=900), file_name="pendek.xlsx", village_optional=True
    )
    assert table.header_row == 1
