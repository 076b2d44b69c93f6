"""Public aggregates: small counts suppressed on pages and in CSV, claims at kabupaten
level only, each page with its data date and source, no person anywhere."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from jamsos.enrollment.models import Membership
from jamsos.lib.periods import Month
from jamsos.portal import selectors
from jamsos.portal.tests.conftest import NAGARI
from jamsos.regions.models import Region
from jamsos.testing.factories import PersonFactory, region

pytestmark = pytest.mark.django_db


def _members(apbd, village_code: str, n: int, **kw) -> list[Membership]:
    out = []
    for _ in range(n):
        person = PersonFactory(village=region(village_code))
        out.append(
            Membership.objects.create(
                person=person,
                segment="bpu",
                programmes=["jkk", "jkm"],
                funding_source=apbd,
                village=person.village,
                first_month=Month(2026, 1).first_day(),
                last_month=Month(2026, 12).first_day(),
                status=kw.get("status", Membership.Status.ACTIVE),
            )
        )
    return out


@pytest.fixture
def spread(apbd):
    siblings = list(
        Region.objects.filter(parent_id="13.03.03").exclude(code=NAGARI).order_by("code")[:2]
    )
    _members(apbd, NAGARI, 3)
    _members(apbd, siblings[0].code, 12)
    _members(apbd, siblings[1].code, 20)
    _members(apbd, "13.03.04.2001", 7)
    return [NAGARI, siblings[0].code, siblings[1].code]


def test_coverage_hides_small_nagari_and_a_complement(spread):
    coverage = selectors.coverage(regency=region("13.03"))
    figures = {v.code: f for row in coverage.rows for v, f in row.villages}
    assert figures[NAGARI].label == "<5"
    hidden_in_kecamatan = [
        code for code, f in figures.items() if code.startswith("13.03.03.") and f.hidden
    ]
    assert len(hidden_in_kecamatan) >= 2  # the "<5" and its complement
    assert figures[spread[1]].label == "x"  # the smallest other non-zero nagari (12)
    assert figures[spread[2]].label is None and figures[spread[2]].value == 20
    # The kecamatan and kabupaten totals are published and right.
    kec = next(row for row in coverage.rows if row.region.code == "13.03.03")
    assert kec.figure.value == 35 and not kec.figure.hidden
    assert coverage.total.value == 42


def test_coverage_page_and_csv_show_the_suppressed_figures(spread):
    html = Client().get(reverse("portal:coverage")).content.decode()
    assert "&lt;5" in html
    assert 'data-testid="coverage-table"' in html
    assert 'data-testid="data-date"' in html and "Sumber" in html
    response = Client().get(reverse("portal:open_data_csv", args=["cakupan-nagari"]))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    by_code = {row[2]: row[4] for row in rows[1:]}
    assert by_code[NAGARI] == "<5"
    assert by_code[spread[1]] == "x"
    assert by_code[spread[2]] == "20"


def test_unknown_dataset_is_404():
    assert Client().get("/transparansi/data-terbuka/tidak-ada.csv").status_code == 404


def test_every_dataset_downloads_and_is_described():
    html = Client().get(reverse("portal:open_data")).content.decode()
    from jamsos.portal.opendata import DATASETS

    for name, dataset in DATASETS.items():
        response = Client().get(reverse("portal:open_data_csv", args=[name]))
        assert response.status_code == 200
        header = response.content.decode("utf-8-sig").splitlines()[0].split(";")
        assert header == [c.name for c in dataset.columns]
        for column in dataset.columns:
            assert f"<code>{column.name}</code>" in html


def test_transparency_page_states_date_and_source(spread):
    response = Client().get(reverse("portal:transparency"), {"tahun": "2026"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="data-date"' in html
    assert "Klaim dibayar per bulan (seluruh kabupaten)" in html
    assert "APBD Sijunjung" in html


def test_public_transparency_hides_money_with_its_count(apbd):
    _members(apbd, NAGARI, 3)
    report = selectors.public_transparency(regency=region("13.03"), year=2026)
    # One source: every month's cell equals its total; 3 people → "<5" in both, no money.
    for _month, cells in report.rows:
        for cell in cells:
            assert cell.registered.hidden
            assert cell.payable is None and cell.paid is None


def test_no_personal_data_on_any_public_page(member, spread):
    person = member.person
    pages = [
        "portal:home", "portal:benefits", "portal:calculator", "portal:join", "portal:heirs",
        "portal:privacy", "portal:lookup", "portal:lead_new", "portal:transparency",
        "portal:coverage", "portal:open_data",
    ]  # fmt: skip
    secrets = [person.nik, person.full_name, member.kpj_number, person.birth_date.isoformat()]
    for name in pages:
        html = Client().get(reverse(name)).content.decode()
        for secret in secrets:
            assert secret not in html, (name, secret)
    for name in ("cakupan-nagari", "iuran-bulanan", "klaim-bulanan", "anggaran"):
        body = Client().get(reverse("portal:open_data_csv", args=[name])).content.decode()
        for secret in secrets:
            assert secret not in body, (name, secret)
