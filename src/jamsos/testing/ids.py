"""Start a table's ids high in a test, so pages show four- and five-digit ids.

Ids of 1000 and above are where number localisation used to break pages (``value="2.341"``,
``id="ev-9.578"``); the test databases start at 1, so tests never saw it.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Model


def ids_start_at(model: type[Model], start: int) -> None:
    """Make the next row of ``model`` get id ``start`` or more (SQLite and PostgreSQL)."""
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, %s), %s, false)",
                [table, column, start],
            )
        elif connection.vendor == "sqlite":
            # Django's SQLite tables use AUTOINCREMENT, whose counter lives here.
            cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
            cursor.execute(
                "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, start - 1]
            )
        else:  # pragma: no cover
            raise NotImplementedError(connection.vendor)
