"""Fixtures shared by every app's tests."""

from __future__ import annotations

import os
import shutil

import pytest

BROWSER_SKIPPED: list[str] = []


@pytest.fixture(autouse=True)
def _empty_cache():
    """API rate-limit counters live in the cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _reset_language():
    """A request in English (the ``django_language`` cookie) leaves English active in the
    worker's thread; the next test would then read English messages where it expects the
    Indonesian source text."""
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def personas(db):
    from jamsos.testing.personas import make_personas

    return make_personas()


@pytest.fixture(scope="module")
def restore_reference_data(django_db_blocker):
    """After a module's transactional tests (real commits, then a flush): reload what the
    data migrations loaded (regions, occupations, rates) for the tests that follow."""
    yield
    with django_db_blocker.unblock():
        from jamsos.budget.tests.reference_data import migration_data_reload
        from jamsos.regions.models import Region

        if not Region.objects.exists():
            migration_data_reload()


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def require_chromium() -> str:
    """Return the system Chromium, or skip (locally) / fail (CI) when it is missing."""
    path = chromium_path()
    if path:
        return path
    message = "system Chromium not found (install it: apt-get install chromium)"
    if os.environ.get("JAMSOS_REQUIRE_BROWSER"):
        pytest.fail(message + "; JAMSOS_REQUIRE_BROWSER is set, so this is an error")
    BROWSER_SKIPPED.append(message)
    pytest.skip(message)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    skipped = terminalreporter.stats.get("skipped", [])
    if any("system Chromium not found" in str(getattr(r, "longrepr", "")) for r in skipped):
        terminalreporter.write_line(
            "NOTE: browser tests were SKIPPED because the system Chromium is missing. "
            "Enable them with: apt-get install chromium   (then run make test again)",
            yellow=True,
            bold=True,
        )
