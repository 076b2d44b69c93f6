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
    """Every part of ``short`` matches a different part of ``long`` with the same first
    letter and at most ``PART_MIN_SIMILARITY`` edits (typos, transposed letters)."""
    free = list(long)
    for part in short:
        best, best_i = 0.0, -1
        for i, other in enumerate(free):
            if other[0] != part[0]:
                continue
            similarity = Levenshtein.normalized_similarity(part, other)
            if similarity > best:
                best, best_i = similarity, i
        if best < PART_MIN_SIMILARITY:
            return False
        free.pop(best_i)
    return True


def _letters(parts: list[str]) -> set[str]:
    return {p[0] for p in parts}


def _subset_score(parts_a: list[str], parts_b: list[str], score: float) -> float:
    short, long = (parts_a, parts_b) if len(parts_a) < len(parts_b) else (parts_b, parts_a)
    # One short first name alone ("Budi", "Nur") says too little.
    if len(short) == 1 and len(short[0]) < 5:
        return score
    if not _letters(short) <= _letters(long):
        return score
    return max(score, SUBSET_SCORE) if _parts_contained(short, long) else score


def name_score(a: str, b: str) -> float:
    """Similarity 0–100 of two name keys: the token-sort ratio (typos, transposed
    letters, swapped parts), or ``SUBSET_SCORE`` when the names have a different number
    of parts and every part of the shorter is found in the longer (a missing part)."""
    if a == b:
        return 100.0 if a else 0.0
    if not a or not b:
        return 0.0
    score = fuzz.token_sort_ratio(a, b)
    parts_a, parts_b = a.split(), b.split()
    if score >= THRESHOLD or len(parts_a) == len(parts_b):
        return score
    return _subset_score(parts_a, parts_b, score)


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


_LETTER_BITS = {chr(97 + i): 1 << i for i in range(26)}
# token_sort_ratio ≥ T needs min(len)/max(len) ≥ T / (2 − T) (ratio = 2·matches / total).
_MIN_LENGTH_RATIO = (THRESHOLD / 100) / (2 - THRESHOLD / 100)


def _features(people: pl.DataFrame) -> pl.DataFrame:
    """Per person: the key's length, its number of parts and a bitmask of the parts'
    first letters, for the vectorised pre-filter."""
    key = pl.col("key")
    return people.with_columns(
        key.str.len_chars().alias("length"),
        (key.str.count_matches(" ") + 1).alias("parts"),
        key.str.split(" ")
        .list.eval(
            pl.element()
            .str.slice(0, 1)
            .replace_strict(_LETTER_BITS, default=0, return_dtype=pl.Int64)
        )
        .list.unique()
        .list.sum()
        .alias("letters"),
    )


def _pairs_frame(left: pl.DataFrame, right: pl.DataFrame, *, same_source: bool) -> pl.DataFrame:
    """Pairs worth scoring: same birth date, other NIK, same sex or village, and names
    that could still reach ``THRESHOLD`` (lengths close enough, or a different number
    of parts whose first letters nest). The filter is exact for ``name_score``."""
    pairs = left.join(right, on="birth_date", suffix="_b")
    condition = (pl.col("nik") != pl.col("nik_b")).fill_null(True) & (
        (pl.col("sex") == pl.col("sex_b")).fill_null(False)
        | (pl.col("village") == pl.col("village_b")).fill_null(False)
    )
    if same_source:
        condition = condition & (pl.col("ref_b") < pl.col("ref"))
    pairs = pairs.filter(condition)
    shorter = pl.min_horizontal("length", "length_b")
    longer = pl.max_horizontal("length", "length_b")
    a_short = pl.col("parts") < pl.col("parts_b")
    nest = (
        pl.when(a_short)
        .then((pl.col("letters") & pl.col("letters_b")) == pl.col("letters"))
        .otherwise((pl.col("letters") & pl.col("letters_b")) == pl.col("letters_b"))
    )
    worth = (shorter >= longer * _MIN_LENGTH_RATIO) | (
        (pl.col("parts") != pl.col("parts_b")) & nest
    )
    return pairs.filter(worth & (pl.col("key") != "") & (pl.col("key_b") != ""))


def _pair_scores(pairs: pl.DataFrame) -> list[float]:
    """``name_score`` of each pair (the same steps, without re-checking the pre-filter)."""
    scores: list[float] = []
    append = scores.append
    token_sort_ratio = fuzz.token_sort_ratio
    for key, key_b, parts, parts_b in zip(
        pairs["key"].to_list(),
        pairs["key_b"].to_list(),
        pairs["parts"].to_list(),
        pairs["parts_b"].to_list(),
        strict=True,
    ):
        if key == key_b:
            append(100.0)
            continue
        score = token_sort_ratio(key, key_b)
        if score < THRESHOLD and parts != parts_b:
            score = _subset_score(key.split(), key_b.split(), score)
        append(score)
    return scores


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
    rows = _features(rows)
    sources: list[tuple[str, pl.DataFrame]] = [("file", _pairs_frame(rows, rows, same_source=True))]
    if registry is not None and registry.height:
        sources.append(("registry", _pairs_frame(rows, _features(registry), same_source=False)))
    for source, pairs in sources:
        hits = pairs.with_columns(pl.Series("score", _pair_scores(pairs), pl.Float64)).filter(
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
