"""The decree line count summary stays exact when writers run at once (PostgreSQL).

Like ``test_membership_counts_concurrency``: the triggers on ``enrollment_decreeline``
add each statement's counts with one ``INSERT … ON CONFLICT DO UPDATE`` in key order.
Four writers add lines to one decree and record BPJS results for some of them (moving
them between groups: accepted, rejected with a reason) at once, each holding its
transaction open a while after writing, as BPJS officers recording one decree's results
do; the summary then equals a full recount. SQLite serialises writers: no race there.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.db.models import Count
from django.utils import timezone

from jamsos.accounts.roles import Role
from jamsos.budget import services as budget
from jamsos.budget.models import FundingSource
from jamsos.budget.tests.test_concurrency import _minimal_reference_data
from jamsos.enrollment.models import Decree, DecreeLine, DecreeLineCount, RejectionReason
from jamsos.regions.models import Region
from jamsos.testing.factories import PersonFactory, UserFactory

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite serialises writers: no race"
    ),
]

THREADS = 4
EACH = 25
GROUP = ("decree_id", "village_id", "action", "bpjs_status", "bpjs_reason_code")


@pytest.fixture
def setting(restore_reference_data, transactional_db):
    if not Region.objects.filter(pk="13.03.03.2001").exists():
        _minimal_reference_data()
    sijunjung = Region.objects.get(pk="13.03")
    year = budget.fiscal_year_create(region=sijunjung, year=2025, acting_user=None)
    source = budget.funding_source_create(
        region=sijunjung, kind=FundingSource.Kind.APBD, name="APBD", acting_user=None
    )
    operator = UserFactory(role=Role.DINAS_OPERATOR)
    decree = Decree.objects.create(
        region=sijunjung,
        fiscal_year=year,
        title="Penetapan penerima bantuan iuran tahap I",
        first_month=dt.date(2025, 1, 1),
        last_month=dt.date(2025, 12, 1),
        status=Decree.Status.ISSUED,
        number="188.45/12/KPTS-BPT-2025",
        decree_date=dt.date(2024, 12, 20),
        created_by=operator,
        issued_by=operator,
        issued_at=timezone.now(),
    )
    village = Region.objects.get(pk="13.03.03.2001")
    persons = PersonFactory.create_batch(THREADS * EACH, village=village)
    return decree, source, village, persons


def _stored() -> dict[tuple, int]:
    rows = DecreeLineCount.objects.filter(n__gt=0).values_list(*GROUP, "n")
    return {tuple(row[:-1]): row[-1] for row in rows}


def _recounted() -> dict[tuple, int]:
    rows = DecreeLine.objects.values_list(*GROUP).annotate(n=Count("pk")).order_by()
    return {tuple(row[:-1]): row[-1] for row in rows}


def test_concurrent_writers_keep_the_line_counts_exact(setting):
    decree, source, village, persons = setting
    start = threading.Barrier(THREADS, timeout=30)
    errors: list[str] = []

    def write(number: int, chunk) -> None:
        try:
            start.wait()
            with transaction.atomic():
                lines = DecreeLine.objects.bulk_create(
                    DecreeLine(
                        decree=decree,
                        line_no=number * EACH + i + 1,
                        person=person,
                        nik=person.nik,
                        full_name=person.full_name,
                        birth_date=person.birth_date,
                        sex=person.sex,
                        village=village,
                        occupation="Petani",
                        funding_source=source,
                        first_month=decree.first_month,
                        last_month=decree.last_month,
                    )
                    for i, person in enumerate(chunk)
                )
                ids = [line.pk for line in lines]
                # BPJS's results for most of them, in the same transaction.
                DecreeLine.objects.filter(pk__in=ids[: EACH // 2]).update(
                    bpjs_status=DecreeLine.BpjsStatus.ACCEPTED
                )
                DecreeLine.objects.filter(pk__in=ids[EACH // 2 : EACH - 5]).update(
                    bpjs_status=DecreeLine.BpjsStatus.REJECTED,
                    bpjs_reason_code=RejectionReason.NIK_UNKNOWN,
                )
                time.sleep(0.2)  # hold the transaction open: the others write meanwhile
        except Exception as exc:  # shown by the assertion on errors
            errors.append(repr(exc))
        finally:
            connections.close_all()

    chunks = [persons[i * EACH : (i + 1) * EACH] for i in range(THREADS)]
    threads = [threading.Thread(target=write, args=(i, c)) for i, c in enumerate(chunks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    stored = _stored()
    assert stored == _recounted()
    assert sorted(stored.values()) == sorted(
        [THREADS * (EACH // 2), THREADS * (EACH - 5 - EACH // 2), THREADS * 5]
    )
