"""Excel files the intake hands out: the proposal template and the rejection report.

Design goal: nothing a proposer typed is ever written back as a formula. Every workbook is
opened with ``strings_to_formulas``/``strings_to_numbers``/``strings_to_urls`` off and
every text goes through ``write_string``, so ``=HYPERLINK(…)`` in a name stays text
(CSV/formula injection, OWASP).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import xlsxwriter
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from jamsos.audit.services import PROPOSAL_ROW_FIELDS
from jamsos.lib.errors import NotFoundOrForbidden
from jamsos.lib.generated import ExportKind, Progress
from jamsos.regions.models import Region
from jamsos.registry.models import Occupation

if TYPE_CHECKING:
    from xlsxwriter.format import Format
    from xlsxwriter.worksheet import Worksheet

    from jamsos.accounts.models import User
    from jamsos.intake.models import ProposalBatch, ProposalRow

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A rejection report of more rows is built by the task worker (200,000 rows took 46 s
# in one request; 5,000 take about a second).
REPORT_SYNC_MAX_ROWS = 5000
REPORT_PROGRESS_EVERY = 2000
REJECTION_REPORT = "intake.rejection_report"

# Rows of the template that carry dropdowns and text formats (beyond: plain cells).
TEMPLATE_ROWS = 2000
TEMPLATE_TITLE_ROW = 0
TEMPLATE_HEADER_ROW = 3  # 0-based: title, region line, blank line, header
DATA_SHEET = "Usulan"
GUIDE_SHEET = "Petunjuk"
LIST_SHEET = "Daftar"


@dataclass(frozen=True)
class TemplateColumn:
    key: str  # field key of the intake ``values`` dicts
    header: str  # a header variant the reader recognises
    note: str
    example: Any
    width: int = 18
    kind: str = "text"  # text | date | number


TEMPLATE_COLUMNS: tuple[TemplateColumn, ...] = (
    TemplateColumn(
        "nik",
        "NIK",
        "Nomor Induk Kependudukan, 16 angka sesuai KTP. Wajib. Kolom ini berformat teks "
        "agar angka nol di depan dan digit terakhir tidak hilang.",
        "1303035508800001",
        20,
    ),
    TemplateColumn(
        "full_name", "Nama Lengkap", "Nama lengkap sesuai KTP. Wajib.", "Siti Rahmah", 28
    ),
    TemplateColumn("birth_place", "Tempat Lahir", "Kota/kabupaten tempat lahir.", "Sijunjung"),
    TemplateColumn(
        "birth_date",
        "Tanggal Lahir",
        "Wajib. Tanggal Excel atau teks hh-bb-tttt (mis. 15-08-1980). Harus sama dengan "
        "tanggal lahir di NIK. Usia memenuhi syarat program (umumnya 18 sampai di bawah 65 "
        "tahun).",
        dt.date(1980, 8, 15),
        14,
        "date",
    ),
    TemplateColumn(
        "sex",
        "Jenis Kelamin",
        "Wajib. Pilih L (laki-laki) atau P (perempuan); harus sama dengan NIK.",
        "P",
        10,
    ),
    TemplateColumn(
        "mother_name", "Nama Ibu Kandung", "Nama ibu kandung (untuk klaim).", "Rosna", 24
    ),
    TemplateColumn("address", "Alamat", "Jorong/dusun, RT/RW.", "Jorong Koto Tuo", 28),
    TemplateColumn(
        "district",
        "Kecamatan",
        "Nama kecamatan. Membantu bila ada nagari/desa bernama sama.",
        "",
        20,
    ),
    TemplateColumn(
        "village",
        "Nagari/Desa",
        "Wajib. Pilih dari daftar nagari/desa/kelurahan di wilayah Anda.",
        "",
        24,
    ),
    TemplateColumn(
        "occupation",
        "Pekerjaan",
        "Wajib. Pilih dari daftar pekerjaan (petani, pedagang kaki lima, guru TPQ, …).",
        "",
        24,
    ),
    TemplateColumn(
        "phone",
        "No HP",
        "Nomor HP aktif, mis. 0812xxxxxxxx atau +62812xxxxxxxx. Berformat teks.",
        "081234567890",
        16,
    ),
    TemplateColumn(
        "family_card_number",
        "Nomor KK",
        "Nomor Kartu Keluarga, 16 angka (boleh kosong). Berformat teks.",
        "1303030101080001",
        20,
    ),
    TemplateColumn(
        "declared_income",
        "Penghasilan per Bulan",
        "Dalam rupiah, tanpa titik (boleh kosong: dianggap golongan terendah).",
        1000000,
        16,
        "number",
    ),
)


def _workbook(buffer: io.BytesIO) -> xlsxwriter.Workbook:
    return xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )


def _write_text(sheet: Worksheet, row: int, col: int, value: Any, fmt: Format | None = None):
    """Write any value as text (never a formula); empty values leave the cell blank."""
    if value is None or value == "":
        if fmt is not None:
            sheet.write_blank(row, col, None, fmt)
        return
    sheet.write_string(row, col, str(value), fmt)


def region_villages(region: Region) -> list[Region]:
    """The villages (nagari/desa/kelurahan) at or below ``region``, by district and name."""
    if region.level == Region.Level.VILLAGE:
        return [region]
    return list(
        Region.objects.filter(level=Region.Level.VILLAGE, code__startswith=region.code + ".")
        .select_related("parent")
        .order_by("parent__name", "name")
    )


def region_districts(region: Region) -> list[Region]:
    if region.level == Region.Level.VILLAGE:
        return [region.parent] if region.parent_id else []
    if region.level == Region.Level.DISTRICT:
        return [region]
    return list(
        Region.objects.filter(
            Q(level=Region.Level.DISTRICT) & Q(code__startswith=region.code + ".")
        ).order_by("name")
    )


def _list_column(sheet: Worksheet, col: int, header: str, items: list[str]) -> str:
    """Write ``items`` below ``header`` in ``col`` of the list sheet; return its range."""
    sheet.write_string(0, col, header)
    for i, item in enumerate(items, start=1):
        sheet.write_string(i, col, item)
    letter = xlsxwriter.utility.xl_col_to_name(col)
    last = max(len(items), 1) + 1
    return f"='{LIST_SHEET}'!${letter}$2:${letter}${last}"


def proposal_template_xlsx(*, region: Region) -> bytes:
    """The Excel template for proposing workers of ``region``.

    1. Sheet "Usulan": title, region line, the header row (each header cell has a note
       explaining the column), then empty rows with text formats (NIK, HP, KK), a date
       format and dropdowns (Jenis Kelamin L/P, Kecamatan, Nagari/Desa, Pekerjaan).
    2. Sheet "Petunjuk": the same header with an example row and one line per column.
    3. Hidden sheet "Daftar": the lists the dropdowns read from.
    The example lives on "Petunjuk" so that an example left in place is never proposed.
    """
    buffer = io.BytesIO()
    book = _workbook(buffer)
    title_fmt = book.add_format({"bold": True, "font_size": 14})
    muted_fmt = book.add_format({"italic": True, "font_color": "#555555"})
    header_fmt = book.add_format(
        {"bold": True, "bg_color": "#D9EAD3", "border": 1, "text_wrap": True, "valign": "top"}
    )
    text_fmt = book.add_format({"num_format": "@"})
    date_fmt = book.add_format({"num_format": "dd-mm-yyyy"})
    number_fmt = book.add_format({"num_format": "#,##0"})
    column_fmt = {"text": text_fmt, "date": date_fmt, "number": number_fmt}

    villages = region_villages(region)
    districts = region_districts(region)
    occupations = list(Occupation.objects.filter(is_active=True).values_list("name", flat=True))

    sheet = book.add_worksheet(DATA_SHEET)
    guide = book.add_worksheet(GUIDE_SHEET)
    lists = book.add_worksheet(LIST_SHEET)

    sheet.write_string(
        TEMPLATE_TITLE_ROW, 0, "Daftar Usulan Peserta Jaminan Sosial Ketenagakerjaan", title_fmt
    )
    sheet.write_string(
        TEMPLATE_TITLE_ROW + 1,
        0,
        f"Wilayah: {region.name} ({region.code}). Isi satu orang per baris mulai di bawah "
        "judul kolom. Arahkan tetikus ke judul kolom untuk petunjuk; contoh ada di lembar "
        f"{GUIDE_SHEET}.",
        muted_fmt,
    )
    first, last = TEMPLATE_HEADER_ROW + 1, TEMPLATE_HEADER_ROW + TEMPLATE_ROWS
    col_of = {c.key: i for i, c in enumerate(TEMPLATE_COLUMNS)}
    for col, column in enumerate(TEMPLATE_COLUMNS):
        sheet.write_string(TEMPLATE_HEADER_ROW, col, column.header, header_fmt)
        sheet.write_comment(TEMPLATE_HEADER_ROW, col, column.note, {"x_scale": 2, "y_scale": 1.5})
        sheet.set_column(col, col, column.width, column_fmt[column.kind])
    sheet.freeze_panes(TEMPLATE_HEADER_ROW + 1, 0)

    occupation_range = _list_column(lists, 0, "Pekerjaan", occupations)
    village_range = _list_column(lists, 1, "Nagari/Desa", [v.name for v in villages])
    district_range = _list_column(lists, 2, "Kecamatan", [d.name for d in districts])
    lists.write_string(0, 3, "Kode nagari/desa")
    for i, village in enumerate(villages, start=1):
        lists.write_string(i, 3, village.code)
    lists.hide()

    def dropdown(key: str, source: str | list[str], message: str) -> None:
        col = col_of[key]
        sheet.data_validation(
            first,
            col,
            last,
            col,
            {
                "validate": "list",
                "source": source,
                "input_title": TEMPLATE_COLUMNS[col].header,
                "input_message": message[:255],
                "error_title": "Pilihan tidak ada",
                "error_message": "Pilih dari daftar yang tersedia.",
                "error_type": "warning",  # real names may differ slightly; warn, not block
            },
        )

    dropdown("sex", ["L", "P"], "L = laki-laki, P = perempuan")
    dropdown("occupation", occupation_range, "Pilih pekerjaan dari daftar.")
    dropdown("village", village_range, f"Nagari/desa di {region.name}.")
    dropdown("district", district_range, "Kecamatan nagari/desa tersebut.")

    guide.write_string(0, 0, "Petunjuk pengisian dan contoh", title_fmt)
    for col, column in enumerate(TEMPLATE_COLUMNS):
        guide.write_string(2, col, column.header, header_fmt)
        guide.set_column(col, col, column.width)
        example = column.example
        if column.key == "village":
            example = villages[0].name if villages else ""
        elif column.key == "district":
            example = villages[0].parent.name if villages and villages[0].parent else ""
        elif column.key == "occupation":
            example = occupations[0] if occupations else ""
        if isinstance(example, dt.date):
            guide.write_datetime(3, col, dt.datetime.combine(example, dt.time()), date_fmt)
        elif isinstance(example, int):
            guide.write_number(3, col, example, number_fmt)
        else:
            _write_text(guide, 3, col, example, text_fmt)
    guide.write_string(5, 0, "Kolom", header_fmt)
    guide.write_string(5, 1, "Keterangan", header_fmt)
    for i, column in enumerate(TEMPLATE_COLUMNS, start=6):
        guide.write_string(i, 0, column.header)
        guide.write_string(i, 1, column.note)

    sheet.activate()
    book.close()
    return buffer.getvalue()


# -- rejection report ---------------------------------------------------------------


def _rejected_rows(*, batch: ProposalBatch, viewer: User) -> Iterable[ProposalRow]:
    """Rows the proposer must fix: invalid, or rejected by a reviewer (scoped)."""
    from jamsos.intake import selectors
    from jamsos.intake.models import ProposalRow

    rows = selectors.batch_rows(batch=batch, viewer=viewer)
    return rows.filter(
        Q(status=ProposalRow.Status.INVALID) | Q(decision=ProposalRow.Decision.REJECTED)
    ).order_by("row_number")


def _original_headers(batch: ProposalBatch, rows: list[ProposalRow]) -> list[str]:
    """The file's own headers in file order, so the fixed sheet can be uploaded again."""
    headers: list[str] = []
    mapping = batch.column_mapping or {}
    for header in mapping:
        if isinstance(header, str) and header not in headers:
            headers.append(header)
    for row in rows:
        for header in row.raw or {}:
            if header not in headers:
                headers.append(header)
    if not headers:  # form batches have no file headers: use the template's
        keys = {key for row in rows for key in (row.values or {})}
        headers = [c.header for c in TEMPLATE_COLUMNS if c.key in keys]
    return headers


def _raw_value(row: ProposalRow, header: str) -> Any:
    raw = row.raw or {}
    if header in raw:
        return raw[header]
    by_header = {c.header: c.key for c in TEMPLATE_COLUMNS}
    return (row.values or {}).get(by_header.get(header, ""), "")


def _fix_values(row: ProposalRow, headers: list[str], *, whole: bool) -> list[Any]:
    """The row's original cells under ``headers``; NIK-like cells masked unless
    ``whole``."""
    from jamsos.intake.disclosure import mask_nik_runs

    values = [_raw_value(row, header) for header in headers]
    if whole:
        return values
    return [mask_nik_runs(str(v)) if v else v for v in values]


def _issue_sheet(
    book: xlsxwriter.Workbook,
    rows: list[ProposalRow],
    *,
    header_fmt: Format,
    text_fmt: Format,
    wrap_fmt: Format,
) -> None:
    """Sheet "Masalah": one line per error (and reviewer rejection) of ``rows``."""
    issues = book.add_worksheet("Masalah")
    issue_headers = ["Baris", "Kolom", "Nilai", "Kode", "Pesan"]
    for col, header in enumerate(issue_headers):
        issues.write_string(0, col, header, header_fmt)
    for col, width in enumerate([8, 18, 24, 26, 70]):
        issues.set_column(col, col, width)
    line = 1
    for row in rows:
        entries = [i for i in row.shown_issues if i.get("severity", "error") == "error"]
        if row.decision == row.Decision.REJECTED:
            entries.append(
                {
                    "column": "",
                    "value": "",
                    "code": "rejected_by_reviewer",
                    "message": gettext("Ditolak pemeriksa: %(reason)s")
                    % {"reason": row.decision_reason},
                }
            )
        for issue in entries:
            issues.write_number(line, 0, row.row_number)
            _write_text(issues, line, 1, issue.get("column", ""))
            _write_text(issues, line, 2, issue.get("value", ""), text_fmt)
            _write_text(issues, line, 3, issue.get("code", ""))
            _write_text(issues, line, 4, issue.get("message", ""), wrap_fmt)
            line += 1


def rejection_report_xlsx(
    *, batch: ProposalBatch, viewer: User, progress: Progress | None = None
) -> bytes:
    """The rows of ``batch`` the proposer must fix, as an Excel workbook.

    Sheet "Perbaiki": one line per row with the original columns first (so the sheet can
    be corrected and uploaded again as a new proposal) and then the original row number,
    the status and every reason. Sheet "Masalah": one line per issue — row, column,
    value, code, message. Values are written as text, never as formulas.
    """
    from jamsos.intake.disclosure import Disclosure

    rows = list(_rejected_rows(batch=batch, viewer=viewer))
    headers = _original_headers(batch, rows)
    disclosure = Disclosure.for_viewer(viewer, [r.issues for r in rows])
    for row in rows:
        disclosure.row(row)
    # The proposer gets their own cells back whole (the sheet is corrected and uploaded
    # again); anyone else without registry.view_full_nik reads NIKs masked.
    raw_whole = disclosure.full_nik or viewer.pk == batch.proposer_id

    buffer = io.BytesIO()
    book = _workbook(buffer)
    title_fmt = book.add_format({"bold": True, "font_size": 13})
    header_fmt = book.add_format({"bold": True, "bg_color": "#F4CCCC", "border": 1})
    text_fmt = book.add_format({"num_format": "@"})
    wrap_fmt = book.add_format({"text_wrap": True, "valign": "top"})

    fix = book.add_worksheet("Perbaiki")
    fix.write_string(
        0, 0, f"Baris yang perlu diperbaiki — {batch} ({batch.region.name})", title_fmt
    )
    fix.write_string(
        1,
        0,
        f"Dibuat {timezone.localtime():%d-%m-%Y %H:%M}. Perbaiki nilai pada kolom asli lalu "
        "unggah lembar ini sebagai usulan baru; kolom keterangan di kanan boleh dibiarkan.",
    )
    header_row = 3
    extra = ["Baris asal", "Status", "Keterangan"]
    for col, header in enumerate([*headers, *extra]):
        fix.write_string(header_row, col, header, header_fmt)
        fix.set_column(col, col, 18 if col < len(headers) else 40, text_fmt)
    fix.freeze_panes(header_row + 1, 0)
    for line, row in enumerate(rows, start=header_row + 1):
        done = line - header_row - 1
        if progress is not None and done and done % REPORT_PROGRESS_EVERY == 0:
            progress(done)
        for col, value in enumerate(_fix_values(row, headers, whole=raw_whole)):
            _write_text(fix, line, col, value, text_fmt)
        base = len(headers)
        fix.write_number(line, base, row.row_number)
        status = row.get_status_display()
        if row.decision == row.Decision.REJECTED:
            status = f"Ditolak pemeriksa: {row.decision_reason}"
        _write_text(fix, line, base + 1, status)
        reasons = [i.get("message", "") for i in row.shown_issues if i.get("severity") == "error"]
        _write_text(fix, line, base + 2, "\n".join(r for r in reasons if r), wrap_fmt)

    _issue_sheet(book, rows, header_fmt=header_fmt, text_fmt=text_fmt, wrap_fmt=wrap_fmt)

    fix.activate()
    book.close()
    return buffer.getvalue()


# -- the rejection report as a generated export (lib.generated) -------------------------


def rejection_report_row_count(*, batch: ProposalBatch, viewer: User) -> int:
    return _rejected_rows(batch=batch, viewer=viewer).count()


def rejection_report_fingerprint(*, batch: ProposalBatch) -> str:
    """What the report shows changes when a row is fixed or decided: the batch's counts,
    code totals and latest decision identify its content."""
    from django.db.models import Max

    latest = batch.rows.aggregate(latest=Max("decided_at"))["latest"]
    content = [
        batch.status,
        batch.rows_total,
        batch.rows_invalid,
        batch.summary,
        str(latest),
    ]
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


def _report_build(file: Any, progress: Progress) -> bytes:
    from jamsos.intake.access import access_batch

    batch = access_batch(file.owner, file.object_id)
    return rejection_report_xlsx(batch=batch, viewer=file.owner, progress=progress)


def _report_may_download(viewer: User, file: Any) -> bool:
    from jamsos.intake.access import access_batch

    try:
        access_batch(viewer, file.object_id)
    except NotFoundOrForbidden:
        return False
    return True


def rejection_report_persons(*, batch: ProposalBatch, viewer: User) -> list[tuple[int, str]]:
    """``(person id, NIK)`` of every row the report lists, for the access log; a row of
    someone not (yet) in the registry is person 0, found later by its NIK's digest."""
    rows = _rejected_rows(batch=batch, viewer=viewer).values_list("person_id", "nik")
    return [(person_id or 0, nik) for person_id, nik in rows]


def _report_persons(file: Any) -> Iterable[tuple[int, str]]:
    from jamsos.intake.access import access_batch

    batch = access_batch(file.owner, file.object_id)
    return rejection_report_persons(batch=batch, viewer=file.owner)


REJECTION_REPORT_KIND = ExportKind(
    name=REJECTION_REPORT,
    build=_report_build,
    may_download=_report_may_download,
    file_name=lambda file: f"baris-ditolak-usulan-{file.object_id}.xlsx",
    content_type=XLSX_CONTENT_TYPE,
    persons=_report_persons,
    fields=PROPOSAL_ROW_FIELDS,
)
