"""``jamsos estimate_cost``: what covering N persons for M months costs, from the rate tables.

Exit codes: 0 success; 2 bad usage (unknown option, bad number, value not in the
regulation tables); 1 when the tables have no rate for a month of the period.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jamsos.budget.estimates import CostEstimate, RateMissing, cost_estimate
from jamsos.budget.models import PayerType, RiskGroup, Sector, Segment
from jamsos.lib.errors import DomainError
from jamsos.lib.formats import angka, bulan, persen, rupiah, rupiah_parse
from jamsos.lib.periods import Month


def _rupiah_arg(text: str) -> int:
    try:
        value = rupiah_parse(text)
    except DomainError as exc:
        raise argparse.ArgumentTypeError(exc.message) from exc
    if value <= 0:
        raise argparse.ArgumentTypeError(f"harus lebih dari 0: {text}")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f'"{text}" bukan bilangan bulat') from exc
    if value < 1:
        raise argparse.ArgumentTypeError(f"harus ≥ 1 (diberikan: {value})")
    return value


def _month_arg(text: str) -> Month:
    try:
        return Month.parse(text)
    except DomainError as exc:
        raise argparse.ArgumentTypeError(exc.message) from exc


class Command(BaseCommand):
    help = (
        "Hitung biaya iuran JKK+JKM untuk N orang selama M bulan dari tabel tarif "
        "(default: BPU, nilai penghasilan terendah, dibayar APBD, mulai bulan ini)."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--persons", type=_positive_int, required=True, help="jumlah orang")
        parser.add_argument("--months", type=_positive_int, required=True, help="jumlah bulan")
        parser.add_argument("--segment", choices=Segment.values, default=Segment.BPU)
        parser.add_argument(
            "--income", type=_rupiah_arg, help="nilai penghasilan BPU (Lampiran II), Rp"
        )
        parser.add_argument("--wage", type=_rupiah_arg, help="upah PU per bulan, Rp")
        parser.add_argument("--risk-group", choices=RiskGroup.values, help="kelompok risiko PU")
        parser.add_argument("--payer", choices=PayerType.values, default=PayerType.APBD)
        parser.add_argument(
            "--sector", choices=Sector.values, help="sektor (keringanan PP 50/2025)"
        )
        parser.add_argument("--start", type=_month_arg, help="bulan mulai TTTT-BB")
        parser.add_argument("--json", action="store_true", help="keluaran JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            estimate = cost_estimate(
                persons=options["persons"],
                months=options["months"],
                start=options["start"] or Month.current(),
                segment=options["segment"],
                income=options["income"],
                wage=options["wage"],
                risk_group=options["risk_group"],
                payer=options["payer"],
                sector=options["sector"],
            )
        except RateMissing as exc:
            raise CommandError(exc.message, returncode=1) from exc
        except DomainError as exc:
            raise CommandError(exc.message, returncode=2) from exc
        if options["json"]:
            self.stdout.write(json.dumps(estimate.as_dict(), ensure_ascii=False, indent=2))
            return
        self.stdout.write(self._text(estimate))

    def _text(self, estimate: CostEstimate) -> str:
        lines = [
            f"{angka(estimate.persons)} orang × {estimate.months} bulan "
            f"({bulan(str(estimate.start))} – {bulan(str(estimate.end))}), "
            f"segmen {estimate.segment.upper()}, dibayar {PayerType(estimate.payer).label}",
        ]
        for line in estimate.lines:
            lines.append(
                f"  {line.first_month}..{line.last_month}: {rupiah(line.per_person_month)} "
                f"per orang per bulan (JKK {rupiah(line.jkk)} + JKM {rupiah(line.jkm)})"
                + (f", potongan {persen(line.discount_percent)}" if line.discount_percent else "")
            )
        lines.append(f"Jumlah: {rupiah(estimate.total)}")
        lines.append("Dasar hukum:")
        lines += [f"  - {basis}" for basis in estimate.legal_basis]
        lines += [f"Belum terkonfirmasi: {row}" for row in estimate.unconfirmed]
        lines += [f"Catatan: {note}" for note in estimate.notes]
        return "\n".join(lines)
