"""``jamsos check_nik NIK [--birth-date YYYY-MM-DD] [--sex L|P] [--json]``.

Exit status: 0 the NIK is valid (warnings allowed), 1 it is not, 2 bad usage.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from typing import Any

from django.core.management.base import CommandParser

from jamsos.lib.formats import tanggal
from jamsos.lib.nik import SEX_LABELS, NikResult
from jamsos.regions.management.commands._usage import UsageExitMixin, usage_error
from jamsos.regions.selectors import nik_check

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class Command(UsageExitMixin):
    help = "Periksa satu NIK: bentuk, kode wilayah, tanggal lahir, jenis kelamin."

    def add_arguments(self, parser: CommandParser) -> None:
        # nargs="+": an operator's unquoted "1303 0345 0390 0001" is still one NIK.
        parser.add_argument("nik", nargs="+", help="16 angka; spasi, titik dan tanda hubung boleh")
        parser.add_argument(
            "--birth-date", dest="birth_date", help="tanggal lahir yang diisi, TTTT-BB-HH"
        )
        parser.add_argument("--sex", help="jenis kelamin yang diisi: L atau P")
        parser.add_argument("--json", action="store_true", help="keluaran JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        birth_date = _birth_date(options.get("birth_date"))
        sex = _sex(options.get("sex"))
        nik = options["nik"]
        nik = " ".join(nik) if isinstance(nik, list | tuple) else str(nik)
        result = nik_check(nik, birth_date=birth_date, sex=sex)
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
        else:
            self.stdout.write(report(result))
        if not result.valid:
            self.stdout.flush()
            sys.exit(1)


def _birth_date(value: str | dt.date | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        if not _ISO_DATE.fullmatch(value.strip()):
            raise ValueError(value)
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise usage_error(
            f'--birth-date "{value}" bukan tanggal TTTT-BB-HH (contoh 1990-03-05).'
        ) from None


def _sex(value: str | None) -> str | None:
    if value is None:
        return None
    if value.strip().upper() not in SEX_LABELS:
        raise usage_error(f'--sex "{value}" harus L (laki-laki) atau P (perempuan).')
    return value.strip().upper()


def report(result: NikResult) -> str:
    """The human-readable answer, in Bahasa Indonesia."""
    verdict = "SAH" if result.valid else "TIDAK SAH"
    lines = [f"NIK {result.nik}: {verdict}"]
    if result.province or result.regency or result.district:
        lines += [
            f"  Provinsi       : {result.province or '-'}",
            f"  Kabupaten/Kota : {result.regency or '-'}",
            f"  Kecamatan      : {result.district or '-'}",
        ]
    if result.birth_date:
        lines.append(f"  Tanggal lahir  : {tanggal(result.birth_date)}")
    if result.sex:
        lines.append(f"  Jenis kelamin  : {SEX_LABELS[result.sex]}")
    if result.errors:
        lines.append("Kesalahan:")
        lines += [f"  - {result.message(code)} [{code}]" for code in result.errors]
    if result.warnings:
        lines.append("Peringatan:")
        lines += [f"  - {result.message(code)} [{code}]" for code in result.warnings]
    return "\n".join(lines)
