"""Browser tests drive the real system: ``jamsos serve`` (gunicorn + task worker) on a free
port, set up as ``make run`` does, with Playwright on the system Chromium.

One server per run: the ``jamsos_system`` fixture is session-scoped and every browser test
is in the xdist group "browser", so ``pytest -n auto --dist loadgroup`` sends them all to
one worker. Playwright itself is module-scoped: its sync API keeps an asyncio loop running,
which makes Django refuse ORM calls in any other test the same worker runs meanwhile.
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


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Keep ``--dist loadgroup`` working on pytest 9.2 (pytest-xdist issue #1386).

    xdist groups tests by appending ``@group`` to each node id, but writes the legacy
    ``item._nodeid``, which pytest 9.2's structured node ids ignore; the browser tests then
    spread over all workers and each worker starts its own server. Until xdist ships the
    fix, apply the suffix the way xdist's own pending patch does. A no-op where xdist's
    suffix took effect, and outside xdist workers.
    """
    if not getattr(config.option, "loadgroup", False):
        return
    try:
        from _pytest.nodeid import NodeId
    except ImportError:  # older pytest: xdist's own suffix works
        return
    for item in items:
        names = {
            str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
            for mark in item.iter_markers("xdist_group")
        }
        nodeid = item.nodeid
        if not names or nodeid.rfind("@") > nodeid.rfind("]") or not hasattr(item, "_id"):
            continue
        item._id = NodeId.parse(f"{nodeid}@{'_'.join(sorted(names))}")


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
