"""Per-request context (client IP) that services read when they write audit events.

Services do not take the request; the middleware puts what the audit trail needs into a
context variable, and background tasks simply have none.
"""

from __future__ import annotations

from contextvars import ContextVar

current_ip: ContextVar[str | None] = ContextVar("jamsos_audit_ip", default=None)
