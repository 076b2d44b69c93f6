"""Template filters of the report pages: coverage ratios and table-twin cells."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from jamsos.lib.formats import angka, persen

register = template.Library()


@register.filter
def cakupan(value: float | None) -> str:
    """A coverage ratio (0.2772) as "27,7 %"; "—" without a denominator."""
    if value is None:
        return "—"
    return persen(round(value * 100, 1), digits=1)


@register.filter
def sel(value: Any) -> str:
    """One table-twin cell: whole numbers grouped, ratios (float) as percentages, measures
    (Decimal, e.g. days) with a decimal comma, None "—"."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return angka(value)
    if isinstance(value, float):
        return cakupan(value)
    if isinstance(value, Decimal):  # a measure such as days: decimal comma
        return f"{value:f}".replace(".", ",")
    return str(value)
