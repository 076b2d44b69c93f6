"""Reading spreadsheets people actually send: .xlsx and .csv into a table of strings.

Real files do not start at A1 with a header: they have title lines, blank lines, a
numbering column, headers in odd places. This module finds the header row with a scoring
function the caller supplies (it knows which headers it wants), and hands back every cell
below it as a string — never a number (a NIK must keep all 16 digits) and never a formula
(calamine returns the value a formula last showed; nothing is evaluated).

Design goals: one pass over the file (calamine parses a whole sheet per load, so the
header is searched in the loaded frame, not in a second read), polars all the way for
speed, row numbers that match what the person sees in Excel or in a text editor.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import fastexcel
import polars as pl
from django.utils.translation import gettext

from jamsos.lib.errors import DomainError

SUFFIXES = (".xlsx", ".csv")
SCAN_ROWS = 30  # the header must be within the first rows of a sheet
DELIMITERS = (";", ",", "\t", "|")

HeaderScore = Callable[[list[str]], int]


class TableError(DomainError):
    """The file could not be read as a table. ``code`` says why (see docs/intake.md)."""

    code = "file_unreadable"


@dataclass
class Table:
    """The cells below the header row, as strings, one column per header.

    ``headers`` are the header cells in file order, made unique and never empty
    ("Kolom C" for an empty one); ``frame`` has exactly these columns (String, null for
    empty cells); ``first_row`` is the 1-based sheet row (or CSV record) number of
    ``frame``'s first row, so row ``i`` of the frame is row ``first_row + i`` of the file.
    """

    headers: list[str]
    frame: pl.DataFrame
    header_row: int
    first_row: int
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None


def table_suffix(file_name: str) -> str:
    """The lower-cased suffix if it is one we read, else ``TableError(file_type)``."""
    suffix = Path(file_name).suffix.lower()
    if suffix not in SUFFIXES:
        raise TableError(
            gettext(
                'Berkas "%(file_name)s" bukan .xlsx atau .csv; simpan dari Excel sebagai '
                "Excel Workbook (.xlsx) atau CSV."
            )
            % {"file_name": file_name},
            code="file_type",
            file_name=file_name,
        )
    return suffix


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: how spreadsheets name columns."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _unique_headers(cells: list[str | None]) -> list[str]:
    headers: list[str] = []
    seen: dict[str, int] = {}
    for i, cell in enumerate(cells):
        name = " ".join(str(cell).split()) if cell is not None else ""
        name = name or f"Kolom {column_letter(i)}"
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        else:
            seen[name] = 1
        headers.append(name)
    return headers


def _find_header(rows: list[list[str | None]], score: HeaderScore, min_score: int) -> int | None:
    """Index of the best-scoring row among ``rows`` (first on ties), or None."""
    best, best_index = 0, None
    for i, row in enumerate(rows):
        cells = [str(c) if c is not None else "" for c in row]
        value = score(cells)
        if value > best:
            best, best_index = value, i
    return best_index if best >= min_score else None


def _header_not_found(file_name: str) -> TableError:
    return TableError(
        gettext(
            "Baris judul kolom tidak ditemukan dalam %(SCAN_ROWS)s baris pertama "
            '"%(file_name)s". Pastikan ada satu baris berisi judul seperti NIK, '
            "Nama, Tanggal Lahir."
        )
        % {"SCAN_ROWS": SCAN_ROWS, "file_name": file_name},
        code="header_not_found",
        file_name=file_name,
    )


# --- xlsx -------------------------------------------------------------------------------


def _read_xlsx(data: bytes, file_name: str, score: HeaderScore, min_score: int) -> Table:
    try:
        reader = fastexcel.read_excel(data)
        names = reader.sheet_names
    except fastexcel.FastExcelError as exc:
        raise TableError(
            gettext(
                'Berkas "%(file_name)s" tidak dapat dibuka sebagai Excel (.xlsx): rusak '
                "atau bukan berkas Excel."
            )
            % {"file_name": file_name},
            code="file_unreadable",
            file_name=file_name,
        ) from exc
    for name in names:
        try:
            # skip_rows=0 keeps leading empty rows, so frame row i is sheet row i + 1.
            sheet = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string")
        except fastexcel.FastExcelError as exc:
            raise TableError(
                gettext('Lembar "%(name)s" pada "%(file_name)s" tidak dapat dibaca.')
                % {"name": name, "file_name": file_name},
                code="file_unreadable",
                file_name=file_name,
            ) from exc
        if sheet.visible != "visible":
            continue
        frame = sheet.to_polars()
        if frame.height == 0:
            continue
        head = frame.head(SCAN_ROWS).rows()
        index = _find_header([list(r) for r in head], score, min_score)
        if index is None:
            continue
        headers = _unique_headers(list(head[index]))
        body = frame.slice(index + 1)
        body.columns = headers
        # A date cell arrives as "1980-05-15 00:00:00" (calamine's text for a datetime);
        # keep the date only. A literal suffix: a regex over every cell costs 0.3 s.
        body = body.with_columns(pl.col(h).str.strip_suffix(" 00:00:00") for h in headers)
        return Table(headers, body, index + 1, index + 2, sheet=name)
    raise _header_not_found(file_name)


# --- csv --------------------------------------------------------------------------------


def _decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding it was read with: UTF-8 (with or without BOM), UTF-16 with a
    BOM (Excel's "Unicode Text"), else Windows-1252 (Excel's default "CSV" on Windows)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def _sniff_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the sample into the most fields on the most lines.

    Title lines ("Daftar usulan, Kecamatan X") have a stray comma; the header and data
    lines agree on one delimiter, so the widest consistent split wins.
    """

    def score(delimiter: str) -> tuple[int, int]:
        counts = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        wide = [c for c in counts if c >= 3]
        if not wide:
            return (0, max(counts, default=0))
        common = max(set(wide), key=wide.count)
        return (wide.count(common) * common, common)

    return max(DELIMITERS, key=score)


def _read_csv(data: bytes, file_name: str, score: HeaderScore, min_score: int) -> Table:
    text, encoding = _decode(data)
    if not text.strip():
        raise TableError(
            gettext('Berkas "%(file_name)s" kosong.') % {"file_name": file_name},
            code="file_empty",
            file_name=file_name,
        )
    sample_lines = text[: 256 * 1024].splitlines()[:SCAN_ROWS]
    delimiter = _sniff_delimiter([line for line in sample_lines if line.strip()])
    rows = list(csv.reader(sample_lines, delimiter=delimiter))
    index = _find_header([list(r) for r in rows], score, min_score)
    if index is None:
        raise _header_not_found(file_name)
    headers = _unique_headers(list(rows[index]))
    # Hand polars the text from the header line on: its column count comes from there.
    offset = 0
    for _ in range(index):
        offset = text.index("\n", offset) + 1
    body_bytes = text[offset:].encode("utf-8")
    try:
        frame = pl.read_csv(
            io.BytesIO(body_bytes),
            separator=delimiter,
            has_header=True,
            infer_schema=False,
            truncate_ragged_lines=True,
            quote_char='"',
        )
    except pl.exceptions.PolarsError as exc:
        raise TableError(
            gettext('Berkas CSV "%(file_name)s" tidak dapat dibaca: %(name)s.')
            % {"file_name": file_name, "name": exc.__class__.__name__},
            code="file_unreadable",
            file_name=file_name,
        ) from exc
    if frame.width != len(headers):  # a quoted line break in the header: trust polars
        headers = _unique_headers(frame.columns)
    frame.columns = headers
    return Table(headers, frame, index + 1, index + 2, encoding=encoding, delimiter=delimiter)


def table_read(
    source: bytes | Path | str,
    *,
    file_name: str,
    header_score: HeaderScore,
    min_score: int = 2,
) -> Table:
    """Read an .xlsx (first visible sheet with a header) or .csv file into a ``Table``.

    1. The suffix of ``file_name`` picks the reader; anything else is ``file_type``.
    2. Every cell is read as a string; Excel dates become ``yyyy-mm-dd``.
    3. ``header_score(cells)`` rates each of the first 30 rows; the best row scoring at
       least ``min_score`` is the header (``header_not_found`` otherwise).
    4. CSV: encoding UTF-8 (BOM or not), UTF-16 with BOM, else Windows-1252; delimiter
       sniffed among ``; , tab |``.
    """
    suffix = table_suffix(file_name)
    data = Path(source).read_bytes() if isinstance(source, (Path, str)) else bytes(source)
    if not data:
        raise TableError(
            gettext('Berkas "%(file_name)s" kosong.') % {"file_name": file_name},
            code="file_empty",
            file_name=file_name,
        )
    if suffix == ".xlsx":
        return _read_xlsx(data, file_name, header_score, min_score)
    return _read_csv(data, file_name, header_score, min_score)
