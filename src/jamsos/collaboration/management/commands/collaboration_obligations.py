"""``jamsos collaboration_obligations``: generate the due obligation instances of every
agreement in a region up to today and judge the automatic ones from the records.

Run daily from cron or a systemd timer (STYLE.md 27); re-running adds nothing and only
changes instances whose proof has arrived or whose due date has passed. Examples::

    jamsos collaboration_obligations --region 13.03
    jamsos collaboration_obligations --region 13.03 --today 2023-12-31

Exit codes: 0 success; 2 bad usage (unknown region, bad date).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandParser
from django.utils import timezone

from jamsos.collaboration.obligations import (
    obligation_instances_generate,
    obligation_instances_judge,
)
from jamsos.regions.management.commands._usage import UsageExitMixin, usage_error
from jamsos.regions.models import Region


class Command(UsageExitMixin):
    help = "Buat dan nilai kewajiban perjanjian yang jatuh tempo dari data sistem."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--region", required=True, help="Kode kabupaten, mis. 13.03.")
        parser.add_argument("--today", help="Tanggal penilaian TTTT-BB-HH (bawaan: hari ini).")

    def handle(self, *args: Any, **options: Any) -> None:
        region = Region.objects.filter(pk=options["region"]).first()
        if region is None:
            raise usage_error(f"Wilayah {options['region']} tidak dikenal.")
        try:
            today = (
                dt.date.fromisoformat(options["today"])
                if options["today"]
                else timezone.localdate()
            )
        except ValueError as exc:
            raise usage_error(f"Tanggal tidak sah: {options['today']}") from exc
        created = obligation_instances_generate(region=region, until=today)
        judged = obligation_instances_judge(region=region, today=today)
        summary = ", ".join(f"{k} {v}" for k, v in sorted(judged.items())) or "tidak ada perubahan"
        self.stdout.write(f"{created} kewajiban jatuh tempo baru; dinilai: {summary}.")
