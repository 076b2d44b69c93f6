"""``jamsos demo``: load the Kabupaten Sijunjung demo into an empty database.

Exit status: 0 when loaded, or with ``--if-empty`` when data already exists (nothing is
changed); 2 when the database already holds data and ``--if-empty`` was not given, or on
bad usage.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jamsos.demo.selectors import DemoLogin, demo_database_is_empty, demo_logins
from jamsos.demo.services import demo_load
from jamsos.lib.errors import DomainError


class Command(BaseCommand):
    help = "Muat data demo Kabupaten Sijunjung (instansi, satu akun per peran, peserta)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--people", type=int, default=500, help="jumlah peserta sintetis (bawaan 500)"
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="benih acak; benih sama → data sama (bawaan 1)"
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="lewati tanpa galat bila basis data sudah berisi data (untuk make run)",
        )
        parser.add_argument("--json", action="store_true", help="cetak ringkasan sebagai JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and not demo_database_is_empty():
            self._report_skipped(as_json=options["json"])
            return
        try:
            summary = demo_load(people=options["people"], seed=options["seed"])
        except DomainError as exc:
            message = exc.message
            if exc.code == "demo_not_empty":
                message += (
                    " Pakai --if-empty untuk melewatinya, atau basis data baru "
                    "(JAMSOS_DATA_DIR atau DATABASE_URL lain)."
                )
            raise CommandError(message, returncode=2) from exc
        if options["json"]:
            self.stdout.write(
                json.dumps({"loaded": True, **summary.as_dict()}, ensure_ascii=False, indent=2)
            )
            return
        counts = summary.counts
        self.stdout.write(
            f"Data demo dimuat dalam {summary.seconds:.1f} detik (benih {summary.seed}): "
            f"{counts['agencies']} instansi, {counts['users']} pengguna, "
            f"{counts['persons']} peserta, {counts['audit_events']} peristiwa audit."
        )
        self._write_logins(summary.logins)

    def _report_skipped(self, *, as_json: bool) -> None:
        logins = demo_logins()
        if as_json:
            self.stdout.write(
                json.dumps(
                    {
                        "loaded": False,
                        "reason": "not_empty",
                        "logins": [login.__dict__ for login in logins],
                    },
                    ensure_ascii=False,
                    indent=2,
                )
            )
            return
        self.stdout.write("Basis data sudah berisi data; data demo tidak dimuat ulang.")
        self._write_logins(logins)

    def _write_logins(self, logins: list[DemoLogin]) -> None:
        if not logins:
            self.stdout.write("Tidak ada akun demo di basis data ini.")
            return
        rows = [("Nama pengguna", "Peran", "Cakupan", "Kata sandi")] + [
            (login.username, login.role_label, login.scope, login.password) for login in logins
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        self.stdout.write("")
        self.stdout.write("Akun demo:")
        for n, row in enumerate(rows):
            self.stdout.write(
                "  "
                + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            )
            if n == 0:
                self.stdout.write("  " + "  ".join("-" * w for w in widths))
