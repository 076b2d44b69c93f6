"""People read the finding's text, not its code (the code stays in the API and the docs)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jamsos.claims import services
from jamsos.claims.tests.conftest import day_in, months_ago

pytestmark = pytest.mark.django_db


def test_claim_page_shows_the_finding_text_not_its_code(client, personas, make_membership):
    event_month = months_ago(1)
    claim = services.claim_report(
        membership=make_membership(first=event_month - 1),
        acting_user=personas.agent,
        claim_type="jkm",
        event_date=day_in(event_month),
    )
    finding = claim.eligibility_warnings[0]
    assert finding["code"] == "jkm_short_membership"
    client.force_login(personas.dinas_operator)
    html = client.get(reverse("claims:claim_detail", args=[claim.pk])).content.decode()
    assert 'data-testid="finding-jkm_short_membership"' in html
    assert str(finding["message"]).split("{")[0][:30] in html
    assert "(jkm_short_membership)" not in html
