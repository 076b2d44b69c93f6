"""Small SQL building blocks for the set-based queries of this app (billing run,
transparency report): literal rows as a derived table, IN lists, months read back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import connection

from jamsos.lib.periods import Month


def as_month(value: dt.date | str) -> Month:
    if isinstance(value, dt.date):
        return Month.from_date(value)
    return Month.parse(str(value)[:7])


def rows_sql(columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]]) -> tuple[str, list]:
    """A derived table of literal rows: ``unnest`` of one array per column on PostgreSQL
    (a handful of parameters whatever the row count), ``VALUES`` on SQLite (which has
    no row limit there, unlike ``UNION ALL``)."""
    names = [name for name, _type in columns]
    if connection.vendor == "postgresql":
        arrays = ", ".join(f"%s::{sql_type}[]" for _name, sql_type in columns)
        sql = f"SELECT * FROM unnest({arrays}) AS r({', '.join(names)})"  # noqa: S608
        return sql, [[row[i] for row in rows] for i in range(len(columns))]
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    aliases = ", ".join(f"column{i + 1} AS {name}" for i, name in enumerate(names))
    sql = f"SELECT {aliases} FROM (VALUES {', '.join([one] * len(rows))})"  # noqa: S608
    params = [
        value.isoformat() if isinstance(value, dt.date) else value for row in rows for value in row
    ]
    return sql, params


def in_sql(values: Sequence[Any]) -> str:
    return "(" + ", ".join(["%s"] * len(values)) + ")"
