"""``jamsos import_targets FILE``: load coverage denominators (xlsx/csv) per area and year.

Columns and rules: ``jamsos.reports.targets``. Every row is checked first; with any
error nothing is written, each error is printed with its row, column and value, and the
command exits 1.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jamsos.lib.errors import DomainError
from jamsos.reports.services import TargetImportError
from jamsos.reports.targets import targets_import


class Command(BaseCommand):
    help = "Impor sasaran (penyebut cakupan) per wilayah dan tahun dari berkas xlsx/csv."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"Berkas {path} tidak ada.")
        try:
            result = targets_import(path, file_name=path.name, acting_user=None)
        except TargetImportError as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(exc.message) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"{result.created} sasaran baru, {result.updated} diganti.")
