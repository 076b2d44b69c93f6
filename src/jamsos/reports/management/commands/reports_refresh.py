"""``jamsos reports_refresh --region 13.03 --year 2025 [--month 3]``: recompute the
monthly summary table (a whole year, or one month) of one kabupaten.

The chain's writes refresh the months they touch by themselves (docs/reports.md); run
this nightly from cron as a safety net, and after loading data by other means.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jamsos.lib.periods import Month
from jamsos.regions.models import Region
from jamsos.reports.services import figures_refresh


class Command(BaseCommand):
    help = "Hitung ulang tabel ringkasan bulanan (setahun atau satu bulan) satu kabupaten."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--region", required=True, help="kode kabupaten, mis. 13.03")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--month", type=int, choices=range(1, 13))

    def handle(self, *args: Any, **options: Any) -> None:
        region = Region.objects.filter(pk=options["region"], level=Region.Level.REGENCY).first()
        if region is None:
            raise CommandError(f"{options['region']} bukan kode kabupaten/kota.")
        year = options["year"]
        if not 2000 <= year <= 2100:
            raise CommandError("Tahun harus 2000–2100.")
        if options["month"]:
            first = last = Month(year, options["month"])
        else:
            first, last = Month(year, 1), Month(year, 12)
        rows = figures_refresh(regency_code=region.code, first=first, last=last)
        self.stdout.write(f"{region.label}: {first}–{last}, {rows} baris.")
