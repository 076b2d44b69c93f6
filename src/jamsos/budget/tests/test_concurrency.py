"""Two operators reserving against the same pagu can never exceed it (STYLE.md §20, §22).

PostgreSQL only: SQLite takes a database-wide write lock at BEGIN IMMEDIATE, so it cannot
show the race, and ``select_for_update`` is a no-op there. Each test first rebuilds what it
needs, because a transactional test's teardown empties every table; the module fixture
puts the migration-loaded data back for the tests that run after this module.
"""

from __future__ import annotations

import importlib
import threading
import time
from collections.abc import Callable

import pytest
from django.apps import apps as django_apps
from django.db import connection, connections

from jamsos.budget import selectors, services
from jamsos.budget.models import Allocation, FundingSource, Reservation
from jamsos.lib.periods import Month
from jamsos.regions.models import Region

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks (SELECT … FOR UPDATE) need PostgreSQL; SQLite serialises writers",
    ),
]

THREADS = 8
PERSONS_EACH = 3
PER_PERSON_YEAR = 12 * 16_800  # the seed's minimum package, read back from the rate tables
FITTING = 3  # the pagu below holds exactly 3 of the 8 requests


# Just the regions these tests touch; the full 91,600-row load runs once, at module end.
REGIONS = [
    ("13", "Sumatera Barat", "province", "provinsi", None),
    ("13.03", "Kabupaten Sijunjung", "regency", "kabupaten", "13"),
    ("13.03.03", "Tanjung Gadang", "district", "kecamatan", "13.03"),
    ("13.03.03.2001", "Timbulun", "village", "nagari", "13.03.03"),
]


def _minimal_reference_data() -> None:
    """After an earlier test of this module emptied the tables: regions and rate rows."""
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
    seed = importlib.import_module("jamsos.budget.migrations.0002_seed_regulation")
    seed.seed_regulation(django_apps)


@pytest.fixture
def pagu(restore_reference_data, transactional_db) -> Allocation:
    if not Region.objects.filter(pk="13.03.03.2001").exists():
        _minimal_reference_data()
    sijunjung = Region.objects.get(pk="13.03")
    year = services.fiscal_year_create(region=sijunjung, year=2025, acting_user=None)
    source = services.funding_source_create(
        region=sijunjung, kind=FundingSource.Kind.APBD, name="APBD", acting_user=None
    )
    request = PERSONS_EACH * PER_PERSON_YEAR
    allocation = services.allocation_create(
        fiscal_year=year,
        source=source,
        name="Pagu uji",
        pagu=FITTING * request + request // 2,  # room for 3.5 requests
        acting_user=None,
    )
    return services.allocation_approve(allocation=allocation, acting_user=None)


def _race(allocation: Allocation, *, before: Callable[[], None], **hazards) -> list[str]:
    """Run THREADS reservations at once; return each thread's outcome."""
    outcomes: list[str] = []
    lock = threading.Lock()

    def reserve() -> None:
        try:
            before()
            services.reservation_create(
                allocation=allocation,
                persons=PERSONS_EACH,
                first_month=Month(2025, 1),
                acting_user=None,
                **hazards,
            )
            result = "reserved"
        except services.BudgetExhausted:
            result = "exhausted"
        except Exception as exc:  # any other failure is shown by the assertion on outcomes
            result = f"error: {exc!r}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=reserve) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_without_the_lock_the_pagu_is_overrun(pagu):
    # Every thread checks the free money, then waits until all have checked, then writes:
    # the interleaving two operators hit when they press "Reservasi" at the same moment.
    checked = threading.Barrier(THREADS, timeout=20)
    outcomes = _race(
        pagu,
        before=lambda: None,
        _unsafe_skip_lock=True,
        _after_check=checked.wait,
    )
    reserved = selectors.allocation_reserved(allocation_id=pagu.pk)
    assert outcomes.count("reserved") == THREADS, outcomes
    assert reserved == THREADS * PERSONS_EACH * PER_PERSON_YEAR
    assert reserved > pagu.pagu  # the hazard the lock exists for


def test_with_the_lock_the_pagu_is_never_exceeded(pagu):
    start = threading.Barrier(THREADS, timeout=20)
    outcomes = _race(
        pagu,
        before=start.wait,
        # Hold the lock a little after the check: without the lock this would let the
        # others read the same free money; with it they queue on the pagu row.
        _after_check=lambda: time.sleep(0.05),
    )
    reserved = selectors.allocation_reserved(allocation_id=pagu.pk)
    assert sorted(outcomes) == ["exhausted"] * (THREADS - FITTING) + ["reserved"] * FITTING
    assert reserved == FITTING * PERSONS_EACH * PER_PERSON_YEAR
    assert reserved <= pagu.pagu
    assert Reservation.objects.filter(allocation=pagu).count() == FITTING
