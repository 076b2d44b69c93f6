"""Indexes for a registry of a million persons (issue 15).

- ``person_name_order_idx`` (full_name, id): the list's order, so a page is an index
  range scan (``LIMIT``) instead of a sort of every person in scope.
- Name search (contains, case-insensitive): on PostgreSQL a ``pg_trgm`` GIN index on
  ``UPPER(full_name)``, the expression Django's ``icontains`` compares, so the same
  query is served by the index; on SQLite an FTS5 table with the trigram tokenizer
  over ``full_name``, kept by triggers, which ``registry.selectors.person_name_q`` asks
  with ``LIKE`` (the trigram index serves it for terms of three letters or more).

Other databases get neither (the plain ``icontains`` still works, unindexed).
"""

from django.db import migrations, models

PG_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS registry_person_name_trgm ON registry_person "
    "USING gin (UPPER(full_name::text) gin_trgm_ops)",
]
PG_BACKWARD = ["DROP INDEX IF EXISTS registry_person_name_trgm"]

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE registry_person_name_fts USING fts5("
    "full_name, content='registry_person', content_rowid='id', tokenize='trigram')",
    "INSERT INTO registry_person_name_fts (rowid, full_name) "
    "SELECT id, full_name FROM registry_person",
    "CREATE TRIGGER registry_person_name_fts_insert AFTER INSERT ON registry_person BEGIN "
    "INSERT INTO registry_person_name_fts (rowid, full_name) VALUES (new.id, new.full_name); "
    "END",
    "CREATE TRIGGER registry_person_name_fts_delete AFTER DELETE ON registry_person BEGIN "
    "INSERT INTO registry_person_name_fts (registry_person_name_fts, rowid, full_name) "
    "VALUES ('delete', old.id, old.full_name); END",
    "CREATE TRIGGER registry_person_name_fts_update AFTER UPDATE OF full_name ON "
    "registry_person BEGIN "
    "INSERT INTO registry_person_name_fts (registry_person_name_fts, rowid, full_name) "
    "VALUES ('delete', old.id, old.full_name); "
    "INSERT INTO registry_person_name_fts (rowid, full_name) VALUES (new.id, new.full_name); "
    "END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS registry_person_name_fts_insert",
    "DROP TRIGGER IF EXISTS registry_person_name_fts_delete",
    "DROP TRIGGER IF EXISTS registry_person_name_fts_update",
    "DROP TABLE IF EXISTS registry_person_name_fts",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_seed_occupations")]

    operations = [
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["full_name", "id"], name="person_name_order_idx"),
        ),
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
            # Builds indexes, loads no rows: the tests' reference-data reload skips it.
            hints={"schema_only": True},
        ),
    ]
