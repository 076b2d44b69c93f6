"""Browser tests drive the real system: ``jamsos serve`` (gunicorn + task worker) on a free
port, set up as ``make run`` does, with Playwright on the system Chromium.

One server per run: ``make test`` runs the browser tests (marker ``browser``) in a second,
single-process pytest run, and the ``jamsos_system`` fixture is session-scoped. Playwright
is module-scoped: its sync API keeps an asyncio loop running, which makes Django refuse ORM
calls in any other test the same process runs meanwhile.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import require_chromium
from jamsos.web.tests.live_system import LiveSystem, live_system

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def jamsos_system(tmp_path_factory) -> Iterator[LiveSystem]:
    require_chromium()  # before the slow set-up, so a missing browser skips at once
    with live_system(tmp_path_factory.mktemp("jamsos-browser")) as system:
        yield system


@pytest.fixture(scope="module")
def browser():
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def screenshot_path(name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / (re.sub(r"[^\w.-]+", "_", name).strip("_")[:150] + ".png")


def _page(browser, system: LiveSystem, request, **context_options):
    context = browser.new_context(base_url=system.base_url, locale="id-ID", **context_options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        page.screenshot(path=screenshot_path(request.node.nodeid), full_page=True)
        print(f"screenshot: {screenshot_path(request.node.nodeid)}")
        print(f"server log (tail):\n{system.log_tail(2000)}")
    context.close()


@pytest.fixture
def page(browser, jamsos_system, request):
    yield from _page(browser, jamsos_system, request, viewport=DESKTOP)


@pytest.fixture
def phone_page(browser, jamsos_system, request):
    yield from _page(
        browser, jamsos_system, request, viewport=PHONE, is_mobile=True, has_touch=True
    )
