"""Signals of the audit app.

``events_recorded`` is sent with ``events=[AuditEvent, …]`` each time events are written
(``audit_record`` and ``audit_record_many``), inside the writer's transaction. Since
every write of the chain records an event, a listener learns of every change without
the writing app knowing it (the reports app keeps its summary table right this way).
Listeners must be cheap and must not write; defer work with ``transaction.on_commit``.
"""

from django.dispatch import Signal

events_recorded = Signal()
