"""Who saw my data: reads of one person's data are logged (who, when, what, why) without
the NIK, and a Dinas data officer answers a citizen by NIK, on the page and as xlsx."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from jamsos.audit.models import AuditEvent, PersonalDataAccess, PersonalDataAccessItem
from jamsos.audit.pseudonyms import nik_digest
from jamsos.audit.services import personal_data_access_log
from jamsos.testing.factories import PersonFactory, region

pytestmark = pytest.mark.django_db

NIK = "1303035507900001"
PAGE = reverse("audit:access_log")


@pytest.fixture
def person(personas):
    return PersonFactory(nik=NIK, full_name="Afrida Putri", village=region("13.03.03.2001"))


def test_the_person_page_logs_who_what_and_why_without_the_nik(person, personas, client):
    client.force_login(personas.dinas_operator)
    url = reverse("registry:person_detail", args=[person.pk])
    assert client.get(url).status_code == 200
    (access,) = PersonalDataAccess.objects.all()
    assert access.viewer == personas.dinas_operator
    assert access.viewer_label == str(personas.dinas_operator)
    assert access.purpose == "registry:person_detail"
    assert access.path == url
    assert {"full_name", "nik", "address", "phone"} <= set(access.fields)
    (item,) = access.items.all()
    assert (item.person_id, item.nik_digest) == (person.pk, nik_digest(NIK))
    stored = repr(list(PersonalDataAccess.objects.values())) + repr(
        list(PersonalDataAccessItem.objects.values())
    )
    assert NIK not in stored


def test_a_person_page_outside_scope_logs_nothing(person, personas, client):
    client.force_login(personas.outsider)
    assert client.get(reverse("registry:person_detail", args=[person.pk])).status_code == 404
    assert not PersonalDataAccess.objects.exists()


def test_the_api_read_is_logged(person, personas, client):
    client.force_login(personas.bpjs_officer)
    assert client.get(f"/api/registry/persons/{person.pk}").status_code == 200
    (access,) = PersonalDataAccess.objects.all()
    assert access.purpose == "api:registry.person_detail"
    assert "address" in access.fields and "id" not in access.fields


def test_the_digest_is_keyed(settings):
    first = nik_digest(NIK)
    settings.ACCESS_LOG_KEY = "kunci-lain"
    assert nik_digest(NIK) != first
    assert len(first) == 64


def test_an_export_logs_one_row_for_many_persons(personas):
    persons = [PersonFactory() for _ in range(3)]
    access = personal_data_access_log(
        viewer=personas.dinas_operator,
        persons=[(p.pk, p.nik) for p in persons],
        purpose="uji ekspor",
        fields=["nik", "full_name"],
    )
    assert PersonalDataAccess.objects.count() == 1
    assert access.person_count == 3 == access.items.count()


def test_the_dinas_head_answers_by_nik_on_the_page_and_as_xlsx(person, personas, client):
    client.force_login(personas.dinas_operator)
    client.get(reverse("registry:person_detail", args=[person.pk]))
    other = PersonFactory()
    personal_data_access_log(
        viewer=personas.bpjs_officer,
        persons=[(person.pk, person.nik), (other.pk, other.nik)],
        purpose="enrollment:bpjs_export (188.45/1)",
        fields=["NIK", "NAMA"],
    )
    personal_data_access_log(
        viewer=personas.bpjs_officer, persons=[(other.pk, other.nik)], purpose="lain", fields=[]
    )
    client.force_login(personas.dinas_head)
    assert client.get(PAGE).status_code == 200
    page = client.post(PAGE, {"nik": "1303 0355 0790 0001", "format": "html"})
    assert page.status_code == 200
    table = page.content.decode()
    assert str(personas.dinas_operator) in table
    assert "enrollment:bpjs_export (188.45/1)" in table
    assert "registry:person_detail" in table
    assert ">lain<" not in table
    # The search itself is recorded, with the NIK's digest only.
    (event,) = AuditEvent.objects.filter(action="audit.access_log.searched")
    assert event.data == {"nik_digest": nik_digest(NIK), "found": 2}
    assert NIK not in repr(event.data)

    download = client.post(PAGE, {"nik": NIK, "format": "xlsx"})
    assert download["Content-Disposition"] == 'attachment; filename="akses-data-pribadi.xlsx"'
    rows = CalamineWorkbook.from_filelike(io.BytesIO(download.content)).get_sheet_by_index(0)
    rows = rows.to_python()
    assert NIK not in repr(rows)  # the heading shows it masked
    body = rows[4:]
    assert [r[1] for r in body] == [str(personas.bpjs_officer), str(personas.dinas_operator)]
    assert body[0][3] == "NIK, NAMA"
    assert int(body[0][6]) == 2


def test_outside_scope_or_unknown_nik_answers_nothing(person, personas, client):
    personal_data_access_log(
        viewer=personas.dinas_operator, persons=[(person.pk, NIK)], purpose="x", fields=[]
    )
    from jamsos.accounts.models import Agency
    from jamsos.accounts.roles import Role
    from jamsos.testing.factories import UserFactory

    padang_head = UserFactory(
        username="padang_head",
        role=Role.DINAS_HEAD,
        agency=Agency.objects.get(code="disnaker-padang"),
    )
    client.force_login(padang_head)
    page = client.post(PAGE, {"nik": NIK})
    assert b'data-testid="access-log-none"' in page.content
    assert b"access-log-table" not in page.content
    client.force_login(personas.dinas_head)
    assert b"access-log-none" in client.post(PAGE, {"nik": "1303030101900009"}).content
    bad = client.post(PAGE, {"nik": "12345"})
    assert "harus 16 angka" in bad.content.decode()


@pytest.mark.parametrize("name", ["admin", "dinas_operator", "bpjs_officer", "agent", "dprd"])
def test_only_the_data_officer_role_opens_the_access_log(name, personas, client):
    client.force_login(getattr(personas, name))
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"nik": NIK}).status_code == 403
