"""Two one-person proposals at once open one batch, not two (issue 9, STYLE.md §22).

PostgreSQL only: SQLite serialises writers, so it cannot show the race. Every thread
looks for the proposer's open batch, finds none, waits until all have looked (the race
window, ``_after_lookup``), then inserts: the unique constraint lets one through and
the others take the winner's batch. A transactional test empties every table; the
module fixture puts the migration-loaded data back afterwards.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction

from jamsos.accounts.models import Agency, User
from jamsos.accounts.roles import Role
from jamsos.intake.models import ProposalBatch
from jamsos.intake.services import _single_batch_open
from jamsos.regions.models import Region

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks and concurrent inserts need PostgreSQL; SQLite serialises writers",
    ),
]

THREADS = 6
REGIONS = [
    ("13", "Sumatera Barat", "province", "provinsi", None),
    ("13.03", "Kabupaten Sijunjung", "regency", "kabupaten", "13"),
    ("13.03.03", "Tanjung Gadang", "district", "kecamatan", "13.03"),
    ("13.03.03.2001", "Timbulun", "village", "nagari", "13.03.03"),
]


@pytest.fixture
def agent(restore_reference_data, transactional_db) -> User:
    for code, name, level, kind, parent in REGIONS:
        Region.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "level": level,
                "kind": kind,
                "parent_id": parent,
                "search_name": name.lower(),
            },
        )
    nagari = Region.objects.get(pk="13.03.03.2001")
    agency = Agency.objects.create(
        code="nagari-timbulun", name="Nagari Timbulun", kind=Agency.Kind.NAGARI, region=nagari
    )
    return User.objects.create(
        username="agen-timbulun", full_name="Agen", role=Role.AGENT, agency=agency, region=nagari
    )


def test_proposals_at_once_open_one_batch(agent):
    looked = threading.Barrier(THREADS, timeout=20)
    outcomes: list[tuple[int, bool] | str] = []
    lock = threading.Lock()

    def propose() -> None:
        try:
            with transaction.atomic():
                batch, opened = _single_batch_open(
                    acting_user=agent, region=agent.region, _after_lookup=looked.wait
                )
                time.sleep(0.2)  # hold the lock/insert while the others try theirs
            result: tuple[int, bool] | str = (batch.pk, opened)
        except Exception as exc:  # shown by the assertion on outcomes
            result = f"error: {exc!r}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=propose) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert all(isinstance(o, tuple) for o in outcomes), outcomes
    assert len(outcomes) == THREADS
    assert len({pk for pk, _opened in outcomes}) == 1
    assert sum(opened for _pk, opened in outcomes) == 1
    assert ProposalBatch.objects.count() == 1
