"""Background work of the enrollment app (django-tasks; ImmediateBackend in tests)."""

from __future__ import annotations

from django_tasks import task


@task()
def decree_document_generate_task(document_id: int) -> None:
    """Render a queued decree file (``services.documents.decree_document_generate``). A
    document already claimed or done is left alone, so running twice does nothing the
    second time; a failure is recorded on the row, then re-raised for the backend."""
    from jamsos.enrollment.services.documents import decree_document_generate

    decree_document_generate(document_id=document_id)
