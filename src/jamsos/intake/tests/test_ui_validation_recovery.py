"""Retry and cancel on the batch page when a validation failed or its worker died
(``jamsos.worker`` leases; the kill itself is tested in worker/tests)."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jamsos.audit.models import AuditEvent
from jamsos.intake import services
from jamsos.intake.models import ProposalBatch, ProposalRow
from jamsos.intake.tests.core_data import make_person, sijunjung_villages, write_csv
from jamsos.regions.models import Region

pytestmark = pytest.mark.django_db

Status = ProposalBatch.Status
ROWS = 12


def staged(user) -> ProposalBatch:
    rng = random.Random(7)
    villages = sijunjung_villages()
    data = write_csv(
        None, [make_person(rng, villages, serial=n).row(n) for n in range(1, ROWS + 1)]
    )
    return services.batch_stage_upload(
        upload=ContentFile(data, name="usulan.csv"),
        file_name="usulan.csv",
        region=Region.objects.get(pk="13.03"),
        acting_user=user,
        coverage_start=dt.date(2026, 12, 1),
        enqueue=False,
    )


def stuck(batch: ProposalBatch, *, lease_alive: bool) -> ProposalBatch:
    """What a SIGKILLed worker leaves: the batch validating with some rows written and
    its task RUNNING, started long ago and (unless ``lease_alive``) never renewed."""
    task = DBTaskResult.objects.create(
        status="RUNNING",
        args_kwargs={"args": [batch.pk], "kwargs": {}},
        task_path="jamsos.intake.tasks.batch_validate_task",
        backend_name="default",
        started_at=timezone.now() - dt.timedelta(minutes=10),
        worker_ids=["dead"],
    )
    if lease_alive:
        from jamsos.worker.leases import lease_take

        lease_take(task_result_id=str(task.pk), worker_id="alive")
    ProposalBatch.objects.filter(pk=batch.pk).update(
        status=Status.VALIDATING, task_id=str(task.pk), rows_total=ROWS, rows_processed=5
    )
    ProposalRow.objects.bulk_create(
        ProposalRow(batch=batch, row_number=n, status=ProposalRow.Status.VALID) for n in range(1, 6)
    )
    batch.refresh_from_db()
    return batch


def test_a_stalled_validation_is_retried_from_the_page_and_ends_with_every_row_once(
    client, personas, django_capture_on_commit_callbacks
):
    batch = stuck(staged(personas.dinas_operator), lease_alive=False)
    client.force_login(personas.dinas_operator)
    page = client.get(reverse("intake:batch_detail", args=[batch.pk]))
    assert b'data-testid="retry-validation"' in page.content
    assert b'data-testid="cancel-validation"' in page.content
    assert b'data-testid="progress-stalled"' in page.content
    assert b'hx-trigger="every 1s"' not in page.content  # the bar stops polling
    # a page that was polling learns it and reloads to show the buttons
    poll = client.get(reverse("intake:batch_progress", args=[batch.pk]), HTTP_HX_REQUEST="true")
    assert poll["HX-Refresh"] == "true"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("intake:batch_validation_retry", args=[batch.pk]))

    assert response.status_code == 302
    batch.refresh_from_db()  # ImmediateBackend: the re-queued validation ran at once
    assert batch.status == Status.VALIDATED
    assert batch.rows_total == ROWS
    assert ProposalRow.objects.filter(batch=batch).count() == ROWS
    assert AuditEvent.objects.filter(
        action="intake.batch.validation_retried", object_id=str(batch.pk)
    ).exists()


def test_a_validation_on_a_live_worker_offers_no_retry_and_refuses_one(client, personas):
    batch = stuck(staged(personas.dinas_operator), lease_alive=True)
    client.force_login(personas.dinas_operator)
    page = client.get(reverse("intake:batch_detail", args=[batch.pk]))
    assert b"retry-validation" not in page.content
    assert b"cancel-validation" not in page.content
    assert b'hx-trigger="every 1s"' in page.content

    client.post(reverse("intake:batch_validation_retry", args=[batch.pk]))
    client.post(reverse("intake:batch_validation_cancel", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == Status.VALIDATING


def test_a_stalled_validation_is_cancelled(client, personas):
    batch = stuck(staged(personas.dinas_operator), lease_alive=False)
    client.force_login(personas.dinas_operator)
    client.post(reverse("intake:batch_validation_cancel", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == Status.FAILED
    assert batch.failure_message == "Validasi dibatalkan."
    assert not ProposalRow.objects.filter(batch=batch).exists()
    page = client.get(reverse("intake:batch_detail", args=[batch.pk]))
    assert b'data-testid="retry-validation"' in page.content


def test_retry_and_cancel_need_the_propose_permission(client, personas):
    batch = stuck(staged(personas.dinas_operator), lease_alive=False)
    client.force_login(personas.dinas_head)
    for name in ("intake:batch_validation_retry", "intake:batch_validation_cancel"):
        assert client.post(reverse(name, args=[batch.pk])).status_code == 403
    batch.refresh_from_db()
    assert batch.status == Status.VALIDATING


def test_only_the_proposing_agency_retries_or_cancels(client, personas):
    """A Camat operator sees an agent's batch (its kecamatan), but cancelling it would
    delete the agent's rows: only the proposing agency retries or cancels."""
    rng = random.Random(11)
    villages = [v for v in sijunjung_villages() if v.code == personas.agent.region_id]
    data = write_csv(None, [make_person(rng, villages, serial=1).row(1)])
    batch = services.batch_stage_upload(
        upload=ContentFile(data, name="usulan.csv"),
        file_name="usulan.csv",
        region=personas.agent.region,
        acting_user=personas.agent,
        coverage_start=dt.date(2026, 12, 1),
        enqueue=False,
    )
    batch = stuck(batch, lease_alive=False)
    client.force_login(personas.kecamatan_operator)
    assert client.get(reverse("intake:batch_detail", args=[batch.pk])).status_code == 200
    for name in ("intake:batch_validation_cancel", "intake:batch_validation_retry"):
        client.post(reverse(name, args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == Status.VALIDATING
    assert ProposalRow.objects.filter(batch=batch).count() == 5
    client.force_login(personas.agent)
    client.post(reverse("intake:batch_validation_cancel", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == Status.FAILED
