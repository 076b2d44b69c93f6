"""Who gets which copy of an SK (issue 10 "Decree copies").

The SK is a public act (UU 14/2008), its lampiran holds personal data (UU 27/2022;
UU 14/2008 Pasal 17 huruf h excepts personal data from public information). So:
- the official SK and its lampiran (full NIK, birth date, sex, occupation) go only to
  roles that see the whole kabupaten and hold ``registry.view_full_nik`` (Dinas, BPJS);
- everyone else who may see persons (a Camat) gets the public copy: every recipient with
  masked NIK, name and nagari, and no birth date, sex or occupation; the Camat sees its
  own kecamatan's rows (NIK masked, as everywhere for it) on the decree page;
- aggregate-only roles (DPRD, executive) and agents get no list.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jamsos.enrollment.tests.test_documents import pdf_text
from jamsos.lib.nik import nik_mask

pytestmark = pytest.mark.django_db


def get(user, decree, kind):
    client = Client()
    client.force_login(user)
    return client.get(reverse("enrollment:decree_download", args=[decree.pk, kind]))


def birth(person) -> str:
    return person.birth_date.strftime("%d-%m-%Y")


@pytest.mark.parametrize("role", ["dinas_operator", "dinas_head", "bpjs_officer"])
def test_dinas_and_bpjs_get_the_official_lampiran(role, personas, decree, persons):
    user = getattr(personas, role)
    response = get(user, decree, "resmi")
    assert response.status_code == 200
    text = pdf_text(response.content)
    for person in persons:
        assert person.nik in text and birth(person) in text
    assert get(user, decree, "lampiran").status_code == 200


def test_camat_gets_only_the_minimal_public_copy(personas, decree, persons):
    camat = personas.kecamatan_operator
    assert get(camat, decree, "resmi").status_code == 403
    assert get(camat, decree, "lampiran").status_code == 403
    response = get(camat, decree, "publik")
    assert response.status_code == 200
    text = pdf_text(response.content)
    flat = " ".join(text.split())
    for person in persons:
        assert person.nik not in text
        assert nik_mask(person.nik) in text
        assert birth(person) not in text  # no birth date, in or outside its kecamatan
    assert "Tgl. lahir" not in flat and "Pekerjaan" not in flat and "L/P" not in flat
    assert "tanpa tanggal lahir" in flat


def test_camat_sees_its_own_kecamatan_rows_on_the_page_with_masked_nik(personas, decree, persons):
    client = Client()
    client.force_login(personas.kecamatan_operator)
    page = client.get(reverse("enrollment:decree_detail", args=[decree.pk])).content.decode()
    own, elsewhere = persons[:4], persons[4:]
    for person in own:
        assert person.full_name in page and nik_mask(person.nik) in page
        assert person.nik not in page
    for person in elsewhere:
        assert person.full_name not in page
    assert 'data-testid="download-official"' not in page
    assert 'data-testid="download-public"' in page


@pytest.mark.parametrize("role", ["dprd", "executive", "agent"])
def test_no_list_for_aggregate_roles_and_agents(role, personas, decree):
    user = getattr(personas, role)
    for kind in ("resmi", "lampiran", "publik"):
        assert get(user, decree, kind).status_code in (403, 404)


def test_the_official_copy_keeps_every_column(personas, decree, persons):
    text = pdf_text(get(personas.dinas_operator, decree, "resmi").content)
    flat = " ".join(text.split())
    assert "Tgl. lahir" in flat and "Pekerjaan" in flat
