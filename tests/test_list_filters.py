"""Every list page filters the same way: one shared box (``web/_filters.html``), a label
over each field, one button word ("Saring") and a way back ("Atur ulang"); a filter
applied stays shown in the box."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

LISTS = [
    # url name, persona, a filter to apply (name, value)
    ("audit:event_list", "admin", ("action", "accounts.user.updated")),
    ("accounts:user_list", "admin", ("role", "agent")),
    ("accounts:agency_list", "admin", ("q", "sijunjung")),
    ("claims:claim_list", "dinas_operator", ("status", "reported")),
    ("intake:batch_list", "dinas_operator", ("status", "validated")),
    ("contributions:bill_list", "dinas_operator", ("status", "issued")),
    ("enrollment:decree_list", "dinas_operator", ("status", "draft")),
    ("enrollment:membership_list", "dinas_operator", ("status", "active")),
    ("registry:person_list", "dinas_operator", ("q", "Siti")),
]
OTHER_WORDS = re.compile(r">\s*(?:<i [^>]*></i>\s*)?(Terapkan|Tampilkan|Cari|Filter)\s*</button>")


@pytest.mark.parametrize(("url_name", "persona", "applied"), LISTS)
def test_list_filters_look_and_work_the_same(client, personas, url_name, persona, applied):
    client.force_login(getattr(personas, persona))
    name, value = applied
    response = client.get(reverse(url_name), {name: value})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="filter-submit"') == 1
    submit = re.search(r'data-testid="filter-submit">(.*?)</button>', html, re.S)[1]
    assert submit.strip().endswith("Saring")
    assert 'data-testid="filter-reset"' in html and "Atur ulang" in html
    assert not OTHER_WORDS.search(html)
    box = re.search(r'<form method="get" class="card card-body py-2 mb-3".*?</form>', html, re.S)[0]
    for field in re.findall(r'<(?:input|select)[^>]*\bid="(id_[^"]+)"', box):
        assert f'for="{field}"' in box, f"{field} has no label"
    # the applied filter is shown back
    assert (
        f'value="{value}" selected' in box
        or re.search(rf'name="{name}"[^>]*value="{value}"', box)
        or re.search(rf'value="{value}"[^>]*name="{name}"', box)
    ), f"{name}={value} not kept"
