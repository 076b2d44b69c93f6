"""The hash chain: every writer chains, and a change, removal or insertion made with raw
SQL (triggers off, as the database owner could) is found, with the right event id."""

from __future__ import annotations

import json
import threading

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections, transaction

from jamsos.audit.chain import GENESIS, audit_chain_verify, audit_rows_append, event_digest
from jamsos.audit.models import AuditEvent
from jamsos.audit.services import audit_event_build, audit_record, audit_record_many

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(personas):
    """Events written by all three writers: one by one, ``bulk_create``, and the
    COPY/executemany fast path used by imports and decrees."""
    one = [
        audit_record(
            action="accounts.user.updated",
            acting_user=personas.admin,
            obj=personas.agent,
            before={"full_name": "Ani", "n": 1.0, "k": (1, 2)},
            after={"full_name": "Ani Putri", 3: None},
        )
        for _ in range(3)
    ]
    audit_record_many(
        audit_event_build(action="accounts.user.updated", acting_user=None, obj=u)
        for u in (personas.kecamatan_operator, personas.dinas_operator)
    )
    event = audit_event_build(action="registry.person.created", acting_user=personas.admin)
    with transaction.atomic():
        audit_rows_append(
            (
                event.occurred_at,
                personas.admin.pk,
                "Admin",
                "Diskominfo",
                "registry.person.created",
                "registry.person",
                str(i),
                f"Orang {i}",
                "13.03.01.2001",
                None,
                None,
                {"batch": 7, "row": i},
                "2001:DB8::1",
            )
            for i in range(4)
        )
    return one


def ids_in_chain_order() -> list[int]:
    return list(AuditEvent.objects.order_by("seq").values_list("id", flat=True))


def raw(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def verify_command() -> tuple[int, dict]:
    from io import StringIO

    out = StringIO()
    try:
        call_command("audit_verify", "--json", stdout=out)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, json.loads(out.getvalue())


def test_every_writer_chains_and_the_chain_verifies(chain):
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    assert AuditEvent.objects.filter(seq__isnull=True).count() == 0
    first = AuditEvent.objects.get(seq=1)
    assert first.prev_hash == GENESIS
    code, report = verify_command()
    assert (code, report) == (
        0,
        {
            "events": len(seqs),
            "ok": True,
            "first_broken": None,
            "access_log": {"reads": 0, "ok": True, "first_broken": None},
            "object_ranges": {"ranges": 0, "ok": True, "first_broken": None},
        },
    )


def test_a_changed_event_is_found(chain):
    victim = chain[1]
    raw("UPDATE audit_auditevent SET object_repr = %s WHERE id = %s", ["Orang lain", victim.pk])
    code, report = verify_command()
    assert code == 1
    assert report["ok"] is False
    assert report["first_broken"] == victim.pk


def test_a_changed_json_value_is_found(chain):
    victim = chain[2]
    raw(
        "UPDATE audit_auditevent SET after = %s WHERE id = %s",
        [json.dumps({"full_name": "Palsu"}), victim.pk],
    )
    assert audit_chain_verify().first_broken == victim.pk


def test_a_removed_event_is_found_at_the_next_one(chain):
    order = ids_in_chain_order()
    raw("DELETE FROM audit_auditevent WHERE id = %s", [order[3]])
    code, report = verify_command()
    assert (code, report["first_broken"]) == (1, order[4])


def test_removing_and_renumbering_is_still_found(chain):
    order = ids_in_chain_order()
    victim = AuditEvent.objects.get(pk=order[3])
    raw("DELETE FROM audit_auditevent WHERE id = %s", [victim.pk])
    # Close the gap in the numbering: the next event's prev_hash still names the victim.
    for pk in order[4:]:
        raw("UPDATE audit_auditevent SET seq = seq - 1 WHERE id = %s", [pk])
    assert audit_chain_verify().first_broken == order[4]


def test_an_event_inserted_without_a_place_is_found(chain):
    raw(
        "INSERT INTO audit_auditevent (occurred_at, actor_label, agency_label, action, "
        "object_type, object_id, object_repr, region_code, data) "
        "VALUES (%s, 'x', '', 'accounts.user.updated', '', '', 'palsu', '', '{}')",
        [chain[0].occurred_at],
    )
    inserted = AuditEvent.objects.get(object_repr="palsu")
    code, report = verify_command()
    assert (code, report["first_broken"]) == (1, inserted.pk)
    assert report["events"] == AuditEvent.objects.count()


def test_an_event_inserted_with_a_forged_place_is_found(chain):
    head = AuditEvent.objects.order_by("-seq").first()
    raw(
        "INSERT INTO audit_auditevent (occurred_at, actor_label, agency_label, action, "
        "object_type, object_id, object_repr, region_code, data, seq, prev_hash, hash) "
        "VALUES (%s, 'x', '', 'accounts.user.updated', '', '', 'palsu', '', '{}', %s, %s, %s)",
        [head.occurred_at, head.seq + 1, head.hash, head.hash],
    )
    assert audit_chain_verify().first_broken == AuditEvent.objects.get(object_repr="palsu").pk


def test_the_digest_is_stable_across_storage(chain):
    """What is read back hashes to what was written (JSON keys, floats, IPv6, time)."""
    for event in AuditEvent.objects.order_by("seq"):
        values = [
            event.occurred_at,
            event.actor_id,
            event.actor_label,
            event.agency_label,
            event.action,
            event.object_type,
            event.object_id,
            event.object_repr,
            event.region_code,
            event.before,
            event.after,
            event.data,
            event.ip_address,
        ]
        assert event_digest(event.prev_hash, event.seq, values) == event.hash


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
    reason="concurrent writers need PostgreSQL (SQLite has one writer)",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_chain(reference_data):
    """Eight threads append at once; the lock leaves one gap-free chain."""
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def write() -> None:
        try:
            barrier.wait()
            for _ in range(10):
                with transaction.atomic():
                    audit_record(action="accounts.user.updated", acting_user=None)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    report = audit_chain_verify()
    assert report.ok, report
    assert report.head_seq == AuditEvent.objects.count()


class _Editor:
    """What RunPython's schema editor gives the backfill: the connection and execute()
    (SQLite's real editor cannot open inside the test's transaction)."""

    connection = connection

    def execute(self, sql: str) -> None:
        raw(sql, [])


def test_the_backfill_migration_chains_old_events_in_batches(chain, monkeypatch):
    """Events from before the chain (no seq) get a chain that ``audit_verify`` accepts,
    equal to the one the app writes; a re-run changes nothing."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("jamsos.audit.migrations.0005_audit_chain_backfill")
    monkeypatch.setattr(migration, "BATCH", 3)  # several batches over the fixture's events
    written = dict(AuditEvent.objects.values_list("id", "hash"))
    raw("UPDATE audit_auditevent SET seq = NULL, prev_hash = NULL, hash = NULL", [])
    assert audit_chain_verify().ok is False
    migration.forward(apps, _Editor())
    assert audit_chain_verify().ok
    assert dict(AuditEvent.objects.values_list("id", "hash")) == written
    migration.forward(apps, _Editor())
    assert dict(AuditEvent.objects.values_list("id", "hash")) == written


def test_the_bulk_writers_of_imports_and_decrees_chain(chain, personas):
    """Intake's person import and the decree/membership writers go through the chain."""
    import datetime as dt

    from jamsos.enrollment.services.common import audit_bulk, audit_rows_insert
    from jamsos.registry.models import Occupation
    from jamsos.registry.services import PersonData, person_bulk_create_prevalidated

    before = AuditEvent.objects.count()
    with transaction.atomic():
        person_bulk_create_prevalidated(
            persons=[
                PersonData(
                    nik=f"130301010190000{i}",
                    full_name=f"Peserta {i}",
                    birth_date=dt.date(1990, 1, 1),
                    sex="L",
                    village=personas.agent.region_id,
                    occupation=Occupation.objects.first().pk,
                    source_row=i + 2,
                )
                for i in range(3)
            ],
            acting_user=personas.dinas_operator,
            data={"batch": 9},
        )
        audit_bulk(
            [audit_event_build(action="accounts.user.updated", acting_user=None, data={"x": 1})]
        )
        audit_rows_insert(
            acting_user=personas.bpjs_officer,
            object_type="enrollment.decreeline",
            rows=[("registry.person.updated", "1", "Baris", "13.03", None, {"a": 1}, {})],
        )
    assert AuditEvent.objects.count() == before + 5
    created = AuditEvent.objects.filter(action="registry.person.created", data__batch=9)
    assert [e.data for e in created.order_by("seq")] == [{"batch": 9, "row": r} for r in (2, 3, 4)]
    assert audit_chain_verify().ok


@pytest.fixture
def batch_event(chain, personas):
    """One intake-style event for five persons in two villages: two object ranges."""
    import datetime as dt

    from jamsos.registry.models import Occupation
    from jamsos.registry.services import PersonData, person_bulk_create_prevalidated

    villages = ("13.03.03.2001", "13.03.04.2001")
    with transaction.atomic():
        person_bulk_create_prevalidated(
            persons=[
                PersonData(
                    nik=f"130301010190000{i}",
                    full_name=f"Peserta {i}",
                    birth_date=dt.date(1990, 1, 1),
                    sex="L",
                    village=villages[i % 2],
                    occupation=Occupation.objects.first().pk,
                    source_row=i + 2,
                )
                for i in range(5)
            ],
            acting_user=personas.dinas_operator,
            data={"batch": 11},
            one_event=True,
        )
    return AuditEvent.objects.get(action="registry.person.batch_created")


def test_object_ranges_match_their_event(batch_event):
    code, report = verify_command()
    assert (code, report["object_ranges"]) == (0, {"ranges": 2, "ok": True, "first_broken": None})


@pytest.mark.parametrize(
    "tamper",
    [
        "DELETE FROM audit_auditobjectrange "
        "WHERE id = (SELECT min(id) FROM audit_auditobjectrange)",
        "UPDATE audit_auditobjectrange SET last_id = last_id + 1 "
        "WHERE id = (SELECT min(id) FROM audit_auditobjectrange)",
        "UPDATE audit_auditobjectrange SET region_code = '13.03.01.2001' "
        "WHERE id = (SELECT min(id) FROM audit_auditobjectrange)",
    ],
    ids=["removed", "widened", "moved"],
)
def test_a_tampered_object_range_is_found(batch_event, tamper):
    raw(tamper, [])
    code, report = verify_command()
    assert code == 1
    assert report["ok"] is False
    assert report["object_ranges"]["first_broken"] == batch_event.pk
    assert report["first_broken"] is None  # the chain itself is intact


def test_an_object_range_pinned_on_another_event_is_found(batch_event, chain):
    raw(
        "INSERT INTO audit_auditobjectrange (event_id, object_type, first_id, last_id, "
        "region_code) VALUES (%s, 'registry.person', 1, 3, '13.03.03.2001')",
        [chain[0].pk],
    )
    code, report = verify_command()
    assert (code, report["object_ranges"]["first_broken"]) == (1, chain[0].pk)
