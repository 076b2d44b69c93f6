"""The demo step: bills and payments for the history, one unpaid month, one discrepancy;
nothing at all when the demo has no memberships yet."""

from __future__ import annotations

import datetime as dt

import pytest

from jamsos.contributions.demo import demo_step_bills
from jamsos.contributions.models import Bill, Discrepancy, Payment, StatementImport
from jamsos.demo.services import DEMO_STEPS, DemoContext
from jamsos.testing.factories import region

pytestmark = pytest.mark.django_db


def context(personas) -> DemoContext:
    ctx = DemoContext(seed=1, people=10, as_of=dt.date(2025, 6, 15), regency=region("13.03"))
    ctx.users = {"bpjs": personas.bpjs_officer, "operator": personas.dinas_operator}
    return ctx


def test_registered_after_the_persons_step():
    names = [name for name, _step in DEMO_STEPS]
    assert names.index("bills") > names.index("persons")
    assert dict(DEMO_STEPS)["bills"] is demo_step_bills


def test_nothing_without_memberships(personas):
    assert demo_step_bills(context(personas)) == 0
    assert not Bill.objects.exists()


def test_history_with_one_unpaid_month_and_one_discrepancy(
    personas, apbd, apb_nagari, make_members
):
    make_members(6, apbd, first="2025-01", last="2025-12")
    make_members(3, apb_nagari, first="2025-03", last="2025-12")
    assert demo_step_bills(context(personas)) > 0
    assert Bill.objects.filter(funding_source=apbd).count() == 6
    assert Bill.objects.filter(funding_source=apb_nagari).count() == 4
    june = Bill.objects.filter(first_month=dt.date(2025, 6, 1))
    assert set(june.values_list("status", flat=True)) == {Bill.Status.ISSUED}
    earlier = Bill.objects.exclude(first_month=dt.date(2025, 6, 1))
    assert set(earlier.values_list("status", flat=True)) <= {"paid", "reconciled"}
    assert Payment.objects.count() == earlier.count()
    assert all(p.created_by == personas.dinas_operator for p in Payment.objects.all())
    statement = StatementImport.objects.get()
    assert (statement.first_month, statement.last_month) == (
        dt.date(2025, 3, 1),
        dt.date(2025, 5, 1),
    )
    (discrepancy,) = Discrepancy.objects.all()
    assert discrepancy.kind == Discrepancy.Kind.MISSING
    assert discrepancy.status == Discrepancy.Status.OPEN
    assert discrepancy.their_amount == discrepancy.our_amount - 16_800
    assert Bill.objects.filter(status=Bill.Status.RECONCILED).exists()


def test_non_asn_pu_members_are_billed_in_the_demo(personas, apbd, make_members):
    """Issue 9: the demo shows a PU member billed (wage × risk rates)."""
    from jamsos.contributions.models import BillLine, BillMonth
    from jamsos.enrollment.models import Membership
    from jamsos.testing.factories import PersonFactory

    make_members(4, apbd, first="2025-01", last="2025-12")
    ctx = context(personas)
    ctx.persons = PersonFactory.create_batch(2, village=region("13.03.03.2001"))
    assert demo_step_bills(ctx) > 0
    pu = Membership.objects.filter(segment="pu").order_by("pk")
    assert [(m.wage, m.risk_group) for m in pu] == [
        (2_250_000, "sangat_rendah"),
        (2_500_000, "sangat_rendah"),
    ]
    june = BillMonth.objects.get(
        bill__first_month=dt.date(2025, 6, 1), segment="pu", wage=2_250_000
    )
    # 0.24 % × 2,250,000 = 5,400; 0.30 % = 6,750.
    assert (june.jkk, june.jkm, june.per_person_month) == (5_400, 6_750, 12_150)
    assert BillLine.objects.filter(membership=pu[0]).count() == 6  # Jan–Jun 2025
