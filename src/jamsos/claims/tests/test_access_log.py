"""A claim shows a worker's accident or death, heirs and a payout account: every read of
one claim (page and API) is in the personal-data access log (issue 10, "Who saw my data")."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jamsos.audit.models import PersonalDataAccess
from jamsos.audit.pseudonyms import nik_digest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("via", ["page", "api"])
def test_reading_a_claim_logs_its_person(client, personas, jkm_claim, via):
    client.force_login(personas.dinas_operator)
    url = (
        reverse("claims:claim_detail", args=[jkm_claim.pk])
        if via == "page"
        else f"/api/claims/claims/{jkm_claim.pk}"
    )
    assert client.get(url).status_code == 200
    (access,) = PersonalDataAccess.objects.all()
    assert access.viewer == personas.dinas_operator
    assert access.purpose.endswith("claim_detail")
    assert "heirs" in access.fields
    items = list(access.items.values_list("person_id", "nik_digest"))
    assert items == [(jkm_claim.person_id, nik_digest(jkm_claim.person.nik))]


def test_a_claim_out_of_scope_is_not_logged(client, personas, jkm_claim):
    client.force_login(personas.outsider)  # a Dinas operator of another regency
    assert client.get(reverse("claims:claim_detail", args=[jkm_claim.pk])).status_code == 404
    assert not PersonalDataAccess.objects.exists()
