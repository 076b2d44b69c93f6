"""Background work of the outbox (django-tasks; ImmediateBackend in tests)."""

from __future__ import annotations

from django_tasks import task


@task()
def messages_send_task(limit: int = 200) -> dict[str, int]:
    """Send the messages that are due (``services.messages_send_due``). Safe to run
    twice at once: each message is claimed with a conditional UPDATE."""
    from jamsos.messaging.services import messages_send_due

    return messages_send_due(limit=limit).as_dict()
