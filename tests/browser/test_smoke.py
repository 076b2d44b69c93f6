"""Smoke test of the running system: every demo role logs in through the form, sees its
own name, role and menu, and logs out; the login page works on a 360 px phone."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from jamsos.accounts.models import User
from jamsos.accounts.roles import Role
from jamsos.web.navigation import cards_for, menu_sections_for, navbar_order
from jamsos.web.tests.live_system import demo_logins
from tests.browser.conftest import screenshot_path

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

ROLES = [
    "dinas_operator",
    "dinas_head",
    "bpjs_officer",
    "kecamatan_operator",
    "agent",
    "executive",
    "dprd",
    "admin",
]


def log_in(page: Page, username: str, password: str) -> None:
    page.goto("/masuk/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk", exact=True).click()


def log_out(page: Page) -> None:
    page.get_by_test_id("whoami").click()
    page.get_by_test_id("logout").click()


def expected_menu(role: str) -> list[str]:
    # The navbar must render exactly what the permission-gated MENU gives this role.
    # (Labels in Indonesian, whatever language an earlier test left active here.)
    with translation.override("id"):
        entries = menu_sections_for(User(role=role, is_active=True))
        return [str(item.label) for item in navbar_order(entries)]


# Offered to an agent by data, not by role: "Iuran" when its nagari has APB Nagari bills,
# "Aplikasi agen" when the login belongs to a registered Agen Perisai (the demo's does).
DATA_GATED_AGENT_ITEMS = ("Iuran", "Aplikasi agen")


def without_iuran(labels: list[str]) -> list[str]:
    return [label for label in labels if label not in DATA_GATED_AGENT_ITEMS]


def role_label(role: str) -> str:
    with translation.override("id"):
        return str(Role(role).label)


def nav_labels(page: Page) -> list[str]:
    """Every page the navbar leads to, inside its dropdown sections or not, in order."""
    items = page.get_by_test_id("nav").get_by_test_id("nav-item")
    return [t.strip() for t in items.all_text_contents()]


def no_horizontal_scroll(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("role", ROLES)
def test_each_role_logs_in_sees_its_menu_and_logs_out(page: Page, jamsos_system, role):
    username, password, full_name = demo_logins()[role]
    log_in(page, username, password)
    expect(page).to_have_url(jamsos_system.base_url + "/")

    expect(page.get_by_test_id("whoami-role")).to_have_text(role_label(role))
    name = page.get_by_test_id("whoami-name")
    expect(name).to_have_text(full_name) if full_name else expect(name).not_to_be_empty()
    if role == "agent":
        # An agent is offered "Iuran" only when its nagari has APB Nagari bills: data, not
        # role (contributions/tests/test_agent_menu.py).
        assert without_iuran(nav_labels(page)) == without_iuran(expected_menu(role))
    else:
        assert nav_labels(page) == expected_menu(role)
    if role == "admin":
        assert "Pengguna" in nav_labels(page)
    if role in ("agent", "dprd", "executive"):
        assert "Pengguna" not in nav_labels(page)
        assert "Jejak audit" not in nav_labels(page)
    cards = page.get_by_test_id("home-card")
    if role in ("dprd", "executive"):
        # The programme at a glance: the map and the cards of what they read, and no
        # "segera tersedia" placeholder.
        with translation.override("id"):
            expected_cards = len(cards_for(User(role=role, is_active=True)))
        expect(cards).to_have_count(expected_cards)
        expect(page.get_by_test_id("map").first).to_be_visible()
        expect(page.get_by_text("segera tersedia")).to_have_count(0)
    else:
        expect(cards.first).to_be_visible()
    expect(page.get_by_test_id("role-intro")).not_to_be_empty()

    log_out(page)
    expect(page).to_have_url(re.compile(r"/masuk/$"))
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/masuk/\?next=/$"))


def test_wrong_password_shows_an_indonesian_error(page: Page):
    username, _password, _name = demo_logins()["agent"]
    log_in(page, username, "bukan-sandinya")
    expect(page.get_by_test_id("login-error")).to_contain_text(
        "Nama pengguna atau kata sandi salah"
    )
    expect(page).to_have_url(re.compile(r"/masuk/$"))


def test_login_page_fits_a_phone(phone_page: Page):
    phone_page.goto("/masuk/")
    form_box = phone_page.locator("form:has(#id_password)").bounding_box()
    assert form_box is not None
    assert form_box["x"] >= 0
    assert form_box["x"] + form_box["width"] <= 360
    assert no_horizontal_scroll(phone_page)
    expect(phone_page.get_by_role("button", name="Masuk", exact=True)).to_be_in_viewport()


def test_phone_menu_collapses_into_the_toggler(phone_page: Page):
    username, password, _name = demo_logins()["agent"]
    log_in(phone_page, username, password)
    expect(phone_page.get_by_test_id("home-cards")).to_be_visible()
    assert no_horizontal_scroll(phone_page)
    phone_page.screenshot(path=screenshot_path("home-360"), full_page=True)

    toggler = phone_page.get_by_test_id("nav-toggler")
    expect(toggler).to_be_visible()
    expect(phone_page.get_by_test_id("nav")).to_be_hidden()
    expect(phone_page.get_by_test_id("whoami")).to_be_hidden()
    toggler.click()
    expect(phone_page.get_by_test_id("nav")).to_be_visible()
    expect(phone_page.get_by_test_id("whoami")).to_be_visible()
    phone_page.get_by_test_id("whoami").click()
    expect(phone_page.get_by_test_id("logout")).to_be_in_viewport()
    assert no_horizontal_scroll(phone_page)
    phone_page.screenshot(path=screenshot_path("menu-360"), full_page=True)


def test_desktop_menu_is_expanded(page: Page):
    # the operator has the longest menu
    username, password, _name = demo_logins()["dinas_operator"]
    log_in(page, username, password)
    expect(page.get_by_test_id("nav-toggler")).to_be_hidden()
    expect(page.get_by_test_id("nav")).to_be_visible()
    expect(page.get_by_test_id("whoami")).to_be_visible()
    # the menu, the language switcher and the user's name and role fit on one row
    nav_box = page.get_by_test_id("navbar").bounding_box()
    assert nav_box is not None and nav_box["height"] < 80
    expect(page.get_by_test_id("logout")).to_be_hidden()
    page.get_by_test_id("whoami").click()
    expect(page.get_by_test_id("whoami-scope")).to_contain_text("Disnakertrans")
    expect(page.get_by_test_id("logout")).to_be_visible()
    page.screenshot(path=screenshot_path("home-1280"), full_page=True)


def test_language_switcher_turns_the_login_page_into_english(page: Page):
    page.goto("/masuk/")
    page.get_by_test_id("language-switcher").get_by_role("button", name="EN").click()
    expect(page.get_by_role("heading", name="Log in to Jamsos")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_test_id("language-switcher").get_by_role("button", name="ID").click()
    expect(page.get_by_role("heading", name="Masuk ke Jamsos")).to_be_visible()
