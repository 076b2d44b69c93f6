"""The transparency report as an Excel workbook (xlsxwriter), for the Dinas, BPJS,
the Bupati's office and DPRD: totals only, no person."""

from __future__ import annotations

import io

import xlsxwriter
from django.utils.translation import gettext, gettext_lazy

from jamsos.contributions.transparency import Transparency
from jamsos.lib.formats import bulan

HEADERS = [
    gettext_lazy("Bulan"),
    gettext_lazy("Sumber dana"),
    gettext_lazy("Jenis"),
    gettext_lazy("Peserta terdaftar"),
    gettext_lazy("Peserta ditagih"),
    gettext_lazy("Iuran ditagih (Rp)"),
    gettext_lazy("Iuran dibayar (Rp)"),
    gettext_lazy("Belum dibayar (Rp)"),
    gettext_lazy("Klaim dibayar (Rp)"),
]


def transparency_xlsx(report: Transparency) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(gettext("Transparansi iuran"))
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0"})
    money_bold = book.add_format({"num_format": "#,##0", "bold": True})
    title = gettext("Transparansi iuran %(regency)s tahun %(year)s") % {
        "regency": report.regency.name,
        "year": report.year,
    }
    sheet.write_string(0, 0, title, bold)
    note = (
        gettext("Klaim dibayar dari aplikasi klaim.")
        if report.claims_available
        else gettext("Klaim dibayar: data klaim belum tersedia (0).")
    )
    sheet.write_string(1, 0, note)
    for col, header in enumerate(HEADERS):
        sheet.write_string(3, col, str(header), bold)
    row_no = 4
    for total, rows in report.months:
        for row in [*rows, total]:
            is_total = row.source is None
            fmt = money_bold if is_total else money
            # Names come from users: written as strings so "=…" is never a formula.
            sheet.write_string(row_no, 0, bulan(str(row.month)), bold if is_total else None)
            sheet.write_string(
                row_no,
                1,
                row.source.name if row.source else gettext("Jumlah bulan ini"),
                bold if is_total else None,
            )
            sheet.write_string(row_no, 2, row.source.get_kind_display() if row.source else "")
            values = [
                row.registered,
                row.billed_members,
                row.payable,
                row.paid,
                row.unpaid,
                row.claims_paid,
            ]
            for offset, value in enumerate(values):
                sheet.write_number(row_no, 3 + offset, value, fmt)
            row_no += 1
    if report.total is not None:
        sheet.write_string(row_no, 0, gettext("Jumlah %(year)s") % {"year": report.year}, bold)

        for col, value in (
            (5, report.total.payable),
            (6, report.total.paid),
            (7, report.total.unpaid),
            (8, report.total.claims_paid),
        ):
            sheet.write_number(row_no, col, value, money_bold)
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, 1, 36)
    sheet.set_column(2, 2, 18)
    sheet.set_column(3, 8, 18)
    sheet.freeze_panes(4, 2)
    book.close()
    return buffer.getvalue()
