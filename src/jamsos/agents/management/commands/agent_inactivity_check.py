"""``jamsos agent_inactivity_check``: the monthly check of inactive agents.

Examples::

    jamsos agent_inactivity_check                    # the month just ended
    jamsos agent_inactivity_check --month 2025-05 --region 13.03 --json

Proposes (never enforces) ending every active agent with no accepted recruit and no
collection for the rule's number of months, and warns those at the rule's warning
month; the Dinas approves or rejects each proposal. Rerunning a month changes nothing.
Run it by cron or a systemd timer on the 1st of each month. ``--json`` prints
``{"month", "warned": [agent ids], "proposed": [agent ids], "already_checked"}``.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from django.core.management.base import BaseCommand

from jamsos.agents import services
from jamsos.contributions.management.commands._args import month_arg, regency_arg
from jamsos.lib.periods import Month


class Command(BaseCommand):
    help = "Periksa agen yang tidak aktif: beri peringatan atau usulkan berhenti."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--month", type=month_arg, help="bulan TTTT-BB (bawaan: bulan lalu)")
        parser.add_argument("--region", type=regency_arg, help="kode kabupaten/kota")
        parser.add_argument("--json", action="store_true", help="keluaran JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        month = options["month"] or (Month.current() - 1)
        region = options["region"].pk if options["region"] is not None else None
        run = services.inactivity_check_run(month=month, region=region)
        if options["json"]:
            self.stdout.write(json.dumps(run.as_dict(), indent=2))
            return
        self.stdout.write(
            f"Bulan {month}: {len(run.warned)} agen diperingatkan, {len(run.proposed)} "
            f"diusulkan berhenti, {run.already_checked} sudah diperiksa sebelumnya."
        )
