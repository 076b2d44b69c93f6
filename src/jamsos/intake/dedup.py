"""Possible duplicates: the same person proposed under another NIK.

A pair is a possible duplicate when both have the same birth date, the same sex or the
same village, different NIKs, and similar names (``name_score`` ≥ ``THRESHOLD``).
Blocking on the birth date keeps the work linear: a file of 100,000 rows born over
50 years compares a few hundred thousand pairs, not five billion.

``name_score`` compares ``lib.names.name_key`` spellings and forgives what the
labelled set (bench/intake.py) contains: typos, transposed letters, swapped name parts
(token sort), a missing name part (every part of the shorter name found, allowing a
typo, in the longer one), a different NIK serial (the NIK is not compared).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import polars as pl
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from jamsos.lib.nik import nik_mask

THRESHOLD = 88.0
PART_MIN_SIMILARITY = 0.8  # a name part matches another with at most 1 typo in 5 letters
SUBSET_SCORE = 90.0  # what "every part of the shorter name is in the longer" is worth
MAX_CANDIDATES = 5


def _parts_contained(short: list[str], long: list[str]) -> bool:
    """Every part of ``short`` matches a different part of ``long`` (typos allowed)."""
    free = list(long)
    for part in short:
        best, best_i = 0.0, -1
        for i, other in enumerate(free):
            similarity = Levenshtein.normalized_similarity(part, other)
            if similarity > best:
                best, best_i = similarity, i
        if best < PART_MIN_SIMILARITY:
            return False
        free.pop(best_i)
    return True


def name_score(a: str, b: str) -> float:
    """Similarity 0–100 of two name keys (see module docstring)."""
    if a == b:
        return 100.0
    if not a or not b:
        return 0.0
    score = fuzz.token_sort_ratio(a, b)
    if score >= THRESHOLD:
        return score
    parts_a, parts_b = a.split(), b.split()
    if len(parts_a) == len(parts_b):
        return score
    short, long = (parts_a, parts_b) if len(parts_a) < len(parts_b) else (parts_b, parts_a)
    # One common first name alone ("Muhammad") says too little.
    if len(short) == 1 and len(short[0]) < 5:
        return score
    if fuzz.token_set_ratio(a, b) < 70:
        return score
    return max(score, SUBSET_SCORE) if _parts_contained(short, long) else score


@dataclass
class Person:
    """What duplicate search needs of a row or a registered person."""

    ref: int  # row number (file) or person id (registry)
    nik: str
    key: str
    name: str
    birth_date: dt.date
    sex: str
    village: str


def _pairs_frame(left: pl.DataFrame, right: pl.DataFrame, *, same_source: bool) -> pl.DataFrame:
    pairs = left.join(right, on="birth_date", suffix="_b")
    condition = (pl.col("nik") != pl.col("nik_b")).fill_null(True) & (
        (pl.col("sex") == pl.col("sex_b")).fill_null(False)
        | (pl.col("village") == pl.col("village_b")).fill_null(False)
    )
    if same_source:
        condition = condition & (pl.col("ref_b") < pl.col("ref"))
    return pairs.filter(condition)


def _candidate(source: str, row: dict[str, Any], score: float) -> dict[str, Any]:
    ref_key = "row_number" if source == "file" else "person_id"
    return {
        "source": source,
        ref_key: row["ref_b"],
        "nik": nik_mask(row["nik_b"] or ""),
        "name": row["name_b"],
        "birth_date": row["birth_date"].isoformat(),
        "village": row["village_b"] or "",
        "score": round(score, 1),
    }


def possible_duplicates(
    rows: pl.DataFrame, registry: pl.DataFrame | None = None
) -> dict[int, list[dict[str, Any]]]:
    """Candidates per row number, best first (at most ``MAX_CANDIDATES``).

    ``rows`` and ``registry`` have columns ref (row number / person id), nik, key
    (``name_key``), name (as shown), birth_date (Date), sex, village. In the file,
    the later row of a pair gets the earlier one as its candidate.
    """
    found: dict[int, list[dict[str, Any]]] = {}
    sources: list[tuple[str, pl.DataFrame]] = [("file", _pairs_frame(rows, rows, same_source=True))]
    if registry is not None and registry.height:
        sources.append(("registry", _pairs_frame(rows, registry, same_source=False)))
    for source, pairs in sources:
        keys = pairs.select("key", "key_b").rows()
        scores = [name_score(a, b) for a, b in keys]
        hits = pairs.with_columns(pl.Series("score", scores, pl.Float64)).filter(
            pl.col("score") >= THRESHOLD
        )
        for row in hits.iter_rows(named=True):
            found.setdefault(row["ref"], []).append(_candidate(source, row, row["score"]))
    for ref, candidates in found.items():
        candidates.sort(key=lambda c: -c["score"])
        found[ref] = candidates[:MAX_CANDIDATES]
    return found


def people_frame(people: Iterable[Person]) -> pl.DataFrame:
    items = list(people)
    return pl.DataFrame(
        {
            "ref": [p.ref for p in items],
            "nik": [p.nik for p in items],
            "key": [p.key for p in items],
            "name": [p.name for p in items],
            "birth_date": [p.birth_date for p in items],
            "sex": [p.sex for p in items],
            "village": [p.village for p in items],
        },
        schema=PEOPLE_SCHEMA,
    )


PEOPLE_SCHEMA = {
    "ref": pl.Int64,
    "nik": pl.String,
    "key": pl.String,
    "name": pl.String,
    "birth_date": pl.Date,
    "sex": pl.String,
    "village": pl.String,
}
