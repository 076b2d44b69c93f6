"""``{% nik_full person %}``: the full NIK for those allowed to see it, logged; else masked.

A template tag that writes to the database is a deliberate exception here. The access log
must record every time a full NIK actually reaches a screen, and nothing else. Logging
in the view would record views whose template never shows the number (or miss templates
that do), and would let a template show it without a log. Putting the write at the one
place that prints the value makes "shown" and "logged" the same event. The write is one
small INSERT per person per request (repeats within a request are logged once).

Usage::

    {% load nik %}
    {% nik_full person %}                      {# purpose defaults to the page path #}
    {% nik_full person purpose="detail peserta" %}
"""

from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest

from jamsos.audit.services import may_view_full_nik, nik_access_log
from jamsos.lib.nik import nik_mask

register = template.Library()

_LOGGED_ATTR = "_jamsos_nik_logged"


@register.simple_tag(takes_context=True)
def nik_full(context: template.Context, person: Any, purpose: str = "") -> str:
    request: HttpRequest | None = context.get("request")
    viewer = getattr(request, "user", None) or context.get("user")
    if viewer is None or not viewer.is_authenticated or not may_view_full_nik(viewer, person):
        return nik_mask(person.nik)
    logged: set[int] = getattr(request, _LOGGED_ATTR, set())
    if person.pk not in logged:
        nik_access_log(
            viewer=viewer,
            person=person,
            purpose=purpose or (request.path if request is not None else "template"),
        )
        logged.add(person.pk)
        if request is not None:
            setattr(request, _LOGGED_ATTR, logged)
    return person.nik
