"""Report pages: who may open them, what they draw, and that no person ever appears."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from jamsos.reports.services import figures_refresh_year

pytestmark = pytest.mark.django_db

A = "13.03.03.2001"


@pytest.fixture
def data(sijunjung, apbd, make_members):
    members = make_members(3, apbd, village=A, first="2025-01", last="2026-12")
    figures_refresh_year(regency_code="13.03", year=2025)
    return members


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_bupati_sees_the_maps_figures_and_charts(personas, data):
    client = _client(personas.executive)
    response = client.get("/laporan/", follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert response.redirect_chain[-1][0].startswith("/laporan/wilayah/13.03/")
    response = client.get("/laporan/wilayah/13.03/?year=2025&month=6")
    page = response.content.decode()
    # Both maps: 62 nagari paths and 8 kecamatan paths, each with a tooltip and a link.
    nagari = page.split('data-testid="map-nagari"')[1].split("</section>")[0]
    assert nagari.count("<path ") == 62
    assert nagari.count('href="/laporan/wilayah/13.03.') == 62
    assert "Timbulun: 3 aktif (belum ada sasaran)" in nagari
    kecamatan = page.split('data-testid="map-kecamatan"')[1].split("</section>")[0]
    assert kecamatan.count("<path ") == 8
    assert 'data-testid="figure-active">3<' in page
    for key in ("aktif", "corong", "anggaran", "klaim", "tren"):
        assert f'id="chart-{key}"' in page
        assert f'data-chart="{key}"' in page
    assert "<script>" not in page  # no inline script (CSP): data only in json_script
    assert "vendor/chartjs/chart.umd.min.js" in page


def test_no_person_reaches_dprd(personas, data):
    client = _client(personas.dprd)
    page = client.get("/laporan/wilayah/13.03/?year=2025&month=6").content.decode()
    for member in data:
        assert member.person.nik not in page
        assert member.person.full_name not in page
    csv = client.get("/laporan/wilayah/13.03/grafik/aktif.csv?year=2025").content.decode()
    assert "Jun" in csv
    assert data[0].person.full_name not in csv


def test_scope_of_the_pages(personas, data):
    assert _client(personas.kecamatan_operator).get("/laporan/").status_code == 403
    assert _client(personas.agent).get("/laporan/wilayah/13.03/").status_code == 403
    assert _client(personas.outsider).get("/laporan/wilayah/13.03/").status_code == 404
    response = _client(personas.dinas_operator).get("/laporan/wilayah/13.03.03/?year=2025&month=6")
    page = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'data-testid="map-nagari"', page)
    assert 'data-testid="map-kecamatan"' not in page


def test_a_kabupaten_without_polygons_shows_the_table_only(personas):
    from jamsos.accounts.roles import Role
    from jamsos.testing.factories import UserFactory, region

    user = UserFactory(role=Role.EXECUTIVE, region=region("13.71"))
    # Kota Padang's kecamatan are loaded, its kelurahan are not: one map, and a table.
    page = _client(user).get("/laporan/wilayah/13.71/").content.decode()
    assert 'data-testid="map-kecamatan"' in page
    assert 'data-testid="map-nagari"' not in page
    user = UserFactory(role=Role.EXECUTIVE, region=region("11.01"))  # Aceh: nothing loaded
    page = _client(user).get("/laporan/wilayah/11.01/").content.decode()
    assert 'data-testid="no-map"' in page
    assert 'data-testid="coverage-table"' in page


def test_every_role_home_shows_its_panel_and_no_person(personas, data):
    import datetime as dt

    from jamsos.lib.periods import Month
    from jamsos.reports.services import figures_refresh

    figures_refresh(regency_code="13.03", first=Month.current(), last=Month.current())
    del dt
    for name in ("executive", "dprd", "dinas_head"):
        page = _client(getattr(personas, name)).get("/").content.decode()
        assert 'data-testid="home-map"' in page, name
        assert page.count("<path ") >= 62, name
        assert 'data-testid="figure-active">3<' in page, name
        assert 'id="chart-anggaran"' in page and 'id="chart-tren"' in page, name
        assert "segera tersedia" not in page, name
        for member in data:
            assert member.person.full_name not in page
    head = _client(personas.dinas_head).get("/").content.decode()
    assert "Usulan menunggu persetujuan" in head
    camat = _client(personas.kecamatan_operator).get("/").content.decode()
    assert 'data-testid="home-queues"' in camat
    assert "Kecamatan Tanjung Gadang" in camat
    assert 'data-testid="figure-active">3<' in camat  # its own area's figures
    agent = _client(personas.agent).get("/").content.decode()
    assert 'data-testid="home-queues"' in agent
    bpjs = _client(personas.bpjs_officer).get("/").content.decode()
    assert "Peserta SK menunggu verifikasi BPJS" in bpjs
