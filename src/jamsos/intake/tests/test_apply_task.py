"""Approve applies in a background task: progress, a killed worker's task reclaimed,
a task the sweep gave up on, and the batch page's polling and retry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jamsos.audit.models import AuditEvent
from jamsos.intake import services
from jamsos.intake.models import ProposalBatch
from jamsos.intake.tasks import batch_apply_task
from jamsos.intake.tests.test_ui_validation_recovery import ROWS, staged
from jamsos.registry.models import Person
from jamsos.worker.leases import lease_take, tasks_sweep
from jamsos.worker.models import TaskLease

pytestmark = pytest.mark.django_db

Status = ProposalBatch.Status


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def approved_not_applied(personas) -> ProposalBatch:
    """Approved by the head; the apply task queued but not yet run (its commit held)."""
    batch = staged(personas.dinas_operator)
    services.batch_validate(batch=batch)
    services.batch_submit(batch=batch, acting_user=personas.dinas_operator)
    return services.batch_approve(batch=batch, acting_user=personas.dinas_head)


def killed(batch: ProposalBatch, *, attempts: int = 1) -> DBTaskResult:
    """What a SIGKILLed worker leaves behind while applying: its transaction rolled back
    by the database (nothing written), the batch ``applying`` under the task's id, the
    task RUNNING with a lease that expired."""
    task = DBTaskResult.objects.create(
        status="RUNNING",
        args_kwargs={"args": [batch.pk], "kwargs": {}},
        task_path="jamsos.intake.tasks.batch_apply_task",
        backend_name="default",
        started_at=timezone.now() - dt.timedelta(minutes=10),
        worker_ids=["dead"],
    )
    for _ in range(attempts):
        lease_take(task_result_id=str(task.pk), worker_id="dead")
    TaskLease.objects.filter(task_result_id=str(task.pk)).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    ProposalBatch.objects.filter(pk=batch.pk).update(task_id=str(task.pk))
    batch.refresh_from_db()
    return batch


def test_progress_is_readable_outside_the_apply_transaction(personas, monkeypatch):
    batch = approved_not_applied(personas)
    assert services.apply_progress(batch) == (0, ROWS)
    seen = []
    real = services.apply_progress_set
    monkeypatch.setattr(services, "PROGRESS_EVERY", 5)

    def record(batch_id, done):
        real(batch_id, done)
        seen.append(cache.get(f"intake:apply-progress:{batch_id}"))

    monkeypatch.setattr(services, "apply_progress_set", record)
    batch = services.batch_apply_run(batch=batch)
    assert batch.status == Status.APPLIED and batch.rows_applied == ROWS
    # SQLite writes from Python and reports every PROGRESS_EVERY persons; PostgreSQL
    # inserts them in one statement: nothing, then all
    assert seen == ([0, ROWS] if connection.vendor == "postgresql" else [5, 10, ROWS])
    assert Person.objects.count() == ROWS
    # every created person is findable by an auditor: one event for the batch, whose
    # ranges hold every person's id and which each person's history shows
    event = AuditEvent.objects.get(action="registry.person.batch_created")
    assert (event.data["batch"], event.data["count"]) == (batch.pk, ROWS)
    in_ranges = {
        pk for first, last, _village in event.data["ranges"] for pk in range(first, last + 1)
    }
    assert in_ranges == set(Person.objects.values_list("pk", flat=True))
    for person in Person.objects.all():
        assert event in AuditEvent.objects.for_object(person)


def test_a_killed_workers_apply_is_reclaimed_and_applies_once(personas, client):
    batch = killed(approved_not_applied(personas))
    assert services.batch_apply_stalled(batch)
    client.force_login(personas.dinas_head)
    page = client.get(reverse("intake:batch_detail", args=[batch.pk])).content
    assert b'data-testid="apply-stalled"' in page and b'data-testid="retry-apply"' in page
    assert b'hx-trigger="every 1s"' not in page

    report = tasks_sweep()  # the sweep puts the task back in the queue ...
    assert report.requeued == [batch.task_id]
    batch.refresh_from_db()
    assert not services.batch_apply_stalled(batch)  # ... so it is no longer stalled
    batch_apply_task.call(batch.pk)  # the next worker runs it from the start
    batch_apply_task.call(batch.pk)  # and a duplicate run does nothing
    batch.refresh_from_db()
    assert batch.status == Status.APPLIED and batch.rows_applied == ROWS
    assert Person.objects.count() == ROWS
    assert AuditEvent.objects.filter(action="intake.batch.applied").count() == 1


def test_an_apply_the_sweep_gives_up_on_fails_with_the_reason_and_retries(
    personas, client, settings, django_capture_on_commit_callbacks
):
    settings.TASK_LEASE_MAX_ATTEMPTS = 2
    batch = killed(approved_not_applied(personas), attempts=2)
    with django_capture_on_commit_callbacks(execute=True):
        report = tasks_sweep()
    assert report.failed == [batch.task_id]
    batch.refresh_from_db()
    assert batch.status == Status.APPLY_FAILED
    assert "pekerja berhenti" in batch.failure_message
    assert Person.objects.count() == 0

    client.force_login(personas.dinas_head)
    page = client.get(reverse("intake:batch_detail", args=[batch.pk])).content.decode()
    assert 'data-testid="apply-failed"' in page and batch.failure_message in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("intake:batch_apply_retry", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == Status.APPLIED
    assert Person.objects.count() == ROWS


def test_the_operator_may_not_retry_an_apply(personas, client):
    batch = approved_not_applied(personas)
    ProposalBatch.objects.filter(pk=batch.pk).update(status=Status.APPLY_FAILED)
    client.force_login(personas.dinas_operator)
    page = client.get(reverse("intake:batch_detail", args=[batch.pk])).content
    assert b"retry-apply" not in page
    assert client.post(reverse("intake:batch_apply_retry", args=[batch.pk])).status_code == 403
    batch.refresh_from_db()
    assert batch.status == Status.APPLY_FAILED
