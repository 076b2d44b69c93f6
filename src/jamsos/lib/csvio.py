"""Writing CSV files that a spreadsheet opens without running anything.

Design goal: no value a person typed ever runs as a formula when the file is opened in
Excel, LibreOffice or Google Sheets (CSV/formula injection, OWASP). A cell that begins
with ``= + - @``, a tab or a carriage return is written with a leading apostrophe, which
spreadsheets show as text; plain numbers (``-16800``, ``+62``, ``-1,5``) stay numbers. The
xlsx exports reach the same end by writing such values as string cells
(``write_string`` / ``strings_to_formulas=False``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import Any

# What a spreadsheet reads as the start of a formula (or of a DDE command).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)*")


def cell_would_run(value: object) -> bool:
    """True if a spreadsheet opening this CSV cell would read it as a formula."""
    text = "" if value is None else str(value)
    return text.startswith(FORMULA_STARTS) and PLAIN_NUMBER.fullmatch(text) is None


def csv_safe_cell(value: Any) -> Any:
    """The value as a CSV cell: numbers unchanged, formula-like text behind an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if cell_would_run(text) else text


class SafeCsvWriter:
    """``csv.writer`` whose every cell goes through ``csv_safe_cell``."""

    def __init__(self, stream: io.StringIO, **kwargs: Any) -> None:
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([csv_safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_bytes(
    rows: Iterable[Iterable[Any]], *, delimiter: str = ";", excel_bom: bool = True
) -> bytes:
    """Rows (header first) as a UTF-8 CSV file; with a BOM and CRLF so Excel opens it."""
    text = io.StringIO()
    SafeCsvWriter(text, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return (("\ufeff" if excel_bom else "") + text.getvalue()).encode("utf-8")
