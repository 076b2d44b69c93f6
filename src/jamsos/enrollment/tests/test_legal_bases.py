"""SK *Mengingat* from regulation records (issue 9): a decree cites the regulations in
force on its date, each once with its full title, in the hierarchy of UU 12/2011; rate
notes go to the lampiran's explanation."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from jamsos.enrollment import documents, services
from jamsos.enrollment.models import LegalBasis
from jamsos.enrollment.tests.test_documents import pdf_text
from jamsos.enrollment.texts import legal_basis_citations
from jamsos.testing.factories import region

pytestmark = pytest.mark.django_db

ORDER = [
    "Undang-Undang Nomor",
    "Peraturan Pemerintah Nomor",
    "Peraturan Presiden Nomor",
    "Peraturan Menteri Ketenagakerjaan Nomor",
    "Peraturan Daerah Kabupaten Sijunjung Nomor",
    "Peraturan Bupati Sijunjung Nomor",
    "Instruksi Presiden Nomor",
    "Instruksi Gubernur Sumatera Barat Nomor",
    "Instruksi Bupati Sijunjung Nomor",
]


def kinds(bases: list[str]) -> list[str]:
    found = []
    for item in bases:
        kind = next(k for k in ORDER if item.startswith(k))
        if kind not in found:
            found.append(kind)
    return found


def test_a_2022_decree_cites_what_was_in_force_once_in_order(decree):
    bases = decree.legal_bases
    assert decree.decree_date == dt.date(2022, 3, 15)
    text = " | ".join(bases)
    assert "Nomor 49 Tahun 2023" not in text  # not yet in force in 2022
    assert "Nomor 6 Tahun 2023" not in text
    pp44 = [b for b in bases if b.startswith("Peraturan Pemerintah Nomor 44 Tahun 2015")]
    assert pp44 == [
        "Peraturan Pemerintah Nomor 44 Tahun 2015 tentang Penyelenggaraan Program Jaminan "
        "Kecelakaan Kerja dan Jaminan Kematian sebagaimana telah diubah dengan Peraturan "
        "Pemerintah Nomor 82 Tahun 2019 tentang Perubahan atas Peraturan Pemerintah Nomor 44 "
        "Tahun 2015 tentang Penyelenggaraan Program Jaminan Kecelakaan Kerja dan Jaminan "
        "Kematian"
    ]
    assert text.count("Nomor 44 Tahun 2015 tentang") == 2  # the base and inside PP 82/2019
    assert not any(b.startswith("Peraturan Pemerintah Nomor 82") for b in bases)
    assert len({b.lower() for b in bases}) == len(bases)
    # Rate notes are not legal bases.
    assert not re.search(r"Rp ?\d|iuran", text, re.IGNORECASE)
    # Hierarchy: UU, PP, Perpres, Permen, Perda, Perbup, then the instruksi.
    assert kinds(bases) == ORDER
    # The APBD 2022 Perda and its Perbup are cited by a 2022 decree.
    assert any("Nomor 13 Tahun 2021 tentang Anggaran" in b for b in bases)
    assert any("Undang-Undang Nomor 23 Tahun 2014" in b and "terakhir dengan Undang-Undang "
               "Nomor 11 Tahun 2020" in b for b in bases)  # fmt: skip


def test_later_decrees_cite_the_second_amendment_and_not_the_2022_budget():
    bases = legal_basis_citations(region=region("13.03"), on=dt.date(2024, 1, 6))
    [pp44] = [b for b in bases if "Peraturan Pemerintah Nomor 44 Tahun 2015" in b[:45]]
    assert pp44.endswith(
        "sebagaimana telah beberapa kali diubah, terakhir dengan Peraturan Pemerintah Nomor 49 "
        "Tahun 2023 tentang Perubahan Kedua atas Peraturan Pemerintah Nomor 44 Tahun 2015 "
        "tentang Penyelenggaraan Program Jaminan Kecelakaan Kerja dan Jaminan Kematian"
    )
    assert not any("Tahun Anggaran 2022" in b for b in bases)
    # Another kabupaten's (or province's) instruments are not cited by Kota Padang.
    padang = legal_basis_citations(region=region("13.71"), on=dt.date(2024, 1, 6))
    assert not any("Sijunjung" in b for b in padang)
    assert any(b.startswith("Instruksi Gubernur Sumatera Barat") for b in padang)


def test_issue_draws_the_bases_again_for_the_decree_date_keeping_hand_written_ones(
    named_reservation, personas
):
    draft = services.decree_draft_from_reservation(
        reservation=named_reservation, acting_user=personas.dinas_operator
    )
    extra = "Keputusan Bupati Sijunjung Nomor 188.45/12/KPTS-BPT-2022 tentang Tim Pelaksana"
    late = (
        "Peraturan Pemerintah Nomor 44 Tahun 2015 tentang Penyelenggaraan Program Jaminan "
        "Kecelakaan Kerja dan Jaminan Kematian"
    )
    services.decree_texts_update(
        decree=draft,
        acting_user=personas.dinas_operator,
        legal_bases=[late, *draft.legal_bases, extra],
    )
    draft = services.decree_approve(decree=draft, acting_user=personas.dinas_head)
    issued = services.decree_issue(
        decree=draft,
        number="188.45/131/KPTS-BPT-2022",
        decree_date=dt.date(2022, 3, 15),
        acting_user=personas.dinas_operator,
    )
    assert issued.legal_bases[-1] == extra
    assert late not in issued.legal_bases  # a record's text, drawn again once
    assert sum(b.startswith("Peraturan Pemerintah Nomor 44") for b in issued.legal_bases) == 1


def test_pdf_mengingat_and_lampiran_explanation(decree):
    text = pdf_text(documents.decree_pdf(decree, public=True))
    flat = " ".join(text.split())
    mengingat = flat[flat.index("Mengingat") : flat.index("MEMUTUSKAN")]
    assert "Nomor 49 Tahun 2023" not in mengingat
    assert len(re.findall(r"\d+\. Peraturan Pemerintah Nomor 44 Tahun 2015", mengingat)) == 1
    assert (
        "Nomor 44 Tahun 2015"
        not in mengingat.split("Peraturan Pemerintah Nomor 82")[1].split("Peraturan Presiden")[1]
    )
    assert "6.800" not in mengingat
    assert (
        mengingat.index("Peraturan Pemerintah Nomor 44")
        < mengingat.index("Instruksi Presiden")
        < mengingat.index("Instruksi Bupati Sijunjung")
    )
    lampiran = flat[flat.index("LAMPIRAN KEPUTUSAN") :]
    assert "Keterangan:" in lampiran
    assert "Rp 16.800" in lampiran and "Rp 6.800" in lampiran


def test_admin_edits_records_others_only_read(personas):
    url = reverse("enrollment:legal_basis_list")
    admin = Client()
    admin.force_login(personas.admin)
    response = admin.post(
        url,
        {
            "kind": LegalBasis.Kind.PERBUP,
            "form": "Peraturan Bupati Sijunjung",
            "number": "7",
            "year": 2026,
            "title": "Pelaksanaan Program Jaminan Sosial Ketenagakerjaan",
            "region": "13.03",
            "in_force_from": "2026-02-01",
            "source": "uji",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    row = LegalBasis.objects.get(number="7", year=2026)
    assert not row.confirmed
    assert row.short_name() in " ".join(
        legal_basis_citations(region=region("13.03"), on=dt.date(2026, 3, 1))
    )
    operator = Client()
    operator.force_login(personas.dinas_operator)
    assert operator.get(url).status_code == 200
    assert operator.post(url, {"number": "8"}).status_code == 403
    agent = Client()
    agent.force_login(personas.agent)
    assert agent.get(url).status_code == 403
