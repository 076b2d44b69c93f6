"""Legal bases people read name a regulation and article: never a web address, a file
name or a research note (``radarmukomuko…``, ``promo_config.py``, ``facts.md §9.3``).

Sources stay in each regulation row's ``note`` ("catatan/sumber"), which pages do not show.
"""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.urls import reverse

pytestmark = pytest.mark.django_db

NOT_A_LEGAL_BASIS = re.compile(
    r"https?://|www\.|facts\.md|§|\[(?:3P|OFF|REG)|\.(?:py|md|csv|json|xlsx)\b"
    r"|\b[\w-]+\.(?:com|id|org|net|info|news|asia|blogspot)\b",
    re.IGNORECASE,
)
RESEARCH_NOTES = ("radarmukomuko", "promo_config", "facts.md", "tribunnews", "[3P]", "[OFF]")


def _legal_bases():
    for model in apps.get_models():
        if any(field.name == "legal_basis" for field in model._meta.concrete_fields):
            for pk, value in model.objects.values_list("pk", "legal_basis"):
                for text in value if isinstance(value, list) else [value]:
                    yield f"{model._meta.label}#{pk}", str(text)


def test_the_pattern_catches_what_the_field_trial_found():
    for bad in (
        "radarmukomuko.disway.id/read/666514",
        "promo_config.py",
        "facts.md §1.5, unconfirmed",
        "https://www.bursakota.co.id/?p=68592",
    ):
        assert NOT_A_LEGAL_BASIS.search(bad), bad
    for good in (
        "PP 44/2015 jo. PP 82/2019 jo. PP 49/2023, Lampiran II (nilai penghasilan terendah)",
        "PP 50/2025 Pasal 3–4: penyesuaian iuran JKK dan JKM BPU sebesar 50 %",
        "Permenaker 5/2021 (masa iur JKM BPU kurang dari 3 bulan)",
    ):
        assert not NOT_A_LEGAL_BASIS.search(good), good


def test_seeded_legal_bases_name_regulations_only():
    found = list(_legal_bases())
    assert len(found) >= 10  # the regulation seeds are there
    bad = [(where, text) for where, text in found if NOT_A_LEGAL_BASIS.search(text)]
    assert not bad


@pytest.mark.parametrize(
    ("url_name", "persona"),
    [("budget:rate_list", "admin"), ("claims:rules", "dinas_operator")],
)
def test_regulation_pages_show_no_research_notes(client, personas, url_name, persona):
    client.force_login(getattr(personas, persona))
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    html = response.content.decode()
    assert "PP 44/2015" in html or "PP 82/2019" in html
    for note in RESEARCH_NOTES:
        assert note not in html, note
