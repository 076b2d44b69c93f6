"""``jamsos tasks_sweep``: recover tasks left ``RUNNING`` by dead workers, once.

Every ``jamsos db_worker`` already sweeps every ``TASK_SWEEP_SECONDS``; run this from cron
when no worker runs, or by hand after a crash. Prints what it did and records it in the
audit trail (``worker.tasks.swept``) when it changed anything. Then it sweeps generated
files too (``jamsos exports_sweep``): rows whose task it just failed, and old files.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandParser

from jamsos.worker.services import generated_files_sweep, tasks_sweep_recorded


class Command(BaseCommand):
    help = "Queue again (or fail) tasks whose worker died: their lease expired."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print a JSON report")

    def handle(self, *args: object, **options: object) -> None:
        report = tasks_sweep_recorded(trigger="tasks_sweep")
        files = generated_files_sweep(trigger="tasks_sweep")
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {"requeued": report.requeued, "failed": report.failed, "files": files.changed}
                )
            )
            return
        self.stdout.write(
            f"{len(report.requeued)} task(s) queued again, {len(report.failed)} failed."
        )
