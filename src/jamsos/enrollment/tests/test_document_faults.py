"""Decree files survive a killed worker and are swept when stuck or old (issues 9, 10).

A killed worker is simulated as the database sees it: the task claimed and the
document ``running`` under a lease that stopped renewing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from jamsos.audit.models import AuditEvent
from jamsos.enrollment.models import DecreeDocument
from jamsos.enrollment.services import documents as document_services
from jamsos.worker.leases import lease_take
from jamsos.worker.models import TaskLease

pytestmark = pytest.mark.django_db

OFFICIAL = DecreeDocument.Kind.OFFICIAL_PDF


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.TASK_LEASE_SECONDS = 60
    settings.TASK_LEASE_MAX_ATTEMPTS = 3


def request(decree, user, capture) -> DecreeDocument:
    with capture(execute=True):
        document = document_services.decree_document_request(
            decree=decree, kind=OFFICIAL, acting_user=user
        )
    document.refresh_from_db()
    return document


def kill_worker_mid_render(document: DecreeDocument, *, attempts: int) -> DBTaskResult:
    task = DBTaskResult.objects.get()
    assert document.task_id == str(task.pk)
    task.claim("w1")
    for _ in range(attempts):
        lease_take(task_result_id=str(task.pk), worker_id="w1")
    DecreeDocument.objects.filter(pk=document.pk).update(
        status=DecreeDocument.Status.RUNNING, rows_done=2
    )
    TaskLease.objects.filter(pk=task.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    return task


def run_worker_once() -> None:
    task = DBTaskResult.objects.ready().get()
    task.claim("w2")
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=1,
        worker_id="w2",
        excluded_queue_names=[],
    ).run_task(task)


def test_a_document_left_running_by_a_killed_worker_is_rendered_after_the_sweep(
    decree, personas, database_tasks, django_capture_on_commit_callbacks
):
    document = request(decree, personas.dinas_operator, django_capture_on_commit_callbacks)
    task = kill_worker_mid_render(document, attempts=1)
    assert document_services.decree_document_generate(document_id=document.pk) is None

    with django_capture_on_commit_callbacks(execute=True):
        call_command("tasks_sweep")
    run_worker_once()

    document.refresh_from_db()
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"
    assert document.status == DecreeDocument.Status.READY
    assert document_services.document_path(document).read_bytes().startswith(b"%PDF")


def test_a_document_whose_worker_died_every_time_fails_and_is_made_again_on_request(
    decree, personas, database_tasks, django_capture_on_commit_callbacks
):
    user = personas.dinas_operator
    document = request(decree, user, django_capture_on_commit_callbacks)
    task = kill_worker_mid_render(document, attempts=3)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("tasks_sweep")

    document.refresh_from_db()
    assert document.status == DecreeDocument.Status.FAILED
    assert "pekerja latar berhenti (dicoba 3 kali)" in document.error
    assert AuditEvent.objects.get(action="worker.tasks.swept").data["failed"] == [str(task.pk)]

    again = request(decree, user, django_capture_on_commit_callbacks)
    assert again.pk == document.pk and again.status == DecreeDocument.Status.QUEUED
    run_worker_once()
    again.refresh_from_db()
    assert again.status == DecreeDocument.Status.READY


def test_old_decree_files_expire_and_are_made_again_on_request(
    decree, personas, settings, django_capture_on_commit_callbacks
):
    settings.GENERATED_RETENTION_HOURS = 1
    user = personas.dinas_operator
    document = request(decree, user, django_capture_on_commit_callbacks)
    path = document_services.document_path(document)
    assert document.status == DecreeDocument.Status.READY and path.is_file()
    DecreeDocument.objects.filter(pk=document.pk).update(
        finished_at=timezone.now() - dt.timedelta(hours=2)
    )

    call_command("exports_sweep")

    document.refresh_from_db()
    assert document.status == DecreeDocument.Status.EXPIRED and not path.exists()
    event = AuditEvent.objects.get(action="worker.generated_files.swept")
    assert event.data["decree_documents_expired"] == [document.pk]
    again = request(decree, user, django_capture_on_commit_callbacks)
    assert again.status == DecreeDocument.Status.READY
    assert document_services.document_path(again).is_file()
