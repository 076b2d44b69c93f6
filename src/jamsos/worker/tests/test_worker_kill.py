"""A task worker killed (SIGKILL) in the middle of validating an upload: the real
``jamsos db_worker`` on a real file, a real kill, the sweep, a new worker, and the batch
ends validated with exactly as many rows as the file has."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from jamsos.web.tests.live_system import JAMSOS, LiveSystem, fresh_database, prepare, system_env
from jamsos.worker.tests.live_db import query, scalar

ROWS = 30_000
LEASE = 2

STAGE_SCRIPT = """
import random, datetime as dt
from django.core.files.base import ContentFile
from jamsos.intake import services
from jamsos.intake.tests.core_data import make_person, sijunjung_villages, write_csv
from jamsos.regions.models import Region
from jamsos.testing.personas import make_personas

cast = make_personas()
rng = random.Random(46)
villages = sijunjung_villages()
rows = [make_person(rng, villages, serial=n).row(n) for n in range(1, ROWS + 1)]
data = write_csv(None, rows)
batch = services.batch_stage_upload(
    upload=ContentFile(data, name="besar.csv"), file_name="besar.csv",
    region=Region.objects.get(pk="13.03"), acting_user=cast.dinas_operator,
    coverage_start=dt.date(2026, 12, 1),
)
print("BATCH", batch.pk)
"""


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    if not Path("/proc/self").exists():
        pytest.skip("needs Linux")
    data_dir = tmp_path_factory.mktemp("worker-kill")
    with fresh_database(os.environ.get("DATABASE_URL"), prefix="jamsos_kill") as db_url:
        live = LiveSystem(data_dir=data_dir, env=system_env(data_dir, db_url))
        live.env.update(
            TASK_LEASE_SECONDS=str(LEASE), TASK_SWEEP_SECONDS="3600", TASK_LEASE_MAX_ATTEMPTS="3"
        )
        prepare(live, demo=False)
        yield live


def start_worker(system: LiveSystem) -> subprocess.Popen[bytes]:
    log = (system.data_dir / "worker.log").open("ab")
    try:
        return subprocess.Popen(
            [
                *JAMSOS,
                "db_worker",
                "--no-reload",
                "--queue-name",
                "*",
                "--no-startup-delay",
                "--interval",
                "0.1",
            ],
            env=system.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    finally:
        log.close()


def wait_for(condition, *, timeout: float, step: float = 0.02, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(step)
    raise AssertionError(f"timed out waiting for {what}")


def batch_row(system: LiveSystem, pk: int) -> tuple[str, str, int, int]:
    return query(
        system,
        "SELECT status, task_id, rows_total, rows_processed FROM intake_proposalbatch WHERE id = ?",
        (pk,),
    )[0]


def row_count(system: LiveSystem, pk: int) -> int:
    return scalar(system, "SELECT count(*) FROM intake_proposalrow WHERE batch_id = ?", (pk,))


def task_status(system: LiveSystem, task_id: str) -> str:
    ids = (task_id, task_id.replace("-", ""))
    return scalar(
        system,
        "SELECT status FROM django_tasks_database_dbtaskresult WHERE id IN (?, ?)",
        ids,
    )


def test_killed_worker_is_swept_and_the_batch_ends_validated_with_every_row_once(system):
    out = system.jamsos("shell", "-c", STAGE_SCRIPT.replace("ROWS", str(ROWS))).stdout
    pk = int(out.split("BATCH")[1].split()[0])
    status, task_id, *_ = batch_row(system, pk)
    assert status == "queued" and task_id
    assert task_status(system, task_id) == "READY"

    worker = start_worker(system)
    try:
        # Kill it once it has committed some rows, but not all: the worst moment.
        wait_for(lambda: row_count(system, pk) > 0, timeout=120, what="the first rows")
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    written = row_count(system, pk)
    assert 0 < written < ROWS, written
    status, _, total, _ = batch_row(system, pk)
    assert status == "validating" and total == ROWS
    assert task_status(system, task_id) == "RUNNING"  # what upstream leaves for ever

    # The dead worker's lease: first attempt, no longer renewed.
    leases = query(system, "SELECT task_result_id, attempts FROM worker_tasklease")
    assert [(str(i).replace("-", ""), n) for i, n in leases] == [(task_id.replace("-", ""), 1)]
    time.sleep(LEASE + 0.5)
    report = json.loads(system.jamsos("tasks_sweep", "--json").stdout)
    assert [i.replace("-", "") for i in report["requeued"]] == [task_id.replace("-", "")]
    assert report["failed"] == []
    assert task_status(system, task_id) == "READY"

    worker = start_worker(system)
    try:
        wait_for(
            lambda: batch_row(system, pk)[0] == "validated",
            timeout=180,
            step=0.2,
            what="the batch to be validated",
        )
        wait_for(
            lambda: task_status(system, task_id) == "SUCCESSFUL",
            timeout=30,
            step=0.2,
            what="the task to succeed",
        )
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    status, _, total, processed = batch_row(system, pk)
    assert (status, total, processed) == ("validated", ROWS, ROWS)
    assert row_count(system, pk) == ROWS
    distinct = scalar(
        system,
        "SELECT count(DISTINCT row_number) FROM intake_proposalrow WHERE batch_id = ?",
        (pk,),
    )
    assert distinct == ROWS
    # the lease is gone with the finished task
    assert scalar(system, "SELECT count(*) FROM worker_tasklease") == 0
