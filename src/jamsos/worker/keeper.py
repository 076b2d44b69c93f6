"""The worker's heartbeat thread: renews the running task's lease and sweeps."""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import DatabaseError, connections

from jamsos.worker.leases import heartbeat_seconds, lease_renew
from jamsos.worker.services import generated_files_sweep, tasks_sweep_recorded

logger = logging.getLogger(__name__)


class LeaseKeeper(threading.Thread):
    """Design goal: a task's lease stays alive exactly as long as its worker process.

    A thread of the worker process (so it dies with it, SIGKILL included) wakes every
    ``heartbeat_seconds()``; it renews the lease of the task the worker is running and,
    every ``TASK_SWEEP_SECONDS``, recovers the tasks of dead workers (``tasks_sweep``)
    and sweeps generated files (``generated_files_sweep``).
    A database error (a lock held too long, a restart) is logged and tried again at the
    next beat: the lease lasts four beats.
    """

    def __init__(self, *, worker_id: str) -> None:
        super().__init__(name="jamsos-lease-keeper", daemon=True)
        self.worker_id = worker_id
        self.current: str | None = None
        self._stop_event = threading.Event()
        self._last_sweep = 0.0

    def stop(self) -> None:
        self._stop_event.set()

    def run(self) -> None:
        try:
            while not self._stop_event.wait(heartbeat_seconds()):
                self.beat()
        finally:
            connections.close_all()

    def beat(self) -> None:
        current = self.current
        try:
            if current is not None:
                lease_renew(task_result_id=current, worker_id=self.worker_id)
            if time.monotonic() - self._last_sweep >= float(settings.TASK_SWEEP_SECONDS):
                self._last_sweep = time.monotonic()
                tasks_sweep_recorded(trigger=f"worker {self.worker_id}")
                generated_files_sweep(trigger=f"worker {self.worker_id}")
        except DatabaseError as exc:
            logger.warning("lease keeper: database unavailable (%s); trying again", exc)
            connections.close_all()
