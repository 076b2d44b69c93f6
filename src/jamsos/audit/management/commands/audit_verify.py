"""``jamsos audit_verify [--json]``: walk the audit hash chain (daily, by cron or timer).

1. Recompute every event's hash in chain order (``audit.chain.audit_chain_verify``).
2. Do the same for the personal-data access log's own chain
   (``audit.access_chain.access_chain_verify``): who saw whose data.
3. Check the object ranges of events about many objects at once (an intake batch's
   persons) against the ranges their chained data lists
   (``audit.chain.object_ranges_verify``): the index that finds each person's creation.
4. Print ``{"events": n, "ok": bool, "first_broken": id or null, "access_log":
   {"reads": n, "ok": bool, "first_broken": id or null}, "object_ranges": {"ranges": n,
   "ok": bool, "first_broken": event id or null}}`` (``--json``; the top-level ``ok`` is
   all three) or sentences with each chain's head (place and hash), which the log keeps
   so that a cut-off tail shows as a head that went backwards.

Exit code 0 when all are intact; 1 when an event, a read or an object range was changed,
removed or inserted.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand

from jamsos.audit.access_chain import access_chain_verify
from jamsos.audit.chain import audit_chain_verify, object_ranges_verify


class Command(BaseCommand):
    help = "Periksa rantai hash jejak audit: keluar 0 bila utuh, 1 bila ada yang diubah."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true", help="keluaran JSON")
        parser.add_argument("--database", default="default", help="alias basis data")

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_chain_verify(using=options["database"])
        reads = access_chain_verify(using=options["database"])
        ranges = object_ranges_verify(using=options["database"])
        ok = report.ok and reads.ok and ranges.ok
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        **report.as_dict(),
                        "ok": ok,
                        "access_log": reads.as_dict(),
                        "object_ranges": ranges.as_dict(),
                    }
                )
            )
        else:
            if report.ok:
                self.stdout.write(
                    f"Rantai audit utuh: {report.events} peristiwa; "
                    f"ujung #{report.head_seq} {report.head_hash}."
                )
            else:
                self.stdout.write(
                    f"Rantai audit RUSAK: {report.events} peristiwa; peristiwa pertama yang "
                    f"tidak cocok: id {report.first_broken}."
                )
            if reads.ok:
                self.stdout.write(
                    f"Rantai log akses data pribadi utuh: {reads.reads} akses; "
                    f"ujung #{reads.head_seq} {reads.head_hash}."
                )
            else:
                self.stdout.write(
                    f"Rantai log akses data pribadi RUSAK: {reads.reads} akses; akses "
                    f"pertama yang tidak cocok: id {reads.first_broken}."
                )
            if ranges.ok:
                self.stdout.write(
                    f"Rentang objek cocok dengan peristiwanya: {ranges.ranges} rentang."
                )
            else:
                self.stdout.write(
                    f"Rentang objek RUSAK: {ranges.ranges} rentang; peristiwa pertama yang "
                    f"rentangnya tidak cocok: id {ranges.first_broken}."
                )
        if not ok:
            sys.exit(1)
