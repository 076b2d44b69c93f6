"""``{% load navigation %}{% page_tabs "budget" active %}``: an app's tabs, only those the
viewer may open (``web.navigation.tabs_for``)."""

from typing import Any

from django import template

from jamsos.web.navigation import tabs_for

register = template.Library()


@register.inclusion_tag("web/_tabs.html", takes_context=True)
def page_tabs(context: template.Context, group: str, active: str = "") -> dict[str, Any]:
    return {"group": group, "active": active, "tabs": tabs_for(context["request"].user, group)}
