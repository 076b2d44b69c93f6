"""Reading a targets file (xlsx/csv): the coverage denominators per area and year.

Columns (header names, case and spacing ignored; Indonesian or English):

| column | required | example |
|---|---|---|
| ``kode_wilayah`` (code) | yes | ``13.03.03.2001`` (a nagari, kecamatan or kabupaten) |
| ``tahun`` (year) | yes | ``2026`` |
| ``jumlah`` (count) | yes | ``1250`` (people eligible, ≥ 1) |
| ``sumber`` (source) | yes | ``BPS Sijunjung, Kecamatan Dalam Angka 2025`` |
| ``tanggal_sumber`` (source_date) | yes | ``2025-09-30`` |
| ``dasar`` (basis) | no | ``semesta_bpu`` / ``usia_kerja`` / ``pendataan_nagari`` / ``lainnya`` |
| ``fiktif`` (fictitious) | no | ``ya`` for demo rows |

Every row is checked before anything is written; one bad row refuses the file and every
error names its row, column and value. A region and year already present is replaced.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from django.core.files import File
from django.utils.translation import gettext

from jamsos.accounts.access import region_in_scope
from jamsos.accounts.models import User
from jamsos.lib.tabular import table_read, upload_read
from jamsos.regions.models import Region
from jamsos.reports.models import EligibleTarget
from jamsos.reports.services import TargetImportError, TargetImportResult, TargetRow, targets_save

COLUMNS = {
    "code": ("kode_wilayah", "kode", "code", "kode wilayah"),
    "year": ("tahun", "year"),
    "count": ("jumlah", "count", "sasaran", "jumlah_layak"),
    "source": ("sumber", "source"),
    "source_date": ("tanggal_sumber", "source_date", "tanggal sumber", "tanggal"),
    "basis": ("dasar", "basis"),
    "fictitious": ("fiktif", "fictitious", "is_fictitious"),
}
REQUIRED = ("code", "year", "count", "source", "source_date")
YES = {"ya", "y", "yes", "true", "1", "benar"}
NO = {"", "tidak", "t", "no", "false", "0", "salah"}


def _norm(text: str) -> str:
    return re.sub(r"[\s_]+", "_", text.strip().lower())


def _field_of(header: str) -> str | None:
    key = _norm(header)
    for name, aliases in COLUMNS.items():
        if key in {_norm(a) for a in aliases}:
            return name
    return None


def _score(cells: list[str]) -> int:
    return sum(1 for cell in cells if cell and _field_of(str(cell)) in REQUIRED)


def _error(row: int, column: str, value: str, problem: str) -> str:
    return gettext('Baris %(row)s: "%(value)s" di kolom "%(column)s" %(problem)s') % {
        "row": row,
        "value": value,
        "column": column,
        "problem": problem,
    }


def _check_region(
    cell: str, regions: dict[str, Region], viewer: User | None
) -> tuple[Region | None, str]:
    region = regions.get(cell)
    if region is None:
        return None, gettext("bukan kode wilayah yang dikenal.")
    if region.level == Region.Level.PROVINCE:
        return None, gettext("harus kabupaten, kecamatan atau nagari.")
    if viewer is not None and not region_in_scope(viewer, region.code):
        return None, gettext("di luar cakupan wilayah Anda.")
    return region, ""


def _check_row(
    number: int,
    cell: dict[str, str],
    columns: dict[str, str],
    regions: dict[str, Region],
    viewer: User | None,
) -> tuple[TargetRow | None, list[str]]:
    problems: list[tuple[str, str, str]] = []  # (field, value, problem)
    region, problem = _check_region(cell["code"], regions, viewer)
    if problem:
        problems.append(("code", cell["code"], problem))
    year = int(cell["year"]) if cell["year"].isdigit() else None
    if year is None or not 2000 <= year <= 2100:
        problems.append(("year", cell["year"], gettext("bukan tahun 2000–2100.")))
    digits = cell["count"].replace(".", "").replace(",", "")
    count = int(digits) if digits.isdigit() else 0
    if count < 1:
        problems.append(("count", cell["count"], gettext("harus bilangan bulat ≥ 1.")))
    if not cell["source"] or len(cell["source"]) > 300:
        problems.append(
            ("source", cell["source"][:40], gettext("wajib diisi, paling banyak 300 huruf."))
        )
    try:
        source_date = dt.date.fromisoformat(cell["source_date"][:10])
    except ValueError:
        source_date = dt.date.min
        problems.append(
            ("source_date", cell["source_date"], gettext("bukan tanggal (TTTT-BB-HH)."))
        )
    basis = cell.get("basis") or EligibleTarget.Basis.SEMESTA_BPU
    if basis not in EligibleTarget.Basis.values:
        choices = ", ".join(EligibleTarget.Basis.values)
        problems.append(("basis", basis, gettext("bukan salah satu dari: %(c)s.") % {"c": choices}))
    flag = cell.get("fictitious", "").lower()
    if flag not in YES | NO:
        problems.append(("fictitious", flag, gettext('harus "ya" atau "tidak".')))
    errors = [_error(number, columns[name], value, text) for name, value, text in problems]
    if region is None or year is None:
        return None, errors
    row = TargetRow(
        row=number,
        region=region,
        year=year,
        count=count,
        basis=basis,
        source=cell["source"],
        source_date=source_date,
        is_fictitious=flag in YES,
    )
    return row, errors


def targets_parse(
    data: bytes, *, file_name: str, viewer: User | None
) -> tuple[list[TargetRow], list[str]]:
    """Rows and errors of a targets file (nothing is written)."""
    table = table_read(data, file_name=file_name, header_score=_score, min_score=3)
    columns = {_field_of(h): h for h in table.headers if _field_of(h)}
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        return [], [
            gettext('Kolom "%(column)s" tidak ada di berkas.') % {"column": COLUMNS[name][0]}
            for name in missing
        ]
    codes = {str(v).strip() for v in table.frame[columns["code"]].to_list() if v is not None}
    regions = {r.code: r for r in Region.objects.filter(code__in=codes)}
    rows: list[TargetRow] = []
    errors: list[str] = []
    seen: dict[tuple[str, int], int] = {}
    for index, record in enumerate(table.frame.iter_rows(named=True)):
        number = table.first_row + index
        cell = {name: str(record[header] or "").strip() for name, header in columns.items()}
        if not any(cell.values()):
            continue
        row, problems = _check_row(number, cell, columns, regions, viewer)
        if row is not None:
            key = (row.region.code, row.year)
            if key in seen:
                problems.append(
                    _error(
                        number,
                        columns["code"],
                        cell["code"],
                        gettext("sudah ada untuk tahun ini di baris %(row)s.") % {"row": seen[key]},
                    )
                )
            seen[key] = number
        errors.extend(problems)
        if row is not None and not problems:
            rows.append(row)
    if not rows and not errors:
        errors.append(gettext("Berkas tidak berisi baris sasaran."))
    return rows, errors


def targets_import(
    source: bytes | Path | File, *, file_name: str, acting_user: User | None
) -> TargetImportResult:
    """Check every row, then write all of them or none (``TargetImportError``). A file
    or upload over the upload cap is refused (``FileTooLarge``) before it is read."""
    data = upload_read(source, file_name=file_name)
    rows, errors = targets_parse(data, file_name=file_name, viewer=acting_user)
    if errors:
        raise TargetImportError(
            gettext("Berkas sasaran ditolak: %(n)s kesalahan, tidak ada yang disimpan.")
            % {"n": len(errors)},
            errors=errors,
        )
    return targets_save(rows=rows, acting_user=acting_user)
