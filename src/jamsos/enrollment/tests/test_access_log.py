"""The BPJS registration export lists persons with full NIKs: one access-log row per
export, with every listed person (audit.PersonalDataAccess)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jamsos.audit.models import PersonalDataAccess
from jamsos.audit.pseudonyms import nik_digest
from jamsos.enrollment.models import DecreeLine

pytestmark = pytest.mark.django_db


def test_a_bpjs_export_logs_one_access_with_every_listed_person(client, decree, personas):
    client.force_login(personas.bpjs_officer)
    response = client.get(reverse("enrollment:bpjs_export", args=[decree.pk, "csv"]))
    assert response.status_code == 200
    (access,) = PersonalDataAccess.objects.all()
    lines = list(DecreeLine.objects.filter(decree=decree).values_list("person_id", "nik"))
    assert access.viewer == personas.bpjs_officer
    assert access.person_count == len(lines) > 1
    assert access.purpose.startswith("enrollment:bpjs_export")
    assert "NIK" in access.fields
    items = set(access.items.values_list("person_id", "nik_digest"))
    assert items == {(pk, nik_digest(nik)) for pk, nik in lines}


def test_a_decree_download_logs_every_person_of_its_lampiran(client, decree, personas):
    from jamsos.enrollment.services import documents

    documents.decree_download_record(
        decree=decree, kind=documents.Kind.PUBLIC_PDF, acting_user=personas.dinas_operator
    )
    (access,) = PersonalDataAccess.objects.all()
    assert access.person_count == DecreeLine.objects.filter(decree=decree).count()
    assert "nik_masked" in access.fields


@pytest.mark.parametrize("via", ["page", "api"])
def test_reading_a_membership_logs_its_person(client, personas, decree, via):
    from jamsos.enrollment.models import Membership
    from jamsos.enrollment.tests.test_pages import accept_all

    accept_all(decree, personas)
    before = set(PersonalDataAccess.objects.values_list("pk", flat=True))
    membership = Membership.objects.select_related("person").order_by("pk").first()
    client.force_login(personas.dinas_operator)
    url = (
        reverse("enrollment:membership_detail", args=[membership.pk])
        if via == "page"
        else f"/api/enrollment/memberships/{membership.pk}"
    )
    assert client.get(url).status_code == 200
    (access,) = PersonalDataAccess.objects.exclude(pk__in=before)
    assert access.purpose.endswith("membership_detail")
    assert list(access.items.values_list("person_id", "nik_digest")) == [
        (membership.person_id, nik_digest(membership.person.nik))
    ]


@pytest.mark.parametrize("via", ["page", "api"])
def test_reading_a_decree_lampiran_logs_the_persons_shown(client, personas, decree, via):
    """The decree page and the lines API list persons: each read is logged (issue 10)."""
    client.force_login(personas.dinas_operator)
    url = (
        reverse("enrollment:decree_detail", args=[decree.pk])
        if via == "page"
        else f"/api/enrollment/decrees/{decree.pk}/lines"
    )
    assert client.get(url).status_code == 200
    (access,) = PersonalDataAccess.objects.all()
    lines = list(DecreeLine.objects.filter(decree=decree).values_list("person_id", "nik"))
    assert access.viewer == personas.dinas_operator
    assert access.path == url.split("?")[0]
    assert set(access.items.values_list("person_id", "nik_digest")) == {
        (pk, nik_digest(nik)) for pk, nik in lines
    }


def test_aggregate_only_roles_read_no_person_from_a_decree(client, personas, decree):
    client.force_login(personas.dprd)
    client.get(reverse("enrollment:decree_detail", args=[decree.pk]))
    assert not PersonalDataAccess.objects.exists()
