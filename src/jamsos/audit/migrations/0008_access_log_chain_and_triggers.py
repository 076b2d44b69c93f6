"""Chain the personal-data access log and make it append-only in the database.

1. Reads written before the chain existed get ``seq`` 1, 2, 3, … in id order and their
   hashes (``jamsos.audit.access_chain``, frozen copy below), in batches, continuing
   from the last chained read, so a re-run chains only what is still unchained.
2. Triggers refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL) on the access rows
   and their items, as ``0002`` does for the audit events: raw SQL and other programs
   connected to the database cannot rewrite who saw whose data.

Backward: drops the triggers (``0007`` removes the chain columns). The test settings
turn the triggers off (AUDIT_APPEND_ONLY_TRIGGERS), as for ``0002``.
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
    "viewer",
    "viewer_label",
    "agency_label",
    "purpose",
    "path",
    "fields",
    "person_count",
    "ip_address",
)
TABLES = ("audit_personaldataaccess", "audit_personaldataaccessitem")


def _sqlite_on(table):
    return [
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        "BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
        "BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;",
    ]


def _sqlite_off(table):
    return [f"DROP TRIGGER IF EXISTS {table}_no_update;", f"DROP TRIGGER IF EXISTS {table}_no_delete;"]


PG_FUNCTION = (
    "CREATE OR REPLACE FUNCTION audit_access_log_refuse_change() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'the access log is append-only' "
    "USING ERRCODE = 'insufficient_privilege'; END; $$ LANGUAGE plpgsql;"
)


def _pg_on(table):
    return [
        f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION audit_access_log_refuse_change();",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_access_log_refuse_change();",
    ]


def _pg_off(table):
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};",
        f"DROP TRIGGER IF EXISTS {table}_no_change ON {table};",
    ]


def _items_digest(items):
    text = "\n".join(f"{pk}:{digest}" for pk, digest in sorted(items))
    return hashlib.sha256(text.encode()).hexdigest()


def _digest(prev_hash, seq, values, persons):
    occurred_at, viewer, viewer_label, agency_label, purpose, path, fields = values[:7]
    person_count, ip_address = values[7:]
    payload = [
        seq,
        occurred_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        viewer,
        viewer_label,
        agency_label,
        purpose,
        path,
        list(fields or []),
        person_count,
        ip_address or None,
        persons,
    ]
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(f"{prev_hash}:{text}".encode()).hexdigest()


def _run(schema_editor, statements):
    for sql in statements:
        schema_editor.execute(sql)


def forward(apps, schema_editor):
    Access = apps.get_model("audit", "PersonalDataAccess")
    Item = apps.get_model("audit", "PersonalDataAccessItem")
    db = schema_editor.connection.alias
    reads = Access.objects.using(db)
    head = reads.filter(seq__isnull=False).order_by("-seq").values_list("seq", "hash").first()
    seq, prev = head or (0, GENESIS)
    last_id = 0
    while True:
        batch = list(
            reads.filter(seq__isnull=True, id__gt=last_id)
            .order_by("id")
            .values_list("id", *FIELDS)[:BATCH]
        )
        if not batch:
            break
        items = {}
        for access_id, person_id, digest in Item.objects.using(db).filter(
            access_id__in=[row[0] for row in batch]
        ).values_list("access_id", "person_id", "nik_digest"):
            items.setdefault(access_id, []).append((person_id, digest))
        updates = []
        for pk, *values in batch:
            seq += 1
            digest = _digest(prev, seq, values, _items_digest(items.get(pk, [])))
            updates.append((seq, prev, digest, pk))
            prev = digest
            last_id = pk
        with schema_editor.connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE audit_personaldataaccess SET seq = %s, prev_hash = %s, hash = %s "
                "WHERE id = %s",
                updates,
            )
    if not getattr(settings, "AUDIT_APPEND_ONLY_TRIGGERS", True):
        return
    if schema_editor.connection.vendor == "postgresql":
        _run(schema_editor, [PG_FUNCTION] + [sql for t in TABLES for sql in _pg_on(t)])
    else:
        _run(schema_editor, [sql for t in TABLES for sql in _sqlite_on(t)])


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _run(schema_editor, [sql for t in TABLES for sql in _pg_off(t)])
        _run(schema_editor, ["DROP FUNCTION IF EXISTS audit_access_log_refuse_change();"])
    else:
        _run(schema_editor, [sql for t in TABLES for sql in _sqlite_off(t)])


class Migration(migrations.Migration):
    dependencies = [("audit", "0007_access_log_chain_fields")]

    operations = [migrations.RunPython(forward, backward)]
