"""Drop the ``LIKE`` index PostgreSQL got on ``registry_person.occupation_id`` (issue 15).

Django adds a ``varchar_pattern_ops`` index next to the plain one on every text foreign
key, for prefix matches (``LIKE 'x%'``). Occupations are matched by their code, never by
a prefix, so the index served no query, while every person written maintained it
(measured: ~0.16 s of server time per 100,000 persons applied from intake). The plain
index on the column stays (filters by occupation, and the check when an occupation is
deleted). The same indexes on ``nik`` and ``village_id`` stay: NIK prefix search and
region scope (``village_id LIKE '13.03.%'``) use them (a plain index serves ``LIKE``
only under the ``C`` collation; ``C.UTF-8`` is not that for PostgreSQL 15).
"""

from django.db import migrations

INDEX = "registry_person_occupation_id_b6f79eff_like"


def _run(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("registry", "0004_person_name_order_covering")]

    operations = [
        migrations.RunPython(
            _run(f"DROP INDEX IF EXISTS {INDEX}"),
            _run(
                f"CREATE INDEX IF NOT EXISTS {INDEX} ON registry_person "
                "(occupation_id varchar_pattern_ops)"
            ),
            hints={"schema_only": True},
        ),
    ]
