"""The navbar groups a role's pages into sections so the menu stays one row wide."""

import pytest

from jamsos.accounts.models import User
from jamsos.web.navigation import NavItem, NavSection, menu_for, menu_sections_for, navbar_order


@pytest.mark.parametrize(
    "role", ["dinas_operator", "dinas_head", "bpjs_officer", "agent", "dprd", "admin"]
)
def test_sections_hold_exactly_the_menu_in_order(role):
    user = User(role=role, is_active=True)
    entries = menu_sections_for(user)
    shown = navbar_order(entries)
    menu = menu_for(user)
    assert sorted(shown, key=menu.index) == menu  # every page once, nothing else
    for entry in entries:  # inside a section, pages keep their MENU order
        if isinstance(entry, NavSection):
            assert entry.items == sorted(entry.items, key=menu.index)
    # A section is only worth a dropdown with two or more pages in it.
    assert all(len(e.items) >= 2 for e in entries if isinstance(e, NavSection))


def test_operator_menu_fits_in_a_few_top_level_entries():
    entries = menu_sections_for(User(role="dinas_operator", is_active=True))
    assert len(menu_for(User(role="dinas_operator", is_active=True))) > len(entries)
    assert len(entries) <= 6
    assert isinstance(entries[0], NavItem) and entries[0].url_name == "web:home"
