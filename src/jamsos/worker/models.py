from __future__ import annotations

from django.db import models
from django_tasks_db.models import DBTaskResult


class TaskLease(models.Model):
    """A running task's claim on its worker, renewed by the worker's heartbeat.

    django-tasks-db marks a task ``RUNNING`` and trusts the worker to finish it; a worker
    killed mid-task leaves it ``RUNNING`` for ever (upstream issue #46). The lease lets
    ``leases.tasks_sweep`` tell a live task from a dead one: a lease that has not been
    renewed by ``expires_at`` belongs to a dead worker. ``attempts`` counts the claims,
    so a task that kills its worker every time is failed after a bounded number of runs.
    """

    task_result = models.OneToOneField(
        DBTaskResult, on_delete=models.CASCADE, primary_key=True, related_name="lease"
    )
    worker_id = models.CharField(max_length=64)
    attempts = models.PositiveSmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField()
    # Null while the task waits to be run again after its lease was swept.
    # Indexed: serves the sweep's "leases expired before now".
    expires_at = models.DateTimeField(null=True, db_index=True)

    class Meta:
        verbose_name = "task lease"

    def __str__(self) -> str:
        return f"{self.task_result_id} ({self.worker_id}, attempt {self.attempts})"
