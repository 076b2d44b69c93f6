"""Small display helpers of the contributions pages."""

from __future__ import annotations

from django import template

from jamsos.lib.nik import nik_mask

register = template.Library()

STATUS_COLORS = {
    "draft": "secondary",
    "issued": "primary",
    "partly_paid": "warning",
    "paid": "success",
    "reconciled": "dark",
    "open": "danger",
    "resolved": "success",
    "missing": "danger",
    "extra": "warning",
    "amount_differs": "info",
}


@register.filter
def status_color(status: str) -> str:
    return STATUS_COLORS.get(str(status), "light")


@register.filter
def masked_nik(value: str | None) -> str:
    return nik_mask(value) if value else ""


@register.filter
def month_list(values: list[str] | None) -> str:
    """``["2025-01", "2025-02", "2025-03", "2025-05"]`` → ``"2025-01–2025-03, 2025-05"``."""
    if not values:
        return "—"
    indexes = sorted({int(v[:4]) * 12 + int(v[5:7]) - 1 for v in values})
    runs: list[list[int]] = []
    for index in indexes:
        if runs and index == runs[-1][-1] + 1:
            runs[-1].append(index)
        else:
            runs.append([index])

    def label(index: int) -> str:
        return f"{index // 12:04d}-{index % 12 + 1:02d}"

    return ", ".join(
        label(run[0]) if len(run) == 1 else f"{label(run[0])}–{label(run[-1])}" for run in runs
    )
