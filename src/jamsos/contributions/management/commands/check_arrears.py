"""``jamsos check_arrears``: warn and lapse memberships in arrears, for cron.

Run it monthly, before ``bill_month`` (a lapsed membership is then not billed for the
month it lost cover in). ``--dry-run`` reports without recording. Exit codes: 0 success,
2 bad usage.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jamsos.contributions import services
from jamsos.contributions.management.commands._args import month_arg, regency_arg
from jamsos.lib.errors import DomainError
from jamsos.lib.formats import angka, bulan
from jamsos.lib.periods import Month


class Command(BaseCommand):
    help = (
        "Periksa tunggakan iuran: peringatkan peserta yang hampir nonaktif dan nonaktifkan "
        "yang menunggak sesuai aturan (BPU: 3 bulan berturut-turut)."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--as-of", type=month_arg, help="per bulan TTTT-BB (default: bulan ini)"
        )
        parser.add_argument("--region", type=regency_arg, help="kode kabupaten/kota, mis. 13.03")
        parser.add_argument("--dry-run", action="store_true", help="hanya laporkan, jangan ubah")
        parser.add_argument("--json", action="store_true", help="keluaran JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = options["as_of"] or Month.current()
        try:
            report = services.arrears_check(
                as_of=as_of,
                regency=options["region"],
                apply=not options["dry_run"],
                acting_user=None,
            )
        except DomainError as exc:
            raise CommandError(exc.message, returncode=2) from exc
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
            return
        lines = [
            f"Tunggakan per {bulan(str(as_of))}"
            + (" (uji coba, tidak dicatat)" if options["dry_run"] else "")
            + f": {angka(len(report.warnings))} diperingatkan "
            f"({angka(report.new_warnings)} baru), {angka(len(report.lapses))} dinonaktifkan."
        ]
        for rule in report.rules:
            lines.append(
                f"Aturan {rule.segment.upper()}: nonaktif setelah {rule.unpaid_months} bulan, "
                f"peringatan pada bulan ke-{rule.warn_at_months}. Dasar: {rule.legal_basis}"
            )
        for label, entries in (("Nonaktif", report.lapses), ("Peringatan", report.warnings)):
            for entry in entries:
                months = ", ".join(str(m) for m in entry.unpaid_months)
                lines.append(
                    f"  {label}: KPJ {entry.kpj_number or '-'} {entry.full_name} — "
                    f"belum dibayar {months}"
                )
        self.stdout.write("\n".join(lines))
