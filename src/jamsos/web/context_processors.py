from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from jamsos.web.navigation import menu_for, menu_sections_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The navbar items of the logged-in user, and which one the current page belongs to
    (the longest item URL that prefixes the path, so a detail page lights up its list)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_entries": [], "nav_active_url": None}
    items = menu_for(user)
    prefixes = [
        item.url
        for item in items
        if request.path == item.url or (item.url != "/" and request.path.startswith(item.url))
    ]
    return {
        "nav_items": items,
        "nav_entries": menu_sections_for(user),
        "nav_active_url": max(prefixes, key=len, default=None),
    }
