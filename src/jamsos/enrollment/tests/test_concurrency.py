"""Two decrees from two different pagu can never cover one person twice (STYLE.md §22).

The budget's check for a person reserved twice runs under one pagu's lock, so two
reservations of the same person against two pagu at once both pass. The decree draft
closes that gap by locking the persons' rows before its coverage check. PostgreSQL only:
SQLite serialises writers and ``select_for_update`` is a no-op there. Transactional tests
empty the tables; the module fixture puts the migration-loaded data back afterwards.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections

from jamsos.accounts.roles import Role
from jamsos.budget import services as budget
from jamsos.budget.models import FundingSource
from jamsos.budget.tests.test_concurrency import _minimal_reference_data
from jamsos.enrollment import services
from jamsos.enrollment.models import DecreeLine
from jamsos.lib.periods import Month
from jamsos.regions.models import Region
from jamsos.testing.factories import AgencyFactory, PersonFactory, UserFactory

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks (SELECT … FOR UPDATE) need PostgreSQL; SQLite serialises writers",
    ),
]

THREADS = 4


@pytest.fixture
def setting(restore_reference_data, transactional_db):
    """One person and THREADS one-person reservations, each on a pagu of its own (a
    count-only reservation does not name anyone: the decree does)."""
    if not Region.objects.filter(pk="13.03.03.2001").exists():
        _minimal_reference_data()
    sijunjung = Region.objects.get(pk="13.03")
    operator = UserFactory(
        username="c_operator",
        role=Role.DINAS_OPERATOR,
        agency=AgencyFactory(code="c-dinas", region=sijunjung),
    )
    person = PersonFactory(village=Region.objects.get(pk="13.03.03.2001"))
    year = budget.fiscal_year_create(region=sijunjung, year=2025, acting_user=None)
    reservations = []
    for n in range(THREADS):
        source = budget.funding_source_create(
            region=sijunjung,
            kind=FundingSource.Kind.CSR,
            name=f"CSR {n}",
            company=f"PT {n}",
            acting_user=None,
        )
        pagu = budget.allocation_approve(
            allocation=budget.allocation_create(
                fiscal_year=year,
                source=source,
                name=f"Pagu {n}",
                pagu=10_000_000,
                acting_user=None,
            ),
            acting_user=None,
        )
        reservations.append(
            budget.reservation_create(
                allocation=pagu,
                persons=1,
                first_month=Month(2025, 1),
                months=12,
                acting_user=None,
            )
        )
    return operator, person, reservations


def _race(operator, person, reservations, *, before, **hazards) -> list[str]:
    outcomes: list[str] = []
    guard = threading.Lock()

    def draft(reservation) -> None:
        try:
            before()
            services.decree_draft_from_reservation(
                reservation=reservation, persons=[person], acting_user=operator, **hazards
            )
            result = "drafted"
        except services.AlreadyCovered:
            result = "covered"
        except Exception as exc:  # shown by the assertion on outcomes
            result = f"error: {exc!r}"
        finally:
            connections.close_all()
        with guard:
            outcomes.append(result)

    threads = [threading.Thread(target=draft, args=(r,)) for r in reservations]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_without_the_person_lock_one_person_lands_in_every_decree(setting):
    operator, person, reservations = setting
    checked = threading.Barrier(THREADS, timeout=20)
    outcomes = _race(
        operator,
        person,
        reservations,
        before=lambda: None,
        _unsafe_skip_lock=True,
        _after_check=checked.wait,
    )
    assert outcomes.count("drafted") == THREADS, outcomes
    assert DecreeLine.objects.filter(person=person).count() == THREADS  # the hazard


def test_with_the_person_lock_exactly_one_decree_names_the_person(setting):
    operator, person, reservations = setting
    start = threading.Barrier(THREADS, timeout=20)
    outcomes = _race(
        operator, person, reservations, before=start.wait, _after_check=lambda: time.sleep(0.05)
    )
    assert sorted(outcomes) == ["covered"] * (THREADS - 1) + ["drafted"], outcomes
    assert DecreeLine.objects.filter(person=person).count() == 1
