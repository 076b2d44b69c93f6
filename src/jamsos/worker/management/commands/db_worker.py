"""``jamsos db_worker``: django-tasks-db's worker with leases, a sweep and lock back-off.

The upstream worker (``django_tasks_db.management.commands.db_worker``) does the work;
this subclass adds what a single-machine install needs to survive faults:

1. Each task runs under a lease renewed by a heartbeat thread (``keeper.LeaseKeeper``),
   which also sweeps: tasks of dead workers are queued again or failed
   (``leases.tasks_sweep``).
2. A database error in the loop (SQLite locked longer than its busy timeout, PostgreSQL
   restarting) no longer ends the process: the worker logs it, waits with exponential
   back-off (``TASK_WORKER_BACKOFF_MAX`` seconds at most) and carries on. A task that
   was running when it happened keeps no live lease, so the sweep re-runs it.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from django.conf import settings
from django.db import DatabaseError, close_old_connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands.db_worker import Command as UpstreamCommand
from django_tasks_db.management.commands.db_worker import Worker as UpstreamWorker
from django_tasks_db.models import DBTaskResult

from jamsos.worker.keeper import LeaseKeeper
from jamsos.worker.leases import lease_release, lease_take

logger = logging.getLogger("django_tasks_db")


class LeasedWorker(UpstreamWorker):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.keeper = LeaseKeeper(worker_id=self.worker_id)

    def run(self) -> None:
        self.keeper.start()
        delay = 0.5
        try:
            while True:
                try:
                    super().run()
                    return
                except DatabaseError as exc:
                    if not self.running:
                        raise
                    logger.warning(
                        "Database unavailable (%s); worker %s retries in %.1f s",
                        exc,
                        self.worker_id,
                        delay,
                    )
                    close_old_connections()
                    time.sleep(delay)
                    delay = min(delay * 2, float(settings.TASK_WORKER_BACKOFF_MAX))
                    self.startup_delay = False
        finally:
            self.keeper.stop()

    def run_task(self, db_task_result: DBTaskResult) -> None:
        task_id = str(db_task_result.pk)
        try:
            lease_take(task_result_id=task_id, worker_id=self.worker_id)
        except DatabaseError as exc:
            # Run it anyway: a RUNNING task without a lease is swept by its start time.
            logger.warning("task %s: lease not taken (%s)", task_id, exc)
        self.keeper.current = task_id
        try:
            super().run_task(db_task_result)
        finally:
            self.keeper.current = None
        try:
            lease_release(task_result_id=task_id)
        except DatabaseError as exc:  # the sweep drops it once it sees the task finished
            logger.warning("task %s: lease not released (%s)", task_id, exc)


class Command(UpstreamCommand):
    help = UpstreamCommand.help + " (with task leases, a sweep and database back-off)"

    def handle(  # type: ignore[override]
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str,
        exclude_queues: str,
        **options: Any,
    ) -> None:
        self.configure_logging(verbosity)
        if reload and batch:
            reload = False
        excluded = exclude_queues.split(",") if exclude_queues else []
        worker = LeasedWorker(
            queue_names=queue_name.split(","),
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded,
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
