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
import posixpath
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import fastexcel
import polars as pl
from django.conf import settings
from django.core.files import File
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


# --- limits ------------------------------------------------------------------------------


@dataclass(frozen=True)
class XlsxLimits:
    """What an .xlsx may inflate to before anything parses it (zip bombs, giant sheets)."""

    max_uncompressed: int  # bytes, all zip members together
    max_ratio: int  # uncompressed / compressed
    max_rows: int
    max_columns: int


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*\bref="([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"')


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + (ord(ch) - 64)
    return number


def size_text(size: int) -> str:
    """``20 MB``, ``1,5 MB``, ``800 KB``: a file size as people read it."""
    if size >= 1024 * 1024:
        text = f"{size / (1024 * 1024):.1f}".replace(".", ",").removesuffix(",0")
        return f"{text} MB"
    return f"{max(1, round(size / 1024))} KB"


class FileTooLarge(TableError):
    code = "file_too_large"
    http_status = 413


def upload_max_bytes() -> int:
    """The size cap on every uploaded table (settings ``INTAKE_UPLOAD_MAX_BYTES``, env
    ``INTAKE_UPLOAD_MAX_MB``, default 20 MB): proposals, BPJS results, bank statements."""
    return settings.INTAKE_UPLOAD_MAX_BYTES


def default_xlsx_limits() -> XlsxLimits:
    """The settings' limits for every .xlsx read (docs/intake.md "Limits")."""
    return XlsxLimits(
        max_uncompressed=settings.INTAKE_XLSX_MAX_UNCOMPRESSED_BYTES,
        max_ratio=settings.INTAKE_XLSX_MAX_RATIO,
        max_rows=settings.INTAKE_XLSX_MAX_ROWS,
        max_columns=settings.INTAKE_XLSX_MAX_COLUMNS,
    )


def upload_size_check(*, size: int, file_name: str, limit: int | None = None) -> None:
    """``FileTooLarge`` naming the file, its size and the cap when ``size`` is over it."""
    limit = upload_max_bytes() if limit is None else limit
    if size > limit:
        raise FileTooLarge(
            gettext(
                'Berkas "%(file_name)s" berukuran %(size)s; batas unggah %(limit)s. Bagi '
                "daftar menjadi beberapa berkas."
            )
            % {"file_name": file_name, "size": size_text(size), "limit": size_text(limit)},
            file_name=file_name,
            limit_bytes=limit,
        )


def upload_read(
    source: bytes | Path | str | File, *, file_name: str, limit: int | None = None
) -> bytes:
    """The bytes of an upload (a Django ``File``), a path, or bytes already in memory,
    refused with ``FileTooLarge`` (``upload_size_check``) *before* anything is read when
    the file or upload is over the cap, so an oversized file never fills the memory."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        upload_size_check(size=len(data), file_name=file_name, limit=limit)
        return data
    if isinstance(source, (Path, str)):
        upload_size_check(size=Path(source).stat().st_size, file_name=file_name, limit=limit)
        return Path(source).read_bytes()
    upload_size_check(size=source.size, file_name=file_name, limit=limit)
    source.seek(0)
    return source.read()


def xlsx_limits_check(data: bytes, *, file_name: str, limits: XlsxLimits) -> None:
    """Refuse an .xlsx whose contents would be too big to read, before reading it.

    1. The zip's members, by the sizes its directory declares: together at most
       ``max_uncompressed`` bytes and at most ``max_ratio`` times the file
       (``xlsx_too_large``: a 2.5 MB file inflating to 600 MB is a zip bomb).
    2. Each worksheet's declared dimension (``<dimension ref="A1:N215">``, in the first
       bytes of its XML): at most ``max_rows`` rows and ``max_columns`` columns
       (``xlsx_too_large``).
    A file that is no zip is left to the reader (``file_unreadable``).
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return
    with archive:
        members = archive.infolist()
        inflated = sum(member.file_size for member in members)
        if inflated > limits.max_uncompressed or inflated > limits.max_ratio * max(len(data), 1):
            raise TableError(
                gettext(
                    'Berkas "%(file_name)s" (%(size)s) mengembang menjadi %(inflated)s saat '
                    "dibuka; paling besar %(limit)s dan %(ratio)s kali ukuran berkas. Berkas "
                    "ini tidak dibaca; simpan ulang dari Excel hanya dengan lembar datanya, "
                    "atau bagi menjadi beberapa berkas."
                )
                % {
                    "file_name": file_name,
                    "size": size_text(len(data)),
                    "inflated": size_text(inflated),
                    "limit": size_text(limits.max_uncompressed),
                    "ratio": limits.max_ratio,
                },
                code="xlsx_too_large",
                file_name=file_name,
            )
        for member in members:
            if not member.filename.startswith("xl/worksheets/") or member.is_dir():
                continue
            with archive.open(member) as handle:
                head = handle.read(4096)
            found = _DIMENSION.search(head)
            if found is None:
                continue
            rows = int(found.group(4) or found.group(2) or 0)
            columns = _column_number((found.group(3) or found.group(1) or "A").decode())
            if rows > limits.max_rows or columns > limits.max_columns:
                raise TableError(
                    gettext(
                        'Lembar kerja pada "%(file_name)s" berukuran %(rows)s baris × '
                        "%(columns)s kolom; paling banyak %(max_rows)s baris dan "
                        "%(max_columns)s kolom. Hapus baris dan kolom kosong yang terformat, "
                        "atau bagi menjadi beberapa berkas."
                    )
                    % {
                        "file_name": file_name,
                        "rows": rows,
                        "columns": columns,
                        "max_rows": limits.max_rows,
                        "max_columns": limits.max_columns,
                    },
                    code="xlsx_too_large",
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


_XML_ATTR = re.compile(r'([\w:]+)="([^"]*)"')
_SHEET_TAG = re.compile(r"<(?:\w+:)?sheet\b([^>]*)/?>")
_REL_TAG = re.compile(r"<(?:\w+:)?Relationship\b([^>]*)/?>")


def _attrs(text: str) -> dict[str, str]:
    return dict(_XML_ATTR.findall(text))


def _xlsx_sheet_part(archive: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip member holding the worksheet named ``sheet`` (workbook.xml + its rels)."""
    try:
        workbook = archive.read("xl/workbook.xml").decode("utf-8", errors="replace")
        rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", errors="replace")
    except KeyError:
        return None
    rel_id = None
    for tag in _SHEET_TAG.findall(workbook):
        attrs = _attrs(tag)
        if attrs.get("name") == sheet:
            rel_id = attrs.get("r:id") or next(
                (v for k, v in attrs.items() if k.endswith(":id")), None
            )
            break
    for tag in _REL_TAG.findall(rels):
        attrs = _attrs(tag)
        if rel_id is not None and attrs.get("Id") == rel_id:
            target = attrs.get("Target", "")
            if target.startswith("/"):
                return target.lstrip("/")
            return posixpath.normpath(posixpath.join("xl", target))
    return None


def xlsx_numeric_cells(data: bytes, *, sheet: str, column: int, rows: set[int]) -> dict[int, str]:
    """``{sheet row: "B12"}`` for the cells of ``column`` (0-based) among ``rows`` that
    the workbook stores as numbers, not as text.

    calamine hands every cell over as text, so a NIK typed into a General cell (Excel
    keeps 15 significant digits: the 16th becomes 0) looks like any other NIK. The cell's
    type is only in the sheet's XML: ``<c r="B12" s="3"><v>…</v></c>`` is a number,
    ``t="s"``/``"str"``/``"inlineStr"`` text. One regex pass over the column's cells.
    """
    if not rows:
        return {}
    letter = column_letter(column)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            part = _xlsx_sheet_part(archive, sheet)
            if part is None:
                return {}
            xml = archive.read(part)
    except (zipfile.BadZipFile, KeyError):
        return {}
    # The cell reference is searched as a literal (fast); only the cells of ``rows`` have
    # their tag read. One regex over every tag of the sheet took 0.5 s per 100,000 rows.
    # (A pattern that opens with a literal is searched like bytes.find; one that opens
    # with \b is tried at every byte: ten times slower. The boundary is checked after.)
    reference = re.compile(rb'r="' + letter.encode() + rb'(\d+)"')
    found: dict[int, str] = {}
    for match in reference.finditer(xml):
        number = int(match.group(1))
        if number not in rows or xml[match.start() - 1 : match.start()] not in _XML_SPACE:
            continue
        start = xml.rfind(b"<", 0, match.start())
        tag = xml[start : xml.find(b">", match.end())].decode("utf-8", errors="replace")
        if not _CELL_TAG.match(tag):
            continue
        if _attrs(tag).get("t", "n") == "n":
            found[number] = f"{letter}{number}"
    return found


_CELL_TAG = re.compile(r"<(?:\w+:)?c\s")
_XML_SPACE = (b" ", b"\t", b"\n", b"\r")


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


def _utf8_valid(data: bytes) -> bool:
    """Whether ``data`` is UTF-8, checked in 1 MB pieces (never a full decoded copy)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(data), 1 << 20):
            decoder.decode(data[start : start + (1 << 20)])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _read_csv(data: bytes, file_name: str, score: HeaderScore, min_score: int) -> Table:
    """Read a CSV into a ``Table``.

    Memory: UTF-8 files (nearly all) are handed to polars as they are, with the lines
    above the header skipped; only a 256 KB sample is decoded in Python. Other encodings
    (Windows-1252, UTF-16) are decoded and re-encoded once, which costs two more copies
    of the file; they are rare and small in practice (Excel's "CSV UTF-8" is the norm).
    """
    sample_bytes = data[: 256 * 1024]
    utf8 = not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and _utf8_valid(data)
    if utf8:
        bom = data.startswith(codecs.BOM_UTF8)
        encoding = "utf-8-sig" if bom else "utf-8"
        sample = sample_bytes.decode("utf-8-sig" if bom else "utf-8", errors="ignore")
        if not sample.strip():  # the first 256 KB blank: nothing to read
            raise TableError(
                gettext('Berkas "%(file_name)s" kosong.') % {"file_name": file_name},
                code="file_empty",
                file_name=file_name,
            )
        text = None
    else:
        text, encoding = _decode(data)
        if not text.strip():
            raise TableError(
                gettext('Berkas "%(file_name)s" kosong.') % {"file_name": file_name},
                code="file_empty",
                file_name=file_name,
            )
        sample = text[: 256 * 1024]
    sample_lines = sample.split("\n")[:SCAN_ROWS]
    sample_lines = [line.rstrip("\r") for line in sample_lines]
    delimiter = _sniff_delimiter([line for line in sample_lines if line.strip()])
    rows = list(csv.reader(sample_lines, delimiter=delimiter))
    index = _find_header([list(r) for r in rows], score, min_score)
    if index is None:
        raise _header_not_found(file_name)
    headers = _unique_headers(list(rows[index]))
    if text is not None:
        # Hand polars the text from the header line on: its column count comes from there.
        offset = 0
        for _ in range(index):
            offset = text.index("\n", offset) + 1
        source: bytes = text[offset:].encode("utf-8")
        del text
        skip = 0
    else:
        source = data  # a BOM ends up in a skipped line or the header, which is ours
        skip = index
    try:
        frame = pl.read_csv(
            source,
            separator=delimiter,
            has_header=True,
            skip_lines=skip,
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
    xlsx_limits: XlsxLimits | None = None,
    max_bytes: int | None = None,
) -> Table:
    """Read an .xlsx (first visible sheet with a header) or .csv file into a ``Table``.

    1. The suffix of ``file_name`` picks the reader; anything else is ``file_type``.
    2. Every cell is read as a string; Excel dates become ``yyyy-mm-dd``.
    3. ``header_score(cells)`` rates each of the first 30 rows; the best row scoring at
       least ``min_score`` is the header (``header_not_found`` otherwise).
    4. CSV: encoding UTF-8 (BOM or not), UTF-16 with BOM, else Windows-1252; delimiter
       sniffed among ``; , tab |``.
    5. Limits, safe by default so that no caller can forget them: a file over
       ``max_bytes`` (default ``upload_max_bytes()``) is ``file_too_large``, and an
       .xlsx is checked against ``xlsx_limits`` (default ``default_xlsx_limits()``)
       before it is parsed (``xlsx_too_large``). The errors name the limit.
    """
    suffix = table_suffix(file_name)
    if isinstance(source, (Path, str)):
        upload_size_check(size=Path(source).stat().st_size, file_name=file_name, limit=max_bytes)
        data = Path(source).read_bytes()
    else:
        data = bytes(source)
    upload_size_check(size=len(data), file_name=file_name, limit=max_bytes)
    if not data:
        raise TableError(
            gettext('Berkas "%(file_name)s" kosong.') % {"file_name": file_name},
            code="file_empty",
            file_name=file_name,
        )
    if suffix == ".xlsx":
        xlsx_limits_check(data, file_name=file_name, limits=xlsx_limits or default_xlsx_limits())
        return _read_xlsx(data, file_name, header_score, min_score)
    return _read_csv(data, file_name, header_score, min_score)
