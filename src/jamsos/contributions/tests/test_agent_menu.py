"""An agent sees its nagari's APB Nagari bills, if there are any, and nothing kabupaten-wide
(issue 9 "Agent's menu")."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jamsos.contributions import selectors, services
from jamsos.contributions.models import Bill
from jamsos.lib.periods import Month
from jamsos.web.navigation import may_open, menu_for

pytestmark = pytest.mark.django_db


def _bill(regency, acting_user=None) -> None:
    result = services.billing_run(regency=regency, month=Month(2025, 1), acting_user=acting_user)
    for outcome in result.bills:
        services.bill_issue(bill=outcome.bill, acting_user=acting_user)


def _menu(user) -> set[str]:
    return {item.url_name for item in menu_for(user)}


def test_agent_without_apb_nagari_bills_is_not_offered_bills(
    client, personas, sijunjung, apbd, make_members
):
    make_members(2, apbd)  # members in the agent's nagari, paid from the kabupaten's APBD
    _bill(sijunjung)
    assert Bill.objects.count() == 1
    agent = personas.agent
    assert "contributions:index" not in _menu(agent)
    assert not may_open(agent, "contributions:bill_list")
    assert not selectors.bills_visible(viewer=agent)
    # The kabupaten's people keep their menu.
    assert "contributions:index" in _menu(personas.dinas_operator)
    # Typed by hand, the list names the nagari and holds none of the kabupaten's bills.
    client.force_login(agent)
    page = client.get(reverse("contributions:bill_list"))
    assert page.status_code == 200
    assert list(page.context["page"]) == []
    assert page.context["area"] == agent.region
    assert sijunjung.name not in page.content.decode().split("<h1", 1)[1].split("</h1>")[0]
    home = client.get(reverse("web:home")).content.decode()
    assert reverse("contributions:index") not in home


def test_agent_sees_only_its_nagari_apb_nagari_bills(
    client, personas, sijunjung, apbd, apb_nagari, make_members
):
    make_members(1, apbd)
    make_members(1, apb_nagari)
    _bill(sijunjung)
    agent = personas.agent
    assert "contributions:index" in _menu(agent)
    assert [b.funding_source for b in selectors.bill_list(viewer=agent)] == [apb_nagari]
    client.force_login(agent)
    page = client.get(reverse("contributions:bill_list"))
    assert [b.funding_source for b in page.context["page"]] == [apb_nagari]
    assert len(selectors.bill_list(viewer=personas.dinas_operator)) == 2


def test_agent_menu_holds_only_its_own_work(personas):
    assert _menu(personas.agent) == {
        "web:home",
        "regions:nik_check",
        "intake:batch_list",
        "intake:person_propose",
        "enrollment:rejection_list",
        "claims:claim_list",
        # Issue 13: its nagari's sosialisasi, death follow-ups and heirs' message consent.
        "outreach:event_list",
        "outreach:followup_list",
        "messaging:consent_list",
        # Issue 14: citizens' self-nominations from its nagari, to call back.
        "portal:lead_list",
    }
