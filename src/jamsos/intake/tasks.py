"""Background work of the intake pipeline (django-tasks; ImmediateBackend in tests)."""

from __future__ import annotations

from django_tasks import task

from jamsos.intake.models import ProposalBatch


@task()
def batch_validate_task(batch_id: int) -> None:
    """Validate a queued batch (``services.batch_validate``). A batch already claimed,
    validated or gone is left alone, so a task run twice does nothing the second time.
    A failure is recorded on the batch (``failed``) by the service, then re-raised so
    the task backend records it too."""
    from jamsos.intake.services import batch_validate

    batch = ProposalBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        return
    batch_validate(batch=batch)


@task()
def batch_link_persons_task(batch_id: int) -> None:
    """After an apply commits: link the batch's rows to their new persons."""
    from jamsos.intake.services import batch_link_persons

    batch = ProposalBatch.objects.filter(pk=batch_id).first()
    if batch is not None:
        batch_link_persons(batch=batch)


@task()
def generated_export_build_task(export_id: int) -> None:
    """Build a queued export (``intake.generated.generated_export_build``); running it
    twice does nothing the second time."""
    from jamsos.intake.generated import generated_export_build

    generated_export_build(export_id=export_id)
