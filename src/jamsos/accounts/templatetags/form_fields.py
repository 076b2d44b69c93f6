"""Render a bound field with Bootstrap's invalid state when it carries errors."""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def widget_with_state(field: BoundField) -> SafeString:
    if not field.errors:
        return field.as_widget()
    css = field.field.widget.attrs.get("class", "")
    return field.as_widget(attrs={"class": f"{css} is-invalid".strip(), "aria-invalid": "true"})
