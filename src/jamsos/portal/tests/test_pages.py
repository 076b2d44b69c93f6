"""Every public page opens without login, stays small, and shows what the tables say."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jamsos.claims.models import BenefitRule

pytestmark = pytest.mark.django_db

PUBLIC = [
    "portal:home",
    "portal:benefits",
    "portal:calculator",
    "portal:join",
    "portal:heirs",
    "portal:privacy",
    "portal:lookup",
    "portal:lead_new",
    "portal:lead_thanks",
    "portal:transparency",
    "portal:coverage",
    "portal:open_data",
]
MAX_PAGE_BYTES = 200 * 1024


@pytest.mark.parametrize("name", PUBLIC)
def test_public_page_opens_without_login_and_is_small(name):
    response = Client().get(reverse(name))
    assert response.status_code == 200, name
    assert len(response.content) < MAX_PAGE_BYTES
    assert b"<script" not in response.content  # no JavaScript on public pages


def test_staff_queue_still_needs_login():
    response = Client().get(reverse("portal:lead_list"))
    assert response.status_code == 302
    assert reverse("web:login") in response["Location"]


def test_benefits_page_reads_the_rule_tables():
    rule = (
        BenefitRule.objects.filter(benefit="jkm", membership="full").order_by("sort_order").first()
    )
    html = Client().get(reverse("portal:benefits")).content.decode()
    assert rule.label in html
    # Change the table: the page follows (no literal in code).
    BenefitRule.objects.filter(pk=rule.pk).update(amount=rule.amount + 1_000_000)
    html = Client().get(reverse("portal:benefits")).content.decode()
    new = f"{rule.amount + 1_000_000:,}".replace(",", ".")
    assert new in html


def test_calculator_jkm_with_children():
    response = Client().get(
        reverse("portal:calculator"),
        {"cause": "jkm", "months_paid": "48", "children_smp": "1", "children_sma": "1"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="calculator-result"' in html
    assert "Beasiswa" in html


def test_calculator_short_membership_gets_no_scholarship():
    html = (
        Client()
        .get(
            reverse("portal:calculator"), {"cause": "jkm", "months_paid": "2", "children_smp": "1"}
        )
        .content.decode()
    )
    assert "baru diberikan" in html


def test_privacy_notice_names_the_officer_from_settings(settings):
    settings.PORTAL_DPO_EMAIL = "ppdp@contoh.go.id"
    html = Client().get(reverse("portal:privacy")).content.decode()
    assert "ppdp@contoh.go.id" in html
    assert "27 Tahun 2022" in html


def test_language_switch_to_english_is_offered():
    html = Client().get(reverse("portal:home")).content.decode()
    assert 'name="language" value="en"' in html


def test_pages_switch_to_english():
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/program/"})
    html = client.get(reverse("portal:home")).content.decode()
    assert 'lang="en"' in html
    assert "Who is covered?" in html
    assert "Who pays the dues?" in html
