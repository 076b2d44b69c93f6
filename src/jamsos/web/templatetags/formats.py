"""Template filters for the Indonesian formats of ``jamsos.lib.formats``.

``{% load formats %}`` then ``{{ amount|rupiah }}``, ``{{ n|angka }}``, ``{{ d|tanggal }}``,
``{{ ts|waktu }}``, ``{{ "2022-03"|bulan }}``, ``{{ rate|persen }}`` (``{{ x|persen:1 }}``
for one decimal) and ``{{ fiscal_year.year|tahun }}``. These are the one set of filters for
every number a person reads; ids, pks, URLs and form values are written plain
(``{{ obj.pk }}``), which renders plain digits because ``USE_THOUSAND_SEPARATOR`` is off.
Month names follow the active language; ``None`` and ``""`` render as empty text, and a
value of the wrong type is shown as it is rather than breaking the page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import template
from django.utils.translation import get_language

from jamsos.lib import formats
from jamsos.lib.errors import DomainError

register = template.Library()


def _integral(value: Any) -> Any:
    # Aggregates over integer columns come back as Decimal on some databases.
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return value


def _safe(func: Callable[[Any], str], value: Any) -> Any:
    if value is None or value == "":
        return ""
    try:
        return func(value)
    except (TypeError, DomainError):
        return value


@register.filter
def rupiah(value: Any) -> Any:
    return _safe(formats.rupiah, _integral(value))


@register.filter
def angka(value: Any) -> Any:
    return _safe(formats.angka, _integral(value))


@register.filter
def persen(value: Any, digits: Any = None) -> Any:
    places = None if digits in (None, "") else int(digits)
    return _safe(lambda v: formats.persen(v, digits=places), _integral(value))


@register.filter
def tahun(value: Any) -> Any:
    return _safe(formats.tahun, _integral(value))


@register.filter
def tanggal(value: dt.date | None) -> Any:
    return _safe(lambda v: formats.tanggal(v, lang=get_language() or "id"), value)


@register.filter
def waktu(value: dt.datetime | None) -> Any:
    return _safe(lambda v: formats.waktu(v, lang=get_language() or "id"), value)


@register.filter
def bulan(value: str | dt.date | None) -> Any:
    return _safe(lambda v: formats.bulan(v, lang=get_language() or "id"), value)
