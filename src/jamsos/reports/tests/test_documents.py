"""Report documents: PDF and Excel built as tasks, kept as immutable publications with
their hash and due date; DPRD can download them; no person in them."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from jamsos.lib.periods import Month
from jamsos.reports.documents import document_build, publication_generate
from jamsos.reports.models import Publication
from jamsos.reports.services import figures_refresh_year
from jamsos.testing.factories import region

pytestmark = pytest.mark.django_db

A = "13.03.03.2001"


@pytest.fixture
def data(sijunjung, apbd, apb_nagari, make_members):
    make_members(3, apbd, village=A)
    make_members(2, apb_nagari, village=A)
    figures_refresh_year(regency_code="13.03", year=2025)


def test_monthly_report_pdf_is_a_publication_with_its_hash(data, personas):
    publication = publication_generate(
        kind="bulanan_bupati",
        fmt="pdf",
        region_code="13.03",
        period="2025-06",
        user_id=personas.dinas_operator.pk,
    )
    with publication.file.open("rb") as handle:
        content = handle.read()
    assert content.startswith(b"%PDF")
    assert publication.sha256 == hashlib.sha256(content).hexdigest()
    assert publication.due_date == dt.date(2025, 7, 10)
    with pytest.raises(ValueError):
        publication.save()  # immutable
    client = Client()
    client.force_login(personas.dprd)
    response = client.get(f"/laporan/publikasi/{publication.pk}/unduh/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    for close in response._resource_closers:  # not response.close(): that ends the
        close()  # "request" and, on PostgreSQL, the test's database connection
    outsider = Client()
    outsider.force_login(personas.outsider)
    assert outsider.get(f"/laporan/publikasi/{publication.pk}/unduh/").status_code == 404


def test_nagari_minimum_list_and_dprd_workbook(data):
    book = load_workbook(
        io.BytesIO(
            document_build(
                kind="nagari_minimum", fmt="xlsx", region=region("13.03"), when=Month(2025, 6)
            )
        )
    )
    rows = list(book.worksheets[0].values)
    timbulun = next(r for r in rows if r and r[0] == A)
    assert timbulun[2:5] == (2, 100, "belum")
    assert sum(1 for r in rows if r and str(r[0]).startswith("13.03.")) == 62
    book = load_workbook(
        io.BytesIO(
            document_build(kind="dprd", fmt="xlsx", region=region("13.03"), when=Month(2025, 6))
        )
    )
    first = list(book.worksheets[0].values)
    assert any(r and r[0] == "Tanjung Gadang" for r in first)
    assert document_build(
        kind="dprd", fmt="pdf", region=region("13.03"), when=Month(2025, 6)
    ).startswith(b"%PDF")


def test_publish_from_the_page_runs_the_task(data, personas):
    client = Client()
    client.force_login(personas.dinas_head)
    response = client.post(
        "/laporan/wilayah/13.03/terbitkan/",
        {"kind": "bulanan_bupati", "format": "xlsx", "period": "2025-06"},
    )
    assert response.status_code == 302
    assert Publication.objects.get().format == "xlsx"
    dprd = Client()
    dprd.force_login(personas.dprd)
    assert (
        dprd.post(
            "/laporan/wilayah/13.03/terbitkan/",
            {"kind": "dprd", "format": "pdf", "period": "2025-06"},
        ).status_code
        == 403
    )
