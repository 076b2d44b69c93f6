"""``may_open`` answers what each page's view enforces, for every persona, and the tabs
above a page offer only pages their viewer may open (admin's rate table offered three
tabs that answered 403)."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse

from jamsos.web.navigation import PAGE_GATES, TABS, may_open, tabs_for

pytestmark = pytest.mark.django_db

REFUSED = {403, 404, 405}


def _url(url_name: str) -> str | None:
    try:
        return reverse(url_name)
    except NoReverseMatch:  # the page is not built yet
        return None


def test_each_gate_matches_its_view(client, personas):
    mismatches = []
    for name, user in personas.all().items():
        client.force_login(user)
        for url_name, gate in PAGE_GATES.items():
            url = _url(url_name)
            if url is None:
                continue
            status = client.get(url).status_code
            opens = status not in REFUSED
            if may_open(user, url_name) and not opens:
                mismatches.append(f"{name} may open {url_name}, but it answers {status}")
            # Pages whose gate looks at data (an agent's bills) may open while not offered.
            if not callable(gate) and not may_open(user, url_name) and opens:
                mismatches.append(f"{name} may not open {url_name}, but it answers {status}")
    assert not mismatches, "\n".join(mismatches)


def test_admin_rate_table_offers_no_budget_tab_it_may_not_open(client, personas):
    client.force_login(personas.admin)
    page = client.get(reverse("budget:rate_list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("budget:rate_list") in html
    for url_name in ("budget:year_list", "budget:source_list", "budget:estimate"):
        assert f'href="{reverse(url_name)}"' not in html
    assert [t.key for t in tabs_for(personas.admin, "budget")] == ["rates"]


def test_every_tab_names_a_gated_page():
    for tabs in TABS.values():
        for tab in tabs:
            assert tab.url_name in PAGE_GATES
