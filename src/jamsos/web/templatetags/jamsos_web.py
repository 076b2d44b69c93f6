"""Small tags for the page frame: ``{% load jamsos_web %}`` then ``{% jamsos_version %}``,
and ``{{ field|filter_widget }}`` for the shared filter box (``web/_filters.html``)."""

from django import forms, template
from django.forms import BoundField
from django.utils.safestring import SafeString

import jamsos

register = template.Library()


@register.simple_tag
def jamsos_version() -> str:
    return jamsos.__version__


@register.filter
def filter_widget(field: BoundField) -> SafeString:
    """The field's widget in the filter box's size, whatever classes its form gave it."""
    widget = field.field.widget
    css = (
        "form-select form-select-sm"
        if isinstance(widget, forms.Select)
        else ("form-control form-control-sm")
    )
    if field.errors:
        css += " is-invalid"
    return field.as_widget(attrs={"class": css})
