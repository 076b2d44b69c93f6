"""``make test`` must say plainly when the browser tests did not run, and CI must fail.

Runs pytest in a subprocess on one browser test with a PATH that holds no Chromium.
Not itself a browser test: it must run (and pass) on machines without Chromium.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ONE_BROWSER_TEST = "tests/browser/test_smoke.py::test_login_page_fits_a_phone"


def run_without_chromium(tmp_path: Path, **extra_env: str) -> subprocess.CompletedProcess[str]:
    empty = tmp_path / "bin"
    empty.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "JAMSOS_REQ"))}
    # Only the interpreter's own directory and an empty one: no /usr/bin/chromium.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{empty}"
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "0", "-p", "no:cacheprovider", ONE_BROWSER_TEST],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.skipif(
    (Path(sys.executable).parent / "chromium").exists(),
    reason="the interpreter's directory holds a chromium, so PATH cannot hide it",
)
def test_missing_chromium_is_reported_and_is_an_error_in_ci(tmp_path):
    local = run_without_chromium(tmp_path)
    assert local.returncode == 0, local.stdout[-3000:] + local.stderr[-3000:]
    assert "1 skipped" in local.stdout
    assert "NOTE: browser tests were SKIPPED" in local.stdout
    assert "apt-get install chromium" in local.stdout

    ci = run_without_chromium(tmp_path, JAMSOS_REQUIRE_BROWSER="1")
    assert ci.returncode != 0, ci.stdout[-3000:]
    assert "JAMSOS_REQUIRE_BROWSER is set" in ci.stdout
    assert "NOTE: browser tests were SKIPPED" not in ci.stdout
