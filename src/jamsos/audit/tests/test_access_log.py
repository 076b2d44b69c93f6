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


# --- Tamper evidence and the full-NIK events (issue 10) ---------------------------------


def _verify() -> tuple[int, dict]:
    import json
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    try:
        call_command("audit_verify", "--json", stdout=out)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, json.loads(out.getvalue())


def _raw(sql: str, params: list) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def reads(person, personas):
    others = [PersonFactory() for _ in range(2)]
    return [
        personal_data_access_log(
            viewer=personas.dinas_operator,
            persons=[(p.pk, p.nik) for p in [person, *others][: n + 1]],
            purpose=f"uji {n}",
            fields=["nik"],
        )
        for n in range(3)
    ]


def test_the_access_log_chains_and_verifies(reads):
    assert [r.seq for r in reads] == [1, 2, 3]
    assert reads[1].prev_hash == reads[0].hash
    code, report = _verify()
    assert (code, report["ok"], report["access_log"]) == (
        0,
        True,
        {"reads": 3, "ok": True, "first_broken": None},
    )


def test_a_changed_read_is_found(reads):
    _raw("UPDATE audit_personaldataaccess SET viewer_label = %s WHERE id = %s", ["x", reads[1].pk])
    code, report = _verify()
    assert (code, report["ok"], report["access_log"]["first_broken"]) == (1, False, reads[1].pk)
    assert report["first_broken"] is None  # the audit trail itself is intact


def test_a_person_cut_from_a_read_is_found(reads, person):
    _raw(
        "DELETE FROM audit_personaldataaccessitem WHERE access_id = %s AND person_id = %s",
        [reads[2].pk, person.pk],
    )
    code, report = _verify()
    assert (code, report["access_log"]["first_broken"]) == (1, reads[2].pk)


def test_a_removed_read_is_found(reads):
    _raw("DELETE FROM audit_personaldataaccessitem WHERE access_id = %s", [reads[1].pk])
    _raw("DELETE FROM audit_personaldataaccess WHERE id = %s", [reads[1].pk])
    code, report = _verify()
    assert (code, report["access_log"]["first_broken"]) == (1, reads[2].pk)


def test_the_database_refuses_changes_to_the_access_log(reads):
    from django.db import DatabaseError, connection, transaction

    from jamsos.audit.db_triggers import drop_append_only_triggers, install_append_only_triggers

    install_append_only_triggers(connection)
    try:
        for sql in (
            "UPDATE audit_personaldataaccess SET purpose = 'x'",
            "DELETE FROM audit_personaldataaccessitem",
            "DELETE FROM audit_personaldataaccess",
        ):
            with pytest.raises(DatabaseError), transaction.atomic():
                _raw(sql, [])
    finally:
        drop_append_only_triggers(connection)
    assert PersonalDataAccess.objects.count() == 3


class _Editor:
    """What RunPython's schema editor gives the migration: the connection and execute()
    (SQLite's real editor cannot open inside the test's transaction)."""

    from django.db import connection

    def execute(self, sql: str) -> None:
        _raw(sql, [])


def test_the_access_log_migration_chains_old_reads_and_reverses(reads, settings, monkeypatch):
    """``audit.0008`` chains reads written before the chain (in batches, the same hashes
    the app writes), installs the triggers, and backward drops them again."""
    import importlib

    from django.apps import apps
    from django.db import DatabaseError, transaction

    migration = importlib.import_module(
        "jamsos.audit.migrations.0008_access_log_chain_and_triggers"
    )
    monkeypatch.setattr(migration, "BATCH", 2)
    written = dict(PersonalDataAccess.objects.values_list("id", "hash"))
    _raw("UPDATE audit_personaldataaccess SET seq = NULL, prev_hash = NULL, hash = NULL", [])
    assert _verify()[0] == 1  # reads without a place look inserted
    settings.AUDIT_APPEND_ONLY_TRIGGERS = True
    migration.forward(apps, _Editor())
    try:
        assert dict(PersonalDataAccess.objects.values_list("id", "hash")) == written
        assert _verify()[1]["access_log"] == {"reads": 3, "ok": True, "first_broken": None}
        with pytest.raises(DatabaseError), transaction.atomic():
            _raw("DELETE FROM audit_personaldataaccessitem", [])
    finally:
        migration.backward(apps, _Editor())
    _raw("UPDATE audit_personaldataaccess SET purpose = 'x'", [])  # plain table again


def test_a_full_nik_shown_on_a_letter_or_card_is_in_the_answer(person, personas, client):
    from jamsos.audit.services import nik_access_log

    nik_access_log(viewer=personas.bpjs_officer, person=person, purpose="kartu peserta")
    client.force_login(personas.dinas_head)
    page = client.post(PAGE, {"nik": NIK, "format": "html"}).content.decode()
    assert "kartu peserta" in page
    assert str(personas.bpjs_officer) in page
