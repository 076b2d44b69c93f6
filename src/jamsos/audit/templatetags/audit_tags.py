"""Display helpers for the audit pages."""

from __future__ import annotations

import json
from typing import Any

from django import template

register = template.Library()


@register.filter
def pretty_json(value: Any) -> str:
    """Indented JSON for the before/after/data columns; "—" when there is nothing."""
    if value in (None, {}, []):
        return "—"
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str)
