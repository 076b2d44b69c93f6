"""The menu each role sees, declared as data: (label, url name, permission or None)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from jamsos.accounts.models import User


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    permission: str | None
    icon: str = "circle"

    @property
    def url(self) -> str:
        return reverse(self.url_name)


MENU: list[NavItem] = [
    NavItem(_("Beranda"), "web:home", None, "house"),
    NavItem(_("Pengguna"), "accounts:user_list", "accounts.manage_users", "people"),
    NavItem(_("Jejak audit"), "audit:event_list", "audit.view_events", "journal-text"),
    NavItem(_("Cek NIK"), "regions:nik_check", "intake.propose", "person-vcard"),
]


def menu_for(user: User) -> list[NavItem]:
    items = []
    for item in MENU:
        if item.permission is not None and not user.has_perm(item.permission):
            continue
        try:
            reverse(item.url_name)
        except NoReverseMatch:  # an app not yet installed
            continue
        items.append(item)
    return items
