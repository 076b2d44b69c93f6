"""``jamsos import_proposals FILE --region CODE [--dry-run] [--json] [--as USERNAME]``

Validates a proposal file (.xlsx or .csv) for a region and, without ``--dry-run``,
stages it as a batch for review (as ``--as`` user, or the Dinas import actor).

Output with ``--json`` is exactly ``{"rows", "valid", "invalid", "duplicate_in_file",
"already_registered", "possible_duplicates", "errors": {code: n}, "warnings": {code: n}}``
(``rows`` is the sum of the four statuses; codes count rows). Exit status: 0 when the
file was read (whatever its rows say), 2 with a message when it could not be (missing,
unreadable, no header, a required column missing, unknown region or user).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.management.base import CommandError, CommandParser

from jamsos.accounts.models import User
from jamsos.intake import services
from jamsos.intake.reading import proposal_table_read
from jamsos.intake.validation import ValidationContext, proposals_validate
from jamsos.lib.errors import DomainError
from jamsos.regions.management.commands._usage import UsageExitMixin, usage_error
from jamsos.regions.models import Region
from jamsos.regions.selectors import region_code_normalise

STATUS_LABELS = {
    "valid": "valid",
    "invalid": "tidak valid",
    "duplicate_in_file": "ganda dalam berkas",
    "already_registered": "sudah terdaftar",
    "possible_duplicates": "kemungkinan ganda (peringatan)",
}


class Command(UsageExitMixin):
    help = "Validasi berkas usulan (.xlsx/.csv) dan, tanpa --dry-run, simpan untuk diperiksa."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="berkas .xlsx atau .csv")
        parser.add_argument("--region", required=True, help="kode wilayah usulan, mis. 13.03")
        parser.add_argument("--dry-run", action="store_true", help="hanya validasi, tanpa simpan")
        parser.add_argument("--json", action="store_true", help="keluaran JSON")
        parser.add_argument("--as", dest="username", help="nama pengguna pengusul")
        parser.add_argument(
            "--coverage-start",
            type=dt.date.fromisoformat,
            help="tanggal mulai kepesertaan untuk syarat umur (bawaan: tanggal 1 bulan depan)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise usage_error(f"Berkas tidak ditemukan: {path}")
        region = self._region(options["region"])
        user = self._user(options["username"]) if options["username"] else None
        try:
            table = proposal_table_read(
                path, file_name=path.name, village_optional=region.level == Region.Level.VILLAGE
            )
            if options["dry_run"]:
                context = ValidationContext.build(
                    region=region, coverage_start=options["coverage_start"]
                )
                counts = proposals_validate(table, context=context).counts()
            else:
                counts = self._stage(path, region, user, table, options["coverage_start"])
        except DomainError as exc:
            raise usage_error(f"[{exc.code}] {exc.message}") from exc
        if options["json"]:
            self.stdout.write(json.dumps(counts, ensure_ascii=False, sort_keys=False))
        else:
            self._report(path, counts)

    def _region(self, code: str) -> Region:
        dotted = region_code_normalise(code)
        region = Region.objects.filter(pk=dotted).first() if dotted else None
        if region is None:
            raise usage_error(f"Kode wilayah tidak dikenal: {code}")
        return region

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise usage_error(f"Pengguna tidak ditemukan atau tidak aktif: {username}")
        return user

    def _stage(
        self,
        path: Path,
        region: Region,
        user: User | None,
        table: Any,
        coverage_start: dt.date | None,
    ) -> dict[str, Any]:
        actor = user or services.system_actor(region)
        with path.open("rb") as handle:
            batch = services.batch_stage_upload(
                upload=File(handle, name=path.name),
                file_name=path.name,
                region=region,
                acting_user=actor,
                coverage_start=coverage_start,
                enqueue=False,
            )
        batch = services.batch_validate(batch=batch, table=table)
        if batch.status != batch.Status.VALIDATED:
            raise CommandError(f"Usulan #{batch.pk} gagal: {batch.failure_message}", returncode=2)
        self.stderr.write(f"Usulan #{batch.pk} disimpan untuk diperiksa ({batch.region.name}).")
        summary = batch.summary or {}
        return {
            "rows": batch.rows_total,
            "valid": batch.rows_valid,
            "invalid": batch.rows_invalid,
            "duplicate_in_file": batch.rows_duplicate_in_file,
            "already_registered": batch.rows_already_registered,
            "possible_duplicates": batch.rows_possible_duplicate,
            "errors": dict(summary.get("errors", {})),
            "warnings": dict(summary.get("warnings", {})),
        }

    def _report(self, path: Path, counts: dict[str, Any]) -> None:
        self.stdout.write(f"{path.name}: {counts['rows']} baris")
        for key, label in STATUS_LABELS.items():
            self.stdout.write(f"  {label:<32} {counts[key]:>8}")
        for title, codes in (("Kesalahan", counts["errors"]), ("Peringatan", counts["warnings"])):
            if codes:
                self.stdout.write(f"{title}:")
                for code, n in sorted(codes.items(), key=lambda item: -item[1]):
                    self.stdout.write(f"  {code:<32} {n:>8}")
