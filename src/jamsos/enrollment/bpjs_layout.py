"""The collective-registration file for the BPJS branch, and reading its answer back.

BPJS Ketenagakerjaan's official wadah template is not published (facts.md §8); this is
our own layout, documented in docs/bpjs-layout.md, built from the columns a BPU
registration needs. The same sheet travels both ways: we fill columns A–V, the branch
fills W–Z (STATUS, NO KPJ, TGL MULAI KEPESERTAAN, ALASAN PENOLAKAN) and sends it back.
Reading finds the header row wherever it is, accepts common spellings of the result
headers, and turns each row into a ``BpjsResult`` or an error naming row, column, value.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

import xlsxwriter
from django.db.models import QuerySet
from django.utils.translation import gettext

from jamsos.budget.models import RiskGroup
from jamsos.enrollment.models import Decree, DecreeLine
from jamsos.enrollment.services.bpjs import BpjsResult, RowError
from jamsos.lib.csvio import csv_bytes
from jamsos.lib.dates import date_parse
from jamsos.lib.errors import DomainError
from jamsos.lib.formats import bulan, rupiah_parse
from jamsos.lib.generated import Progress
from jamsos.lib.periods import Month
from jamsos.lib.tabular import Table, column_letter, table_read

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    header: str
    width: int
    note: str


# A–V: filled by the system. W–Z: filled by the BPJS branch.
COLUMNS: tuple[Column, ...] = (
    Column("NO", 6, "Nomor urut"),
    Column("ID BARIS", 10, "Nomor baris SK di Jamsos; jangan diubah"),
    Column("NIK", 19, "16 angka, sebagai teks"),
    Column("NAMA LENGKAP", 30, "Sesuai KTP"),
    Column("TEMPAT LAHIR", 16, ""),
    Column("TANGGAL LAHIR", 13, "DD-MM-YYYY"),
    Column("JENIS KELAMIN", 8, "L atau P"),
    Column("NAMA IBU KANDUNG", 24, ""),
    Column("ALAMAT", 30, ""),
    Column("KODE WILAYAH", 13, "Kode nagari/desa Kemendagri, 10 angka tanpa titik"),
    Column("NAGARI/DESA", 20, ""),
    Column("KECAMATAN", 16, ""),
    Column("NO HP", 15, ""),
    Column("EMAIL", 18, "Boleh kosong"),
    Column("JENIS PEKERJAAN", 20, ""),
    Column("LOKASI KERJA", 20, "Nagari/desa tempat bekerja"),
    Column("PENGHASILAN", 13, "Nilai penghasilan (Rp); kosong = terendah"),
    Column("PROGRAM", 10, "JKK, JKM"),
    Column("PERIODE MULAI", 10, "YYYY-MM"),
    Column("JUMLAH BULAN", 8, ""),
    Column("SUMBER DANA", 22, ""),
    Column("NOMOR SK", 26, ""),
    Column("STATUS", 11, "Diisi BPJS: DITERIMA atau DITOLAK"),
    Column("NO KPJ", 14, "Diisi BPJS bila diterima: 11 angka"),
    Column("TGL MULAI KEPESERTAAN", 14, "Diisi BPJS bila diterima: DD-MM-YYYY"),
    Column("ALASAN PENOLAKAN", 30, "Diisi BPJS bila ditolak"),
)
HEADERS = [c.header for c in COLUMNS]
RESULT_FROM = HEADERS.index("STATUS")


def _export_queryset(decree: Decree, *, pending_only: bool) -> QuerySet[DecreeLine]:
    lines = DecreeLine.objects.filter(
        decree=decree, action=DecreeLine.Action.ADD, removed_by_line__isnull=True
    )
    if pending_only:
        lines = lines.filter(bpjs_status=DecreeLine.BpjsStatus.PENDING)
    return lines


PROGRESS_EVERY = 2000  # lines between two progress reports of a background export


def _export_lines(
    decree: Decree, *, pending_only: bool, progress: Progress | None = None
) -> Iterator[DecreeLine]:
    lines = (
        _export_queryset(decree, pending_only=pending_only)
        .select_related("person", "village", "village__parent", "funding_source")
        .order_by("line_no")
    )
    for done, line in enumerate(lines.iterator(chunk_size=2000), start=1):
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done)
        yield line


def bpjs_export_count(decree: Decree, *, pending_only: bool = True) -> int:
    return _export_queryset(decree, pending_only=pending_only).count()


def bpjs_export_persons(decree: Decree, *, pending_only: bool = True) -> list[tuple[int, str]]:
    """``(person id, NIK)`` of every person the export lists, for the access log."""
    return list(_export_queryset(decree, pending_only=pending_only).values_list("person_id", "nik"))


def _row(index: int, line: DecreeLine, decree: Decree) -> list[str | int]:
    person = line.person
    first = Month.from_date(line.first_month)
    months = Month.from_date(line.last_month) - first + 1  # type: ignore[operator]
    result = ["", "", "", ""]
    if line.bpjs_status == DecreeLine.BpjsStatus.ACCEPTED:
        start = line.bpjs_coverage_start
        result = ["DITERIMA", line.kpj_number, start.strftime("%d-%m-%Y") if start else "", ""]
    elif line.bpjs_status == DecreeLine.BpjsStatus.REJECTED:
        result = ["DITOLAK", "", "", line.bpjs_reason]
    return [
        index,
        line.pk,
        line.nik,
        line.full_name,
        person.birth_place,
        line.birth_date.strftime("%d-%m-%Y"),
        line.sex,
        person.mother_name,
        person.address,
        line.village_id.replace(".", ""),
        line.village.name,
        line.village.parent.name if line.village.parent_id else "",
        person.phone,
        "",
        line.occupation,
        line.village.name,
        person.declared_income or "",
        "JKK, JKM",
        str(first),
        months,
        line.funding_source.name,
        decree.number,
        *result,
    ]


def bpjs_export_xlsx(
    decree: Decree, *, pending_only: bool = True, progress: Progress | None = None
) -> bytes:
    """The registration sheet, with a second sheet explaining every column."""
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True, "constant_memory": True})
    sheet = book.add_worksheet("Pendaftaran")
    head = book.add_format({"bold": True, "bg_color": "#D9EAD3", "border": 1, "text_wrap": True})
    result_head = book.add_format(
        {"bold": True, "bg_color": "#FCE5CD", "border": 1, "text_wrap": True}
    )
    for col, column in enumerate(COLUMNS):
        sheet.set_column(col, col, column.width)
        sheet.write_string(0, col, column.header, result_head if col >= RESULT_FROM else head)
    sheet.freeze_panes(1, 4)
    lines = _export_lines(decree, pending_only=pending_only, progress=progress)
    for row, line in enumerate(lines, start=1):
        for col, value in enumerate(_row(row, line, decree)):
            if isinstance(value, int):
                sheet.write_number(row, col, value)
            else:
                # Strings stay strings: a NIK keeps its 16 digits, and a value starting
                # with = + - @ is never read as a formula.
                sheet.write_string(row, col, value)
    notes = book.add_worksheet("Petunjuk")
    notes.set_column(0, 0, 8)
    notes.set_column(1, 1, 26)
    notes.set_column(2, 2, 60)
    notes.write_string(0, 0, "Kolom", head)
    notes.write_string(0, 1, "Judul", head)
    notes.write_string(0, 2, "Isi", head)
    for i, column in enumerate(COLUMNS, start=1):
        notes.write_string(i, 0, column_letter(i - 1))
        notes.write_string(i, 1, column.header)
        notes.write_string(i, 2, column.note)
    period = f"{bulan(decree.first_month)} – {bulan(decree.last_month)}"
    notes.write_string(len(COLUMNS) + 2, 1, "SK")
    notes.write_string(len(COLUMNS) + 2, 2, f"{decree.number} ({period})")
    book.close()
    return output.getvalue()


def bpjs_export_csv(
    decree: Decree, *, pending_only: bool = True, progress: Progress | None = None
) -> bytes:
    """The same columns as CSV: UTF-8 with BOM and ``;`` (what Excel in Indonesia opens);
    a value that would run as a formula is written as text (``lib.csvio``)."""
    lines = enumerate(_export_lines(decree, pending_only=pending_only, progress=progress), start=1)
    return csv_bytes([HEADERS, *(_row(row, line, decree) for row, line in lines)])


# --- Reading the branch's answer ----------------------------------------------------------------


def _norm(header: str) -> str:
    return " ".join(re.sub(r"[^A-Z0-9]+", " ", header.upper()).split())


HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "nik": ("NIK", "NO NIK", "NOMOR NIK", "NO KTP", "NIK KTP"),
    "status": ("STATUS", "HASIL", "STATUS VERIFIKASI", "HASIL VERIFIKASI", "KETERANGAN STATUS"),
    "kpj": ("NO KPJ", "NOMOR KPJ", "KPJ", "NO KARTU", "NOMOR KARTU PESERTA"),
    "start": (
        "TGL MULAI KEPESERTAAN",
        "TANGGAL MULAI KEPESERTAAN",
        "TGL KEPESERTAAN",
        "MULAI KEPESERTAAN",
        "TANGGAL MULAI",
        "TGL MULAI",
        "TMT",
    ),
    "reason": ("ALASAN PENOLAKAN", "ALASAN", "KETERANGAN", "ALASAN DITOLAK"),
    # Optional, for wage earners (PU): the monthly wage and the JKK risk group they are
    # billed from (``Membership.wage``/``risk_group``).
    "wage": ("UPAH", "UPAH SEBULAN", "UPAH PER BULAN", "GAJI", "GAJI SEBULAN"),
    "risk": ("KELOMPOK RISIKO", "TINGKAT RISIKO", "RISIKO", "KELAS RISIKO"),
}
# A risk group as the branch may write it: "Sangat rendah", "SANGAT_RENDAH", "sangat rendah".
RISK_WORDS: dict[str, str] = {_norm(value): value for value in RiskGroup.values} | {
    _norm(str(label)): value for value, label in RiskGroup.choices
}
_ALIAS = {_norm(alias): key for key, aliases in HEADER_ALIASES.items() for alias in aliases}
STATUS_WORDS: dict[str, str] = {
    "DITERIMA": DecreeLine.BpjsStatus.ACCEPTED,
    "TERIMA": DecreeLine.BpjsStatus.ACCEPTED,
    "DITERIMA BPJS": DecreeLine.BpjsStatus.ACCEPTED,
    "BERHASIL": DecreeLine.BpjsStatus.ACCEPTED,
    "SUKSES": DecreeLine.BpjsStatus.ACCEPTED,
    "AKTIF": DecreeLine.BpjsStatus.ACCEPTED,
    "OK": DecreeLine.BpjsStatus.ACCEPTED,
    "DITOLAK": DecreeLine.BpjsStatus.REJECTED,
    "TOLAK": DecreeLine.BpjsStatus.REJECTED,
    "GAGAL": DecreeLine.BpjsStatus.REJECTED,
    "TIDAK DITERIMA": DecreeLine.BpjsStatus.REJECTED,
}


def _header_score(cells: list[str]) -> int:
    return len({_ALIAS[_norm(c)] for c in cells if _norm(c) in _ALIAS})


@dataclass
class ParsedResults:
    results: list[BpjsResult]
    errors: list[RowError]
    rows_total: int
    skipped: int  # rows the branch has not answered yet (empty STATUS)


def _columns(table: Table) -> tuple[dict[str, str], list[RowError]]:
    found: dict[str, str] = {}
    for header in table.headers:
        key = _ALIAS.get(_norm(header))
        if key is not None and key not in found:
            found[key] = header
    errors = [
        RowError(
            table.header_row,
            label,
            "",
            "kolom wajib tidak ditemukan di baris judul.",
            "column_missing",
        )
        for key, label in (("nik", "NIK"), ("status", "STATUS"))
        if key not in found
    ]
    return found, errors


def bpjs_results_read(data: bytes, *, file_name: str) -> ParsedResults:
    """Read the branch's result file (.xlsx or .csv) into results and row errors."""
    table = table_read(data, file_name=file_name, header_score=_header_score, min_score=1)
    columns, errors = _columns(table)
    if errors:
        return ParsedResults([], errors, 0, 0)
    frame = table.frame.select([columns[key] for key in columns])
    results: list[BpjsResult] = []
    skipped = rows_total = 0
    for index, values in enumerate(frame.iter_rows()):
        cells = {key: (value or "").strip() for key, value in zip(columns, values, strict=True)}
        if not any(cells.values()):
            continue
        rows_total += 1
        row = table.first_row + index
        result = _result(cells, row, columns, errors)
        if result is None:
            continue
        if result == "skip":
            skipped += 1
            continue
        results.append(result)
    return ParsedResults(results, errors, rows_total, skipped)


def _result(
    cells: dict[str, str], row: int, columns: dict[str, str], errors: list[RowError]
) -> BpjsResult | str | None:
    status_text = cells.get("status", "")
    if not status_text:
        return "skip"
    status = STATUS_WORDS.get(_norm(status_text))
    if status is None:
        errors.append(
            RowError(
                row,
                columns["status"],
                status_text,
                "harus DITERIMA atau DITOLAK.",
                "status_invalid",
            )
        )
        return None
    start = None
    start_text = cells.get("start", "")
    if start_text:
        start = date_parse(start_text)
        if start is None:
            errors.append(
                RowError(
                    row,
                    columns.get("start", "TGL MULAI KEPESERTAAN"),
                    start_text,
                    "bukan tanggal yang sah (contoh 01-03-2022).",
                    "start_invalid",
                )
            )
            return None
    wage, risk_group = _wage_cells(cells, row, columns, errors)
    if wage == -1:
        return None
    kpj = re.sub(r"[\s.\-]", "", cells.get("kpj", "")).lstrip("'")
    return BpjsResult(
        nik=cells.get("nik", ""),
        status=status,
        kpj_number=kpj,
        coverage_start=start,
        reason=cells.get("reason", ""),
        row=row,
        wage=wage,
        risk_group=risk_group,
    )


def _wage_cells(
    cells: dict[str, str], row: int, columns: dict[str, str], errors: list[RowError]
) -> tuple[int | None, str]:
    """The optional UPAH and KELOMPOK RISIKO cells: ``(wage, group)``, ``(None, "")`` when
    both are empty, ``(-1, "")`` after adding the row's error (row, column and value)."""
    wage_text, risk_text = cells.get("wage", ""), cells.get("risk", "")
    if not wage_text and not risk_text:
        return None, ""
    wage_column = columns.get("wage", "UPAH")
    risk_column = columns.get("risk", "KELOMPOK RISIKO")
    if not wage_text or not risk_text:
        missing, column = (
            ("UPAH", wage_column) if not wage_text else ("KELOMPOK RISIKO", risk_column)
        )
        errors.append(
            RowError(
                row,
                column,
                "",
                gettext("wajib diisi bila %(other)s diisi (peserta penerima upah).")
                % {"other": risk_column if missing == "UPAH" else wage_column},
                "wage_incomplete",
            )
        )
        return -1, ""
    try:
        wage = rupiah_parse(wage_text)
    except DomainError:
        wage = 0
    if wage <= 0:
        errors.append(
            RowError(
                row,
                wage_column,
                wage_text,
                gettext("bukan upah sebulan yang sah (contoh: 2.500.000 atau Rp 2.500.000)."),
                "wage_invalid",
            )
        )
        return -1, ""
    group = RISK_WORDS.get(_norm(risk_text))
    if group is None:
        errors.append(
            RowError(
                row,
                risk_column,
                risk_text,
                gettext("kelompok risiko harus salah satu dari: %(choices)s.")
                % {"choices": ", ".join(str(label) for _v, label in RiskGroup.choices)},
                "risk_group_invalid",
            )
        )
        return -1, ""
    return wage, group
