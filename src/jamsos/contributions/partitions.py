"""Bill lines partitioned by month on PostgreSQL (migration 0010).

The line table is the biggest of the system (members × months). With one table, each
month's billing run inserts a million keys (membership, month) spread over the whole
primary-key index — 782 MB at 12 months for 1M members, through 128 MB of buffers — so
every month costs more than the last. Partitioned by month, a month's lines go into a
table of their own: its key index is built by appending, and a probe for (membership,
month) reads one small index. Every query of the line table is unchanged (the key is
still (membership, month); a query by membership reads each month's index once).

The billing run (``line_partitions_ensure``) creates the partition of each month it
bills before its own transaction; lines written without it (demo data, tests) land in
the default partition and move to their month's table when it is created. SQLite: one
table, nothing to do.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction

from jamsos.lib.periods import Month

LINE_TABLE = "contributions_billline"
DEFAULT_PARTITION = f"{LINE_TABLE}_default"


def partition_name(month: Month) -> str:
    return f"{LINE_TABLE}_m{month.year:04d}{month.month:02d}"


def _is_partitioned(cursor) -> bool:
    cursor.execute(
        "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
        "WHERE c.relname = %s AND pg_table_is_visible(c.oid)",
        [LINE_TABLE],
    )
    return cursor.fetchone() is not None


def line_partitions_ensure(months: Iterable[Month]) -> list[str]:
    """Create the partitions of ``months`` that do not exist yet; return their names.

    Under a transaction-scoped advisory lock (two runs creating one month wait for each
    other). Rows of the month already in the default partition move into the new table
    before it is attached; the new table carries the month as a CHECK so attaching it
    need not scan it."""
    if connection.vendor != "postgresql":
        return []
    created = []
    with transaction.atomic(), connection.cursor() as cursor:
        if not _is_partitioned(cursor):
            return []
        wanted = [m for m in sorted(set(months)) if not _exists(cursor, partition_name(m))]
        if not wanted:
            return []
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [LINE_TABLE])
        for month in wanted:
            name = partition_name(month)
            if _exists(cursor, name):  # created by a run we waited for
                continue
            start = month.first_day().isoformat()
            end = month.add(1).first_day().isoformat()
            cursor.execute(
                f"CREATE TABLE {name} (LIKE {LINE_TABLE} INCLUDING DEFAULTS "
                f"INCLUDING CONSTRAINTS, CONSTRAINT {name}_month_check "
                f"CHECK (month >= DATE '{start}' AND month < DATE '{end}'))"
            )
            cursor.execute(
                f"WITH moved AS (DELETE FROM {DEFAULT_PARTITION} "  # noqa: S608
                f"WHERE month >= DATE '{start}' AND month < DATE '{end}' "
                "RETURNING month, amount, bill_id, membership_id) "
                f"INSERT INTO {name} (month, amount, bill_id, membership_id) "
                "SELECT month, amount, bill_id, membership_id FROM moved"
            )
            cursor.execute(
                f"ALTER TABLE {LINE_TABLE} ATTACH PARTITION {name} "
                f"FOR VALUES FROM (DATE '{start}') TO (DATE '{end}')"
            )
            created.append(name)
    return created


def _exists(cursor, name: str) -> bool:
    # A query of pg_class under the statement's snapshot, not ``to_regclass``: after
    # waiting for another run's lock that one reads a catalog cache that may not yet
    # show the table the other run just committed.
    cursor.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n "
        "ON n.oid = c.relnamespace WHERE c.relname = %s AND n.nspname = current_schema())",
        [name],
    )
    return bool(cursor.fetchone()[0])


def line_partitions_analyze(days: Iterable) -> None:
    """Refresh the statistics of the month tables just written (a sample: ~0.3 s for a
    million lines), so the next run's plan knows their size rather than guessing a
    fresh table's (the trap of a never-analyzed line table: a scan per membership)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for day in days:
            name = partition_name(Month.from_date(day))
            if _exists(cursor, name):
                cursor.execute(f"ANALYZE {name}")
