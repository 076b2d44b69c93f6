"""Background work of the enrollment app (django-tasks; ImmediateBackend in tests)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django_tasks import TaskContext, task
from django_tasks.signals import task_finished


@task(takes_context=True)
def decree_document_generate_task(context: TaskContext, document_id: int) -> None:
    """Render a queued decree file (``services.documents.decree_document_generate``)
    under this task's id. A document already claimed or done is left alone, so running
    twice does nothing the second time; run again after its worker died, the task
    reclaims the row it had claimed. A failure is recorded on the row, then re-raised."""
    from jamsos.enrollment.services.documents import decree_document_generate

    decree_document_generate(document_id=document_id, task_id=str(context.task_result.id)[:64])


@receiver(task_finished)
def decree_document_task_finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """A render task failed for good without the render recording it (its worker died on
    every attempt and the sweep gave up): fail the document with a readable reason, so
    the decree page stops showing a progress bar that never moves."""
    if task_result.task.func is not decree_document_generate_task.func:
        return
    if task_result.status != "FAILED":
        return
    from jamsos.enrollment.services.documents import decree_document_abandon
    from jamsos.worker.files import task_failure_reason

    reason = task_failure_reason(task_result)
    decree_document_abandon(
        document_id=task_result.args[0], task_id=str(task_result.id)[:64], reason=reason
    )
