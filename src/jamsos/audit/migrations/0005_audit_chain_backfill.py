"""Chain the audit events written before the hash chain existed (audit.chain).

Events get ``seq`` 1, 2, 3, … in id order (the order they were written) and their hashes,
in batches of 2,000, continuing from the last chained event: re-running it (or running it
after a partial run) chains only what is still unchained.

The append-only triggers refuse the UPDATE, so they are dropped and installed again
around it, inside this migration's transaction on PostgreSQL (nobody sees the gap). On
SQLite they are installed again as well: ``0004`` may have rebuilt the table, and
rebuilding a SQLite table drops its triggers. The hashing below is a frozen copy of
``jamsos.audit.chain`` (a migration must not change when app code does).

Backward: nothing to undo (``0004`` removes the columns).
"""

import datetime as dt
import hashlib
import json

from django.conf import settings
from django.db import migrations

BATCH = 2000
GENESIS = "0" * 64
FIELDS = (
    "occurred_at",
    "actor",
    "actor_label",
    "agency_label",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "region_code",
    "before",
    "after",
    "data",
    "ip_address",
)

SQLITE_OFF = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update;",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_delete;",
]
SQLITE_ON = [
    "CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;",
    "CREATE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;",
]
PG_OFF = ["DROP TRIGGER IF EXISTS audit_auditevent_no_change ON audit_auditevent;"]
PG_ON = [
    "CREATE OR REPLACE FUNCTION audit_auditevent_refuse_change() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'audit events are append-only' "
    "USING ERRCODE = 'insufficient_privilege'; END; $$ LANGUAGE plpgsql;",
    "CREATE TRIGGER audit_auditevent_no_change BEFORE UPDATE OR DELETE ON audit_auditevent "
    "FOR EACH ROW EXECUTE FUNCTION audit_auditevent_refuse_change();",
]


def _json_key(key):
    if isinstance(key, str):
        return key
    if key is True:
        return "true"
    if key is False:
        return "false"
    if key is None:
        return "null"
    return json.dumps(key)


def _normal(value):
    if isinstance(value, dict):
        return {_json_key(k): _normal(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_normal(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _digest(prev_hash, seq, values):
    occurred_at, actor, actor_label, agency_label, action, object_type, object_id = values[:7]
    object_repr, region_code, before, after, data, ip_address = values[7:]
    payload = [
        seq,
        occurred_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        actor,
        actor_label,
        agency_label,
        action,
        object_type,
        object_id,
        object_repr,
        region_code,
        _normal(before),
        _normal(after),
        _normal(data if data is not None else {}),
        ip_address or None,
    ]
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(f"{prev_hash}:{text}".encode()).hexdigest()


def _run(schema_editor, statements):
    for sql in statements:
        schema_editor.execute(sql)


def forward(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    db = schema_editor.connection.alias
    pg = schema_editor.connection.vendor == "postgresql"
    triggers = getattr(settings, "AUDIT_APPEND_ONLY_TRIGGERS", True)
    if triggers:
        _run(schema_editor, PG_OFF if pg else SQLITE_OFF)
    events = AuditEvent.objects.using(db)
    head = events.filter(seq__isnull=False).order_by("-seq").values_list("seq", "hash").first()
    seq, prev = head or (0, GENESIS)
    last_id = 0
    while True:
        batch = list(
            events.filter(seq__isnull=True, id__gt=last_id)
            .order_by("id")
            .values_list("id", *FIELDS)[:BATCH]
        )
        if not batch:
            break
        updates = []
        for pk, *values in batch:
            seq += 1
            digest = _digest(prev, seq, values)
            updates.append((seq, prev, digest, pk))
            prev = digest
            last_id = pk
        with schema_editor.connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE audit_auditevent SET seq = %s, prev_hash = %s, hash = %s WHERE id = %s",
                updates,
            )
    if triggers:
        _run(schema_editor, PG_ON if pg else SQLITE_OFF + SQLITE_ON)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_audit_chain_fields")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
