"""A real write lock on the real SQLite file: pages, log-ins and the API answer 503
"coba lagi" with Retry-After (not 500), and the task worker waits and carries on.

``jamsos serve`` runs with production settings and a 1-second busy timeout; the test
process holds ``BEGIN IMMEDIATE`` on the database file for longer than that.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import sqlite3
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from jamsos.web.tests.live_system import LiveSystem, prepare, system_env
from jamsos.web.tests.test_serve import alive, children_of, command_line
from jamsos.worker.tests.live_db import scalar

RETRY_AFTER = 7
SETUP = """
from jamsos.accounts.services import api_token_create
from jamsos.testing.personas import make_personas
cast = make_personas()
token, key = api_token_create(user=cast.dinas_operator, name="uji", acting_user=cast.dinas_operator)
print("KEY", key)
"""
STAGE = """
import random, datetime as dt
from django.core.files.base import ContentFile
from jamsos.accounts.models import User
from jamsos.intake import services
from jamsos.intake.tests.core_data import make_person, sijunjung_villages, write_csv
from jamsos.regions.models import Region
rng = random.Random(3)
rows = [make_person(rng, sijunjung_villages(), serial=n).row(n) for n in range(1, 21)]
batch = services.batch_stage_upload(
    upload=ContentFile(write_csv(None, rows), name="kecil.csv"), file_name="kecil.csv",
    region=Region.objects.get(pk="13.03"), acting_user=User.objects.get(username="p_operator"),
    coverage_start=dt.date(2026, 12, 1),
)
print("BATCH", batch.pk)
"""


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("the write lock under test is SQLite's")
    if not Path("/proc/self/task").exists():
        pytest.skip("needs Linux /proc to see the worker process")
    data_dir = tmp_path_factory.mktemp("busy")
    live = LiveSystem(data_dir=data_dir, env=system_env(data_dir, None))
    live.env.update(
        SQLITE_BUSY_TIMEOUT="1",
        DATABASE_BUSY_RETRY_AFTER=str(RETRY_AFTER),
        TASK_WORKER_BACKOFF_MAX="2",
    )
    prepare(live, demo=False)
    live.key = live.jamsos("shell", "-c", SETUP).stdout.split("KEY")[1].split()[0]
    live.start(workers=1)
    yield live
    live.stop()


def opener() -> urllib.request.OpenerDirector:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)


def call(browser, request) -> tuple[int, dict[str, str], str]:
    try:
        with browser.open(request, timeout=30) as resp:
            return resp.status, dict(resp.headers), resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


def login_request(system: LiveSystem, browser) -> urllib.request.Request:
    _, _, page = call(browser, system.base_url + "/masuk/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token,
            "username": "p_operator",
            "password": "sandi-uji-yang-panjang",
        }
    ).encode()
    return urllib.request.Request(  # noqa: S310 - local test server
        system.base_url + "/masuk/", data=data, headers={"Referer": system.base_url + "/masuk/"}
    )


def test_a_held_write_lock_answers_503_and_the_worker_carries_on(system):
    worker = next(
        pid for pid in children_of(system.process.pid) if "db_worker" in command_line(pid)
    )
    browser = opener()
    login = login_request(system, browser)  # reads need no lock (WAL)
    api = urllib.request.Request(  # noqa: S310 - local test server
        system.base_url + "/api/accounts/me", headers={"Authorization": f"Bearer {system.key}"}
    )

    holder = sqlite3.connect(system.data_dir / "jamsos.sqlite3", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    held_since = time.monotonic()
    try:
        status, headers, body = call(browser, login)
        assert status == 503, body[:2000]
        assert headers["Retry-After"] == str(RETRY_AFTER)
        assert "Coba lagi" in body and 'data-testid="database-busy"' in body

        # the API's first use of a token writes last_used_at: JSON, same status
        status, headers, body = call(browser, api)
        assert status == 503, body[:2000]
        assert headers["Retry-After"] == str(RETRY_AFTER)
        assert json.loads(body)["code"] == "database_busy"

        # reads still work while the writer waits
        assert call(browser, system.base_url + "/healthz")[0] == 200
        # the worker meets the lock at every poll for several busy timeouts
        time.sleep(max(0.0, 6 - (time.monotonic() - held_since)))
        assert alive(worker), system.log_tail()
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    status, headers, _ = call(browser, login_request(system, browser))
    assert status == 302 and headers["Location"] == "/"
    assert call(browser, api)[0] == 200

    # the same worker process, still running, takes the next task
    out = system.jamsos("shell", "-c", STAGE).stdout
    pk = int(out.split("BATCH")[1].split()[0])
    deadline = time.monotonic() + 90
    status = None
    while time.monotonic() < deadline:
        status = scalar(system, "SELECT status FROM intake_proposalbatch WHERE id = ?", (pk,))
        if status == "validated":
            break
        time.sleep(0.3)
    assert status == "validated", system.log_tail()
    assert alive(worker)
    assert "Database unavailable" in system.log_tail(200_000)
