"""Template helpers of the claim pages: stage durations and status colours."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()

STATUS_CLASS = {
    "reported": "text-bg-secondary",
    "documents_complete": "text-bg-info",
    "submission_prepared": "text-bg-warning",
    "submitted": "text-bg-primary",
    "under_review": "text-bg-primary",
    "approved": "text-bg-success",
    "paid": "text-bg-success",
    "rejected": "text-bg-danger",
    "withdrawn": "text-bg-dark",
}


@register.filter
def durasi(seconds: int | float | None) -> str:
    """``93784`` → ``"1 hari 2 jam"``; under an hour in minutes."""
    if seconds is None:
        return ""
    seconds = int(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    if days:
        return f"{days} hari {hours} jam" if hours else f"{days} hari"
    if hours:
        return f"{hours} jam {rest // 60} menit"
    return f"{max(rest // 60, 0)} menit"


@register.filter
def status_class(status: str) -> str:
    return STATUS_CLASS.get(status, "text-bg-secondary")


@register.filter
def get_item(mapping: dict, key: str) -> object:
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def findings(stored: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """A claim's stored eligibility findings with their text in the reader's language."""
    from jamsos.claims.eligibility import findings_shown

    return findings_shown(stored or [])
