"""Load Indonesia's regions (Kemendagri 2025) and the 2016–2025 code history.

Reads the gzipped CSVs shipped in ``jamsos/regions/data`` (MIT, Cahya DSN; see
ATTRIBUTION.md). Parents precede children in the file, so rows are inserted in file order.
Reversible: backwards deletes the rows again.
"""

import csv
import gzip
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"
BATCH = 5000


def _rows(name):
    with gzip.open(DATA / name, "rt", encoding="utf-8", newline="") as f:
        yield from csv.DictReader(f)


def load(apps, schema_editor):
    Region = apps.get_model("regions", "Region")
    HistoricalCode = apps.get_model("regions", "HistoricalCode")
    db = schema_editor.connection.alias
    batch = []
    for row in _rows("wilayah-2025.csv.gz"):
        batch.append(Region(
            code=row["code"], name=row["name"], level=row["level"], kind=row["kind"],
            parent_id=row["parent_code"] or None, search_name=row["search_name"],
            population=int(row["population"]) if row["population"] else None,
        ))
        if len(batch) >= BATCH:
            Region.objects.using(db).bulk_create(batch)
            batch = []
    Region.objects.using(db).bulk_create(batch)
    HistoricalCode.objects.using(db).bulk_create(
        [HistoricalCode(code=r["code"], name=r["name"], level=r["level"],
                        first_seen=int(r["first_seen"]), last_seen=int(r["last_seen"]))
         for r in _rows("codes-2016-2025.csv.gz")],
        batch_size=BATCH,
    )


def unload(apps, schema_editor):
    db = schema_editor.connection.alias
    apps.get_model("regions", "HistoricalCode").objects.using(db).all().delete()
    Region = apps.get_model("regions", "Region")
    # Children first: the parent FK is PROTECT.
    for level in ("village", "district", "regency", "province"):
        Region.objects.using(db).filter(level=level).delete()


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
