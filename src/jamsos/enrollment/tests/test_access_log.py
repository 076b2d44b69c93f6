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
