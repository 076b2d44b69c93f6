"""Ids of four digits and more stay plain digits in pages, so the BPJS result entry saves.

With number localisation on ids, ``value="2.341"`` and ``hx-target="#line-2.341"`` were
rendered: htmx found no target and the server answered 500 to the plain form post.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from jamsos.enrollment.models import Decree, DecreeLine
from jamsos.testing.ids import ids_start_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def big_ids(db):
    ids_start_at(Decree, 2341)
    ids_start_at(DecreeLine, 12341)


def test_bpjs_result_entry_ids_are_plain_and_saving_works(big_ids, client, decree, personas):
    assert decree.pk >= 1000 and min(decree.lines.values_list("pk", flat=True)) >= 10000
    client.force_login(personas.bpjs_officer)
    url = reverse("enrollment:bpjs_record", args=[decree.pk])
    assert re.fullmatch(r"/[\w/-]*/\d{4,}/[\w/-]*", url)
    page = client.get(url).content.decode()
    line_ids = re.findall(r'name="line" value="([^"]*)"', page)
    targets = re.findall(r'hx-target="#line-([^"]*)"', page)
    divs = re.findall(r'id="line-([^"]*)"', page)
    assert line_ids and len(line_ids) == len(targets) == len(divs)
    for value in line_ids + targets + divs:
        assert value.isdigit() and int(value) >= 10000, value
    assert f'action="{url}"' in page

    # Without JavaScript: the form value as rendered is posted back and saved.
    first = DecreeLine.objects.get(pk=int(line_ids[0]))
    start = re.search(r'name="coverage_start"[^>]*value="([^"]*)"', page)[1]
    response = client.post(
        url,
        {
            "line": line_ids[0],
            "status": "accepted",
            "kpj_number": "13000000001",
            "coverage_start": start,
        },
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.bpjs_status == DecreeLine.BpjsStatus.ACCEPTED

    # With htmx: the answer replaces the element the form targets.
    response = client.post(
        url,
        {"line": line_ids[1], "status": "rejected", "reason": "Sudah terdaftar"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert f'id="line-{line_ids[1]}"' in response.content.decode()
    assert DecreeLine.objects.get(pk=int(line_ids[1])).bpjs_status == "rejected"


def test_a_line_value_that_is_not_a_number_is_not_found(big_ids, client, decree, personas):
    client.force_login(personas.bpjs_officer)
    url = reverse("enrollment:bpjs_record", args=[decree.pk])
    response = client.post(url, {"line": "12.341", "status": "accepted"})
    assert response.status_code == 404


def test_an_error_message_shows_as_a_bootstrap_danger_alert(client, decree, personas):
    client.force_login(personas.bpjs_officer)
    url = reverse("enrollment:bpjs_record", args=[decree.pk])
    line = decree.lines.first()
    response = client.post(
        url, {"line": line.pk, "status": "accepted", "kpj_number": "12"}, follow=True
    )
    page = response.content.decode()
    assert "nomor KPJ harus 11 angka" in page
    assert "alert-danger" in page and "alert-error" not in page
