"""``jamsos scorecard``: the collaboration scorecard of one kabupaten and quarter.

Examples::

    jamsos scorecard --region 13.03 --period 2023-Q2
    jamsos scorecard --region 13.03 --period 2023-Q2 --json
    jamsos scorecard --region 13.03 --period 2023-Q2 --refresh   # judge obligations first

``--json`` prints ``{"region", "period", "definitions_version", "elements": [{"element",
"indicators": [{"id", "name", "numerator", "denominator", "value", "band", "min_n",
"insufficient"}]}]}``: ``value`` is numerator/denominator (null when the denominator is
0), ``band`` 1–4 or null, ``insufficient`` true exactly when the denominator is below
``min_n``. Exit codes: 0 success; 2 bad usage (unknown region, bad period).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandParser
from django.utils import timezone

from jamsos.collaboration.quarters import Quarter
from jamsos.collaboration.scorecard import band_label, scorecard_compute, scorecard_json
from jamsos.lib.errors import DomainError
from jamsos.regions.management.commands._usage import UsageExitMixin, usage_error
from jamsos.regions.models import Region


class Command(UsageExitMixin):
    help = "Rapor kolaborasi satu kabupaten dan triwulan (k dari n per indikator)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--region", required=True, help="Kode kabupaten, mis. 13.03.")
        parser.add_argument("--period", required=True, help="Triwulan TTTT-Qn, mis. 2023-Q2.")
        parser.add_argument("--json", action="store_true", help="Keluaran JSON.")
        parser.add_argument(
            "--refresh",
            action="store_true",
            help="Buat dan nilai kewajiban jatuh tempo dari data sebelum menghitung.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        region = Region.objects.filter(pk=options["region"]).first()
        if region is None:
            raise usage_error(f"Wilayah {options['region']} tidak dikenal.")
        try:
            quarter = Quarter.parse(options["period"])
        except DomainError as exc:
            raise usage_error(exc.message) from exc
        if options["refresh"]:
            from jamsos.collaboration.obligations import (
                obligation_instances_generate,
                obligation_instances_judge,
            )

            today = timezone.localdate()
            obligation_instances_generate(region=region, until=min(today, quarter.end))
            obligation_instances_judge(region=region, today=today)
        card = scorecard_compute(region=region, quarter=quarter, trend=not options["json"])
        if options["json"]:
            self.stdout.write(json.dumps(scorecard_json(card), ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            f"Rapor kolaborasi {region.name} {quarter} (definisi {card['definitions_version']})"
        )
        for element in card["elements"]:
            if not element["indicators"]:
                continue
            self.stdout.write(f"\n{element['element']}")
            for i in element["indicators"]:
                pct = "" if i["value"] is None else f" ({round(100 * i['value'])}%)"
                self.stdout.write(
                    f"  {i['id']:<6} {i['numerator']} dari {i['denominator']}{pct}"
                    f" · {band_label(i)} · {i['name']}"
                )
        self.stdout.write(
            "\nSkor hanya mencerminkan kegiatan yang dicatat; tidak ada skor gabungan."
        )
