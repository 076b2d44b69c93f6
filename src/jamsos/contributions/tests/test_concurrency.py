"""Two billing runs of the same month at once create one set of bills (STYLE.md §22).

Cron starts ``bill_month`` while an operator presses "Hitung tagihan": both plan the
same unbilled memberships. Without the lock both go on to create the month's bills and
the second crashes on the unique constraint (the database's last line of defence);
with the lock the second waits, then finds everything billed and creates nothing.

PostgreSQL only: SQLite serialises writers for the whole database and ignores
``select_for_update``. Each test rebuilds what it needs, because a transactional test's
teardown empties every table; the module fixture puts the migration data back after.
"""

from __future__ import annotations

import importlib
import threading
import time

import pytest
from django.apps import apps as django_apps
from django.db import connection, connections

from jamsos.budget import services as budget_services
from jamsos.budget.models import FundingSource
from jamsos.contributions import services
from jamsos.contributions.models import Bill, BillLine
from jamsos.enrollment.models import Membership
from jamsos.lib.periods import Month
from jamsos.regions.models import Region
from jamsos.registry.models import Occupation
from jamsos.testing.factories import PersonFactory

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks (SELECT … FOR UPDATE) need PostgreSQL; SQLite serialises writers",
    ),
]

RUNS = 2
MEMBERS = 30
WINDOW = 0.5  # seconds between planning and writing: wide enough for the other run

REGIONS = [
    ("13", "Sumatera Barat", "province", "provinsi", None),
    ("13.03", "Kabupaten Sijunjung", "regency", "kabupaten", "13"),
    ("13.03.03", "Tanjung Gadang", "district", "kecamatan", "13.03"),
    ("13.03.03.2001", "Timbulun", "village", "nagari", "13.03.03"),
]


@pytest.fixture
def sources(restore_reference_data, transactional_db) -> list[FundingSource]:
    """Sijunjung's APBD and Timbulun's APB Nagari, 30 members each."""
    if not Region.objects.filter(pk="13.03.03.2001").exists():
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
        # Billing reads the prepayment choices from their rule row (regulation data).
        prepayment = importlib.import_module(
            "jamsos.contributions.migrations.0007_seed_prepayment_unconfirm_news_rates"
        )
        prepayment.seed_prepayment(django_apps)
    Occupation.objects.get_or_create(code="petani", defaults={"name": "Petani"})
    sijunjung = Region.objects.get(pk="13.03")
    made = [
        budget_services.funding_source_create(
            region=sijunjung, kind=FundingSource.Kind.APBD, name="APBD", acting_user=None
        ),
        budget_services.funding_source_create(
            region=sijunjung,
            kind=FundingSource.Kind.APB_NAGARI,
            name="APB Nagari Timbulun",
            nagari=Region.objects.get(pk="13.03.03.2001"),
            acting_user=None,
        ),
    ]
    for source in made:
        Membership.objects.bulk_create(
            Membership(
                person=person,
                segment="bpu",
                programmes=["jkk", "jkm"],
                funding_source=source,
                village_id="13.03.03.2001",
                first_month=Month(2025, 1).first_day(),
                last_month=Month(2025, 12).first_day(),
                status=Membership.Status.ACTIVE,
            )
            for person in PersonFactory.create_batch(MEMBERS)
        )
    return made


def _race(**hazards) -> list[str]:
    """Start RUNS billing runs of March 2025 together; return each one's outcome."""
    regency = Region.objects.get(pk="13.03")
    start = threading.Barrier(RUNS, timeout=20)
    outcomes: list[str] = []
    lock = threading.Lock()

    def bill() -> None:
        try:
            start.wait()
            result = services.billing_run(
                regency=regency,
                month=Month(2025, 3),
                acting_user=None,
                _after_plan=lambda: time.sleep(WINDOW),
                **hazards,
            )
            outcome = f"created {result.created}"
        except Exception as exc:  # shown by the assertion on outcomes
            outcome = f"error: {type(exc).__name__}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=bill) for _ in range(RUNS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes)


def test_without_the_lock_both_runs_try_to_create_the_bills(sources):
    outcomes = _race(_unsafe_skip_lock=True)
    # Both planned the same memberships as unbilled; the second to write hits the unique
    # (source, month) constraint and fails: a crashed cron job or an operator's error page.
    assert outcomes == ["created 2", "error: IntegrityError"], outcomes
    assert Bill.objects.count() == 2  # the constraint kept the truth
    assert BillLine.objects.count() == 2 * MEMBERS


def test_with_the_lock_the_second_run_creates_nothing(sources):
    outcomes = _race()
    assert outcomes == ["created 0", "created 2"], outcomes
    assert Bill.objects.count() == 2
    assert BillLine.objects.count() == 2 * MEMBERS
    assert sorted(Bill.objects.values_list("total", flat=True)) == [MEMBERS * 16_800] * 2
