"""Background work of the intake pipeline (django-tasks; ImmediateBackend in tests)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django_tasks import TaskContext, task
from django_tasks.signals import task_finished

from jamsos.intake.models import ProposalBatch


@task(takes_context=True)
def batch_validate_task(context: TaskContext, batch_id: int) -> None:
    """Validate a queued batch (``services.batch_validate``). A batch already claimed,
    validated or gone is left alone, so a task run twice does nothing the second time.
    A failure is recorded on the batch (``failed``) by the service, then re-raised so
    the task backend records it too.

    Run again after its worker died (``jamsos.worker`` sweep), the task finds its batch
    still ``validating`` under its own id: it puts it back to ``queued`` so the service
    claims it again and replaces the rows the dead run wrote."""
    from jamsos.intake.services import batch_validate

    ProposalBatch.objects.filter(
        pk=batch_id,
        status=ProposalBatch.Status.VALIDATING,
        task_id=str(context.task_result.id)[:64],
    ).update(status=ProposalBatch.Status.QUEUED)
    batch = ProposalBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        return
    batch_validate(batch=batch)


@receiver(task_finished)
def batch_validate_task_finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """A validation task failed without the service seeing it (its worker died on every
    attempt and the sweep gave up): fail the batch with the reason, so the page offers
    a retry instead of a progress bar that never moves."""
    if task_result.task.func is not batch_validate_task.func or task_result.status != "FAILED":
        return
    from jamsos.intake.services import batch_validation_abandon

    batch = ProposalBatch.objects.filter(
        pk=task_result.args[0],
        status=ProposalBatch.Status.VALIDATING,
        task_id=str(task_result.id)[:64],
    ).first()
    if batch is not None:
        batch_validation_abandon(batch=batch)


@task()
def batch_apply_task(batch_id: int) -> None:
    """Apply an approved batch (``services.batch_apply_run``): one transaction, so a
    worker killed half-way leaves the registry as it was and the batch ``applying``; the
    ``jamsos.worker`` sweep runs the task again, which applies it from the start. A batch
    no longer ``applying`` (applied, failed, gone) is left alone."""
    from jamsos.intake.services import batch_apply_run

    batch = ProposalBatch.objects.filter(pk=batch_id).first()
    if batch is not None:
        batch_apply_run(batch=batch)


@receiver(task_finished)
def batch_apply_task_finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """An apply task the sweep gave up on (its worker died on every attempt): the batch
    ends ``apply_failed`` with the reason, so the head can retry."""
    if task_result.task.func is not batch_apply_task.func or task_result.status != "FAILED":
        return
    from jamsos.intake.services import batch_apply_abandon

    batch = ProposalBatch.objects.filter(
        pk=task_result.args[0],
        status=ProposalBatch.Status.APPLYING,
        task_id=str(task_result.id)[:64],
    ).first()
    if batch is not None:
        batch_apply_abandon(batch=batch)


@task()
def batch_link_persons_task(batch_id: int) -> None:
    """After an apply commits: link the batch's rows to their new persons."""
    from jamsos.intake.services import batch_link_persons

    batch = ProposalBatch.objects.filter(pk=batch_id).first()
    if batch is not None:
        batch_link_persons(batch=batch)
