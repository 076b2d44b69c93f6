"""Template helpers of the intake and registry pages: masked NIKs and status colours.

``{% load intake_ui %}`` then ``{{ person.nik|nik_masked }}``,
``{{ batch.status|batch_status_color }}``, ``{{ row.status|row_status_color }}``.
"""

from __future__ import annotations

import datetime as dt
import re

from django import template

from jamsos.lib.nik import nik_mask

register = template.Library()

_ROW_PREFIX = re.compile(r'^Baris \d+, kolom "[^"]*": ')

_BATCH_COLORS = {
    "draft": "secondary",
    "queued": "secondary",
    "validating": "info",
    "validated": "primary",
    "submitted": "warning",
    "approved": "success",
    "applying": "info",
    "applied": "success",
    "apply_failed": "danger",
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
    """Masked NIK for lists: the region digits and the last two (``130303********12``).

    Duplicate candidates arrive already masked; those are shown as they are.
    """
    if not value:
        return ""
    if "*" in value:
        return value
    return nik_mask(value)


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


@register.filter
def dict_get(mapping: dict | None, key: str) -> object:
    """``{{ issues|dict_get:field.name }}``: a dict look-up by a variable key."""
    if not mapping:
        return []
    return mapping.get(key, [])


@register.filter
def mask_ids(value: object) -> object:
    """Mask a 16-digit number (a NIK or a family card number) in raw file cells."""
    text = str(value or "")
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) == 16 and len(text) <= 24:
        return nik_mask(digits)
    return value


@register.filter
def short_message(message: str) -> str:
    """An issue message without its 'Baris N, kolom "X": ' prefix, for under a field."""
    text = _ROW_PREFIX.sub("", str(message or ""), count=1)
    return text[:1].upper() + text[1:]


@register.filter
def code_title(code: str) -> str:
    """The short Bahasa Indonesia label of an issue code (``nik_format`` → "Format NIK
    salah"); unknown codes are shown as they are."""
    from jamsos.intake.codes import CODES

    found = CODES.get(code)
    return str(found.title) if found else code


@register.filter
def iso_date(value: object) -> str:
    """``"1982-02-14"`` (as stored in row values) → ``"14-02-1982"``; other text as is."""
    text = str(value or "")
    try:
        return dt.date.fromisoformat(text).strftime("%d-%m-%Y")
    except ValueError:
        return text
