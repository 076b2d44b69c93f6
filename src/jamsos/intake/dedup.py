"""Possible duplicates: the same person proposed under another NIK.

A pair is a possible duplicate when both have the same birth date — or the same date
with day and month transposed (7-3 written for 3-7) — the same sex or the same village,
different NIKs, and similar names: ``name_score`` ≥ ``THRESHOLD``, or
≥ ``SAME_VILLAGE_THRESHOLD`` when both live in one village. The same name born the same
day in another kecamatan (another NIK region) stays a candidate: a person registered
twice under two NIKs looks just like that, and a reviewer decides. Blocking on the
birth date keeps the work linear: a file of 100,000 rows born over 50 years compares a
few hundred thousand pairs, not five billion.

``name_score`` compares ``lib.names.name_key(..., fold=True)`` spellings (Muhammad's
abbreviations, Nur-/Abdul- compounds and adat titles already folded) and forgives what
the labelled sets (bench/intake.py, bench/dedup_quality.py) contain: typos, transposed
letters, swapped name parts (token sort), a missing name part (every part of the
shorter name found, allowing a typo, in the longer one: a suku or a gelar added or
dropped), a different NIK serial (the NIK is not compared).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from jamsos.lib.nik import nik_mask

THRESHOLD = 88.0
# Enough when the two also live in one village (the birth date and the village shared):
# a short name with one slip ("Firman"/"Fimran") or one name alone still meets.
SAME_VILLAGE_THRESHOLD = 80.0
PART_MIN_SIMILARITY = 0.8  # a name part matches another with at most 1 typo in 5 letters
SUBSET_SCORE = 90.0  # what "every part of the shorter name is in the longer" is worth
# What one given name alone is worth — found in a longer name ("Firman" in "Firman
# Hendri Koto") or on both sides ("Rina"/"Rina"): enough in one village only, since
# thousands of people share a given name and a birth date.
ONE_NAME_SCORE = 82.0
NAME_MIN_LETTERS = 3  # shorter parts ("m", "md") do not make a second name
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
    if not _parts_contained(short, long):
        return score
    # "m fadli": one name after an initial.
    return max(score, SUBSET_SCORE if _names(short) > 1 else ONE_NAME_SCORE)


def name_score(a: str, b: str) -> float:
    """Similarity 0–100 of two name keys: the better of the plain and the token-sort
    ratio (typos, transposed letters, swapped parts), or ``SUBSET_SCORE`` when the
    names have a different number of parts and every part of the shorter is found in
    the longer (a missing part). One given name alone — in a longer name or on both
    sides — scores at most ``ONE_NAME_SCORE``."""
    if not a or not b:
        return 0.0
    parts_a, parts_b = a.split(), b.split()
    # One given name on each side ("Rina", "M. Afrizal"): thousands share one and a
    # birth date; at most what one name alone in a longer one is worth.
    cap = ONE_NAME_SCORE if _names(parts_a) <= 1 and _names(parts_b) <= 1 else 100.0
    if a == b:
        return cap
    score = max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b))
    if score < THRESHOLD and len(parts_a) != len(parts_b):
        score = _subset_score(parts_a, parts_b, score)
    return min(score, cap)


def _names(parts: list[str]) -> int:
    """How many parts are names, not initials ("m") or two-letter remnants."""
    return sum(len(part) >= NAME_MIN_LETTERS for part in parts)


def name_limit(village: str | None, village_b: str | None) -> float:
    """The ``name_score`` a pair needs: lower when both live in one (known) village."""
    return SAME_VILLAGE_THRESHOLD if village and village == village_b else THRESHOLD


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


# Pairs joined at once: a million rows born on 17,000 days make 30 million same-day
# pairs; blocks of days keep the join (and memory) bounded (as 8,000 people of a
# million-row file did).
BLOCK_PAIRS = 500_000
_SPACE = ord(" ")
_LETTER_BIT = np.zeros(256, dtype=np.int32)  # byte → its letter's bit (a = 1, z = 1 << 25)
_LETTER_BIT[ord("a") : ord("z") + 1] = np.left_shift(1, np.arange(26, dtype=np.int32))


def _features(people: pl.DataFrame, villages: dict[str, int]) -> pl.DataFrame:
    """The slim per-person columns the pair filter needs: integers only.

    ``length`` and ``parts`` of the key, ``initials`` (bitmask of the parts' first
    letters) and ``letters`` (bitmask of every letter present); the NIK, sex and
    village as integers (compared, never shown).
    """
    key = pl.col("key")
    initials, letters = letter_masks(people["key"])
    return people.select(
        pl.col("ref").cast(pl.Int64),
        pl.col("nik").cast(pl.Int64, strict=False).alias("nik"),
        pl.col("birth_date"),
        pl.col("sex").replace_strict({"L": 1, "P": 2}, default=0, return_dtype=pl.Int8),
        pl.col("village").replace_strict(villages, default=-1, return_dtype=pl.Int32),
        key.str.len_chars().cast(pl.Int32).alias("length"),
        (key.str.count_matches(" ") + 1).cast(pl.Int32).alias("parts"),
    ).with_columns(initials=initials, letters=letters)


def letter_masks(keys: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Bitmasks (bit 0 = a … bit 25 = z) of each key's parts' first letters and of every
    letter in it. Keys are ``name_key`` text (a–z and single spaces; anything else is
    ignored). All keys are laid end to end in one byte array and each key's bits are
    OR-ed over its slice: one pass over the bytes, no Python per key (26 regex passes
    over a million keys took 1.2 s; this takes a tenth)."""
    keys = keys.fill_null("")
    lengths = keys.str.len_bytes().cast(pl.Int64).to_numpy()
    # One zero byte past the end: reduceat needs every start inside the array, and an
    # empty key's slice is then that zero (or a neighbour's first byte, cleared below).
    data = np.frombuffer(keys.str.join("").item().encode() + b"\0", dtype=np.uint8)
    starts = np.zeros(len(lengths), dtype=np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])
    bits = _LETTER_BIT[data]
    letters = np.bitwise_or.reduceat(bits, starts)
    # A part's first letter: the first byte of a key, or a byte after a space.
    bits[1:] *= data[:-1] == _SPACE
    bits[starts[lengths > 0]] = _LETTER_BIT[data[starts[lengths > 0]]]
    initials = np.bitwise_or.reduceat(bits, starts)
    letters[lengths == 0] = 0
    initials[lengths == 0] = 0
    return pl.Series("initials", initials, pl.Int64), pl.Series("letters", letters, pl.Int64)


def _pairs_frame(left: pl.DataFrame, right: pl.DataFrame, *, same_source: bool) -> pl.DataFrame:
    """``(ref, ref_b, limit)`` of pairs worth scoring: same birth date, other NIK, same
    sex or village, and keys that can still reach their limit (``THRESHOLD``, or
    ``SAME_VILLAGE_THRESHOLD`` in one village). The filter is exact for
    ``name_score``: a ratio ≥ T needs lengths within T/(2−T) of each other and no more
    letters present in one key only than the edits T allows (1 − T of both lengths);
    the missing-part rule needs a different number of parts whose initials nest."""
    # Same sex, or (other sex and) same village: two equi-joins instead of one join on
    # the date and a filter, half the intermediate pairs.
    same_sex = left.filter(pl.col("sex") > 0).join(
        right.filter(pl.col("sex") > 0), on=["birth_date", "sex"], suffix="_b"
    )
    same_village = (
        left.filter(pl.col("village") >= 0)
        .join(right.filter(pl.col("village") >= 0), on=["birth_date", "village"], suffix="_b")
        .filter((pl.col("sex") != pl.col("sex_b")) | (pl.col("sex") == 0))
    )
    pairs = pl.concat(
        [
            same_sex.with_columns(pl.col("sex").alias("sex_b")),
            same_village.with_columns(pl.col("village").alias("village_b")),
        ],
        how="diagonal",
    )
    condition = (pl.col("nik") != pl.col("nik_b")).fill_null(True)
    if same_source:
        condition = condition & (pl.col("ref_b") < pl.col("ref"))
    same_village = (pl.col("village") == pl.col("village_b")) & (pl.col("village") >= 0)
    limit = pl.when(same_village).then(SAME_VILLAGE_THRESHOLD).otherwise(THRESHOLD)
    pairs = pairs.with_columns(limit.alias("limit"))
    # In whole percent: with t = limit / 100 the bounds land on binary fractions
    # (4 × 1.2 < 6 × 0.8 in floats) and a pair exactly at its limit was dropped.
    t = pl.col("limit")
    total = pl.col("length") + pl.col("length_b")
    shorter = pl.min_horizontal("length", "length_b")
    longer = pl.max_horizontal("length", "length_b")
    one_sided = (pl.col("letters") ^ pl.col("letters_b")).bitwise_count_ones()
    ratio_possible = (shorter * (200 - t) >= longer * t) & (one_sided * 100 <= total * (100 - t))
    common = pl.col("initials") & pl.col("initials_b")
    nest = (
        pl.when(pl.col("parts") < pl.col("parts_b"))
        .then(common == pl.col("initials"))
        .otherwise(common == pl.col("initials_b"))
    )
    subset_possible = (pl.col("parts") != pl.col("parts_b")) & nest
    keep = (
        condition
        & (ratio_possible | subset_possible)
        & (pl.col("length") > 0)
        & (pl.col("length_b") > 0)
    )
    return pairs.filter(keep).select("ref", "ref_b", "limit", "initials", "initials_b")


def pair_scores(pairs: pl.DataFrame) -> np.ndarray:
    """``name_score(key, key_b)`` of every row of ``pairs``, vectorised: both ratios
    for all pairs at once in rapidfuzz's C++ (``process.cpdist``, every core), the
    one-name cap from part counts, and the missing-part rule in Python only for the
    pairs it can still change (below ``THRESHOLD``, a different number of parts, the
    shorter's initials all in the longer). Equal to ``name_score`` pair by pair (the
    property tests in intake/tests/test_dedup.py compare the two on generated keys)."""
    if pairs.height == 0:
        return np.zeros(0, dtype=np.float64)
    keys, keys_b = pairs["key"].to_list(), pairs["key_b"].to_list()
    kwargs: dict[str, Any] = {"dtype": np.float64, "workers": -1}
    score = np.maximum(
        process.cpdist(keys, keys_b, scorer=fuzz.ratio, **kwargs),
        process.cpdist(keys, keys_b, scorer=fuzz.token_sort_ratio, **kwargs),
    )
    shape = pairs.select(
        parts=pl.col("key").str.count_matches(" ") + 1,
        parts_b=pl.col("key_b").str.count_matches(" ") + 1,
        names=pl.col("key").str.count_matches(f"[a-z]{{{NAME_MIN_LETTERS},}}"),
        names_b=pl.col("key_b").str.count_matches(f"[a-z]{{{NAME_MIN_LETTERS},}}"),
        empty=(pl.col("key") == "") | (pl.col("key_b") == ""),
    )
    parts, parts_b = shape["parts"].to_numpy(), shape["parts_b"].to_numpy()
    if "initials" in pairs.columns:
        initials, initials_b = pairs["initials"].to_numpy(), pairs["initials_b"].to_numpy()
        shorter = np.where(parts < parts_b, initials, initials_b)
        nests = (initials & initials_b) == shorter
    else:
        nests = np.ones(pairs.height, dtype=bool)
    for i in np.flatnonzero((score < THRESHOLD) & (parts != parts_b) & nests):
        score[i] = _subset_score(keys[i].split(), keys_b[i].split(), score[i])
    one_name = (shape["names"].to_numpy() <= 1) & (shape["names_b"].to_numpy() <= 1)
    score = np.minimum(score, np.where(one_name, ONE_NAME_SCORE, 100.0))
    score[shape["empty"].to_numpy()] = 0.0
    return score


def _candidate(source: str, row: dict[str, Any], score: float) -> dict[str, Any]:
    ref_key = "row_number" if source == "file" else "person_id"
    return {
        "source": source,
        ref_key: row["ref"],
        "nik": nik_mask(row["nik"] or ""),
        "name": row["name"],
        "birth_date": row["birth_date"].isoformat(),
        "village": row["village"] or "",
        "score": round(score, 1),
    }


def _blocks(rows: pl.DataFrame, registry: pl.DataFrame) -> Iterator[pl.DataFrame]:
    """``rows`` split into runs of whole birth dates worth about ``BLOCK_PAIRS`` pairs
    each: a date with n rows and r registered people makes n × (n + r) before the
    filter. A 100k-row file against an empty registry is one or two blocks; a million
    rows, or a million registered, make dozens, and memory stays that of one.

    One block at a time, filtered from ``rows`` (a sorted and partitioned copy of a
    million rows costs 200 MB more)."""
    per_date = rows.group_by("birth_date").len().sort("birth_date")
    registered = registry.group_by("birth_date").len().rename({"len": "registered"})
    weights = per_date.join(registered, on="birth_date", how="left").select(
        pl.col("len") * (pl.col("len") + pl.col("registered").fill_null(0))
    )
    if weights.to_series().sum() <= BLOCK_PAIRS:
        yield rows
        return
    block = (weights.to_series().cum_sum() // BLOCK_PAIRS).cast(pl.Int32)
    number = rows["birth_date"].replace_strict(
        per_date["birth_date"], block, default=None, return_dtype=pl.Int32
    )
    for value in block.unique(maintain_order=True):
        yield rows.filter(number == value)


def possible_duplicates(
    rows: pl.DataFrame, registry: pl.DataFrame | None = None
) -> dict[int, list[dict[str, Any]]]:
    """Candidates per row number, best first (at most ``MAX_CANDIDATES``).

    ``rows`` and ``registry`` have columns ref (row number / person id), nik, key
    (``name_key``), name (as shown), birth_date (Date), sex, village. In the file,
    the later row of a pair gets the earlier one as its candidate.
    """
    registry = registry if registry is not None else pl.DataFrame(schema=PEOPLE_SCHEMA)
    villages = {
        code: i
        for i, code in enumerate(
            pl.concat([rows["village"], registry["village"]]).drop_nulls().unique().to_list()
        )
        if code  # "" is no village: never "the same village"
    }
    sources = {"file": rows, "registry": registry}
    found: dict[int, list[tuple[str, int, float]]] = {}
    # The name keys travel with their block (a string view each), looked up per block:
    # a dict of every key of a 1M-row file costs 200 MB.
    slim_registry = _features(registry, villages).with_columns(registry["key"])
    slim_rows = _features(rows, villages).with_columns(rows["key"])
    for block in _blocks(slim_rows, slim_registry):
        dates = block["birth_date"].unique()
        others = slim_registry.filter(pl.col("birth_date").is_in(dates.implode()))
        _block_pairs(block, (("file", block), ("registry", others)), found)
        # The same people with day and month transposed: each file pair once (the
        # later row is on the left), each registry pair once (the file row swapped).
        swapped = block.with_columns(transposed(pl.col("birth_date")).alias("birth_date"))
        swapped = swapped.filter(pl.col("birth_date").is_not_null())
        if swapped.height == 0:
            continue
        moved = swapped["birth_date"].unique().implode()
        rights = (
            ("file", slim_rows.filter(pl.col("birth_date").is_in(moved))),
            ("registry", slim_registry.filter(pl.col("birth_date").is_in(moved))),
        )
        _block_pairs(swapped, rights, found)
    return _described(found, sources)


def _block_pairs(
    block: pl.DataFrame,
    rights: Iterable[tuple[str, pl.DataFrame]],
    found: dict[int, list[tuple[str, int, float]]],
) -> None:
    """Score the pairs of ``block`` (file rows) with each right-hand frame; add the
    pairs at or above their limit to ``found``."""
    for source, right in rights:
        if right.height == 0:
            continue
        pairs = _pairs_frame(block.drop("key"), right.drop("key"), same_source=source == "file")
        if pairs.height == 0:
            continue
        # The keys join the few pairs left, not the many the date join made.
        pairs = pairs.join(
            block.select("ref", "key"), on="ref", how="left", maintain_order="left"
        ).join(
            right.select(pl.col("ref").alias("ref_b"), pl.col("key").alias("key_b")),
            on="ref_b",
            how="left",
            maintain_order="left",
        )
        scores = pair_scores(pairs)
        kept = scores >= pairs["limit"].to_numpy()
        hits = pairs.select("ref", "ref_b").filter(pl.Series(kept))
        for (ref, ref_b), score in zip(hits.iter_rows(), scores[kept].tolist(), strict=True):
            found.setdefault(ref, []).append((source, ref_b, score))


def transposed(date: pl.Expr) -> pl.Expr:
    """The date with day and month swapped, where that is another valid date (day ≤ 12
    and day ≠ month); null elsewhere."""
    day, month = date.dt.day(), date.dt.month()
    return (
        pl.when((day <= 12) & (day != month))
        .then(pl.date(date.dt.year(), day, month))
        .otherwise(None)
    )


def transposed_date(date: dt.date) -> dt.date | None:
    """``transposed`` for one date."""
    if date.day > 12 or date.day == date.month:
        return None
    return dt.date(date.year, date.day, date.month)


def lookup_dates(births: pl.Series) -> pl.Series:
    """The birth dates to read registered people for: those in the file and the same
    dates with day and month transposed."""
    frame = births.to_frame("d").select(
        pl.concat([pl.col("d"), transposed(pl.col("d"))]).drop_nulls().unique()
    )
    return frame["d"]


def _described(
    found: dict[int, list[tuple[str, int, float]]], sources: dict[str, pl.DataFrame]
) -> dict[int, list[dict[str, Any]]]:
    """The candidates of each row as the review page shows them, best first."""
    wanted = {
        source: {ref for hits in found.values() for s, ref, _ in hits if s == source}
        for source in sources
    }
    details = {
        source: {
            row["ref"]: row
            for row in frame.filter(pl.col("ref").is_in(list(wanted[source]))).iter_rows(named=True)
        }
        for source, frame in sources.items()
    }
    described: dict[int, list[dict[str, Any]]] = {}
    for ref, hits in found.items():
        hits.sort(key=lambda hit: (-hit[2], hit[0], hit[1]))
        described[ref] = [
            _candidate(source, details[source][ref_b], score)
            for source, ref_b, score in hits[:MAX_CANDIDATES]
        ]
    return described


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
