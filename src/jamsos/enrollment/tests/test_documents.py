"""Printed outputs opened and read back: the decree PDF (pdftotext), the lampiran xlsx
(calamine), the public copy with masked NIKs, the participant card."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess

import pytest
from python_calamine import CalamineWorkbook

from jamsos.enrollment import documents, services
from jamsos.enrollment.models import DecreeDocument, DecreeLine, Membership
from jamsos.enrollment.services import documents as document_services
from jamsos.enrollment.tests.conftest import make_persons, reserve
from jamsos.lib.nik import nik_mask
from jamsos.lib.periods import Month

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    """The PDF's text through poppler's pdftotext (pypdf is not installed)."""
    assert data.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:  # pragma: no cover - poppler-utils missing
        pytest.skip("pdftotext (poppler-utils) not installed")
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return result.stdout.decode("utf-8")


def pdf_pages(data: bytes) -> int:
    return pdf_text(data).count("\f")


def test_official_decree_pdf_has_kop_structure_and_full_niks(decree, persons):
    data = documents.decree_pdf(decree, public=False)
    text = pdf_text(data)
    assert "PEMERINTAH KABUPATEN SIJUNJUNG" in text
    assert "KEPUTUSAN BUPATI SIJUNJUNG" in text
    assert "NOMOR 188.45/131/KPTS-BPT-2022" in text
    assert "TENTANG" in text and "Menimbang" in text and "Mengingat" in text
    assert "MEMUTUSKAN:" in text and "KESATU" in text and "KEDUA" in text
    assert "Ditetapkan di" in text and "15 Maret 2022" in text
    assert "LAMPIRAN KEPUTUSAN BUPATI SIJUNJUNG" in text
    for person in persons:
        assert person.nik in text
    assert "Halaman 1 dari" in text
    assert "RANCANGAN" not in text  # issued: no draft banner


def test_public_copy_masks_every_nik(decree, persons):
    text = pdf_text(documents.decree_pdf(decree, public=True))
    for person in persons:
        assert person.nik not in text
        assert nik_mask(person.nik) in text
    assert "salinan publik" in text


def test_draft_pdf_says_it_is_a_draft(named_reservation, personas):
    draft = services.decree_draft_from_reservation(
        reservation=named_reservation, acting_user=personas.dinas_operator
    )
    text = pdf_text(documents.decree_pdf(draft, public=False))
    assert "RANCANGAN — BELUM DITETAPKAN" in text
    assert "NOMOR …" in text


def test_long_lampiran_repeats_its_header_on_every_page(pagu_2022, personas):
    people = make_persons(120)
    reservation = reserve(pagu_2022, count=120)
    draft = services.decree_draft_from_reservation(
        reservation=reservation, persons=people, acting_user=personas.dinas_operator
    )
    data = documents.decree_pdf(draft, public=False)
    text = pdf_text(data)
    pages = text.split("\f")[:-1]
    lampiran = [page for page in pages if "Tgl. lahir" in page]
    assert len(lampiran) >= 3
    for number, page in enumerate(pages, start=1):
        assert f"Halaman {number} dari {len(pages)}" in page
    assert all("Pekerjaan" in page and "NIK" in page for page in lampiran)
    assert all(p.full_name.split()[0] in text for p in people[:5])


def test_amendment_pdf_lists_added_and_struck_persons(pagu_2022, phase_1, personas):
    from jamsos.enrollment.tests.conftest import issued_decree

    people = make_persons(3)
    reservation = reserve(pagu_2022, count=3, phase=phase_1)
    decree = issued_decree(reservation, personas, persons=people[:2])
    amendment = services.decree_amend(
        decree=decree,
        add_persons=[people[2]],
        remove_persons=[people[0]],
        note="Pengganti",
        acting_user=personas.dinas_operator,
    )
    text = pdf_text(documents.decree_pdf(amendment, public=False))
    assert "A. PENERIMA YANG DITAMBAHKAN" in text and "B. PENERIMA YANG DICORET" in text
    assert people[2].nik in text and people[0].nik in text


def test_lampiran_xlsx_opens_with_one_row_per_recipient(decree, persons):
    data = documents.decree_xlsx(decree)
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("Lampiran").to_python()
    )
    assert rows[0][0] == "LAMPIRAN KEPUTUSAN BUPATI SIJUNJUNG"
    assert rows[1][0] == "NOMOR: 188.45/131/KPTS-BPT-2022"
    header = rows.index(list(documents.XLSX_HEADERS))
    body = rows[header + 1 : header + 1 + len(persons)]
    assert {row[1] for row in body} == {p.nik for p in persons}
    assert all(isinstance(row[1], str) and len(row[1]) == 16 for row in body)
    public = documents.decree_xlsx(decree, public=True)
    public_rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(public)).get_sheet_by_name("Lampiran").to_python()
    )
    assert not {p.nik for p in persons} & {row[1] for row in public_rows}


def test_large_decree_is_generated_in_the_background_with_progress(
    decree, personas, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(document_services, "SYNC_MAX_LINES", 2)
    with django_capture_on_commit_callbacks(execute=True):
        document = document_services.decree_document_request(
            decree=decree,
            kind=DecreeDocument.Kind.OFFICIAL_PDF,
            acting_user=personas.dinas_operator,
        )
    document.refresh_from_db()
    assert document.status == DecreeDocument.Status.READY
    assert (document.rows_done, document.rows_total) == (6, 6)
    assert document_services.document_path(document).read_bytes().startswith(b"%PDF")
    # The same content is not generated twice.
    again = document_services.decree_document_request(
        decree=decree, kind=DecreeDocument.Kind.OFFICIAL_PDF, acting_user=personas.dinas_operator
    )
    assert again.pk == document.pk
    assert document_services.decree_document_generate(document_id=document.pk) is None


def test_membership_card_shows_kpj_period_and_masked_nik(decree, personas, persons):
    services.bpjs_results_record(
        decree=decree,
        results=[
            services.BpjsResult(
                nik=persons[0].nik,
                status=DecreeLine.BpjsStatus.ACCEPTED,
                kpj_number="13000000001",
                coverage_start=dt.date(2022, 3, 1),
            )
        ],
        acting_user=personas.bpjs_officer,
        as_of=Month(2022, 5),
    )
    membership = Membership.objects.get()
    masked = pdf_text(documents.membership_card_pdf(membership, show_full_nik=False))
    assert "13000000001" in masked and "JKK + JKM" in masked
    assert "Maret 2022 s.d. November 2022" in masked
    assert persons[0].nik not in masked and nik_mask(persons[0].nik) in masked
    assert "APBD Sijunjung" in masked
    full = pdf_text(documents.membership_card_pdf(membership, show_full_nik=True))
    assert persons[0].nik in full


def test_names_with_brackets_and_accents_print_as_written(pagu_2022, personas):
    people = make_persons(1)
    people[0].full_name = "Désirée (Upiak) Back\\slash"
    people[0].save()
    reservation = reserve(pagu_2022, count=1)
    draft = services.decree_draft_from_reservation(
        reservation=reservation, persons=people, acting_user=personas.dinas_operator
    )
    assert "Désirée (Upiak) Back\\slash" in pdf_text(documents.decree_pdf(draft, public=False))
