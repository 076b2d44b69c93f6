"""Leases and the sweep against the database (the kill itself: test_worker_kill.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jamsos.intake.models import ProposalBatch
from jamsos.worker.leases import lease_renew, lease_take, task_is_stalled, tasks_sweep
from jamsos.worker.models import TaskLease

pytestmark = pytest.mark.django_db

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
VALIDATE = "jamsos.intake.tasks.batch_validate_task"


@pytest.fixture(autouse=True)
def database_tasks(settings):
    settings.TASKS = DB_TASKS
    settings.TASK_LEASE_SECONDS = 60
    settings.TASK_LEASE_MAX_ATTEMPTS = 3


def running_task(*, started: dt.datetime, args: list | None = None) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status="RUNNING",
        args_kwargs={"args": args or [0], "kwargs": {}},
        task_path=VALIDATE,
        backend_name="default",
        started_at=started,
        worker_ids=["w1"],
    )


def test_a_live_lease_is_left_alone_and_a_dead_one_is_queued_again():
    now = timezone.now()
    live = running_task(started=now - dt.timedelta(minutes=5))
    dead = running_task(started=now - dt.timedelta(minutes=5))
    lease_take(task_result_id=str(live.pk), worker_id="w1")
    lease_take(task_result_id=str(dead.pk), worker_id="w2")
    TaskLease.objects.filter(pk=dead.pk).update(expires_at=now - dt.timedelta(seconds=1))
    assert not task_is_stalled(str(live.pk))
    assert task_is_stalled(str(dead.pk))

    report = tasks_sweep()

    assert report.requeued == [str(dead.pk)] and report.failed == []
    live.refresh_from_db()
    dead.refresh_from_db()
    assert live.status == "RUNNING"
    assert dead.status == "READY"
    assert DBTaskResult.objects.ready().filter(pk=dead.pk).exists()
    # the lease keeps the attempt count for the next claim, and no longer belongs to w2
    lease = TaskLease.objects.get(pk=dead.pk)
    assert (lease.attempts, lease.expires_at) == (1, None)
    assert not lease_renew(task_result_id=str(dead.pk), worker_id="w3")
    assert lease_take(task_result_id=str(dead.pk), worker_id="w3").attempts == 2


def test_a_running_task_without_lease_is_swept_once_a_lease_would_have_expired():
    now = timezone.now()
    fresh = running_task(started=now - dt.timedelta(seconds=10))
    old = running_task(started=now - dt.timedelta(seconds=61))
    assert tasks_sweep().requeued == [str(old.pk)]
    fresh.refresh_from_db()
    assert fresh.status == "RUNNING"


def test_after_the_last_attempt_the_task_fails_and_its_batch_offers_a_retry(
    personas, django_capture_on_commit_callbacks
):
    batch = ProposalBatch.objects.create(
        source=ProposalBatch.Source.UPLOAD,
        status=ProposalBatch.Status.VALIDATING,
        proposer=personas.agent,
        agency=personas.agent.agency,
        region_id=personas.agent.region_id,
        rows_total=10,
        rows_processed=5,
    )
    task = running_task(started=timezone.now(), args=[batch.pk])
    ProposalBatch.objects.filter(pk=batch.pk).update(task_id=str(task.pk))
    for _ in range(3):
        lease_take(task_result_id=str(task.pk), worker_id="w")
    TaskLease.objects.filter(pk=task.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    with django_capture_on_commit_callbacks(execute=True):
        call_command("tasks_sweep")

    task.refresh_from_db()
    assert task.status == "FAILED"
    assert task.exception_class_path == "jamsos.worker.leases.LeaseExpired"
    assert "attempt 3 of 3" in task.traceback
    assert not TaskLease.objects.filter(pk=task.pk).exists()
    batch.refresh_from_db()
    assert batch.status == ProposalBatch.Status.FAILED
    assert "pekerja berhenti" in batch.failure_message
    assert batch.rows_processed == 0
