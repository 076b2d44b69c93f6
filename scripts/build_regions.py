"""Build the region files shipped in the package from ../shared/domain/regions/.

Run from the repository root: ``python scripts/build_regions.py ../shared/domain/regions``.
It adds each unit's kind and search name, and the 2024 population, and gzips the result.
"""

from __future__ import annotations

import csv
import gzip
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from jamsos.regions.names import region_search_name  # noqa: E402

OUT = ROOT / "src" / "jamsos" / "regions" / "data"
# The one desa among Sijunjung's nagari (facts.md §6).
KIND_EXCEPTIONS = {"13.03.10.2004": "desa"}
SUMATERA_BARAT = "13"
MENTAWAI = "13.01"  # its villages are desa, not nagari


def kind_of(code: str, name: str, level: str) -> str:
    if code in KIND_EXCEPTIONS:
        return KIND_EXCEPTIONS[code]
    if level == "province":
        return "provinsi"
    if level == "regency":
        return "kota" if name.lower().startswith("kota") else "kabupaten"
    if level == "district":
        return "kecamatan"
    first = code.rsplit(".", 1)[1][0]
    if first == "1":
        return "kelurahan"
    if first == "3":
        return "desa_adat"
    if code.startswith(SUMATERA_BARAT + ".") and not code.startswith(MENTAWAI + "."):
        return "nagari"
    return "desa"


def main(source: Path) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    population = {}
    with open(source / "population-dukcapil-2024s2.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            population[row["code"]] = row["total"]
    with (
        open(source / "wilayah-kemendagri-2025.csv", encoding="utf-8") as f,
        gzip.open(
            OUT / "wilayah-2025.csv.gz", "wt", encoding="utf-8", newline="", compresslevel=9
        ) as out,
    ):
        writer = csv.writer(out)
        writer.writerow(
            ["code", "name", "level", "kind", "parent_code", "search_name", "population"]
        )
        for row in csv.DictReader(f):
            writer.writerow(
                [
                    row["code"],
                    row["name"],
                    row["level"],
                    kind_of(row["code"], row["name"], row["level"]),
                    row["parent_code"],
                    region_search_name(row["name"], row["level"]),
                    population.get(row["code"], ""),
                ]
            )
    with (
        open(source / "district-codes-2016-2025.csv", encoding="utf-8") as f,
        gzip.open(
            OUT / "codes-2016-2025.csv.gz", "wt", encoding="utf-8", newline="", compresslevel=9
        ) as out,
    ):
        writer = csv.writer(out)
        writer.writerow(["code", "name", "level", "first_seen", "last_seen"])
        for row in csv.DictReader(f):
            writer.writerow(
                [row["code"], row["name"], row["level"], row["first_seen"], row["last_seen"]]
            )


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else ROOT.parent / "shared/domain/regions"))
