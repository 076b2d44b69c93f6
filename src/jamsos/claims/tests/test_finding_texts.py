"""Stored eligibility findings read in the reader's language (issue 9 "English is
complete"): a claim stores the code, the parameters and the Indonesian text; pages and
the API render the text again; claims stored before the parameters keep their text."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from jamsos.claims import services
from jamsos.claims.eligibility import FINDING_TEXTS, Finding, finding_text, findings_shown
from jamsos.claims.models import Claim

pytestmark = pytest.mark.django_db


def test_a_finding_stores_code_params_and_indonesian_text():
    finding = Finding.of("jkm_short_membership", "warning", months=2, threshold=3).as_dict()
    assert finding["params"] == {"months": "2", "threshold": "3"}
    assert finding["message"].startswith("Masa iur 2 bulan, kurang dari 3 bulan")
    with translation.override("en"):
        assert finding_text(finding).startswith("2 months of contributions, fewer than 3")
    with translation.override("id"):
        assert finding_text(finding) == finding["message"]


def test_every_finding_text_has_its_english():
    with translation.override("en"):
        untranslated = [
            code for code, text in FINDING_TEXTS.items() if translation.gettext(text) == text
        ]
    assert untranslated == []


def test_a_finding_stored_before_the_params_shows_its_stored_text():
    old = {"code": "jkm_short_membership", "severity": "warning", "message": "Teks lama."}
    with translation.override("en"):
        assert findings_shown([old])[0]["message"] == "Teks lama."


def test_the_claim_page_and_api_show_findings_in_english(client, personas, make_membership):
    from jamsos.claims.tests.conftest import months_ago

    membership = make_membership(first=months_ago(1))  # short: a JKM finding
    claim = services.claim_report(
        membership=membership,
        claim_type="jkm",
        event_date=months_ago(0).first_day(),
        acting_user=personas.dinas_operator,
    )
    codes = {f["code"] for f in Claim.objects.get(pk=claim.pk).eligibility}
    assert "jkm_short_membership" in codes
    client.force_login(personas.dinas_operator)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("claims:claim_detail", args=[claim.pk])).content.decode()
    api = client.get(f"/api/claims/claims/{claim.pk}").json()
    translation.activate("id")
    finding = next(f for f in api["eligibility"] if f["code"] == "jkm_short_membership")
    months = finding["params"]["months"]
    assert finding["message"].startswith(f"{months} months of contributions, fewer than")
    assert finding["params"]["threshold"]
    assert finding["message"] in html
    stored = next(f for f in claim.eligibility if f["code"] == "jkm_short_membership")
    assert stored["message"] not in html
