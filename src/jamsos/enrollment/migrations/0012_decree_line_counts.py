"""The decree line count summary (``DecreeLineCount``), kept by triggers, and its backfill.

As migration 0011 for the memberships: PostgreSQL one trigger per statement for INSERT,
UPDATE and DELETE reading the statement's transition tables (a decree's thousands of
lines, or a BPJS result file's updates, add one grouped upsert); an UPDATE writes only
the groups whose counts moved. TRUNCATE empties the summary. SQLite: row triggers.
"""

import django.db.models.deletion
from django.db import migrations, models


GROUP = "decree_id, village_id, action, bpjs_status, bpjs_reason_code"
TABLE = "enrollment_decreelinecount"

BACKFILL = f"""
INSERT INTO {TABLE} ({GROUP}, n)
SELECT {GROUP}, COUNT(*) FROM enrollment_decreeline GROUP BY {GROUP}
"""

POSTGRESQL = f"""
LOCK TABLE enrollment_decreeline IN SHARE ROW EXCLUSIVE MODE;

CREATE FUNCTION enrollment_decreeline_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM {TABLE};
    ELSIF TG_OP = 'INSERT' THEN
        -- In key order: two writers upserting the same groups lock them in one order.
        INSERT INTO {TABLE} AS c ({GROUP}, n)
        SELECT {GROUP}, COUNT(*) FROM new_rows GROUP BY {GROUP} ORDER BY {GROUP}
        ON CONFLICT ({GROUP}) DO UPDATE SET n = c.n + EXCLUDED.n;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE {TABLE} AS c SET n = c.n - d.n
        FROM (SELECT {GROUP}, COUNT(*) AS n FROM old_rows GROUP BY {GROUP}) AS d
        WHERE (c.decree_id, c.village_id, c.action, c.bpjs_status, c.bpjs_reason_code)
            = (d.decree_id, d.village_id, d.action, d.bpjs_status, d.bpjs_reason_code);
    ELSE
        INSERT INTO {TABLE} AS c ({GROUP}, n)
        SELECT {GROUP}, SUM(delta) FROM (
            SELECT {GROUP}, 1 AS delta FROM new_rows
            UNION ALL
            SELECT {GROUP}, -1 AS delta FROM old_rows
        ) AS moved
        GROUP BY {GROUP} HAVING SUM(delta) <> 0 ORDER BY {GROUP}
        ON CONFLICT ({GROUP}) DO UPDATE SET n = c.n + EXCLUDED.n;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER enrollment_decreeline_count_ins AFTER INSERT ON enrollment_decreeline
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION enrollment_decreeline_count();
CREATE TRIGGER enrollment_decreeline_count_upd AFTER UPDATE ON enrollment_decreeline
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION enrollment_decreeline_count();
CREATE TRIGGER enrollment_decreeline_count_del AFTER DELETE ON enrollment_decreeline
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION enrollment_decreeline_count();
CREATE TRIGGER enrollment_decreeline_count_trunc AFTER TRUNCATE ON enrollment_decreeline
    FOR EACH STATEMENT EXECUTE FUNCTION enrollment_decreeline_count();
"""

POSTGRESQL_DROP = """
DROP TRIGGER IF EXISTS enrollment_decreeline_count_ins ON enrollment_decreeline;
DROP TRIGGER IF EXISTS enrollment_decreeline_count_upd ON enrollment_decreeline;
DROP TRIGGER IF EXISTS enrollment_decreeline_count_del ON enrollment_decreeline;
DROP TRIGGER IF EXISTS enrollment_decreeline_count_trunc ON enrollment_decreeline;
DROP FUNCTION IF EXISTS enrollment_decreeline_count();
"""

_OLD = "OLD.decree_id, OLD.village_id, OLD.action, OLD.bpjs_status, OLD.bpjs_reason_code"
_NEW = "NEW.decree_id, NEW.village_id, NEW.action, NEW.bpjs_status, NEW.bpjs_reason_code"
_DECREMENT = f"""UPDATE {TABLE} SET n = n - 1
        WHERE (decree_id, village_id, action, bpjs_status, bpjs_reason_code) = ({_OLD});"""
_INCREMENT = f"""INSERT INTO {TABLE} ({GROUP}, n) VALUES ({_NEW}, 1)
        ON CONFLICT ({GROUP}) DO UPDATE SET n = n + 1;"""

SQLITE = [
    f"""CREATE TRIGGER enrollment_decreeline_count_ins AFTER INSERT ON enrollment_decreeline
    BEGIN {_INCREMENT} END""",
    f"""CREATE TRIGGER enrollment_decreeline_count_del AFTER DELETE ON enrollment_decreeline
    BEGIN {_DECREMENT} END""",
    f"""CREATE TRIGGER enrollment_decreeline_count_upd AFTER UPDATE OF
        decree_id, village_id, action, bpjs_status, bpjs_reason_code
        ON enrollment_decreeline
    WHEN OLD.decree_id IS NOT NEW.decree_id
        OR OLD.village_id IS NOT NEW.village_id
        OR OLD.action IS NOT NEW.action
        OR OLD.bpjs_status IS NOT NEW.bpjs_status
        OR OLD.bpjs_reason_code IS NOT NEW.bpjs_reason_code
    BEGIN {_DECREMENT} {_INCREMENT} END""",
]

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS enrollment_decreeline_count_ins",
    "DROP TRIGGER IF EXISTS enrollment_decreeline_count_del",
    "DROP TRIGGER IF EXISTS enrollment_decreeline_count_upd",
]


def _install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE:
            schema_editor.execute(statement)
    schema_editor.execute(BACKFILL, params=None)


def _uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_DROP, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('enrollment', '0011_membership_counts'),
        ('regions', '0002_load_kemendagri_2025'),
    ]

    operations = [
        migrations.CreateModel(
            name='DecreeLineCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('action', models.CharField(choices=[('add', 'Penerima'), ('remove', 'Dicoret (SK perubahan)')], max_length=6)),
                ('bpjs_status', models.CharField(choices=[('pending', 'Menunggu verifikasi BPJS'), ('accepted', 'Diterima BPJS'), ('rejected', 'Ditolak BPJS')], max_length=10)),
                ('bpjs_reason_code', models.CharField(blank=True, max_length=20)),
                ('n', models.IntegerField(default=0)),
                ('decree', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='enrollment.decree')),
                ('village', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='regions.region')),
            ],
            options={
                'verbose_name': 'jumlah baris SK',
                'verbose_name_plural': 'jumlah baris SK',
                'constraints': [models.UniqueConstraint(fields=('decree', 'village', 'action', 'bpjs_status', 'bpjs_reason_code'), name='enrollment_line_count_group_unique')],
            },
        ),
        # Builds triggers (the backfill counts rows already there): the tests' reference-data
        # reload skips it.
        migrations.RunPython(_install, _uninstall, hints={"schema_only": True}),
    ]
