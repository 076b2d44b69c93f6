"""``AuditObjectRange``: the ids one audit event is about when it is about many (an
intake batch's persons), so their histories find it. Append-only in the database too,
as ``0002`` makes the events (the test settings turn the triggers off,
AUDIT_APPEND_ONLY_TRIGGERS); backward drops the triggers with the table."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TABLE = "audit_auditobjectrange"
PG_ON = [
    "CREATE OR REPLACE FUNCTION audit_auditevent_refuse_change() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'audit events are append-only' "
    "USING ERRCODE = 'insufficient_privilege'; END; $$ LANGUAGE plpgsql;",
    f"CREATE TRIGGER {TABLE}_no_change BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION audit_auditevent_refuse_change();",
    f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_auditevent_refuse_change();",
]
PG_OFF = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE};",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_change ON {TABLE};",
]
SQLITE_ON = [
    f"CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE} "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;",
    f"CREATE TRIGGER {TABLE}_no_delete BEFORE DELETE ON {TABLE} "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;",
]
SQLITE_OFF = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_update;",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_delete;",
]


def _run(schema_editor, statements):
    for sql in statements:
        schema_editor.execute(sql)


def forward(apps, schema_editor):
    if not getattr(settings, "AUDIT_APPEND_ONLY_TRIGGERS", True):
        return
    postgres = schema_editor.connection.vendor == "postgresql"
    _run(schema_editor, PG_ON if postgres else SQLITE_ON)


def backward(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    _run(schema_editor, PG_OFF if postgres else SQLITE_OFF)


class Migration(migrations.Migration):
    dependencies = [("audit", "0008_access_log_chain_and_triggers")]

    operations = [
        migrations.CreateModel(
            name="AuditObjectRange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("object_type", models.CharField(max_length=80)),
                ("first_id", models.BigIntegerField()),
                ("last_id", models.BigIntegerField()),
                ("region_code", models.CharField(blank=True, max_length=13)),
                (
                    "event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="object_ranges",
                        to="audit.auditevent",
                    ),
                ),
            ],
            options={
                "verbose_name": "rentang objek peristiwa audit",
                "verbose_name_plural": "rentang objek peristiwa audit",
                "base_manager_name": "objects",
                "indexes": [
                    models.Index(
                        fields=["object_type", "first_id", "last_id"], name="audit_range_idx"
                    )
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("first_id__lte", models.F("last_id"))),
                        name="audit_range_ordered",
                    )
                ],
            },
        ),
        migrations.RunPython(forward, backward),
    ]
