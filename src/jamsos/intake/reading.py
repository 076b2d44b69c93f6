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
from jamsos.lib.tabular import Table, TableError, table_read
from jamsos.regions.models import Region

TTL = "ttl"  # pseudo field: "Sijunjung, 15-03-1980"

HEADER_VARIANTS: dict[str, tuple[str, ...]] = {
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

    def label(self, field_key: str) -> str:
        return self.labels.get(field_key) or FIELD_LABELS.get(field_key, field_key)


def _blank_to_null(column: str) -> pl.Expr:
    text = pl.col(column).str.strip_chars()
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
    """
    table = table_read(source, file_name=file_name, header_score=header_score)
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
    frame = raw.select("row_number", *[_blank_to_null(h).alias(f) for h, f in mapping.items()])
    keep = pl.any_horizontal(pl.col(f).is_not_null() for f in mapping.values())
    mask = frame.select(keep.alias("keep"))["keep"]
    frame = frame.filter(mask)
    raw = raw.filter(mask)
    frame = _split_ttl(frame, mapping, labels)
    return ProposalTable(
        frame=frame,
        raw=raw,
        labels=labels,
        mapping=mapping,
        headers=table.headers,
        header_row=table.header_row,
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
