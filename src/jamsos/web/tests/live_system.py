"""Run the real system for end-to-end tests: ``jamsos migrate``, demo data,
``collectstatic`` and ``jamsos serve`` (gunicorn + task worker) in a temporary data dir.

Used by ``tests/browser/conftest.py`` and by the ``serve`` command's own test. The system
runs with production settings (``jamsos.config.settings.base``), not the test settings,
because the point is to exercise what ``make run`` serves. When ``DATABASE_URL`` names a
PostgreSQL server, a fresh database is created for the run and dropped afterwards, so a
run never touches the developer's data or another run's.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import dj_database_url

JAMSOS = [sys.executable, "-m", "jamsos"]
READY_TIMEOUT = 90.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def fresh_database(database_url: str | None, *, prefix: str) -> Iterator[str | None]:
    """Yield a DATABASE_URL for a new, empty PostgreSQL database, or None for SQLite
    (which then lives in the temporary data dir)."""
    if not database_url or not database_url.startswith(("postgres://", "postgresql://")):
        yield None
        return
    import psycopg

    config = dj_database_url.parse(database_url)
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = {
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**admin) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        path_start = database_url.rindex("/")
        yield database_url[:path_start] + "/" + name
    finally:
        with psycopg.connect(**admin) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class LiveSystem:
    data_dir: Path
    env: dict[str, str]
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    log_path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log_path = self.data_dir / "serve.log"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def jamsos(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        """Run a ``jamsos`` command against this system; fail loudly with its output."""
        result = subprocess.run(
            [*JAMSOS, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"jamsos {' '.join(args)} failed ({result.returncode}):\n"
                f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
            )
        return result

    def start(self, *, workers: int = 2) -> None:
        self.port = free_port()
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [*JAMSOS, "serve", "--port", str(self.port), "--workers", str(workers)],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jamsos serve exited early:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.base_url + "/healthz", timeout=2) as resp:  # noqa: S310
                    if resp.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"jamsos serve did not answer /healthz in time:\n{self.log_tail()}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int | None:
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


def system_env(data_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DJANGO_"))}
    env["DJANGO_SETTINGS_MODULE"] = "jamsos.config.settings.base"
    env["JAMSOS_DATA_DIR"] = str(data_dir)
    env["DEBUG"] = "0"
    env.pop("DATABASE_URL", None)
    env.pop("SECRET_KEY", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def demo_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("jamsos.demo.management.commands.demo") is not None


# Fallback until ``jamsos demo`` exists: the shared test personas (one user per role).
_PERSONAS_SCRIPT = """
from jamsos.testing.personas import make_personas
make_personas()
"""
PERSONAS_PASSWORD = "sandi-uji-yang-panjang"


def demo_logins() -> dict[str, tuple[str, str, str]]:
    """role → (username, password, full name or "" when unknown)."""
    if demo_available():
        from jamsos.demo.catalogue import DEMO_PASSWORD, DEMO_USERS

        return {str(u.role): (u.username, DEMO_PASSWORD, u.full_name) for u in DEMO_USERS}
    return {
        "dinas_operator": ("p_operator", PERSONAS_PASSWORD, ""),
        "dinas_head": ("p_head", PERSONAS_PASSWORD, ""),
        "bpjs_officer": ("p_bpjs", PERSONAS_PASSWORD, ""),
        "kecamatan_operator": ("p_camat", PERSONAS_PASSWORD, ""),
        "agent": ("p_agent", PERSONAS_PASSWORD, ""),
        "executive": ("p_bupati", PERSONAS_PASSWORD, ""),
        "dprd": ("p_dprd", PERSONAS_PASSWORD, ""),
        "admin": ("p_admin", PERSONAS_PASSWORD, ""),
    }


def prepare(system: LiveSystem, *, demo: bool = True) -> None:
    """What ``make run`` does before serving: migrate, demo data, collectstatic."""
    system.jamsos("migrate", "--noinput", "-v", "0")
    if demo:
        if demo_available():
            system.jamsos("demo", "--people", "30")
        else:
            system.jamsos("shell", "-c", _PERSONAS_SCRIPT)
    system.jamsos("collectstatic", "--noinput", "-v", "0")


@contextlib.contextmanager
def live_system(tmp_dir: Path, *, demo: bool = True, workers: int = 2) -> Iterator[LiveSystem]:
    """Set up and serve the whole system; stop it and drop its database afterwards."""
    with fresh_database(os.environ.get("DATABASE_URL"), prefix="jamsos_browser") as db_url:
        system = LiveSystem(data_dir=tmp_dir, env=system_env(tmp_dir, db_url))
        prepare(system, demo=demo)
        system.start(workers=workers)
        try:
            yield system
        finally:
            system.stop()
