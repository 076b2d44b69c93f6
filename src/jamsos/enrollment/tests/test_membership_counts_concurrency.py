"""The membership count summary stays exact when writers run at once (PostgreSQL).

The triggers add each statement's counts with one ``INSERT … ON CONFLICT DO UPDATE`` in
key order: concurrent transactions writing the same groups wait on the group's row and
add to what the other committed, never overwrite it, and cannot deadlock on each other's
groups. Four writers insert into the same groups and move some rows between groups at
once, each holding its transaction open a while after writing; the summary then equals
a full recount. SQLite serialises writers, so there is no race to show there.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection, connections, transaction

from jamsos.budget import services as budget
from jamsos.budget.models import FundingSource, Segment
from jamsos.budget.tests.test_concurrency import _minimal_reference_data
from jamsos.enrollment import selectors
from jamsos.enrollment.models import Membership
from jamsos.regions.models import Region
from jamsos.testing.factories import PersonFactory

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite serialises writers: no race"
    ),
]

THREADS = 4
EACH = 25


@pytest.fixture
def setting(restore_reference_data, transactional_db):
    if not Region.objects.filter(pk="13.03.03.2001").exists():
        _minimal_reference_data()
    sijunjung = Region.objects.get(pk="13.03")
    source = budget.funding_source_create(
        region=sijunjung, kind=FundingSource.Kind.APBD, name="APBD", acting_user=None
    )
    village = Region.objects.get(pk="13.03.03.2001")
    persons = PersonFactory.create_batch(THREADS * EACH, village=village)
    return source, village, persons


def test_concurrent_writers_keep_the_counts_exact(setting):
    source, village, persons = setting
    start = threading.Barrier(THREADS, timeout=30)
    errors: list[str] = []

    def write(chunk) -> None:
        try:
            start.wait()
            with transaction.atomic():
                rows = Membership.objects.bulk_create(
                    Membership(
                        person=person,
                        segment=Segment.BPU,
                        programmes=["jkk", "jkm"],
                        funding_source=source,
                        village=village,
                        first_month=dt.date(2025, 1, 1),
                        last_month=dt.date(2025, 12, 1),
                        status=Membership.Status.ACTIVE,
                    )
                    for person in chunk
                )
                # Move a fifth of them to another group (a lapse), in the same transaction.
                Membership.objects.filter(pk__in=[m.pk for m in rows[: EACH // 5]]).update(
                    status=Membership.Status.LAPSED, last_month=dt.date(2025, 6, 1)
                )
                time.sleep(0.2)  # hold the transaction open: the others write meanwhile
        except Exception as exc:  # shown by the assertion on errors
            errors.append(repr(exc))
        finally:
            connections.close_all()

    chunks = [persons[i * EACH : (i + 1) * EACH] for i in range(THREADS)]
    threads = [threading.Thread(target=write, args=(chunk,)) for chunk in chunks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    stored = selectors.membership_counts_stored()
    assert stored == selectors.membership_counts_computed()
    assert sum(stored.values()) == THREADS * EACH
    assert sorted(stored.values()) == [THREADS * (EACH // 5), THREADS * (EACH - EACH // 5)]
