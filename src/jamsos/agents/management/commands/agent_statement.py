"""``jamsos agent_statement --month YYYY-MM``: draft every agent's fee statement.

Examples::

    jamsos agent_statement --month 2025-05
    jamsos agent_statement --month 2025-05 --region 13.03 --json
    jamsos agent_statement --month 2025-05 --as operator

Drafts (or refreshes the drafts of) the month's statements of every active or suspended
agent; an approved statement is left alone and listed as skipped. A second person
approves each statement on the page or through the API (maker-checker). Without ``--as``
the statements are drafted by the kabupaten's system operator. ``--json`` prints
``{"month", "statements": [{"id", "agent", "lines", "total", …}], "skipped": […]}``.
Exit codes: 0 success; 2 bad usage; 1 a rule is missing (no fee rule for the month).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jamsos.accounts.models import User
from jamsos.agents import services
from jamsos.agents.models import Agent
from jamsos.contributions.management.commands._args import month_arg, regency_arg
from jamsos.intake.services import system_actor
from jamsos.lib.errors import DomainError
from jamsos.lib.formats import rupiah
from jamsos.regions.models import Region


class Command(BaseCommand):
    help = "Susun rekap fee bulanan setiap agen Perisai (draf, disetujui orang lain)."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--month", type=month_arg, required=True, help="bulan TTTT-BB")
        parser.add_argument("--region", type=regency_arg, help="kode kabupaten/kota, mis. 13.03")
        parser.add_argument("--as", dest="username", help="nama pengguna penyusun")
        parser.add_argument("--json", action="store_true", help="keluaran JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        month = options["month"]
        regions = Region.objects.filter(
            pk__in=Agent.objects.values_list("region_id", flat=True).distinct()
        )
        if options["region"] is not None:
            regions = regions.filter(pk=options["region"].pk)
        out: dict[str, Any] = {"month": str(month), "statements": [], "skipped": []}
        for region in regions.order_by("pk"):
            try:
                user = self._actor(options["username"], region)
                run = services.statements_draft_month(month=month, acting_user=user)
            except DomainError as exc:
                raise CommandError(exc.message, returncode=1) from exc
            result = run.as_dict()
            out["statements"] += result["statements"]
            out["skipped"] += result["skipped"]
        if options["json"]:
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
            return
        for s in out["statements"]:
            self.stdout.write(
                f"agen {s['agent']} ({s['agent_code'] or '-'}): {s['lines']} baris, "
                f"jumlah {rupiah(s['total'])} (agen {rupiah(s['agent_amount'])}, "
                f"lembaga {rupiah(s['institution_amount'])}) [{s['status']}]"
            )
        for s in out["skipped"]:
            self.stdout.write(f"agen {s['agent']}: dilewati ({s['reason']})")
        self.stdout.write(f"{len(out['statements'])} rekap bulan {month}.")

    def _actor(self, username: str | None, region: Region) -> User:
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(f"pengguna tidak dikenal: {username}", returncode=2)
            return user
        return system_actor(region)
