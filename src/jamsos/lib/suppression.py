"""Small-cell suppression for public tables (design-governance.md §4.4).

A public count of 1 to ``threshold - 1`` people is shown as "<5" (*primary*
suppression). Hiding it alone is not enough: a row or column total, or the table's
other cells, would give it back (total 12, shown cells 4 + 6 → the hidden one is 2). So
more cells are hidden (*complementary* suppression) until no hidden value can be
worked out from what is published.

The table is given as values and *relations*: "these parts add up to that total" (a
row and its row total, a column and its column total, the nagari of a kecamatan and the
kecamatan's figure…). A published value is known; a hidden one is an unknown with
bounds: a primary cell lies in ``[1, threshold-1]`` (the reader knows that from "<5"),
a complementary cell in ``[0, largest total]``.

Algorithm of ``suppress``:

1. Primary: every value with ``0 < v < threshold``.
2. Audit, as an attacker would: propagate bounds through every relation (each unknown
   = its relation's known remainder minus the other unknowns' bounds) until nothing
   tightens. A hidden value whose bounds meet (``lo == hi``) is exposed.
3. For the first exposed value, hide one more value of one of its relations: the
   smallest positive cell, else a zero cell, else the relation's total (zeros and totals
   give little cover, so they come last). Go back to 2.

Interval propagation is weaker than a full linear-programming attack in rare tables; the
tests check small tables against an exhaustive attacker that tries every assignment
consistent with the published figures.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)

Relation = tuple[Sequence[K], K]  # (parts, total): sum(parts) == total


@dataclass(frozen=True)
class Suppression(Generic[K]):
    primary: frozenset[K]
    complementary: frozenset[K]

    @property
    def hidden(self) -> frozenset[K]:
        return self.primary | self.complementary

    def label(self, key: K, value: int, *, threshold: int) -> str | None:
        """What a page shows instead of ``value``: ``"<5"``, ``"x"``, or None (the value)."""
        if key in self.primary:
            return f"<{threshold}"
        if key in self.complementary:
            return "x"
        return None


def bounds(
    values: Mapping[K, int],
    relations: Sequence[Relation[K]],
    hidden: set[K] | frozenset[K],
    primary: set[K] | frozenset[K],
    *,
    threshold: int,
) -> dict[K, tuple[int, int]]:
    """What a reader can tell of each hidden value: its tightest ``(lo, hi)`` by interval
    propagation through the relations (``lo == hi``: the value is exposed)."""
    ceiling = max([0, *values.values()])
    box: dict[K, tuple[int, int]] = {
        key: ((1, threshold - 1) if key in primary else (0, ceiling)) for key in hidden
    }
    # Each relation as signed terms: parts +1, total -1, summing to 0.
    signed = [[(part, 1) for part in parts] + [(total, -1)] for parts, total in relations]
    for _round in range(10 * (len(hidden) + 1)):
        changed = False
        for terms in signed:
            changed = _tighten(terms, values, hidden, box) or changed
        if not changed:
            break
    return box


def _tighten(
    terms: list[tuple[K, int]],
    values: Mapping[K, int],
    hidden: set[K] | frozenset[K],
    box: dict[K, tuple[int, int]],
) -> bool:
    """Tighten the bounds of the hidden members of one relation; True if any changed."""
    unknown = [(key, sign) for key, sign in terms if key in hidden]
    if not unknown:
        return False
    known = sum(sign * values[key] for key, sign in terms if key not in hidden)
    changed = False
    # sum(sign * x for the unknowns) == -known
    for index, (key, sign) in enumerate(unknown):
        rest_lo = rest_hi = 0
        for other_index, (other, other_sign) in enumerate(unknown):
            if other_index == index:
                continue
            lo, hi = box[other]
            if other_sign > 0:
                rest_lo, rest_hi = rest_lo + lo, rest_hi + hi
            else:
                rest_lo, rest_hi = rest_lo - hi, rest_hi - lo
        lo_x, hi_x = -known - rest_hi, -known - rest_lo  # bounds of sign * x
        if sign < 0:
            lo_x, hi_x = -hi_x, -lo_x
        old = box[key]
        new = (max(old[0], lo_x), min(old[1], hi_x))
        if new[0] > new[1]:  # inconsistent figures: take it as exposed, never loop
            new = (new[0], new[0])
        if new != old:
            box[key] = new
            changed = True
    return changed


def suppress(
    values: Mapping[K, int], relations: Sequence[Relation[K]], *, threshold: int
) -> Suppression[K]:
    """Which values to hide (see the module docstring). ``values`` holds every cell and
    every total named by ``relations``."""
    primary = {key for key, value in values.items() if 0 < value < threshold}
    hidden = set(primary)
    if threshold <= 1 or not primary:
        return Suppression(frozenset(primary), frozenset())
    totals = {total for _parts, total in relations}
    limit = len(values) + 1
    for _step in range(limit):
        box = bounds(values, relations, hidden, primary, threshold=threshold)
        exposed = [key for key in _ordered(values, hidden) if box[key][0] == box[key][1]]
        if not exposed:
            break
        added = _complement(values, relations, hidden, totals, exposed[0])
        if added is None:  # nothing left to hide in its relations: hide the lot
            hidden.update(k for parts, total in relations for k in (*parts, total))
            break
        hidden.add(added)
    return Suppression(frozenset(primary), frozenset(hidden - primary))


def _ordered(values: Mapping[K, int], keys: set[K]) -> list[K]:
    # Stable: the order the caller gave the values in.
    return [key for key in values if key in keys]


def _complement(
    values: Mapping[K, int],
    relations: Sequence[Relation[K]],
    hidden: set[K],
    totals: set[K],
    exposed: K,
) -> K | None:
    """The next value to hide. A relation with a single hidden member gives that member
    away by subtraction: cover it first (in relation order). Otherwise cover ``exposed``
    (worked out through a chain of relations) in any relation it belongs to."""
    order = {key: n for n, key in enumerate(values)}

    def best(groups: list[tuple[K, ...]]) -> K | None:
        candidates: list[tuple[int, int, int, K]] = []
        for members in groups:
            for key in members:
                if key in hidden:
                    continue
                # Rank: a positive cell (smallest first), then a zero cell, then a total.
                rank = 2 if key in totals else (1 if values[key] == 0 else 0)
                candidates.append((rank, values[key], order[key], key))
        return min(candidates)[3] if candidates else None

    for parts, total in relations:
        members = (*parts, total)
        if sum(1 for key in members if key in hidden) == 1:
            chosen = best([members])
            if chosen is not None:
                return chosen
    return best([(*parts, total) for parts, total in relations if exposed in (*parts, total)])


@dataclass(frozen=True)
class TableCell:
    value: int
    label: str | None  # None: show the value

    @property
    def hidden(self) -> bool:
        return self.label is not None


@dataclass(frozen=True)
class SuppressedTable:
    rows: list[list[TableCell]]  # each row: its cells, then its total
    totals: list[TableCell]  # column totals, then the grand total


def table_suppress(rows: Sequence[Sequence[int]], *, threshold: int) -> SuppressedTable:
    """A table of counts with row and column totals, suppressed as one system."""
    n_rows = len(rows)
    n_cols = len(rows[0]) if rows else 0
    values: dict[tuple[int, int], int] = {}
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            values[(r, c)] = int(value)
        values[(r, n_cols)] = sum(int(v) for v in row)
    for c in range(n_cols):
        values[(n_rows, c)] = sum(int(rows[r][c]) for r in range(n_rows))
    values[(n_rows, n_cols)] = sum(values[(r, n_cols)] for r in range(n_rows))
    relations: list[Relation[tuple[int, int]]] = []
    for r in range(n_rows + 1):
        relations.append(([(r, c) for c in range(n_cols)], (r, n_cols)))
    for c in range(n_cols + 1):
        relations.append(([(r, c) for r in range(n_rows)], (n_rows, c)))
    result = suppress(values, relations, threshold=threshold)

    def cell(key: tuple[int, int]) -> TableCell:
        return TableCell(values[key], result.label(key, values[key], threshold=threshold))

    return SuppressedTable(
        rows=[[cell((r, c)) for c in range(n_cols + 1)] for r in range(n_rows)],
        totals=[cell((n_rows, c)) for c in range(n_cols + 1)],
    )
