"""``jamsos serve``: the web server (gunicorn + whitenoise) and the task worker together.

Design goal: one command a single-machine install can run in the foreground (``make run``)
or under systemd, which behaves like one service. Algorithm:

1. Check that ``collectstatic`` has run (whitenoise's manifest storage needs it).
2. Start gunicorn and ``jamsos db_worker`` as children, each in its own process group so
   a Ctrl+C in the terminal reaches only this supervisor, which forwards it exactly once
   (a second SIGINT would make the task worker abandon a running task).
3. Print the URL once gunicorn accepts connections.
4. Wait. SIGINT/SIGTERM are forwarded to both children. A task worker that dies on its
   own (killed, out of memory) is started again after a back-off (1 s, doubling to
   ``WORKER_RESTART_MAX_SECONDS``, reset once it has run a minute): the site stays up, and
   the new worker's sweep recovers the task the dead one held (``jamsos.worker``). When
   gunicorn exits, stop the worker too: the service is down and its supervisor restarts it.
5. Exit 0 after a requested shutdown, 1 when gunicorn died on its own.

Larger deployments run gunicorn and ``jamsos db_worker`` as separate services instead
(docs/operations.md); this command is the embedded default.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

# Gunicorn's rule of thumb is 2 × cores + 1; capped because each worker holds a copy of
# the application and SQLite gains nothing from more concurrent writers.
MAX_DEFAULT_WORKERS = 8
STOP_GRACE_SECONDS = 20.0
READY_TIMEOUT_SECONDS = 60.0
WORKER_RESTART_MAX_SECONDS = 30.0
WORKER_HEALTHY_SECONDS = 60.0
WORKER_ARGV = [sys.executable, "-m", "jamsos", "db_worker", "--no-reload", "--queue-name", "*"]


def default_workers() -> int:
    return min(2 * (os.cpu_count() or 1) + 1, MAX_DEFAULT_WORKERS)


def _die_with_parent() -> None:
    """Ask Linux to SIGTERM this child when the supervisor dies, even by SIGKILL.

    Without it a killed supervisor leaves gunicorn holding the port. Best effort: other
    systems simply lack the guarantee.
    """
    if sys.platform != "linux":
        return
    import ctypes

    pr_set_pdeathsig = 1
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


class Command(BaseCommand):
    help = "Serve Jamsos with gunicorn (static files by whitenoise) together with the task worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--host", default="127.0.0.1", help="address to bind (default %(default)s)"
        )
        parser.add_argument("--port", type=int, default=8000, help="port (default %(default)s)")
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="gunicorn worker processes (default 2 × cores + 1, "
            f"at most {MAX_DEFAULT_WORKERS})",
        )
        parser.add_argument(
            "--timeout",
            type=int,
            default=120,
            help="seconds before gunicorn restarts a silent worker (default %(default)s)",
        )

    def handle(self, *args: object, **options: object) -> None:
        host = str(options["host"])
        port = int(options["port"])  # type: ignore[call-overload]
        workers = default_workers() if options["workers"] is None else options["workers"]
        if not isinstance(workers, int) or workers < 1:
            raise CommandError("--workers must be at least 1.")
        self._check_static()

        children = {
            "web": self._spawn(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "jamsos.config.wsgi:application",
                    "--bind",
                    f"{host}:{port}",
                    "--workers",
                    str(workers),
                    "--timeout",
                    str(options["timeout"]),
                    "--graceful-timeout",
                    str(int(STOP_GRACE_SECONDS) - 5),
                    "--access-logfile",
                    "-",
                    "--error-logfile",
                    "-",
                    # The control socket defaults to one path per user, which a second
                    # instance (tests, a second checkout) would take over.
                    "--no-control-socket",
                ]
            ),
            "worker": self._spawn(WORKER_ARGV),
        }
        self.stopping = False

        def forward(signum: int, frame: FrameType | None) -> None:
            if not self.stopping:
                self.stdout.write(f"Menghentikan Jamsos ({signal.strsignal(signum)})…")
            self.stopping = True
            for proc in children.values():
                if proc.poll() is None:
                    proc.send_signal(signum)

        previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            if self._wait_ready(host, port, children):
                url_host = "127.0.0.1" if host in ("0.0.0.0", "") else host  # noqa: S104
                self.stdout.write(
                    self.style.SUCCESS(f"Jamsos berjalan di http://{url_host}:{port}/")
                    + f"  (gunicorn {workers} worker + task worker; Ctrl+C untuk berhenti)"
                )
            exited = self._wait_first_exit(children)
        finally:
            self._stop_all(children)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if not self.stopping:
            codes = {name: proc.returncode for name, proc in children.items()}
            raise CommandError(f"Proses {exited} berhenti sendiri (kode keluar {codes}).")

    def _check_static(self) -> None:
        backend = settings.STORAGES["staticfiles"]["BACKEND"]
        manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
        if "Manifest" in backend and not manifest.exists():
            raise CommandError(
                f"Static files are not collected ({manifest} is missing). "
                "Run: jamsos collectstatic --noinput"
            )

    def _spawn(self, argv: list[str]) -> subprocess.Popen[bytes]:
        return subprocess.Popen(  # noqa: S603 - fixed argv, our own interpreter
            argv, process_group=0, preexec_fn=_die_with_parent
        )

    def _wait_ready(
        self, host: str, port: int, children: dict[str, subprocess.Popen[bytes]]
    ) -> bool:
        connect_host = "127.0.0.1" if host in ("0.0.0.0", "") else host  # noqa: S104
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline and not self.stopping:
            if any(proc.poll() is not None for proc in children.values()):
                return False
            try:
                with socket.create_connection((connect_host, port), timeout=0.5):
                    return True
            except OSError:
                time.sleep(0.2)
        return False

    def _wait_first_exit(self, children: dict[str, subprocess.Popen[bytes]]) -> str:
        """Wait until gunicorn exits or a shutdown is asked; restart a dead task worker."""
        backoff = 1.0
        started = time.monotonic()
        restart_at: float | None = None
        while True:
            if children["web"].poll() is not None:
                return "web"
            now = time.monotonic()
            worker = children["worker"]
            if worker.poll() is None:
                if now - started >= WORKER_HEALTHY_SECONDS:
                    backoff = 1.0
            elif self.stopping:
                return "worker"
            elif restart_at is None:
                restart_at = now + backoff
                self.stderr.write(
                    f"Task worker berhenti sendiri (kode keluar {worker.returncode}); "
                    f"dijalankan lagi dalam {backoff:.0f} detik."
                )
            elif now >= restart_at:
                children["worker"] = self._spawn(WORKER_ARGV)
                started, restart_at = now, None
                backoff = min(backoff * 2, WORKER_RESTART_MAX_SECONDS)
            time.sleep(0.2)

    def _stop_all(self, children: dict[str, subprocess.Popen[bytes]]) -> None:
        # After a forwarded signal the children are already shutting down; signalling the
        # task worker again would make it abandon the task it is finishing.
        if not self.stopping:
            for proc in children.values():
                if proc.poll() is None:
                    proc.terminate()
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for proc in children.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
