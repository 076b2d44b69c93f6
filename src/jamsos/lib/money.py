"""Integer rupiah arithmetic: the one place where a percentage becomes money.

Money is a plain ``int`` of rupiah everywhere (DESIGN.md). A percentage of an amount is
computed with ``Decimal`` and rounded half-up to the whole rupiah exactly once, at the
point where the regulation rounds; floats are refused so that ``0.1 + 0.2`` never reaches
a budget. Display formats live in ``jamsos.lib.formats`` (``rupiah(16800)`` →
``"Rp 16.800"``).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

Rupiah = int

_HUNDRED = Decimal(100)
_WHOLE = Decimal(1)


def _require_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be integer rupiah, not {type(value).__name__}")
    return value


def _require_decimal(value: object, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        # A float percentage (0.54) is already inexact; make the caller pass Decimal("0.54").
        raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}")
    return Decimal(value)


def round_rupiah(value: Decimal) -> Rupiah:
    """Round a Decimal amount half-up to the whole rupiah (``0.5`` → 1, ``-0.5`` → -1)."""
    return int(_require_decimal(value, "value").quantize(_WHOLE, rounding=ROUND_HALF_UP))


def percent_of(amount: Rupiah, percent: Decimal) -> Rupiah:
    """``percent`` per cent of ``amount``, rounded half-up to the rupiah.

    ``percent_of(1_000_000, Decimal("1"))`` → 10,000; ``percent_of(2_500_000,
    Decimal("0.54"))`` → 13,500; ``percent_of(16_801, Decimal("50"))`` → 8,401.
    """
    _require_int(amount, "amount")
    return round_rupiah(Decimal(amount) * _require_decimal(percent, "percent") / _HUNDRED)


def multiply(amount: Rupiah, *factors: int) -> Rupiah:
    """``amount × persons × months`` with integer checks (no silent float promotion)."""
    result = _require_int(amount, "amount")
    for factor in factors:
        result *= _require_int(factor, "factor")
    return result


def ratio_percent(part: Rupiah, whole: Rupiah, *, places: int = 1) -> Decimal:
    """``part`` as a percentage of ``whole`` (absorption), half-up to ``places`` decimals.

    A zero ``whole`` gives 0 rather than an error: an allocation with no pagu yet has
    absorbed nothing.
    """
    _require_int(part, "part")
    _require_int(whole, "whole")
    if whole == 0:
        return Decimal(0).quantize(Decimal(1).scaleb(-places))
    value = Decimal(part) * _HUNDRED / Decimal(whole)
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
