"""Writing validated rows of a batch: chunked, fast, with progress.

JSON columns are encoded by polars (``struct.json_encode``) for the raw and normalised
values of every row at once; issues and candidates, present on a minority of rows, by
``json.dumps``. Rows go to the database with ``lib.bulkcopy`` (COPY / executemany), a
chunk per transaction, and the caller's ``progress`` is told after each chunk.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import polars as pl
from django.db import transaction

from jamsos.intake.models import ProposalRow
from jamsos.intake.validation import ValidationResult
from jamsos.lib.bulkcopy import rows_insert

ROW_FIELDS = (
    "batch",
    "row_number",
    "raw",
    "values",
    "nik",
    "full_name",
    "village",
    "status",
    "issues",
    "issue_codes",
    "possible_duplicate",
    "duplicate_candidates",
    "decision",
    "decision_reason",
    "event_code",
)
_EMPTY_LIST = "[]"


def _json_column(frame: pl.DataFrame, name: str, exclude: tuple[str, ...] = ()) -> pl.Series:
    columns = [c for c in frame.columns if c not in exclude]
    if not columns:
        return pl.Series(name, ["{}"] * frame.height, pl.String)
    return frame.select(pl.struct(columns).struct.json_encode().alias(name))[name]


def row_tuples(
    batch_id: int, result: ValidationResult, *, slice_rows: int = 50_000
) -> Iterator[tuple[Any, ...]]:
    """One tuple per row in ``ROW_FIELDS`` order. The values and the file's own cells
    are encoded as JSON ``slice_rows`` rows at a time (a million rows' JSON at once
    would cost several hundred MB: issue 10)."""
    for start in range(0, result.frame.height, slice_rows):
        yield from _slice_tuples(batch_id, result, start, slice_rows)


def _slice_tuples(
    batch_id: int, result: ValidationResult, start: int, length: int
) -> Iterator[tuple[Any, ...]]:
    frame = result.frame.slice(start, length)
    values = _json_column(result.values.slice(start, length), "values", exclude=("row_number",))
    if result.raw is not None:
        numbers = frame["row_number"]
        raw_frame = result.raw.filter(
            pl.col("row_number").is_between(numbers.min(), numbers.max())
        ).join(frame.select("row_number"), on="row_number", how="semi", maintain_order="left")
        raw = _json_column(raw_frame, "raw", exclude=("row_number",))
    else:
        raw = pl.Series("raw", ["{}"] * frame.height, pl.String)
    issues, candidates = result.issues, result.candidates
    pending = ProposalRow.Decision.PENDING.value
    columns = frame.select(
        "row_number", "nik", "full_name", "village", "status", "possible_duplicate", "event_code"
    ).iter_rows()
    for (number, nik, name, village, status, possible, event), raw_json, values_json in zip(
        columns, raw.to_list(), values.to_list(), strict=True
    ):
        found = issues.get(number)
        if found:
            issues_json = json.dumps(found, ensure_ascii=False)
            codes = " " + " ".join(sorted({i["code"] for i in found})) + " "
        else:
            issues_json, codes = _EMPTY_LIST, ""
        matched = candidates.get(number)
        yield (
            batch_id,
            number,
            raw_json,
            values_json,
            nik[:32],
            name[:150],
            village,
            status,
            issues_json,
            codes[:500],
            possible,
            json.dumps(matched, ensure_ascii=False) if matched else _EMPTY_LIST,
            pending,
            "",
            event or "",
        )


def rows_write(
    *,
    batch_id: int,
    result: ValidationResult,
    chunk: int,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Insert every row of ``result`` for ``batch_id``, ``chunk`` rows per transaction."""
    done = 0
    pending: list[tuple[Any, ...]] = []
    for row in row_tuples(batch_id, result):
        pending.append(row)
        if len(pending) >= chunk:
            done += _write_chunk(pending, done, progress)
            pending = []
    if pending:
        done += _write_chunk(pending, done, progress)
    return done


def _write_chunk(
    rows: list[tuple[Any, ...]], done: int, progress: Callable[[int], None] | None
) -> int:
    with transaction.atomic():
        written = rows_insert(ProposalRow, ROW_FIELDS, rows)
        if progress is not None:
            progress(done + written)
    return written
