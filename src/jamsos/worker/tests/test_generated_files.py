"""Generated files survive a killed worker, are swept when stuck or old, and the sweeps
leave an audit trail (issues 9 and 10). A killed worker is simulated as the database
sees it: the task claimed and the row ``running`` under a lease that stopped renewing."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from jamsos.audit.models import AuditEvent
from jamsos.intake import exports
from jamsos.intake.models import ProposalRow
from jamsos.intake.tests.test_ui_batches import issue, make_batch, make_row
from jamsos.worker import files, services
from jamsos.worker.leases import lease_take
from jamsos.worker.models import GeneratedFile, TaskLease

pytestmark = pytest.mark.django_db

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
ROWS = 6


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = DB_TASKS
    settings.TASK_LEASE_SECONDS = 60
    settings.TASK_LEASE_MAX_ATTEMPTS = 3


@pytest.fixture
def batch(personas):
    batch = make_batch(personas.agent, rows_total=ROWS, rows_processed=ROWS, rows_invalid=ROWS)
    for n in range(1, ROWS + 1):
        make_row(
            batch,
            n,
            status=ProposalRow.Status.INVALID,
            issues=[issue("sex_invalid", "sex", f"Baris {n}: jenis kelamin salah.")],
        )
    return batch


def request_file(batch, user, capture) -> GeneratedFile:
    with capture(execute=True):
        return services.generated_file_request(
            kind=exports.REJECTION_REPORT,
            object_id=batch.pk,
            fingerprint=exports.rejection_report_fingerprint(batch=batch),
            rows_total=ROWS,
            region_code=batch.region_id,
            acting_user=user,
        )


def kill_worker_mid_build(generated: GeneratedFile, *, attempts: int = 1) -> DBTaskResult:
    """What a SIGKILLed worker leaves: its task RUNNING under a lease that expired, and
    the row it had claimed ``running`` half-way."""
    task = DBTaskResult.objects.get()
    assert generated.task_id == str(task.pk)  # known from the enqueue on
    task.claim("w1")
    for _ in range(attempts):
        lease_take(task_result_id=str(task.pk), worker_id="w1")
    GeneratedFile.objects.filter(pk=generated.pk).update(
        status=GeneratedFile.Status.RUNNING, rows_done=3, started_at=timezone.now()
    )
    TaskLease.objects.filter(pk=task.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    return task


def run_worker_once(worker_id: str = "w2") -> None:
    """One pass of the upstream worker's loop, in this thread and transaction."""
    task = DBTaskResult.objects.ready().get()
    task.claim(worker_id)
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=1,
        worker_id=worker_id,
        excluded_queue_names=[],
    ).run_task(task)


def test_a_file_left_running_by_a_killed_worker_is_rebuilt_after_the_sweep(
    client, personas, batch, database_tasks, django_capture_on_commit_callbacks
):
    user = personas.dinas_operator
    generated = request_file(batch, user, django_capture_on_commit_callbacks)
    generated.refresh_from_db()
    task = kill_worker_mid_build(generated)

    # Without the sweep nothing moves: the row is claimed by a dead task.
    run = files.generated_file_build(file_id=generated.pk, task_id="another-task")
    assert run is None

    with django_capture_on_commit_callbacks(execute=True):
        call_command("tasks_sweep")
    task.refresh_from_db()
    assert task.status == "READY"
    event = AuditEvent.objects.get(action="worker.tasks.swept")
    assert event.data["requeued"] == [str(task.pk)] and event.data["failed"] == []
    assert event.data["trigger"] == "tasks_sweep"

    run_worker_once()  # the same task again: it reclaims its own running row

    task.refresh_from_db()
    generated.refresh_from_db()
    assert task.status == "SUCCESSFUL"
    assert generated.status == GeneratedFile.Status.READY
    assert generated.rows_done == ROWS and generated.task_id == str(task.pk)
    client.force_login(user)
    response = client.get(reverse("worker:generated_file_download", args=[generated.pk]))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book["Perbaiki"].max_row == 4 + ROWS


def test_a_file_whose_worker_died_every_time_fails_with_a_reason_and_can_be_retried(
    client, personas, batch, database_tasks, django_capture_on_commit_callbacks
):
    user = personas.dinas_operator
    generated = request_file(batch, user, django_capture_on_commit_callbacks)
    generated.refresh_from_db()
    task = kill_worker_mid_build(generated, attempts=3)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("tasks_sweep")

    task.refresh_from_db()
    generated.refresh_from_db()
    assert task.status == "FAILED"
    assert generated.status == GeneratedFile.Status.FAILED
    assert "pekerja latar berhenti" in generated.error and "3 kali" in generated.error
    assert AuditEvent.objects.get(action="worker.tasks.swept").data["failed"] == [str(task.pk)]

    client.force_login(user)
    page = client.get(reverse("worker:generated_file_detail", args=[generated.pk])).content
    assert b"pekerja latar berhenti" in page and b'data-testid="export-retry"' in page
    assert b"hx-trigger" not in page  # no progress bar that never moves
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("worker:generated_file_retry", args=[generated.pk]))
    assert response.status_code == 302
    generated.refresh_from_db()
    assert generated.status == GeneratedFile.Status.QUEUED and generated.error == ""
    new_task = DBTaskResult.objects.ready().get()
    assert generated.task_id == str(new_task.pk) != str(task.pk)
    run_worker_once()
    generated.refresh_from_db()
    assert generated.status == GeneratedFile.Status.READY
    assert AuditEvent.objects.filter(action="worker.generated_file.retried").count() == 1


def test_an_empty_sweep_writes_no_audit_event(database_tasks):
    call_command("tasks_sweep")
    assert not AuditEvent.objects.filter(action="worker.tasks.swept").exists()


def test_a_queued_file_whose_task_is_gone_is_failed_by_the_sweep(
    personas, batch, database_tasks, django_capture_on_commit_callbacks
):
    # The process died between the commit and the enqueue: no task will ever run it.
    with django_capture_on_commit_callbacks(execute=False):
        generated = services.generated_file_request(
            kind=exports.REJECTION_REPORT,
            object_id=batch.pk,
            fingerprint="f",
            rows_total=ROWS,
            region_code=batch.region_id,
            acting_user=personas.dinas_operator,
        )
    young = timezone.now()
    assert files.generated_files_reclaim(now=young) == []  # its task may be on its way
    GeneratedFile.objects.filter(pk=generated.pk).update(created_at=young - dt.timedelta(minutes=5))
    call_command("exports_sweep")
    generated.refresh_from_db()
    assert generated.status == GeneratedFile.Status.FAILED
    assert "tugasnya hilang" in generated.error
    event = AuditEvent.objects.get(action="worker.generated_files.swept")
    assert event.data["failed"] == [generated.pk]


def test_files_past_their_retention_are_deleted_and_marked_expired(
    client, personas, batch, settings, django_capture_on_commit_callbacks
):
    settings.GENERATED_RETENTION_HOURS = 24
    user = personas.dinas_operator
    old = request_file(batch, user, django_capture_on_commit_callbacks)
    old.refresh_from_db()
    assert old.status == GeneratedFile.Status.READY
    old_path = files.generated_file_path(old)
    assert old_path.is_file()
    GeneratedFile.objects.filter(pk=old.pk).update(
        finished_at=timezone.now() - dt.timedelta(hours=25)
    )
    batch.rows.filter(row_number=1).update(decided_at=timezone.now())  # new content
    fresh = request_file(batch, user, django_capture_on_commit_callbacks)
    fresh.refresh_from_db()
    assert fresh.pk != old.pk

    call_command("exports_sweep")

    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.status == GeneratedFile.Status.EXPIRED and old.file_path == ""
    assert not old_path.exists()
    assert fresh.status == GeneratedFile.Status.READY
    assert files.generated_file_path(fresh).is_file()
    assert AuditEvent.objects.get(action="worker.generated_files.swept").data["expired"] == [old.pk]
    client.force_login(user)
    assert client.get(reverse("worker:generated_file_download", args=[old.pk])).status_code == 404
    page = client.get(reverse("worker:generated_file_detail", args=[old.pk])).content
    assert b"masa simpannya" in page and b'data-testid="export-retry"' in page
    # the user asks again: the same request rebuilds it
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("worker:generated_file_retry", args=[old.pk]))
    old.refresh_from_db()
    assert old.status == GeneratedFile.Status.READY and files.generated_file_path(old).is_file()


def test_a_file_of_a_region_outside_the_owners_current_scope_answers_404(
    client, personas, batch, django_capture_on_commit_callbacks
):
    """The generic re-check, whatever the kind says: the file's region against the
    owner's region now (a camat operator moved to another kecamatan)."""
    user = personas.dinas_operator
    generated = request_file(batch, user, django_capture_on_commit_callbacks)
    client.force_login(user)
    url = reverse("worker:generated_file_progress", args=[generated.pk])
    assert client.get(url).status_code == 200
    GeneratedFile.objects.filter(pk=generated.pk).update(region_code="13.71")
    assert client.get(url).status_code == 404


def test_downloading_a_report_that_names_registry_persons_logs_them(
    client, personas, batch, django_capture_on_commit_callbacks
):
    from jamsos.audit.models import PersonalDataAccess
    from jamsos.testing.factories import PersonFactory

    person = PersonFactory()
    batch.rows.filter(row_number=1).update(person=person)
    user = personas.dinas_operator
    generated = request_file(batch, user, django_capture_on_commit_callbacks)
    client.force_login(user)
    response = client.get(reverse("worker:generated_file_download", args=[generated.pk]))
    assert response.status_code == 200
    b"".join(response.streaming_content)  # read it whole: the client closes the file
    (access,) = PersonalDataAccess.objects.all()
    # every listed row: the one matched to a registry person by its id, the others as 0
    assert access.viewer == user and access.person_count == ROWS
    logged = sorted(access.items.values_list("person_id", flat=True))
    assert logged == [0] * (ROWS - 1) + [person.pk]
    assert access.purpose == f"intake.rejection_report ({batch.pk})"


def test_a_file_asked_again_is_not_taken_for_lost_before_its_task_is_enqueued(
    personas, batch, database_tasks, django_capture_on_commit_callbacks
):
    generated = request_file(batch, personas.dinas_operator, django_capture_on_commit_callbacks)
    long_ago = timezone.now() - dt.timedelta(days=3)
    GeneratedFile.objects.filter(pk=generated.pk).update(
        status=GeneratedFile.Status.FAILED, created_at=long_ago
    )
    generated.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=False):  # committed, not yet enqueued
        services.generated_file_retry(generated=generated, acting_user=personas.dinas_operator)
    call_command("exports_sweep")
    generated.refresh_from_db()
    assert generated.status == GeneratedFile.Status.QUEUED and generated.task_id == ""
