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
    permission: str | tuple[str, ...] | None  # a tuple: any one of them suffices
    icon: str = "circle"

    @property
    def url(self) -> str:
        return reverse(self.url_name)


MENU: list[NavItem] = [
    NavItem(_("Beranda"), "web:home", None, "house"),
    NavItem(_("Pengguna"), "accounts:user_list", "accounts.manage_users", "people"),
    NavItem(_("Jejak audit"), "audit:event_list", "audit.view_events", "journal-text"),
    NavItem(_("Cek NIK"), "regions:nik_check", "intake.propose", "person-vcard"),
    NavItem(_("Usulan"), "intake:batch_list", ("intake.propose", "intake.review_batch"), "inboxes"),
    NavItem(_("Usulkan satu orang"), "intake:person_propose", "intake.propose", "person-plus"),
    NavItem(_("Registri peserta"), "registry:person_list", "registry.view_persons", "people-fill"),
]


def menu_for(user: User) -> list[NavItem]:
    items = []
    for item in MENU:
        perms = (item.permission,) if isinstance(item.permission, str) else item.permission
        if perms is not None and not any(user.has_perm(p) for p in perms):
            continue
        try:
            reverse(item.url_name)
        except NoReverseMatch:  # an app not yet installed
            continue
        items.append(item)
    return items
