"""``jamsos serve`` for real: gunicorn and the task worker as children of one command."""

from __future__ import annotations

import json
import os
import signal
import time
import urllib.request
from pathlib import Path

import pytest

from jamsos.web.tests.live_system import (
    LiveSystem,
    fresh_database,
    prepare,
    system_env,
)


def children_of(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()]


def command_line(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead but not yet reaped by a parent that is itself still running.
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as resp:  # noqa: S310 - local test server
        return resp.status, resp.read()


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    if not Path("/proc/self/task").exists():
        pytest.skip("needs Linux /proc to see the child processes")
    data_dir = tmp_path_factory.mktemp("serve")
    with fresh_database(os.environ.get("DATABASE_URL"), prefix="jamsos_serve") as db_url:
        system = LiveSystem(data_dir=data_dir, env=system_env(data_dir, db_url))
        prepare(system, demo=False)
        yield system
        system.stop()


def test_serve_answers_and_stops_both_children_on_sigterm(prepared):
    prepared.start(workers=1)
    kids = children_of(prepared.process.pid)
    commands = [command_line(pid) for pid in kids]
    assert len(kids) == 2, commands
    assert any("gunicorn jamsos.config.wsgi:application" in c for c in commands), commands
    assert any("db_worker" in c for c in commands), commands
    assert not any("runserver" in c for c in commands)
    gunicorn_workers = [
        pid
        for pid, c in zip(kids, commands, strict=True)
        if "gunicorn" in c
        for pid in children_of(pid)
    ]
    assert gunicorn_workers

    status, body = get(prepared.base_url + "/healthz")
    assert status == 200
    assert json.loads(body) == {"status": "ok", "database": True}
    status, body = get(prepared.base_url + "/masuk/")
    assert status == 200
    assert b"Masuk ke Jamsos" in body
    # whitenoise serves the collected, hashed static files from gunicorn
    status, body = get(prepared.base_url + "/static/vendor/bootstrap/bootstrap.min.css")
    assert status == 200
    assert b".navbar" in body

    assert prepared.stop(signal.SIGTERM) == 0
    for pid in kids + gunicorn_workers:
        assert not alive(pid), command_line(pid)
    assert f"http://127.0.0.1:{prepared.port}/" in prepared.log_tail()


def test_serve_restarts_a_killed_worker_and_keeps_the_site_up(prepared):
    prepared.start(workers=1)
    kids = {pid: command_line(pid) for pid in children_of(prepared.process.pid)}
    worker = next(pid for pid, c in kids.items() if "db_worker" in c)
    web = next(pid for pid, c in kids.items() if "gunicorn" in c)

    os.kill(worker, signal.SIGKILL)
    deadline = time.monotonic() + 30
    new_worker = None
    while time.monotonic() < deadline and new_worker is None:
        assert get(prepared.base_url + "/healthz")[0] == 200  # the site stays up meanwhile
        new_worker = next(
            (
                pid
                for pid in children_of(prepared.process.pid)
                if pid != worker and "db_worker" in command_line(pid)
            ),
            None,
        )
        time.sleep(0.2)
    assert new_worker is not None, prepared.log_tail()
    assert prepared.process.poll() is None
    assert alive(web)
    assert "Task worker berhenti sendiri" in prepared.log_tail()

    assert prepared.stop(signal.SIGTERM) == 0
    assert not alive(web)
    assert not alive(new_worker)


def test_serve_stops_the_worker_when_the_web_server_dies(prepared):
    prepared.start(workers=1)
    kids = {pid: command_line(pid) for pid in children_of(prepared.process.pid)}
    worker = next(pid for pid, c in kids.items() if "db_worker" in c)
    web = next(pid for pid, c in kids.items() if "gunicorn" in c)

    os.kill(web, signal.SIGKILL)
    assert prepared.process.wait(timeout=40) == 1
    time.sleep(0.2)
    assert not alive(worker)
    assert "berhenti sendiri" in prepared.log_tail()


def test_serve_refuses_to_start_without_collected_static_files(tmp_path, settings):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with pytest.raises(CommandError, match="collectstatic"):
        call_command("serve", "--port", "1")


def test_serve_refuses_zero_workers():
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--workers"):
        call_command("serve", "--workers", "0")
