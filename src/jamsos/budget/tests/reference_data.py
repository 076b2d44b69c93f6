"""Put back the rows the project's data migrations load, after a transactional test.

``TransactionTestCase`` (``django_db(transaction=True)``) empties every table when a test
ends, including the regions, occupations and rate tables that migrations loaded; the tests
that run after it in the same process would find them gone. ``migration_data_reload``
re-runs, in migration order, every ``RunPython`` of the project's own apps against the
historical models of its migration (the same code ``migrate`` ran), so nothing here has
to know which app seeds what. A ``RunPython`` that builds schema rather than rows (an
index, an FTS table) says so with ``hints={"schema_only": True}`` and is skipped.
"""

from __future__ import annotations

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.operations import RunPython


def migration_data_reload(using: str = DEFAULT_DB_ALIAS) -> int:
    """Re-run the project's data migrations on (empty) tables; returns how many ran."""
    connection = connections[using]
    executor = MigrationExecutor(connection)
    loader = executor.loader
    ours = {c.label for c in global_apps.get_app_configs() if c.name.startswith("jamsos.")}
    plan = executor.migration_plan(loader.graph.leaf_nodes(), clean_start=True)
    ran = 0
    for migration, _backwards in plan:
        if migration.app_label not in ours:
            continue
        if not any(isinstance(op, RunPython) for op in migration.operations):
            continue
        state = loader.project_state((migration.app_label, migration.name), at_end=False)
        for operation in migration.operations:
            new_state = state.clone()
            operation.state_forwards(migration.app_label, new_state)
            if isinstance(operation, RunPython) and not operation.hints.get("schema_only"):
                with connection.schema_editor(atomic=True) as editor:
                    operation.database_forwards(migration.app_label, editor, state, new_state)
                ran += 1
            state = new_state
    return ran
