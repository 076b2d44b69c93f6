"""Audit rows cannot change: in the ORM, in bulk, and (with the triggers) in raw SQL."""

from __future__ import annotations

import importlib

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from jamsos.audit.db_triggers import drop_append_only_triggers, install_append_only_triggers
from jamsos.audit.models import AppendOnlyError, AuditEvent, AuditObjectRange
from jamsos.audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(personas):
    return audit_record(
        action="accounts.user.updated",
        acting_user=personas.admin,
        obj=personas.agent,
        before={"full_name": "A"},
        after={"full_name": "B"},
    )


def raw_sql(sql: str, params: list | None = None) -> None:
    """Run one statement in a savepoint, so a refused one does not spoil the test."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def triggers():
    """The production triggers, installed inside the test's transaction."""
    assert not settings.AUDIT_APPEND_ONLY_TRIGGERS  # tests start without them
    install_append_only_triggers(connection)
    yield
    drop_append_only_triggers(connection)


def test_saving_an_existing_event_raises(event):
    event.object_repr = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.save(update_fields=["object_repr"])
    assert AuditEvent.objects.get(pk=event.pk).object_repr != "changed"


def test_deleting_an_event_raises(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_queryset_update_and_delete_raise(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_update([event], ["action"])
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.update_or_create(pk=event.pk, defaults={"action": "x"})
    assert AuditEvent.objects.get(pk=event.pk).action == "accounts.user.updated"


def test_base_and_related_managers_refuse_too(event, personas):
    # Django uses the base manager internally; a plain one would bypass the refusal.
    with pytest.raises(AppendOnlyError):
        AuditEvent._base_manager.filter(pk=event.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        personas.admin.audit_events.all().delete()
    with pytest.raises(AppendOnlyError):
        personas.admin.audit_events.update(action="x")


def test_raw_sql_update_and_delete_fail_with_triggers(event, triggers):
    with pytest.raises(DatabaseError, match="append-only"):
        raw_sql("UPDATE audit_auditevent SET action = %s WHERE id = %s", ["x", event.pk])
    with pytest.raises(DatabaseError, match="append-only"):
        raw_sql("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "accounts.user.updated"


def test_triggers_still_allow_inserts(event, triggers, personas):
    audit_record(action="accounts.user.logged_in", acting_user=personas.agent, obj=personas.agent)
    assert AuditEvent.objects.count() >= 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL only")
def test_truncate_fails_with_triggers_on_postgresql(event, triggers):
    # Fire the test transaction's deferred FK checks first, or PostgreSQL refuses the
    # TRUNCATE for "pending trigger events" before our trigger gets a say.
    raw_sql("SET CONSTRAINTS ALL IMMEDIATE")
    with pytest.raises(DatabaseError, match="append-only"):
        raw_sql("TRUNCATE audit_auditevent CASCADE")


def test_raw_sql_works_without_triggers(event):
    """The control: the test database has no triggers, so the refusal above is theirs."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = %s WHERE id = %s", ["x", event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "x"


class _Editor:
    """The part of a schema editor the migration uses."""

    def __init__(self) -> None:
        self.connection = connection

    def execute(self, sql: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)


def test_migration_installs_triggers_unless_switched_off(event, settings):
    migration = importlib.import_module("jamsos.audit.migrations.0002_append_only_triggers")
    settings.AUDIT_APPEND_ONLY_TRIGGERS = False
    migration.forward(None, _Editor())
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET data = data WHERE id = %s", [event.pk])

    settings.AUDIT_APPEND_ONLY_TRIGGERS = True
    migration.forward(None, _Editor())
    try:
        with pytest.raises(DatabaseError, match="append-only"):
            raw_sql("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    finally:
        migration.backward(None, _Editor())
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET data = data WHERE id = %s", [event.pk])


@pytest.fixture
def object_range(event):
    return AuditObjectRange.objects.create(
        event=event, object_type="registry.person", first_id=1, last_id=5, region_code="13.03"
    )


def test_object_ranges_are_append_only_too(object_range, triggers):
    """The ranges say which persons a batch event created: as unchangeable as the event."""
    object_range.last_id = 6
    with pytest.raises(AppendOnlyError):
        object_range.save()
    with pytest.raises(AppendOnlyError):
        object_range.delete()
    with pytest.raises(AppendOnlyError):
        AuditObjectRange.objects.filter(pk=object_range.pk).update(last_id=6)
    with pytest.raises(DatabaseError, match="append-only"):
        raw_sql("UPDATE audit_auditobjectrange SET last_id = 6 WHERE id = %s", [object_range.pk])
    with pytest.raises(DatabaseError, match="append-only"):
        raw_sql("DELETE FROM audit_auditobjectrange WHERE id = %s", [object_range.pk])
    assert AuditObjectRange.objects.get(pk=object_range.pk).last_id == 5
