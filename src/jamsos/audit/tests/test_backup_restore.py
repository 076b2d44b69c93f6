"""Rehearse docs/operations.md "Backup and restore": back up a demo database, restore it
into a new one, and check that every table holds as many rows as before and that the
audit chain of the copy verifies.

SQLite runs with the tests on SQLite (the online ``.backup`` API, as the docs' Python
one-liner); PostgreSQL runs when DATABASE_URL is PostgreSQL (``pg_dump -Fc`` and
``pg_restore --no-owner --exit-on-error`` into a fresh database, as the docs do).
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.db.utils import load_backend

from jamsos.audit.chain import audit_chain_verify
from jamsos.audit.models import AuditEvent
from jamsos.demo.services import demo_load

pytestmark = pytest.mark.django_db(transaction=True)

RESTORED = "restored"
ON_SQLITE = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")


def row_counts(alias: str) -> dict[str, int]:
    conn = connections[alias]
    counts = {}
    with conn.cursor() as cursor:
        for table in sorted(conn.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {conn.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def open_restored(name: str) -> None:
    """Open the restored database as a second connection with the same settings (made
    directly, not declared in DATABASES: the test runner allows such connections)."""
    settings = {**connections.settings["default"], "NAME": name}
    backend = load_backend(settings["ENGINE"])
    connections[RESTORED] = backend.DatabaseWrapper(settings, alias=RESTORED)


def close_restored() -> None:
    connections[RESTORED].close()
    del connections[RESTORED]


@pytest.fixture
def demo(reference_data) -> Iterator[None]:
    demo_load(people=60, seed=3, as_of=dt.date(2026, 6, 1))
    yield


def check_restored_copy() -> None:
    before = row_counts("default")
    after = row_counts(RESTORED)
    assert after == before
    assert before["registry_person"] >= 60
    assert before["audit_auditevent"] > 60
    # The restored code path of the docs: "migrate" (nothing to do), then the checks.
    call_command("migrate", database=RESTORED, verbosity=0)
    report = audit_chain_verify(using=RESTORED)
    assert report.ok, report
    assert report.events == AuditEvent.objects.count()
    assert report.head_hash == audit_chain_verify().head_hash
    out = StringIO()
    call_command("audit_verify", "--json", "--database", RESTORED, stdout=out)
    assert f'"events": {report.events}, "ok": true' in out.getvalue()


@pytest.mark.skipif(not ON_SQLITE, reason="SQLite rehearsal: the tests run on PostgreSQL")
def test_sqlite_backup_restores(demo, tmp_path: Path):
    backup = tmp_path / "backup.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(backup)
    connection.connection.backup(target)  # the online backup API behind ".backup"
    target.close()
    restored = tmp_path / "jamsos.sqlite3"
    shutil.copy(backup, restored)
    with sqlite3.connect(restored) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    open_restored(str(restored))
    try:
        check_restored_copy()
    finally:
        close_restored()


@pytest.mark.skipif(ON_SQLITE, reason="PostgreSQL rehearsal: runs when DATABASE_URL is PostgreSQL")
@pytest.mark.skipif(
    not (shutil.which("pg_dump") and shutil.which("pg_restore")),
    reason="pg_dump/pg_restore not installed (apt-get install postgresql-client)",
)
def test_postgresql_dump_restores(demo, tmp_path: Path):
    params = connection.get_connection_params()
    env = {"PGPASSWORD": str(params.get("password") or ""), "PATH": "/usr/bin:/bin"}
    common = [
        "-h",
        str(params.get("host") or "localhost"),
        "-p",
        str(params.get("port") or 5432),
        "-U",
        str(params.get("user") or "postgres"),
    ]
    dump = tmp_path / "jamsos.dump"
    subprocess.run(
        ["pg_dump", *common, "-Fc", "-d", params["dbname"], "-f", str(dump)],
        check=True,
        env=env,
    )
    name = f"{params['dbname']}_restore_{uuid.uuid4().hex[:6]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        subprocess.run(
            ["pg_restore", *common, "--no-owner", "--exit-on-error", "-d", name, str(dump)],
            check=True,
            env=env,
        )
        open_restored(name)
        try:
            check_restored_copy()
        finally:
            close_restored()
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
