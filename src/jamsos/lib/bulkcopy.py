"""Bulk writes faster than ``bulk_create``: PostgreSQL ``COPY``, SQLite ``executemany``.

Measured on the project machine (stack.md §2b, bench/intake.py): ``bulk_create`` writes
about 30,000 rows/s on either database; ``COPY`` 166,000 rows/s on PostgreSQL and
``executemany`` 276,000 rows/s on SQLite. Used for intake rows, persons created by an
import and their audit events — nothing else needs it.

Callers pass values already valid for the columns (JSON as text); these helpers write
no model code: no ``save()``, no signals, no ``full_clean()``. Run them inside the
caller's transaction (``COPY`` through Django's own connection joins it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connections, models
from django.utils import timezone


def _sqlite_converter(field: models.Field) -> Callable[[Any], Any] | None:
    kind = field.get_internal_type()
    if kind == "DateTimeField":
        last: list[Any] = [None, None]  # bulk rows usually share one timestamp

        def datetime_text(value: Any) -> Any:
            if value is last[0]:
                return last[1]
            text = value
            if isinstance(value, dt.datetime):
                naive = timezone.make_naive(value, dt.UTC) if timezone.is_aware(value) else value
                text = naive.isoformat(" ")
            last[0], last[1] = value, text
            return text

        return datetime_text
    if kind == "DateField":
        return lambda v: v.isoformat() if isinstance(v, dt.date) else v
    if kind == "BooleanField":
        return lambda v: None if v is None else int(v)
    return None


def rows_insert(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    using: str = "default",
) -> int:
    """Insert ``rows`` (tuples in the order of ``fields``, model field names) into
    ``model``'s table; return how many were written."""
    connection = connections[using]
    meta = model._meta
    columns = [meta.get_field(name).column for name in fields]
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    table = connection.ops.quote_name(meta.db_table)
    count = 0
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        with (
            connection.connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    converters = [
        _sqlite_converter(meta.get_field(name)) if connection.vendor == "sqlite" else None
        for name in fields
    ]
    active = [(i, c) for i, c in enumerate(converters) if c is not None]
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})"  # noqa: S608

    def prepared() -> Iterable[Sequence[Any]]:
        nonlocal count
        for row in rows:
            count += 1
            if active:
                row = list(row)
                for i, convert in active:
                    row[i] = convert(row[i])
            yield row

    with connection.cursor() as cursor:
        cursor.executemany(sql, prepared())
    return count
