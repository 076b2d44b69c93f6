"""Intake's GeneratedExport becomes the worker app's GeneratedFile (one generated-file
mechanism for every app). Rows are copied across, then the old table goes; reversed, the
table comes back and the rejection reports are copied back (other kinds stay behind)."""

from django.db import migrations

FIELDS = (
    "kind",
    "object_id",
    "fingerprint",
    "region_code",
    "status",
    "rows_total",
    "rows_done",
    "file_name",
    "content_type",
    "file_path",
    "size",
    "error",
    "created_at",
    "finished_at",
)


def copy_to_worker(apps, schema_editor):
    old = apps.get_model("intake", "GeneratedExport")
    new = apps.get_model("worker", "GeneratedFile")
    # Re-run on a migrated database (budget.tests.reference_data replays every RunPython
    # after a transactional test) the old table is gone: nothing to copy.
    if old._meta.db_table not in schema_editor.connection.introspection.table_names():
        return
    new.objects.bulk_create(
        (
            new(owner_id=row.requested_by_id, **{name: getattr(row, name) for name in FIELDS})
            for row in old.objects.iterator()
        ),
        batch_size=1000,
    )


def copy_back(apps, schema_editor):
    old = apps.get_model("intake", "GeneratedExport")
    new = apps.get_model("worker", "GeneratedFile")
    rows = new.objects.filter(kind="intake.rejection_report").exclude(status="expired")
    old.objects.bulk_create(
        (
            old(requested_by_id=row.owner_id, **{name: getattr(row, name) for name in FIELDS})
            for row in rows.iterator()
        ),
        batch_size=1000,
    )
    rows.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0009_proposalrow_event_code"),
        ("worker", "0002_generated_file"),
    ]

    operations = [
        migrations.RunPython(copy_to_worker, copy_back),
        migrations.DeleteModel(name="GeneratedExport"),
    ]
