from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
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


class GeneratedFile(models.Model):
    """A file made in the background for one viewer, offered on a page when ready.

    One mechanism for every app: an app registers an export kind (``lib.generated``:
    how to build it, who may download it, which persons it lists) and asks for a file
    with ``worker.services.generated_file_request``; the task builds it with progress, the
    page polls the row and offers the file. Kept per viewer (what a viewer may read
    differs: masked NIKs, scope) and per content (``fingerprint``): the same request
    again reuses the file until the retention sweep expires it.

    ``task_id`` is the task that claimed (or will claim) the row: a task re-run under
    the same id after its worker died reclaims its own ``running`` row, and a task that
    failed for good marks the row failed (``worker.tasks``).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Menunggu")
        RUNNING = "running", _("Sedang dibuat")
        READY = "ready", _("Siap diunduh")
        FAILED = "failed", _("Gagal")
        EXPIRED = "expired", _("Kedaluwarsa")

    kind = models.CharField(_("jenis"), max_length=60)
    object_id = models.PositiveBigIntegerField(default=0)
    # What else the kind needs to build the file (a format, a filter); never a NIK.
    params = models.JSONField(default=dict, blank=True)
    fingerprint = models.CharField(max_length=64)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="generated_files"
    )
    # The region of the data in the file; a download re-checks it against the owner's
    # region at that moment.
    region_code = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    file_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=120)
    # Relative to settings.GENERATED_ROOT.
    file_path = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("berkas ekspor")
        verbose_name_plural = _("berkas ekspor")
        constraints = [
            # One file per kind, object, viewer and content: a second request reuses it.
            models.UniqueConstraint(
                fields=["kind", "object_id", "owner", "fingerprint"],
                name="worker_generated_file_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(rows_done__lte=models.F("rows_total")),
                name="worker_generated_file_progress_within_total",
            ),
        ]
        indexes = [
            # Serves the retention sweep ("ready files finished before the cut-off") and
            # the reclaim of busy rows whose task is gone.
            models.Index(fields=["status", "finished_at"], name="worker_genfile_status_idx"),
        ]

    def __str__(self) -> str:
        return self.file_name

    @property
    def audit_region_code(self) -> str:
        return self.region_code

    @property
    def busy(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def retryable(self) -> bool:
        return self.status in (self.Status.FAILED, self.Status.EXPIRED)

    @property
    def progress_percent(self) -> int:
        if self.status == self.Status.READY:
            return 100
        if not self.rows_total:
            return 0
        return min(100, round(100 * self.rows_done / self.rows_total))
