"""``jamsos import_deaths FILE [--as USERNAME] [--dry-run] [--json]``

Imports a Dukcapil death list (.xlsx or .csv with the columns NIK and TANGGAL MENINGGAL,
optionally NAMA). Every row is checked first; any error (named by row, column and value)
writes nothing and exits 1. Otherwise each member found is recorded deceased, their
cover ends, and a JKM follow-up opens with the agent of their nagari. The same file again
changes nothing. ``--as`` runs with a user's permission and scope (default: the system).

Output with ``--json``: ``{"rows", "members_found", "followups_opened", "not_members",
"already_known", "duplicate_file"}`` or ``{"errors": [{"row", "column", "value",
"message"}]}``. Exit status: 0 imported, 1 the file has errors, 2 bad usage or an
unreadable file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from jamsos.accounts.models import User
from jamsos.lib.errors import DomainError
from jamsos.outreach.services import DeathListInvalid, deaths_import
from jamsos.regions.management.commands._usage import UsageExitMixin, usage_error


class Command(UsageExitMixin):
    help = "Impor daftar kematian Dukcapil (.xlsx/.csv) dan buka tindak lanjut klaim JKM."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="berkas .xlsx atau .csv")
        parser.add_argument("--as", dest="username", help="nama pengguna (bawaan: sistem)")
        parser.add_argument("--dry-run", action="store_true", help="periksa saja, tanpa simpan")
        parser.add_argument("--json", action="store_true", help="keluaran JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise usage_error(f"Berkas tidak ditemukan: {path}")
        user = None
        if options["username"]:
            user = User.objects.filter(username=options["username"], is_active=True).first()
            if user is None:
                raise usage_error(
                    f"Pengguna tidak ditemukan atau tidak aktif: {options['username']}"
                )
        try:
            summary = deaths_import(
                data=path,
                file_name=path.name,
                acting_user=user,
                dry_run=options["dry_run"],
            )
        except DeathListInvalid as exc:
            if options["json"]:
                self.stdout.write(
                    json.dumps({"errors": [e.__dict__ for e in exc.errors]}, ensure_ascii=False)
                )
            else:
                for error in exc.errors:
                    self.stderr.write(str(error))
            raise CommandError(
                f"{len(exc.errors)} kesalahan; tidak ada yang disimpan.", returncode=1
            ) from exc
        except DomainError as exc:
            raise usage_error(f"[{exc.code}] {exc.message}") from exc
        if options["json"]:
            self.stdout.write(json.dumps(summary.as_dict()))
            return
        if summary.duplicate_file:
            self.stdout.write(f"{path.name} sudah pernah diimpor; tidak ada yang berubah.")
            return
        self.stdout.write(
            f"{path.name}: {summary.rows} baris, {summary.members_found} peserta meninggal, "
            f"{summary.followups_opened} tindak lanjut baru, {summary.already_known} sudah "
            f"diketahui, {summary.not_members} bukan peserta."
            + (" (periksa saja, tidak disimpan)" if options["dry_run"] else "")
        )
