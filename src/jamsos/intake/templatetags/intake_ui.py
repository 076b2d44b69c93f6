"""Template helpers of the intake and registry pages: masked NIKs and status colours.

``{% load intake_ui %}`` then ``{{ person.nik|nik_masked }}``,
``{{ batch.status|batch_status_color }}``, ``{{ row.status|row_status_color }}``.
"""

from __future__ import annotations

from django import template

from jamsos.lib.nik import nik_mask

register = template.Library()

_BATCH_COLORS = {
    "draft": "secondary",
    "queued": "secondary",
    "validating": "info",
    "validated": "primary",
    "submitted": "warning",
    "approved": "success",
    "applied": "success",
    "rejected": "danger",
    "failed": "danger",
}
_ROW_COLORS = {
    "valid": "success",
    "invalid": "danger",
    "duplicate_in_file": "warning",
    "already_registered": "secondary",
}
_DECISION_COLORS = {
    "pending": "light",
    "accepted": "success",
    "rejected": "danger",
    "same_person": "secondary",
}


@register.filter
def nik_masked(value: str | None) -> str:
    """Masked NIK for lists: the region digits and the last two (``130303********12``)."""
    return nik_mask(value) if value else ""


@register.filter
def batch_status_color(status: str) -> str:
    return _BATCH_COLORS.get(status, "secondary")


@register.filter
def row_status_color(status: str) -> str:
    return _ROW_COLORS.get(status, "secondary")


@register.filter
def decision_color(decision: str) -> str:
    return _DECISION_COLORS.get(decision, "light")


@register.filter
def issues_for(issues: list[dict] | None, column: str) -> list[dict]:
    """The issues of one field (``{% for i in check.issues|issues_for:"nik" %}``)."""
    return [i for i in issues or [] if i.get("column") == column or i.get("field") == column]
