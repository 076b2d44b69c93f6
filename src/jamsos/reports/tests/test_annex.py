"""The yearly LKPJ/LPPD/LKjIP annex: every figure (target, realisation, % capaian, last
year) checked against hand-made summary rows, allocations and targets; PDF and xlsx;
published as a yearly publication with its due date; text cells never become formulas."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from jamsos.budget import services as budget_services
from jamsos.budget.models import Allocation, FiscalYear, FundingSource
from jamsos.lib.periods import Month
from jamsos.reports.annex import annex_tables
from jamsos.reports.documents import document_build, publication_generate
from jamsos.reports.forms import PublishForm
from jamsos.reports.models import EligibleTarget, MonthlyFigure, Publication
from jamsos.testing.factories import region

pytestmark = pytest.mark.django_db

A = "13.03.03.2001"  # Timbulun, kecamatan 13.03.03
B = "13.03.04.2001"  # kecamatan 13.03.04
INJECTION = '=HYPERLINK("http://x.invalid","klik")'


def _row(month: str, village: str, source: FundingSource, **values: int) -> MonthlyFigure:
    return MonthlyFigure.objects.create(
        regency_id="13.03",
        month=Month.parse(month).first_day(),
        village_id=village,
        funding_source=source,
        **values,
    )


def _allocation(year: int, source: FundingSource, pagu: int, paid: int) -> None:
    fiscal_year, _ = FiscalYear.objects.get_or_create(region_id="13.03", year=year)
    Allocation.objects.create(
        fiscal_year=fiscal_year,
        source=source,
        name=f"{source.name} {year}",
        pagu=pagu,
        billed_amount=paid,
        paid_amount=paid,
        status=Allocation.Status.APPROVED,
    )


@pytest.fixture
def rows(sijunjung, apbd, apb_nagari):
    apbd_p = budget_services.funding_source_create(
        region=sijunjung, kind=FundingSource.Kind.APBD_P, name="APBD-P", acting_user=None
    )
    # 2025: December counts (November's 99 does not); A is paid partly by its own nagari.
    _row("2025-11", A, apbd, active=99)
    _row("2025-12", A, apbd, active=30)
    _row("2025-12", A, apb_nagari, active=4)
    _row("2025-12", B, apbd, active=10)
    _row("2025-03", A, apbd, jkk_claims=2, jkk_amount=5_000_000)
    _row("2025-07", B, apbd, jkm_claims=1, jkm_amount=42_000_000)
    # 2024: B's members paid by A's APB Nagari do not make B a joining nagari.
    _row("2024-12", A, apbd, active=20)
    _row("2024-12", B, apb_nagari, active=5)
    _row("2024-05", A, apbd, jkk_claims=1, jkk_amount=1_000_000)
    _allocation(2025, apbd, 100_000_000, 25_000_000)
    _allocation(2025, apbd_p, 20_000_000, 5_000_000)
    _allocation(2025, apb_nagari, 10_000_000, 1_000_000)  # not APBD money
    _allocation(2024, apbd, 90_000_000, 30_000_000)
    EligibleTarget.objects.create(
        region_id="13.03", year=2025, count=1000, source=INJECTION, source_date=dt.date(2025, 1, 5)
    )
    EligibleTarget.objects.create(
        region_id="13.03.03", year=2025, count=200, source="BPS", source_date=dt.date(2025, 1, 5)
    )


def _table(tables, index):
    return {row[0]: row[1:] for row in tables[index][1][1:]}


def test_each_annex_figure_against_hand_made_rows(rows):
    tables = annex_tables(region=region("13.03"), year=2025)
    summary = {row[0]: row[2:] for row in tables[0][1][1:]}
    assert summary["Peserta PBPU aktif (JKK dan JKM)"] == [1000, 44, 0.044, 25]
    assert summary["Realisasi anggaran APBD (APBD, APBD-P, pokir)"] == [
        120_000_000,
        30_000_000,
        0.25,
        30_000_000,
    ]
    assert summary["Nagari membiayai peserta dari APB Nagari"] == [62, 1, round(1 / 62, 4), 0]
    assert summary["Nagari memenuhi 1 Nagari 100 orang"] == [62, 0, 0.0, 0]
    assert summary["Klaim JKK dan JKM dibayar"] == [None, 3, None, 1]
    assert summary["Manfaat klaim dibayar"] == [None, 47_000_000, None, 1_000_000]

    people = _table(tables, 1)
    kecamatan_a = region("13.03.03").name
    kecamatan_b = region("13.03.04").name
    assert people[kecamatan_a] == [200, 34, 0.17, 20]
    assert people[kecamatan_b] == [None, 10, None, 5]  # no denominator: counts only
    assert people["Jumlah"] == [1000, 44, 0.044, 25]
    assert len(people) == 9  # 8 kecamatan + total

    money = _table(tables, 2)
    assert money["APBD (murni)"] == [100_000_000, 25_000_000, 0.25, 30_000_000]
    assert money["APBD Perubahan"] == [20_000_000, 5_000_000, 0.25, 0]
    assert money["APB Nagari"] == [10_000_000, 1_000_000, 0.1, 0]
    assert money["Jumlah APBD (APBD, APBD-P, pokir)"] == [
        120_000_000,
        30_000_000,
        0.25,
        30_000_000,
    ]

    nagari = _table(tables, 3)
    assert nagari[kecamatan_a][1:3] == [1, pytest.approx(1 / nagari[kecamatan_a][0], abs=1e-4)]
    assert nagari[kecamatan_b][1] == 0
    assert nagari["Jumlah"] == [62, 1, round(1 / 62, 4), 0]
    assert sum(r[0] for k, r in nagari.items() if k != "Jumlah") == 62

    claims = _table(tables, 4)
    assert claims["JKK"] == [2, 5_000_000, 1, 1_000_000]
    assert claims["JKM (termasuk beasiswa)"] == [1, 42_000_000, 0, 0]


def test_annex_workbook_and_pdf_and_no_formula(rows):
    content = document_build(
        kind="tahunan_lkpj", fmt="xlsx", region=region("13.03"), when=Month(2025, 12)
    )
    book = load_workbook(io.BytesIO(content))
    sheet = book.worksheets[0]
    values = [r for r in sheet.values if r and r[0]]
    member_row = next(r for r in values if r[0] == "Peserta PBPU aktif (JKK dan JKM)")
    assert member_row[2:6] == (1000, 44, 0.044, 25)
    cells = [c for row in sheet.iter_rows() for c in row if c.value and "HYPERLINK" in str(c.value)]
    assert cells and all(c.data_type == "s" for c in cells)  # the source, as text
    assert len(book.worksheets) == 5
    pdf = document_build(
        kind="tahunan_lkpj", fmt="pdf", region=region("13.03"), when=Month(2025, 12)
    )
    assert pdf.startswith(b"%PDF")


def test_annex_is_a_yearly_publication_due_after_the_year(rows, personas):
    publication = publication_generate(
        kind="tahunan_lkpj",
        fmt="pdf",
        region_code="13.03",
        period="2025-12",
        user_id=personas.dinas_operator.pk,
    )
    assert publication.period == "2025"
    assert publication.due_date == dt.date(2026, 3, 31)
    assert publication.file.name.endswith("tahunan_lkpj-13.03-2025.pdf")


def test_publish_form_takes_a_year_for_the_annex_only():
    yearly = PublishForm({"kind": "tahunan_lkpj", "format": "xlsx", "period": "2025"})
    assert yearly.is_valid() and yearly.cleaned_data["period"] == "2025"
    from_month = PublishForm({"kind": "tahunan_lkpj", "format": "xlsx", "period": "2025-06"})
    assert from_month.is_valid() and from_month.cleaned_data["period"] == "2025"
    assert not PublishForm({"kind": "bulanan_bupati", "format": "pdf", "period": "2025"}).is_valid()
    assert not PublishForm({"kind": "tahunan_lkpj", "format": "pdf", "period": "25"}).is_valid()


def test_the_page_publishes_the_annex(rows, personas):
    client = Client()
    client.force_login(personas.dinas_operator)
    response = client.post(
        "/laporan/wilayah/13.03/terbitkan/",
        {"kind": "tahunan_lkpj", "format": "xlsx", "period": "2025"},
    )
    assert response.status_code == 302
    publication = Publication.objects.get(kind="tahunan_lkpj")
    assert (publication.period, publication.format) == ("2025", "xlsx")
    dprd = Client()
    dprd.force_login(personas.dprd)
    assert (
        dprd.post(
            "/laporan/wilayah/13.03/terbitkan/",
            {"kind": "tahunan_lkpj", "format": "xlsx", "period": "2025"},
        ).status_code
        == 403
    )
