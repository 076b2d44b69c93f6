"""PostgreSQL: bill lines live in one partition per month; results unchanged."""

from __future__ import annotations

import pytest
from django.db import connection

from jamsos.contributions import services
from jamsos.contributions.models import BillLine
from jamsos.contributions.partitions import DEFAULT_PARTITION, line_partitions_ensure
from jamsos.lib.periods import Month

pytestmark = pytest.mark.django_db


def rows_in(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions: PostgreSQL only")
def test_each_billed_month_gets_its_partition_and_strays_move_in(sijunjung, apbd, make_members):
    members = make_members(40, apbd, first="2025-01", last="2025-12")
    services.billing_run(regency=sijunjung, month=Month(2025, 1), acting_user=None)
    assert rows_in("contributions_billline_m202501") == 40
    assert rows_in(DEFAULT_PARTITION) == 0
    # a line written outside the billing run (demo data) lands in the default partition …
    bill = BillLine.objects.first().bill
    BillLine.objects.create(
        bill=bill, membership=members[0], month=Month(2025, 2).first_day(), amount=1
    )
    assert rows_in(DEFAULT_PARTITION) == 1
    # … and moves to its month's table when the month is billed; it is not billed twice
    result = services.billing_run(regency=sijunjung, month=Month(2025, 2), acting_user=None)
    assert rows_in(DEFAULT_PARTITION) == 0
    assert rows_in("contributions_billline_m202502") == 40
    assert result.lines_added == 39
    assert line_partitions_ensure([Month(2025, 2)]) == []  # idempotent
    # prepaying three months makes three partitions; a rerun adds nothing
    services.billing_run(regency=sijunjung, month=Month(2025, 3), months=3, acting_user=None)
    for name in ("m202503", "m202504", "m202505"):
        assert rows_in(f"contributions_billline_{name}") == 40
    rerun = services.billing_run(
        regency=sijunjung, month=Month(2025, 3), months=3, acting_user=None
    )
    assert rerun.lines_added == 0
    assert BillLine.objects.count() == 40 * 5
    assert BillLine.objects.filter(membership=members[0]).count() == 5
