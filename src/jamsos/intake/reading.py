"""From a proposal file (or one form's values) to a table of field strings.

Headers are matched forgivingly: case, punctuation and spacing do not matter, and the
variants people use are known (NIK / No KTP / Nomor Induk Kependudukan; Nama / Nama
Lengkap; Tgl Lahir; JK; Desa / Kelurahan / Nagari; No HP / Telepon; …). A combined
"Tempat, Tanggal Lahir" (TTL) column is split. A missing required column means the file
cannot be read: ``TableError(column_missing)`` naming the column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from django.utils.translation import gettext

from jamsos.intake.codes import FIELD_LABELS
from jamsos.lib.tabular import (  # noqa: F401  (FileTooLarge, upload_size_check: re-exported)
    FileTooLarge,
    Table,
    TableError,
    XlsxLimits,
    default_xlsx_limits,
    size_text,
    table_read,
    upload_size_check,
    xlsx_limits_check,
    xlsx_numeric_cells,
)
from jamsos.regions.models import Region

TTL = "ttl"  # pseudo field: "Sijunjung, 15-03-1980"

HEADER_VARIANTS: dict[str, tuple[str, ...]] = {
    "event_code": (
        "kode kegiatan",
        "kode kegiatan sosialisasi",
        "kode sosialisasi",
        "kegiatan sosialisasi",
        "kode acara",
        "kode qr",
    ),
    "nik": (
        "nik",
        "no nik",
        "nomor nik",
        "nik ktp",
        "no ktp",
        "nomor ktp",
        "no ktp nik",
        "nik peserta",
        "nomor induk kependudukan",
        "no induk kependudukan",
        "nomor induk kependudukan nik",
    ),
    "full_name": (
        "nama",
        "nama lengkap",
        "nama peserta",
        "nama pekerja",
        "nama sesuai ktp",
        "nama lengkap sesuai ktp",
        "nama calon peserta",
    ),
    "birth_place": ("tempat lahir", "tmp lahir", "tpt lahir", "tmpt lahir"),
    "birth_date": (
        "tanggal lahir",
        "tgl lahir",
        "tgl lhr",
        "tanggal lhr",
        "tgl lahir dd mm yyyy",
        "tanggal lahir hh bb tttt",
    ),
    TTL: (
        "ttl",
        "tempat tanggal lahir",
        "tempat tgl lahir",
        "tempat dan tanggal lahir",
        "tempat tgl lhr",
    ),
    "sex": (
        "jenis kelamin",
        "jk",
        "l p",
        "kelamin",
        "jns kelamin",
        "jenis kel",
        "gender",
        "sex",
    ),
    "mother_name": ("nama ibu kandung", "ibu kandung", "nama ibu", "nama gadis ibu kandung"),
    "address": ("alamat", "alamat lengkap", "alamat rumah", "alamat domisili", "jorong dusun"),
    "village": (
        "nagari",
        "desa",
        "kelurahan",
        "desa kelurahan",
        "nagari desa",
        "desa nagari",
        "nagari desa kelurahan",
        "nama nagari",
        "nama desa",
        "kode nagari",
        "kode desa",
        "kode wilayah",
    ),
    "district": ("kecamatan", "kec", "nama kecamatan", "kode kecamatan"),
    "occupation": (
        "pekerjaan",
        "jenis pekerjaan",
        "profesi",
        "mata pencaharian",
        "pekerjaan utama",
    ),
    "phone": (
        "no hp",
        "nomor hp",
        "hp",
        "no handphone",
        "handphone",
        "telepon",
        "no telepon",
        "nomor telepon",
        "telp",
        "no telp",
        "no tlp",
        "no wa",
        "nomor wa",
        "whatsapp",
        "no whatsapp",
        "kontak",
    ),
    "family_card_number": (
        "no kk",
        "nomor kk",
        "kk",
        "nomor kartu keluarga",
        "no kartu keluarga",
    ),
    "declared_income": (
        "penghasilan",
        "penghasilan per bulan",
        "penghasilan bulanan",
        "pendapatan",
        "pendapatan per bulan",
        "upah",
    ),
}
# Required in every file; "village" only when the batch region is not itself a village.
REQUIRED = ("nik", "full_name", "birth_date", "sex", "village", "occupation")
_BY_VARIANT: dict[str, str] = {v: key for key, vs in HEADER_VARIANTS.items() for v in vs}
_VARIANTS_LONGEST_FIRST = sorted(_BY_VARIANT, key=len, reverse=True)
_PARENS = re.compile(r"\([^)]*\)")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_EMPTY_MARKERS = ("", "-", "--", "—", "–")
_FIRST_DIGIT = re.compile(r"\d")


def intake_xlsx_limits() -> XlsxLimits:
    """The settings' limits for .xlsx proposal files (docs/intake.md "Limits")."""
    return default_xlsx_limits()


def upload_limits_check(data: bytes, *, file_name: str) -> None:
    """Everything refused before a proposal file is stored: too many bytes, or an .xlsx
    that inflates too far or declares too big a sheet (``lib.tabular.xlsx_limits_check``)."""
    upload_size_check(size=len(data), file_name=file_name)
    if file_name.lower().endswith(".xlsx"):
        xlsx_limits_check(data, file_name=file_name, limits=intake_xlsx_limits())


def header_key(header: str) -> str:
    """``"No. HP (aktif)"`` → ``"no hp"``: the form header variants are compared in."""
    text = _PARENS.sub(" ", str(header).lower())
    return " ".join(_NON_ALNUM.sub(" ", text).split())


def header_field(header: str) -> str | None:
    """The field a header names, or None. Exact variant first; else the longest variant
    the header begins with ("Tanggal Lahir dd-mm-yyyy", "NIK 16 digit")."""
    key = header_key(header)
    if not key:
        return None
    if key in _BY_VARIANT:
        return _BY_VARIANT[key]
    for variant in _VARIANTS_LONGEST_FIRST:
        if key.startswith(variant + " "):
            return _BY_VARIANT[variant]
    return None


def header_score(cells: list[str]) -> int:
    """How many distinct fields a row's cells name (the header row names the most)."""
    return len({f for f in (header_field(c) for c in cells if c) if f is not None})


def header_mapping(headers: list[str]) -> dict[str, str]:
    """``{header: field}`` for recognised headers; the first header of a field wins."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        found = header_field(header)
        if found and found not in taken:
            mapping[header] = found
            taken.add(found)
    return mapping


@dataclass
class ProposalTable:
    """Rows to validate: ``frame`` has ``row_number`` (Int64) and one String column per
    field present; ``raw`` the file's own columns (by header) for ``ProposalRow.raw``.

    ``labels`` maps each field to the column name messages should use (the file's
    header, or the form's label); ``mapping`` is ``{header: field}`` as stored on the
    batch.
    """

    frame: pl.DataFrame
    raw: pl.DataFrame | None
    labels: dict[str, str]
    mapping: dict[str, str] = field(default_factory=dict)
    headers: list[str] = field(default_factory=list)
    header_row: int | None = None
    # Rows of the file that are not rows: {"header_repeat": n, "foot": n}.
    skipped: dict[str, int] = field(default_factory=dict)
    # Sheet rows whose NIK cell Excel stores as a number: {row_number: "B12"}.
    numeric_nik_cells: dict[int, str] = field(default_factory=dict)

    def label(self, field_key: str) -> str:
        return self.labels.get(field_key) or FIELD_LABELS.get(field_key, field_key)

    def rows_take(self) -> pl.DataFrame:
        """The rows, handed over to validation: the table keeps an empty frame of the
        same columns, so a million rows are not held twice while they are checked
        (issue 10). Everything else (raw, labels, mapping) stays."""
        frame, self.frame = self.frame, self.frame.clear()
        return frame


def _blank_to_null(column: str, *, strip: bool = True) -> pl.Expr:
    """Trimmed text, null for "", "-" and the like. ``strip=False`` for a column with no
    value to trim: the text is kept as read (no copy of a million strings)."""
    text = pl.col(column).str.strip_chars() if strip else pl.col(column)
    return pl.when(text.is_in(_EMPTY_MARKERS)).then(None).otherwise(text).alias(column)


def ttl_split(text: str | None) -> tuple[str | None, str | None]:
    """``"Sijunjung, 15-03-1980"`` → ``("Sijunjung", "15-03-1980")``: the place is what
    comes before the first digit (commas and slashes trimmed), the date the rest."""
    if not text:
        return None, None
    match = _FIRST_DIGIT.search(text)
    if match is None:
        return text.strip() or None, None
    place = text[: match.start()].strip(" ,;/-").strip()
    return place or None, text[match.start() :].strip() or None


def _split_ttl(
    frame: pl.DataFrame, mapping: dict[str, str], labels: dict[str, str]
) -> pl.DataFrame:
    if TTL not in frame.columns:
        return frame
    pairs = [ttl_split(v) for v in frame[TTL].to_list()]
    header = labels.pop(TTL)
    if "birth_place" not in frame.columns:
        frame = frame.with_columns(pl.Series("birth_place", [p for p, _d in pairs], pl.String))
        labels["birth_place"] = header
    if "birth_date" not in frame.columns:
        frame = frame.with_columns(pl.Series("birth_date", [d for _p, d in pairs], pl.String))
        labels["birth_date"] = header
    return frame.drop(TTL)


# Fields a person's row has and a document's foot (signature block) has not: the signer's
# place, title, name and NIP sit in whatever columns are under them (often Nama, Alamat,
# Pekerjaan), but never a NIK, a birth date or a sex.
PERSON_MARKERS = ("nik", "birth_date", TTL, "sex")
PERSON_ANCHORS = ("nik", "birth_date", TTL)


def _header_key_expr(column: str) -> pl.Expr:
    """``header_key`` as a polars expression (lower case, no parentheses, a-z0-9 words)."""
    return (
        pl.col(column)
        .str.to_lowercase()
        .str.replace_all(r"\([^)]*\)", " ")
        .str.replace_all(r"[^a-z0-9]+", " ")
        .str.strip_chars()
    )


def _header_repeats(mapping: dict[str, str]) -> pl.Expr:
    """A row that prints the header again (a Camat list repeats it on every page): at
    least two of its recognised cells say what their column's header says."""
    same = [(_header_key_expr(h) == header_key(h)).fill_null(False).cast(pl.Int32) for h in mapping]
    return pl.sum_horizontal(same) >= min(2, len(mapping))


def _header_repeat_mask(raw: pl.DataFrame, mapping: dict[str, str]) -> pl.Series:
    """``_header_repeats`` for every row, computed only on the rows that can be one: a
    repeated header's NIK cell says "NIK", it does not begin with a digit as NIKs do
    (the full test normalises every recognised cell: 10 s and 150 MB on 1M rows)."""
    nik_header = next((h for h, f in mapping.items() if f == "nik"), None)
    if nik_header is None:
        return raw.select(_header_repeats(mapping).alias("repeat"))["repeat"]
    maybe = pl.col(nik_header).str.contains(r"^\s*'?\s*[0-9]").not_().fill_null(False)
    candidates = raw.select("row_number", *mapping).filter(maybe)
    if candidates.height == 0:
        return pl.Series("repeat", [False] * raw.height, dtype=pl.Boolean)
    found = candidates.filter(_header_repeats(mapping))["row_number"]
    return raw["row_number"].is_in(found.implode()).alias("repeat")


def _foot_mask(frame: pl.DataFrame) -> pl.Series:
    """True for the rows of the document's foot: after the last row with a NIK or a
    birth date, the rows with none of NIK, birth date or sex ("Mengetahui,",
    "Camat Kupitan", "(ttd)", the signer's name, "NIP …")."""
    anchors = [f for f in PERSON_ANCHORS if f in frame.columns]
    markers = [f for f in PERSON_MARKERS if f in frame.columns]
    if not anchors or frame.height == 0:
        return pl.Series("foot", [False] * frame.height, dtype=pl.Boolean)
    anchored = frame.select(pl.any_horizontal(pl.col(f).is_not_null() for f in anchors))
    positions = anchored.to_series().arg_true()
    last = positions[-1] if len(positions) else -1
    marked = frame.select(pl.any_horizontal(pl.col(f).is_not_null() for f in markers))
    after = pl.Series(range(frame.height)) > last
    return (after & ~marked.to_series()).alias("foot")


def _numeric_nik_cells(
    data: bytes, table: Table, mapping: dict[str, str], frame: pl.DataFrame
) -> dict[int, str]:
    """Rows whose NIK cell is an Excel number (see ``lib.tabular.xlsx_numeric_cells``).

    Only 16-digit NIKs ending in 0 can be such a number (Excel keeps 15 significant
    digits), so the sheet's XML is read only when one is present.
    """
    if table.sheet is None or "nik" not in frame.columns:
        return {}
    suspects = frame.filter(pl.col("nik").str.contains(r"^[0-9]{15}0$").fill_null(False))
    if suspects.height == 0:
        return {}
    header = next(h for h, f in mapping.items() if f == "nik")
    return xlsx_numeric_cells(
        data,
        sheet=table.sheet,
        column=table.headers.index(header),
        rows=set(suspects["row_number"].to_list()),
    )


def _missing_column(field_key: str, table: Table, file_name: str) -> TableError:
    variants = " / ".join(v.title() for v in HEADER_VARIANTS[field_key][:3])
    return TableError(
        gettext(
            'Kolom wajib "%(value)s" tidak ada pada baris judul (baris '
            '%(header_row)s) berkas "%(file_name)s". Judul yang dikenali: '
            "%(variants)s. Judul yang ada: %(headers)s."
        )
        % {
            "value": FIELD_LABELS[field_key],
            "header_row": table.header_row,
            "file_name": file_name,
            "variants": variants,
            "headers": ", ".join(table.headers),
        },
        code="column_missing",
        column=FIELD_LABELS[field_key],
        file_name=file_name,
    )


def proposal_table_read(
    source: bytes | Path | str, *, file_name: str, village_optional: bool = False
) -> ProposalTable:
    """Read a proposal file into a ``ProposalTable``.

    1. ``lib.tabular`` reads the file and finds the header (the row naming most fields).
    2. Headers map to fields; every required field must have a column
       (``column_missing`` otherwise; the village column is optional when the batch is
       for one village, ``village_optional``).
    3. Rows whose recognised cells are all empty (pre-numbered template rows, blank
       lines) are dropped; the rest keep their sheet row numbers.
    4. Rows that repeat the header (printed again on every page) and the document's
       foot (a signature block after the last person) are not rows: dropped and counted
       in ``skipped``.
    5. NIK cells Excel stores as numbers are noted (``numeric_nik_cells``) for a
       warning naming the cell.
    """
    data = Path(source).read_bytes() if isinstance(source, (Path, str)) else bytes(source)
    table = table_read(
        data, file_name=file_name, header_score=header_score, xlsx_limits=intake_xlsx_limits()
    )
    mapping = header_mapping(table.headers)
    fields = set(mapping.values())
    if TTL in fields:
        fields |= {"birth_place", "birth_date"}
    for required in REQUIRED:
        if required == "village" and village_optional:
            continue
        if required not in fields:
            raise _missing_column(required, table, file_name)
    labels = {f: h for h, f in mapping.items()}
    raw = table.frame.with_row_index("row_number", offset=table.first_row).with_columns(
        pl.col("row_number").cast(pl.Int64)
    )
    # Trim only the columns that have something to trim: a CSV's cells rarely do, and
    # trimming a column copies every string of it.
    padded = raw.select(pl.col(h).str.contains(r"^\s|\s$").any().alias(h) for h in mapping).row(
        0, named=True
    )
    frame = raw.select(
        "row_number",
        *[_blank_to_null(h, strip=bool(padded[h])).alias(f) for h, f in mapping.items()],
    )
    keep = pl.any_horizontal(pl.col(f).is_not_null() for f in mapping.values())
    mask = frame.select(keep.alias("keep"))["keep"]
    repeats = _header_repeat_mask(raw, mapping) & mask
    mask = mask & ~repeats
    frame = frame.filter(mask)
    raw = raw.filter(mask)
    foot = _foot_mask(frame)
    frame = frame.filter(~foot)
    raw = raw.filter(~foot)
    skipped = {"header_repeat": int(repeats.sum()), "foot": int(foot.sum())}
    numeric = _numeric_nik_cells(data, table, mapping, frame)
    frame = _split_ttl(frame, mapping, labels)
    return ProposalTable(
        frame=frame,
        raw=raw,
        labels=labels,
        mapping=mapping,
        headers=table.headers,
        header_row=table.header_row,
        skipped={k: v for k, v in skipped.items() if v},
        numeric_nik_cells=numeric,
    )


def proposal_table_from_values(
    values: dict[str, Any],
    *,
    row_number: int = 1,
    labels: dict[str, str] | None = None,
    village_default: Region | None = None,
) -> ProposalTable:
    """One person's values (form, API, a fixed row) as a one-row ``ProposalTable``.

    Keys are field keys (``nik``, ``full_name``, …); unknown keys are ignored. When the
    village is empty and ``village_default`` is a village (an agent's nagari), it is
    used.
    """
    data: dict[str, Any] = {"row_number": [row_number]}
    for key in FIELD_LABELS:
        value = values.get(key)
        data[key] = [None if value is None else str(value)]
    if (
        village_default is not None
        and village_default.level == Region.Level.VILLAGE
        and not str(values.get("village") or "").strip()
    ):
        data["village"] = [village_default.code]
    frame = pl.DataFrame(
        data, schema={"row_number": pl.Int64, **dict.fromkeys(FIELD_LABELS, pl.String)}
    )
    frame = frame.select("row_number", *[_blank_to_null(k) for k in FIELD_LABELS])
    return ProposalTable(frame=frame, raw=None, labels=dict(labels or {}))
