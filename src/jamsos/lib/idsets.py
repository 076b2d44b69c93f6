"""A filter on a set of ids already in memory, as one statement parameter.

``field__in=[...]`` sends one parameter per id: slow to compile for tens of thousands
and over SQLite's variable limit for more. ``ids_q`` sends the whole set as one value:
an array on PostgreSQL (``unnest``, whose row count the planner knows, so it probes an
index per id rather than scanning the table), a JSON array on SQLite (``json_each``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL


def ids_q(field: str, ids: Iterable[int]) -> Q:
    values = sorted({int(i) for i in ids})
    if connection.vendor == "postgresql":
        subquery = RawSQL("SELECT unnest(%s::bigint[])", [values])
    elif connection.vendor == "sqlite":
        subquery = RawSQL("SELECT value FROM json_each(%s)", [json.dumps(values)])
    else:  # pragma: no cover - other databases: the plain IN list
        return Q(**{f"{field}__in": values})
    return Q(**{f"{field}__in": subquery})
