"""The monthly summary table: each figure against hand-made rows, and the stored rows
equal to a full recomputation after each kind of write of the chain."""

from __future__ import annotations

import datetime as dt

import pytest

from jamsos.claims.tests.conftest import walk
from jamsos.contributions import services as contributions
from jamsos.enrollment.models import Membership
from jamsos.lib.periods import Month
from jamsos.reports.figures import figures_compute, figures_stored
from jamsos.reports.models import MonthlyFigure
from jamsos.reports.services import figures_refresh_year

pytestmark = pytest.mark.django_db

A = "13.03.03.2001"  # Timbulun (Kecamatan Tanjung Gadang)
B = "13.03.04.2001"  # a nagari of Kecamatan Sijunjung


def _active(month: str, village: str, source_id: int) -> int:
    row = MonthlyFigure.objects.filter(
        month=Month.parse(month).first_day(), village_id=village, funding_source_id=source_id
    ).first()
    return row.active if row else 0


def _same_as_full(year: int = 2025) -> None:
    first, last = Month(year, 1), Month(year, 12)
    assert figures_stored(regency_code="13.03", first=first, last=last) == figures_compute(
        regency_code="13.03", first=first, last=last
    )


def test_active_members_at_month_end_from_hand_made_rows(sijunjung, apbd, apb_nagari, make_members):
    make_members(3, apbd, village=A)
    make_members(2, apb_nagari, village=A, first="2025-03")
    make_members(1, apbd, village=B, last="2025-06", status="ended")
    make_members(4, apbd, village=A, status="cancelled")  # never started: not counted
    make_members(2, apbd, village=A, first="2025-11", status="pending")  # not started yet

    # A membership that lapsed in April: the lapse set its last month to March.
    make_members(1, apbd, village=A, last="2025-03", status="lapsed")

    figures_refresh_year(regency_code="13.03", year=2025)

    assert _active("2025-01", A, apbd.pk) == 4
    assert _active("2025-03", A, apbd.pk) == 4
    assert _active("2025-04", A, apbd.pk) == 3  # lapsed mid-month: gone from April
    assert _active("2025-02", A, apb_nagari.pk) == 0
    assert _active("2025-03", A, apb_nagari.pk) == 2
    assert _active("2025-06", B, apbd.pk) == 1
    assert _active("2025-07", B, apbd.pk) == 0
    assert _active("2025-12", A, apbd.pk) == 3
    started = MonthlyFigure.objects.get(
        month=dt.date(2025, 3, 1), village_id=A, funding_source=apb_nagari
    )
    assert started.started == 2
    _same_as_full()


def test_billing_and_payments_keep_the_table_right(
    sijunjung, apbd, make_members, django_capture_on_commit_callbacks
):
    make_members(3, apbd, village=A)
    make_members(1, apbd, village=B)
    figures_refresh_year(regency_code="13.03", year=2025)

    with django_capture_on_commit_callbacks(execute=True):
        run = contributions.billing_run(regency=sijunjung, month=Month(2025, 1), acting_user=None)
    _same_as_full()
    with django_capture_on_commit_callbacks(execute=True):
        bill = contributions.bill_issue(bill=run.bills[0].bill, acting_user=None)
    _same_as_full()
    row_a = MonthlyFigure.objects.get(month=dt.date(2025, 1, 1), village_id=A)
    row_b = MonthlyFigure.objects.get(month=dt.date(2025, 1, 1), village_id=B)
    assert row_a.payable == 3 * row_b.payable > 0
    assert row_a.paid == row_b.paid == 0

    with django_capture_on_commit_callbacks(execute=True):
        contributions.payment_record(
            bill=bill,
            sp2d_number="SP2D-1",
            paid_on=dt.date(2025, 1, 31),
            amount=bill.total // 2,
            treasury_account="RKUD",
            acting_user=None,
        )
    _same_as_full()
    row_a = MonthlyFigure.objects.get(month=dt.date(2025, 1, 1), village_id=A)
    row_b = MonthlyFigure.objects.get(month=dt.date(2025, 1, 1), village_id=B)
    assert row_a.paid + row_b.paid == bill.total // 2  # shared pro rata, exact
    assert row_a.paid == 3 * row_b.paid


def test_a_lapse_refreshes_the_months_it_removed(
    sijunjung, apbd, make_members, django_capture_on_commit_callbacks
):
    (member,) = make_members(1, apbd, village=A)
    figures_refresh_year(regency_code="13.03", year=2025)
    assert _active("2025-10", A, apbd.pk) == 1
    from jamsos.audit.services import audit_record

    with django_capture_on_commit_callbacks(execute=True):
        before = str(Month.from_date(member.last_month))
        Membership.objects.filter(pk=member.pk).update(
            status=Membership.Status.LAPSED, last_month=dt.date(2025, 5, 1)
        )
        audit_record(
            action="contributions.membership.lapsed",
            acting_user=None,
            obj=Membership.objects.get(pk=member.pk),
            before={"status": "active", "last_month": before},
        )
    assert _active("2025-05", A, apbd.pk) == 1
    assert _active("2025-06", A, apbd.pk) == 0
    assert _active("2025-12", A, apbd.pk) == 0
    _same_as_full()


def test_a_rolled_back_write_refreshes_nothing(sijunjung, apbd, make_members):
    make_members(2, apbd, village=A)
    figures_refresh_year(regency_code="13.03", year=2025)
    before = figures_stored(regency_code="13.03", first=Month(2025, 1), last=Month(2025, 12))
    contributions.billing_run(regency=sijunjung, month=Month(2025, 1), acting_user=None)
    # Inside the test's transaction nothing committed: the table is as it was.
    assert (
        figures_stored(regency_code="13.03", first=Month(2025, 1), last=Month(2025, 12)) == before
    )


def test_a_paid_claim_is_counted_in_its_payout_month(
    personas, jkm_claim, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        claim = walk(jkm_claim, personas, "paid")
    month = Month.from_date(claim.payout_date)
    row = MonthlyFigure.objects.get(
        month=month.first_day(),
        village_id=claim.village_id,
        funding_source_id=claim.funding_source_id,
    )
    assert (row.jkm_claims, row.jkm_amount) == (1, claim.payout_amount)
    assert row.jkk_claims == 0
    _same_as_full(month.year)


def test_one_refresh_per_transaction_however_many_events(
    sijunjung, apbd, make_members, django_capture_on_commit_callbacks, monkeypatch
):
    from django.db import transaction

    from jamsos.reports import signal_handlers

    make_members(2, apbd, village=A)
    calls: list[int] = []
    monkeypatch.setattr(signal_handlers, "_refresh_after_commit", lambda e: calls.append(len(e)))
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        run = contributions.billing_run(regency=sijunjung, month=Month(2025, 1), acting_user=None)
        contributions.bill_issue(bill=run.bills[0].bill, acting_user=None)
    assert len(calls) == 1 and calls[0] >= 3  # bill created, billing run, bill issued
    with django_capture_on_commit_callbacks(execute=True):
        contributions.billing_run(regency=sijunjung, month=Month(2025, 2), acting_user=None)
    assert len(calls) == 2  # the next transaction gets its own refresh


def test_funnel_counts_members_whose_first_bill_is_settled(sijunjung, apbd, make_members):
    from jamsos.reports.charts import chart_funnel

    make_members(2, apbd, village=A, first="2025-01")
    make_members(1, apbd, village=A, first="2025-02")
    january = contributions.billing_run(regency=sijunjung, month=Month(2025, 1), acting_user=None)
    bill = contributions.bill_issue(bill=january.bills[0].bill, acting_user=None)
    contributions.payment_record(
        bill=bill,
        sp2d_number="SP2D-9",
        paid_on=dt.date(2025, 1, 31),
        amount=bill.total,
        treasury_account="RKUD",
        acting_user=None,
    )
    february = contributions.billing_run(regency=sijunjung, month=Month(2025, 2), acting_user=None)
    contributions.bill_issue(bill=february.bills[0].bill, acting_user=None)  # not paid
    figures_refresh_year(regency_code="13.03", year=2025)
    funnel, _reasons = chart_funnel(region=sijunjung, year=2025)
    steps = dict(zip(funnel.labels, funnel.datasets[0]["data"], strict=True))
    assert steps["Mulai aktif"] == 3
    assert steps["Iuran pertama lunas"] == 2  # February's starter: bill not paid yet
