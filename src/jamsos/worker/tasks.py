"""Background work of the worker app: generated files (django-tasks; ImmediateBackend in
tests)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django_tasks import TaskContext, task
from django_tasks.signals import task_finished


@task(takes_context=True)
def generated_file_build_task(context: TaskContext, file_id: int) -> None:
    """Build a queued file (``worker.files.generated_file_build``) under this task's id:
    running it twice does nothing the second time, and run again after its worker died
    it reclaims the row it had claimed."""
    from jamsos.worker.files import generated_file_build

    generated_file_build(file_id=file_id, task_id=str(context.task_result.id)[:64])


@receiver(task_finished)
def generated_file_task_finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """A build task failed for good without the build recording it (its worker died on
    every attempt and the sweep gave up): fail the row with a readable reason, so the
    page offers "coba lagi" instead of a progress bar that never moves."""
    if task_result.task.func is not generated_file_build_task.func:
        return
    if task_result.status != "FAILED":
        return
    from jamsos.worker.files import generated_file_abandon, task_failure_reason

    reason = task_failure_reason(task_result)
    generated_file_abandon(
        file_id=task_result.args[0], task_id=str(task_result.id)[:64], reason=reason
    )
