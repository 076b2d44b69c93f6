"""``jamsos exports_sweep``: delete old generated files and fail stuck ones, once.

Each ``jamsos db_worker`` runs the same sweep every ``TASK_SWEEP_SECONDS``; run this from
cron (hourly is plenty) where no worker runs. Files finished more than
``JAMSOS_GENERATED_RETENTION_HOURS`` ago are deleted from ``GENERATED_ROOT`` and their
rows marked expired; rows whose task is over or gone are failed (the page offers
"coba lagi"). What it changed goes to the audit trail (``worker.generated_files.swept``).
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandParser

from jamsos.worker.services import generated_files_sweep


class Command(BaseCommand):
    help = "Delete generated files past their retention and fail those whose task is gone."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print a JSON report")

    def handle(self, *args: object, **options: object) -> None:
        report = generated_files_sweep(trigger="exports_sweep")
        if options["json"]:
            self.stdout.write(json.dumps(report.changed))
            return
        summary = ", ".join(f"{label}: {len(ids)}" for label, ids in report.changed.items())
        self.stdout.write(summary)
