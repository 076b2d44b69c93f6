"""``jamsos coverage --region CODE --year YYYY [--month M] [--json]``: coverage of a
kabupaten (by kecamatan) or a kecamatan (by nagari) at a month's end.

``--json`` prints ``{"region", "year", "month", "eligible", "active", "coverage",
"source", "areas": [{"code", "name", "level", "eligible", "active", "coverage",
"nagari_minimum", "nagari_funded_active"}]}``. ``active`` counts memberships active at
the month's end (the summary table, ``jamsos reports_refresh``), ``coverage`` is
active ÷ eligible (null without a denominator), and the areas add up to the total.
Without ``--month``: December of a past year, this month of the current year.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jamsos.lib.errors import DomainError
from jamsos.lib.formats import angka
from jamsos.regions.models import Region
from jamsos.reports.selectors import coverage_areas


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%".replace(".", ",")


def _num(value: int | None) -> str:
    return "—" if value is None else angka(value)


class Command(BaseCommand):
    help = "Cakupan kepesertaan (aktif ÷ sasaran) suatu wilayah dan wilayah di bawahnya."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--region", required=True, help="kode wilayah, mis. 13.03")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--month", type=int, choices=range(1, 13))
        parser.add_argument("--json", action="store_true", help="keluaran JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        region = Region.objects.filter(pk=options["region"]).first()
        if region is None:
            raise CommandError(f"Kode wilayah {options['region']} tidak dikenal.")
        if not 2000 <= options["year"] <= 2100:
            raise CommandError("Tahun harus 2000–2100.")
        try:
            result = coverage_areas(region=region, year=options["year"], month=options["month"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))
            return
        self.stdout.write(f"{region.label} — {result.month:02d}/{result.year}")
        self.stdout.write(result.formula)
        self.stdout.write(
            f"Aktif {_num(result.active)} dari sasaran {_num(result.eligible)}: "
            f"{_pct(result.coverage)}"
        )
        self.stdout.write(f"Sumber: {result.source or 'tidak ada sasaran (hanya jumlah)'}")
        for area in result.areas:
            self.stdout.write(
                f"  {area.code:<14} {area.name:<28} {_num(area.active):>8} / "
                f"{_num(area.eligible):>8}  {_pct(area.coverage):>7}"
            )
