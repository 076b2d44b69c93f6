"""``jamsos membership_refresh``: the monthly run (cron, e.g. on the 1st at 01:00).

1. Move memberships to the status their months give (pending → active → ended).
2. Give back to the pagu the money of persons BPJS rejected or an amendment struck out,
   where the after-commit step of the recording did not finish (it is normally done at
   once; this is the retry, and it never returns money twice).

Re-running in the same month changes nothing. Exit code 0; 1 when a step failed.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jamsos.enrollment.services import decree_budget_returns_flush, membership_statuses_refresh
from jamsos.lib.errors import DomainError
from jamsos.lib.periods import Month


def _month(text: str) -> Month:
    try:
        return Month.parse(text)
    except DomainError as exc:
        raise argparse.ArgumentTypeError(exc.message) from exc


class Command(BaseCommand):
    help = "Perbarui status kepesertaan bulan ini dan kembalikan dana peserta yang ditolak."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--month", type=_month, default=None, help="TTTT-BB (default: bulan ini)"
        )
        parser.add_argument("--json", action="store_true", help="keluaran JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        month = options["month"] or Month.current()
        try:
            counts = membership_statuses_refresh(as_of=month)
            returned = decree_budget_returns_flush()
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        result = {
            "month": str(month),
            "activated": counts["active"],
            "ended": counts["ended"],
            "budget_returned_lines": returned,
        }
        if options["json"]:
            self.stdout.write(json.dumps(result))
        else:
            self.stdout.write(
                f"{month}: {result['activated']} kepesertaan aktif, {result['ended']} berakhir; "
                f"dana {returned} baris ditolak/dicoret dikembalikan ke pagu."
            )
