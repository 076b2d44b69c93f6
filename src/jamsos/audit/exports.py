"""The "who looked at my data" answer as a spreadsheet for the citizen."""

from __future__ import annotations

import io

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _

from jamsos.audit.selectors import AccessLogAnswer
from jamsos.lib.nik import nik_mask


def access_log_xlsx(answer: AccessLogAnswer) -> bytes:
    """One row per read: when, who (and agency), what data, why (page), how many persons."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet(_("Akses data"))
    bold = book.add_format({"bold": True})
    sheet.write_string(
        0, 0, _("Akses data pribadi untuk NIK %(nik)s") % {"nik": nik_mask(answer.nik)}, bold
    )
    sheet.write_string(
        1, 0, _("Dibuat %(when)s") % {"when": timezone.localtime().strftime("%Y-%m-%d %H:%M")}
    )
    headers = [
        _("Waktu"),
        _("Pengakses"),
        _("Instansi"),
        _("Data yang dilihat"),
        _("Keperluan"),
        _("Halaman"),
        _("Jumlah orang dalam akses"),
    ]
    for col, header in enumerate(headers):
        sheet.write_string(3, col, header, bold)
    for row, access in enumerate(answer.accesses, start=4):
        values = [
            timezone.localtime(access.occurred_at).strftime("%Y-%m-%d %H:%M:%S"),
            access.viewer_label,
            access.agency_label,
            ", ".join(access.fields),
            access.purpose,
            access.path,
        ]
        for col, value in enumerate(values):
            sheet.write_string(row, col, value)
        sheet.write_number(row, len(values), access.person_count)
    sheet.set_column(0, 0, 20)
    sheet.set_column(1, 5, 28)
    book.close()
    return buffer.getvalue()
