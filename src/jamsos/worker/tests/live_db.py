"""Read a live system's database from the test process (SQLite file or PostgreSQL)."""

from __future__ import annotations

import sqlite3
from typing import Any

from jamsos.web.tests.live_system import LiveSystem


def query(system: LiveSystem, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    url = system.env.get("DATABASE_URL")
    if url:
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            return list(conn.execute(sql.replace("?", "%s"), params).fetchall())
    conn = sqlite3.connect(system.data_dir / "jamsos.sqlite3", timeout=10)
    try:
        return list(conn.execute(sql, params).fetchall())
    finally:
        conn.close()


def scalar(system: LiveSystem, sql: str, params: tuple[Any, ...] = ()) -> Any:
    rows = query(system, sql, params)
    return rows[0][0] if rows else None
