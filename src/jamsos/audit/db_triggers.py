"""Install or drop the append-only triggers on a live connection (tests, maintenance).

Same SQL as migrations 0002 (audit events) and 0008 (the personal-data access log),
which keep their own copies so that history never changes.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

_SQLITE_ON = [
    "CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;",
    "CREATE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;",
]
_SQLITE_OFF = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update;",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_delete;",
]
_PG_ON = [
    "CREATE OR REPLACE FUNCTION audit_auditevent_refuse_change() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'audit events are append-only' "
    "USING ERRCODE = 'insufficient_privilege'; END; $$ LANGUAGE plpgsql;",
    "CREATE TRIGGER audit_auditevent_no_change BEFORE UPDATE OR DELETE ON audit_auditevent "
    "FOR EACH ROW EXECUTE FUNCTION audit_auditevent_refuse_change();",
    "CREATE TRIGGER audit_auditevent_no_truncate BEFORE TRUNCATE ON audit_auditevent "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_auditevent_refuse_change();",
]
_PG_OFF = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON audit_auditevent;",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_change ON audit_auditevent;",
    "DROP FUNCTION IF EXISTS audit_auditevent_refuse_change();",
]


_ACCESS_TABLES = ("audit_personaldataaccess", "audit_personaldataaccessitem")
_SQLITE_ON += [
    f"CREATE TRIGGER {t}_no_{op.lower()} BEFORE {op} ON {t} "
    "BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;"
    for t in _ACCESS_TABLES
    for op in ("UPDATE", "DELETE")
]
_SQLITE_OFF += [
    f"DROP TRIGGER IF EXISTS {t}_no_{op};" for t in _ACCESS_TABLES for op in ("update", "delete")
]
_PG_ON += [
    "CREATE OR REPLACE FUNCTION audit_access_log_refuse_change() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'the access log is append-only' "
    "USING ERRCODE = 'insufficient_privilege'; END; $$ LANGUAGE plpgsql;",
    *(
        sql
        for t in _ACCESS_TABLES
        for sql in (
            f"CREATE TRIGGER {t}_no_change BEFORE UPDATE OR DELETE ON {t} "
            "FOR EACH ROW EXECUTE FUNCTION audit_access_log_refuse_change();",
            f"CREATE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {t} "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_access_log_refuse_change();",
        )
    ),
]
_PG_OFF += [
    *(
        sql
        for t in _ACCESS_TABLES
        for sql in (
            f"DROP TRIGGER IF EXISTS {t}_no_truncate ON {t};",
            f"DROP TRIGGER IF EXISTS {t}_no_change ON {t};",
        )
    ),
    "DROP FUNCTION IF EXISTS audit_access_log_refuse_change();",
]


# The ranges of objects an event names (``AuditObjectRange``, migration 0009).
_RANGES = "audit_auditobjectrange"
_SQLITE_ON += [
    f"CREATE TRIGGER {_RANGES}_no_{op.lower()} BEFORE {op} ON {_RANGES} "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;"
    for op in ("UPDATE", "DELETE")
]
_SQLITE_OFF += [f"DROP TRIGGER IF EXISTS {_RANGES}_no_{op};" for op in ("update", "delete")]
_PG_ON += [
    f"CREATE TRIGGER {_RANGES}_no_change BEFORE UPDATE OR DELETE ON {_RANGES} "
    "FOR EACH ROW EXECUTE FUNCTION audit_auditevent_refuse_change();",
    f"CREATE TRIGGER {_RANGES}_no_truncate BEFORE TRUNCATE ON {_RANGES} "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_auditevent_refuse_change();",
]
# Before the events' function is dropped (the last of the events' statements).
_PG_OFF[2:2] = [
    f"DROP TRIGGER IF EXISTS {_RANGES}_no_truncate ON {_RANGES};",
    f"DROP TRIGGER IF EXISTS {_RANGES}_no_change ON {_RANGES};",
]


def _run(connection: BaseDatabaseWrapper, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def install_append_only_triggers(connection: BaseDatabaseWrapper) -> None:
    _run(connection, _PG_ON if connection.vendor == "postgresql" else _SQLITE_ON)


def drop_append_only_triggers(connection: BaseDatabaseWrapper) -> None:
    _run(connection, _PG_OFF if connection.vendor == "postgresql" else _SQLITE_OFF)
