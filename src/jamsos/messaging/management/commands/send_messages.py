"""``jamsos send_messages [--limit N] [--json]``

Sends the queued messages that are due (e-mail over SMTP, WhatsApp/SMS through the
gateway), retrying failures with exponential back-off. Run it from cron or a systemd
timer every minute. Output with ``--json``: ``{"sent", "retrying", "failed",
"cancelled", "requeued_stale"}``. Exit status 0 whatever the messages' fate (failures
stay visible on the "Pesan" page); 2 on bad usage.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandParser

from jamsos.messaging.services import messages_send_due
from jamsos.regions.management.commands._usage import UsageExitMixin, usage_error


class Command(UsageExitMixin):
    help = "Kirim pesan yang sudah waktunya (e-mail, WhatsApp/SMS), dengan coba ulang."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=200, help="paling banyak pesan (200)")
        parser.add_argument("--json", action="store_true", help="keluaran JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["limit"] < 1:
            raise usage_error("--limit harus ≥ 1")
        summary = messages_send_due(limit=options["limit"])
        if options["json"]:
            self.stdout.write(json.dumps(summary.as_dict()))
            return
        self.stdout.write(
            f"Terkirim {summary.sent}, dicoba lagi nanti {summary.retrying}, "
            f"gagal {summary.failed}, dibatalkan {summary.cancelled}."
        )
