"""PostgreSQL: the bill line table becomes partitioned by month (see
``contributions.partitions``). Existing lines are copied into one partition per month,
then the key and the bill index are built on the partitioned table under their old
names. SQLite: nothing changes."""

import datetime as dt

from django.db import migrations

TABLE = "contributions_billline"


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    old = f"{TABLE}_unpartitioned"
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
            "WHERE c.relname = %s",
            [TABLE],
        )
        if cursor.fetchone():
            return
        cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {old}")
        cursor.execute(f"ALTER INDEX {TABLE}_pkey RENAME TO {old}_pkey")
        cursor.execute(f"ALTER INDEX {TABLE}_bill_id_ea29f30a RENAME TO {old}_bill")
        cursor.execute(
            f"ALTER TABLE {old} RENAME CONSTRAINT {TABLE}_amount_check TO {old}_amount_check"
        )
        cursor.execute(
            f"CREATE TABLE {TABLE} (month date NOT NULL, amount bigint NOT NULL "
            f"CONSTRAINT {TABLE}_amount_check CHECK (amount >= 0), "
            "bill_id bigint NOT NULL, membership_id bigint NOT NULL) PARTITION BY RANGE (month)"
        )
        cursor.execute(f"CREATE TABLE {TABLE}_default PARTITION OF {TABLE} DEFAULT")
        cursor.execute(f"SELECT DISTINCT date_trunc('month', month)::date FROM {old} ORDER BY 1")
        for (start,) in cursor.fetchall():
            end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            name = f"{TABLE}_m{start.year:04d}{start.month:02d}"
            cursor.execute(
                f"CREATE TABLE {name} PARTITION OF {TABLE} "
                f"FOR VALUES FROM (DATE '{start.isoformat()}') TO (DATE '{end.isoformat()}')"
            )
        cursor.execute(
            f"INSERT INTO {TABLE} (month, amount, bill_id, membership_id) "  # noqa: S608
            f"SELECT month, amount, bill_id, membership_id FROM {old} "
            "ORDER BY month, membership_id"
        )
        cursor.execute(f"DROP TABLE {old}")
        cursor.execute(
            f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (membership_id, month)"
        )
        cursor.execute(f"CREATE INDEX {TABLE}_bill_id_ea29f30a ON {TABLE} (bill_id)")
        cursor.execute(f"ANALYZE {TABLE}")


class Migration(migrations.Migration):
    dependencies = [("contributions", "0009_billline_membership_index_dropped")]

    operations = [migrations.RunPython(partition, migrations.RunPython.noop, elidable=False)]
