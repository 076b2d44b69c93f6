"""``jamsos estimate_benefit``: what a JKM, JKK or scholarship claim pays, from the tables.

Examples::

    jamsos estimate_benefit --type jkm                       # Rp 42.000.000
    jamsos estimate_benefit --type jkm --months-paid 2       # Rp 10.000.000
    jamsos estimate_benefit --type jkk_death --income 1000000 --json
    jamsos estimate_benefit --type stmb --days 45
    jamsos estimate_benefit --type beasiswa --children 2     # Rp 174.000.000
    jamsos estimate_benefit --type beasiswa --level smp --years 2

``--json`` prints ``{"type", "total", "lines": [{"code", "amount", "legal_basis", …}],
"unconfirmed", "notes", …}``. Exit codes: 0 success; 2 bad usage (unknown option or
type, a bad number, a value the rules do not allow); 1 when the tables hold no row for
the date.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jamsos.claims.benefits import TYPE_ALIASES, BenefitEstimate, benefit_estimate
from jamsos.claims.models import ClaimType, EducationLevel
from jamsos.claims.rules import RuleMissing
from jamsos.lib.errors import DomainError
from jamsos.lib.formats import bulan, rupiah, rupiah_parse

TYPES = [*ClaimType.values, *TYPE_ALIASES]


def _rupiah_arg(text: str) -> int:
    try:
        value = rupiah_parse(text)
    except DomainError as exc:
        raise argparse.ArgumentTypeError(exc.message) from exc
    if value <= 0:
        raise argparse.ArgumentTypeError(f"harus lebih dari 0: {text}")
    return value


def _count(minimum: int) -> Any:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(f'"{text}" bukan bilangan bulat') from exc
        if value < minimum:
            raise argparse.ArgumentTypeError(f"harus ≥ {minimum} (diberikan: {value})")
        return value

    return parse


def _date_arg(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f'"{text}" bukan tanggal yang sah (format TTTT-BB-HH)'
        ) from exc


class Command(BaseCommand):
    help = (
        "Hitung manfaat klaim JKM, JKK atau beasiswa dari tabel aturan manfaat "
        "(penghasilan default: nilai terendah BPU)."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--type", choices=TYPES, required=True, help="jenis manfaat")
        parser.add_argument("--months-paid", type=_count(0), help="masa iur dalam bulan (JKM)")
        parser.add_argument("--income", type=_rupiah_arg, help="penghasilan/upah sebulan, Rp")
        parser.add_argument("--days", type=_count(1), help="hari tidak mampu bekerja (STMB)")
        parser.add_argument("--level", choices=EducationLevel.values, help="jenjang beasiswa")
        parser.add_argument("--years", type=_count(1), help="jumlah tahun beasiswa")
        parser.add_argument("--children", type=_count(1), help="jumlah anak (beasiswa)")
        parser.add_argument("--disability", help="kode baris tabel cacat (jkk_disability)")
        parser.add_argument("--medical-costs", type=_count(0), help="biaya pengobatan, Rp")
        parser.add_argument("--date", type=_date_arg, help="tanggal kejadian (default hari ini)")
        parser.add_argument("--json", action="store_true", help="keluaran JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            estimate = benefit_estimate(
                benefit_type=options["type"],
                on=options["date"],
                months_paid=options["months_paid"],
                income=options["income"],
                days=options["days"],
                level=options["level"],
                years=options["years"],
                children=options["children"],
                disability=options["disability"],
                medical_costs=options["medical_costs"],
            )
        except RuleMissing as exc:
            raise CommandError(exc.message, returncode=1) from exc
        except DomainError as exc:
            raise CommandError(exc.message, returncode=2) from exc
        if options["json"]:
            body = estimate.as_dict(type_name=options["type"])
            self.stdout.write(json.dumps(body, ensure_ascii=False, indent=2))
            return
        self.stdout.write(self._text(estimate))

    def _text(self, estimate: BenefitEstimate) -> str:
        lines = [f"{ClaimType(estimate.benefit_type).label} ({bulan(str(estimate.month))})"]
        for line in estimate.lines:
            detail = f" [{line.detail}]" if line.detail else ""
            mark = "" if line.confirmed else " *"
            lines.append(f"  {line.label}: {rupiah(line.amount)}{detail}{mark}")
            lines.append(f"      dasar hukum: {line.legal_basis}")
        lines.append(f"Jumlah: {rupiah(estimate.total)}")
        lines += [f"Catatan: {note}" for note in estimate.notes]
        lines += [f"* Belum terkonfirmasi: {row}" for row in estimate.unconfirmed]
        return "\n".join(lines)
