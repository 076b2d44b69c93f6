"""Pages of lists that may hold a million rows: seek (keyset) pages and bounded counts.

A page is read with ``LIMIT page_size + 1`` in the list's order, which an index on the
order columns serves without sorting the list. Two ways to say where it starts:

- ``after``: a cursor holding the order values of the previous page's last row; the page
  is the rows after it (``(a, b) > (x, y)``), the same cost on page 2 and page 20,000;
- ``page``: a page number (``OFFSET``), kept for links and clients that use it.

A page number reads ``OFFSET`` rows first, so its cost grows with its depth (at a
million persons: page 2,000 about 25 ms from a covering index, page 40,000 ten times
that). Numbered pages therefore go as deep as ``MAX_OFFSET`` rows; a page number beyond
is not read: the page comes back empty with ``too_deep`` set, the lists say to go on
with "Berikutnya" (a cursor, as cheap on any page) or to narrow the list, and link the
deepest numbered page; the API refuses it naming ``after``. A cursor has no limit.

The count is exact up to ``EXACT_COUNT_UP_TO`` rows (counting stops there), above it the
database planner's estimate (PostgreSQL ``EXPLAIN``: no scan of a million rows for each
page view); ``exact=True`` (the page's "count exactly" link, ``?count=exact``) counts
every row. SQLite has no planner estimate: it always counts.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Max, Min, Model, Q, QuerySet

M = TypeVar("M", bound=Model)

# Below this many rows a count is exact (cheap); above, the planner's estimate.
EXACT_COUNT_UP_TO = 10_000
MAX_PAGE = 1_000_000
# Numbered pages may start at most this many rows into a list (see the module docstring).
MAX_OFFSET = 100_000
# Page offsets from which the page's ids are read first (``_offset_rows``).
DEFERRED_JOIN_FROM = 1_000


def count_bounded(queryset: QuerySet[Any], *, exact: bool = False) -> tuple[int, bool]:
    """``(count, estimated)``: exact when small, asked or on SQLite; else PostgreSQL's
    estimate (at least ``EXACT_COUNT_UP_TO + 1``: the rows counted are known to exist)."""
    queryset = queryset.order_by()
    if exact or connection.vendor != "postgresql":
        return queryset.count(), False
    bounded = queryset.values("pk")[: EXACT_COUNT_UP_TO + 1].count()
    if bounded <= EXACT_COUNT_UP_TO:
        return bounded, False
    sql, params = queryset.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return max(int(plan[0]["Plan"]["Plan Rows"]), bounded), True


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def cursor_encode(values: Sequence[Any]) -> str:
    text = json.dumps([_plain(v) for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def cursor_decode(cursor: str, count: int) -> list[Any] | None:
    """The values a cursor holds, or None when it is not one of ours."""
    if not cursor or len(cursor) > 1000:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        values = json.loads(text)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(values, list) or len(values) != count:
        return None
    if not all(isinstance(v, str | int) and not isinstance(v, bool) for v in values):
        return None
    return values


def _value_of(obj: Any, path: str) -> Any:
    for part in path.split("__"):
        obj = getattr(obj, part)
    return obj


def _field_of(model: type[Model], path: str) -> Any:
    parts = path.split("__")
    for part in parts[:-1]:
        model = model._meta.get_field(part).related_model
    name = parts[-1]
    return model._meta.pk if name == "pk" else model._meta.get_field(name)


def after_q(model: type[Model], order: Sequence[str], values: Sequence[Any]) -> Q:
    """Rows after ``values`` in ``order`` (``-`` for descending): the seek predicate
    ``a > x OR (a = x AND b > y) …`` plus ``a >= x``, which the index range serves."""
    typed = []
    for spec, value in zip(order, values, strict=True):
        path = spec.lstrip("-")
        typed.append(_field_of(model, path).to_python(value))
    first = order[0].lstrip("-")
    bound = Q(**{f"{first}__{'lte' if order[0].startswith('-') else 'gte'}": typed[0]})
    either = Q()
    for i, spec in enumerate(order):
        path = spec.lstrip("-")
        step = Q(**{f"{path}__{'lt' if spec.startswith('-') else 'gt'}": typed[i]})
        for j in range(i):
            step &= Q(**{order[j].lstrip("-"): typed[j]})
        either |= step
    return bound & either


def _typed(model: type[Model], order: Sequence[str], values: Sequence[Any]) -> list[Any]:
    return [
        _field_of(model, spec.lstrip("-")).to_python(value)
        for spec, value in zip(order, values, strict=True)
    ]


def _grouped_rows(
    queryset: QuerySet[M], order: Sequence[str], values: list[Any] | None, limit: int
) -> list[M]:
    """Rows in ``order`` whose first key has few distinct values (a month), read one
    value at a time: the rest of the order (e.g. a name on a joined table, which no
    single index holds together with the first key) is then served by its own index,
    and the next value is a ``MAX``/``MIN`` on the first key's index."""
    first, rest = order[0], list(order[1:])
    path, descending = first.lstrip("-"), first.startswith("-")
    beyond = "lt" if descending else "gt"
    rows: list[M] = []
    bound = Q()
    if values is not None:
        typed = _typed(queryset.model, order, values)
        same = queryset.filter(**{path: typed[0]}).filter(after_q(queryset.model, rest, values[1:]))
        rows += list(same.order_by(*rest)[:limit])
        bound = Q(**{f"{path}__{beyond}": typed[0]})
    while len(rows) < limit:
        aggregate = Max(path) if descending else Min(path)
        value = queryset.filter(bound).order_by().aggregate(v=aggregate)["v"]
        if value is None:
            break
        group = queryset.filter(**{path: value}).order_by(*rest)
        rows += list(group[: limit - len(rows)])
        bound = Q(**{f"{path}__{beyond}": value})
    return rows


@dataclass
class ListPage(Generic[M]):
    """A page with the attributes templates know from Django's ``Page`` (and its
    ``paginator``): ``number``, ``has_next``, ``paginator.count``, ``num_pages`` …"""

    object_list: list[M]
    number: int
    page_size: int
    count: int
    estimated: bool
    has_next: bool
    next_cursor: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    # A page number beyond ``MAX_OFFSET`` rows, not read (``deepest``: the last one read).
    too_deep: bool = False

    @property
    def deepest(self) -> int:
        return max(1, MAX_OFFSET // self.page_size + 1)

    @property
    def paginator(self) -> ListPage[M]:
        return self

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.count / self.page_size))

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_previous() or self.has_next

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def start_index(self) -> int:
        return (self.number - 1) * self.page_size + 1 if self.object_list else 0

    def __iter__(self) -> Iterator[M]:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def __getitem__(self, index: int) -> M:
        return self.object_list[index]


def _offset_rows(queryset: QuerySet[M], offset: int, limit: int) -> list[M]:
    """``queryset[offset:offset + limit]``; far pages as a "deferred join": the ids of
    the page first (the skipped rows are read narrow, without the joined tables the
    page shows), then the page's rows by id."""
    if offset < DEFERRED_JOIN_FROM:
        return list(queryset[offset : offset + limit])
    ids = list(queryset.values_list("pk", flat=True)[offset : offset + limit])
    by_id = {obj.pk: obj for obj in queryset.order_by().filter(pk__in=ids)}
    return [by_id[pk] for pk in ids if pk in by_id]


def _page_number(text: Any) -> int:
    try:
        number = int(text)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), MAX_PAGE)


def list_page(
    queryset: QuerySet[M],
    *,
    order: Sequence[str],
    page_size: int,
    page: Any = None,
    after: str = "",
    exact_count: bool = False,
    clamp: bool = True,
    grouped: bool = False,
) -> ListPage[M]:
    """One page of ``queryset`` (already ordered by ``order``, whose last item is unique,
    e.g. ``pk``): after the cursor ``after`` when given (``page`` is then only the number
    shown), else page number ``page``. A page number past the end gives the last page
    when the count is exact and ``clamp`` (a view's links), else an empty page.

    ``grouped``: the first order key has few distinct values and the rest comes from a
    joined table (``-first_month, person__full_name, pk``): the first page and cursor
    pages are read group by group (``_grouped_rows``); numbered pages use ``OFFSET``."""
    count, estimated = count_bounded(queryset, exact=exact_count)
    number = _page_number(page)
    values = cursor_decode(after, len(order)) if after else None
    if values is not None:
        try:
            seek = after_q(queryset.model, order, values)
        except (ValidationError, TypeError, ValueError):  # a forged cursor: from the top
            values = None
    if grouped and (values is not None or number == 1):
        rows = _grouped_rows(queryset, order, values, page_size + 1)
    elif values is not None:
        rows = list(queryset.filter(seek)[: page_size + 1])
    else:
        if clamp and not estimated:
            number = min(number, max(1, math.ceil(count / page_size)))
        offset = (number - 1) * page_size
        if offset > MAX_OFFSET:
            return ListPage(
                object_list=[],
                number=number,
                page_size=page_size,
                count=count,
                estimated=estimated,
                has_next=False,
                too_deep=True,
            )
        rows = _offset_rows(queryset, offset, page_size + 1)
    has_next = len(rows) > page_size
    rows = rows[:page_size]
    next_cursor = ""
    if has_next and rows:
        next_cursor = cursor_encode([_value_of(rows[-1], s.lstrip("-")) for s in order])
    return ListPage(
        object_list=rows,
        number=number,
        page_size=page_size,
        count=count,
        estimated=estimated,
        has_next=has_next,
        next_cursor=next_cursor,
    )
