"""``jamsos find_region NAME [--level village] [--parent CODE] [--json]``.

Exit status: 0 one region found, 1 none or several equally likely, 2 bad usage.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import CommandParser

from jamsos.regions.management.commands._usage import UsageExitMixin, usage_error
from jamsos.regions.models import Region
from jamsos.regions.selectors import region_code_normalise, region_find, region_get


class Command(UsageExitMixin):
    help = (
        "Cari wilayah menurut nama, memaafkan huruf besar/kecil, kata Nagari/Desa/Kota "
        "dan ejaan Minang (Aie ~ Air)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help='nama yang diketik, mis. "Nagari Aie Amo"')
        parser.add_argument(
            "--level",
            default=Region.Level.VILLAGE,
            help="province, regency, district atau village (bawaan: village)",
        )
        parser.add_argument("--parent", help="kode wilayah induk, mis. 13.03 atau 1303")
        parser.add_argument("--json", action="store_true", help="keluaran JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        level = options["level"]
        if level not in Region.Level.values:
            raise usage_error(
                f'--level "{level}" tidak dikenal; pilih {", ".join(Region.Level.values)}.'
            )
        parent = options.get("parent")
        if parent is not None:
            if region_get(parent) is None:
                raise usage_error(f'--parent "{parent}" bukan kode wilayah yang dikenal.')
            parent = region_code_normalise(parent)
        found = region_find(options["name"], level=level, parent=parent)
        if options["json"]:
            answer = {"query": options["name"], "level": level, "parent": parent}
            answer.update(
                found.as_dict()
                if found
                else {
                    "found": False,
                    "ambiguous": False,
                    "score": None,
                    "match": None,
                    "candidates": [],
                }
            )
            self.stdout.write(json.dumps(answer, ensure_ascii=False))
        else:
            self.stdout.write(_report(options["name"], found))
        if found is None or found.match is None:
            self.stdout.flush()
            sys.exit(1)


def _report(name: str, found: Any) -> str:
    if found is None:
        return f'Tidak ada wilayah yang cocok dengan "{name}".'
    data = found.as_dict()
    lines = []
    if data["match"] is None:
        lines.append(f'"{name}" cocok dengan beberapa wilayah; sebutkan induknya (--parent):')
    for item in data["candidates"]:
        lines.append(
            f"{item['name']} ({item['code']}) · {item['kind']} · skor {item['score']:g}\n"
            f"    {' › '.join(item['path'])}"
        )
        if data["match"] is not None:
            break
    return "\n".join(lines)
