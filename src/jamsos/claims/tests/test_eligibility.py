"""Eligibility at the event date, and the paid-months seam to the contributions app."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jamsos.claims import eligibility
from jamsos.claims.eligibility import ChildInfo, claim_eligibility, contribution_months
from jamsos.claims.tests.conftest import day_in, months_ago
from jamsos.enrollment.models import Membership
from jamsos.lib.periods import Month

pytestmark = pytest.mark.django_db


def check(membership, claim_type="jkm", event_date=None, **kwargs):
    return claim_eligibility(
        membership=membership,
        claim_type=claim_type,
        event_date=event_date or day_in(months_ago(1)),
        **kwargs,
    )


def test_an_active_paid_membership_is_eligible(membership):
    result = check(membership)
    assert result.eligible
    assert result.findings == ()
    assert result.months_paid == 48  # 48 months ago .. last month, inclusive


# --- The seam -----------------------------------------------------------------------------


def test_fallback_counts_covered_months_of_active_memberships_only(make_membership):
    first = months_ago(5)
    active = make_membership(first=first)
    assert contribution_months(active, until=Month.current()) == 6
    pending = make_membership(first=first, status=Membership.Status.PENDING)
    lapsed = make_membership(first=first, status=Membership.Status.LAPSED)
    assert eligibility.paid_months(pending) == frozenset()
    assert eligibility.paid_months(lapsed) == frozenset()


def test_a_contributions_selector_is_used_when_it_exists(monkeypatch, membership):
    paid_only = [months_ago(3).first_day(), months_ago(2)]  # dates and Months both accepted
    monkeypatch.setattr(eligibility, "_contributions_source", lambda: lambda m: paid_only)
    assert eligibility.paid_months(membership) == {months_ago(3), months_ago(2)}
    result = check(membership, event_date=day_in(months_ago(1)))
    assert "month_not_paid" in result.codes()
    assert result.months_paid == 2


def test_billed_months_count_only_when_their_bill_is_settled(monkeypatch, make_membership):
    membership = make_membership(first=months_ago(3))
    billed = {months_ago(1): False, months_ago(2): True}
    monkeypatch.setattr(eligibility, "_contributions_source", lambda: None)
    monkeypatch.setattr(eligibility, "_billed_months", lambda m: billed)
    # Months never billed here (3 months ago, this month) fall back to coverage.
    assert eligibility.paid_months(membership) == {months_ago(3), months_ago(2), Month.current()}
    assert "month_not_paid" in check(membership, event_date=day_in(months_ago(1))).codes()


# --- Membership rules -------------------------------------------------------------------------


def test_pending_membership_is_not_eligible(make_membership):
    result = check(make_membership(status=Membership.Status.PENDING))
    assert {"membership_pending", "month_not_paid"} <= set(result.codes())
    assert not result.eligible


def test_event_outside_coverage(make_membership):
    membership = make_membership(first=months_ago(2))
    result = check(membership, event_date=day_in(months_ago(4)))
    assert "membership_not_covering" in result.codes()
    assert "month_not_paid" in result.codes()


def test_jkk_claim_needs_jkk_cover(make_membership):
    membership = make_membership(programmes=("jkm",))
    result = check(membership, claim_type="jkk_medical", event_time=dt.time(8, 0))
    assert "programme_not_covered" in result.codes()
    assert check(membership, claim_type="jkm").eligible


def test_event_in_the_future_is_an_error(membership):
    result = check(membership, event_date=timezone.localdate() + dt.timedelta(days=1))
    assert "event_in_future" in result.codes()


# --- JKM: fewer than three months --------------------------------------------------------------


@pytest.mark.parametrize(("since", "short"), [(1, True), (2, False)])
def test_jkm_with_fewer_than_three_months_is_a_warning(make_membership, since, short):
    # first month `since` months before the event month: since + 1 months paid
    event_month = months_ago(1)
    membership = make_membership(first=event_month - since)
    result = check(membership, event_date=day_in(event_month))
    assert result.eligible  # Rp 10 M is still paid
    assert ("jkm_short_membership" in result.codes()) is short
    assert result.months_paid == since + 1


# --- Scholarship: three years after a death not from work ---------------------------------


@pytest.mark.parametrize(("months", "ok"), [(35, False), (36, True)])
def test_beasiswa_after_jkm_death_needs_three_years(make_membership, months, ok):
    event_month = months_ago(1)
    membership = make_membership(first=event_month - (months - 1))
    children = [ChildInfo("Anak", dt.date(2015, 1, 1), "smp")]
    result = check(
        membership,
        claim_type="beasiswa",
        event_date=day_in(event_month),
        origin="jkm",
        children=children,
    )
    assert ("beasiswa_min_contribution" in result.codes()) is not ok
    assert result.eligible is ok


def test_beasiswa_after_work_accident_has_no_minimum(make_membership):
    membership = make_membership(first=months_ago(1))
    children = [ChildInfo("Anak", dt.date(2015, 1, 1), "tk_sd")]
    result = check(membership, claim_type="beasiswa", origin="jkk_death", children=children)
    assert result.eligible


def test_beasiswa_children_limits(membership):
    today = timezone.localdate()
    children = [
        ChildInfo("Satu", dt.date(2012, 1, 1), "sma"),
        ChildInfo("Dua", dt.date(2014, 1, 1), "smp"),
        ChildInfo("Tiga", today.replace(year=today.year - 23), "pt"),
    ]
    result = check(membership, claim_type="beasiswa", origin="jkm", children=children)
    assert {"beasiswa_too_many_children", "beasiswa_child_too_old"} <= set(result.codes())
    assert result.eligible  # warnings only
    assert "beasiswa_no_children" in check(membership, claim_type="beasiswa", origin="jkm").codes()


# --- JKK deadlines ------------------------------------------------------------------------------


def test_accident_reported_after_two_times_24_hours_is_flagged(membership):
    event = timezone.localdate() - dt.timedelta(days=5)
    reported = timezone.make_aware(dt.datetime.combine(event, dt.time(9, 0))) + dt.timedelta(
        hours=49
    )
    late = check(
        membership,
        claim_type="jkk_medical",
        event_date=event,
        event_time=dt.time(9, 0),
        reported_at=reported,
    )
    assert "jkk_report_late" in late.codes()
    assert late.eligible  # a warning: BPJS decides
    on_time = check(
        membership,
        claim_type="jkk_medical",
        event_date=event,
        event_time=dt.time(9, 0),
        reported_at=reported - dt.timedelta(hours=2),
    )
    assert "jkk_report_late" not in on_time.codes()


def test_without_a_time_the_event_counts_from_the_end_of_its_day(membership):
    event = timezone.localdate() - dt.timedelta(days=5)
    reported = timezone.make_aware(dt.datetime.combine(event, dt.time(23, 0))) + dt.timedelta(
        hours=48
    )
    assert (
        "jkk_report_late"
        not in check(
            membership, claim_type="jkk_stmb", event_date=event, reported_at=reported
        ).codes()
    )


def test_jkk_right_lapses_after_five_years(make_membership):
    today = timezone.localdate()
    event = dt.date(today.year - 5, today.month, 1)
    membership = make_membership(first=Month.from_date(event) - 1)
    reported = timezone.now()
    expired = check(
        membership, claim_type="jkk_disability", event_date=event - dt.timedelta(days=1),
        reported_at=reported,
    )  # fmt: skip
    assert "jkk_claim_expired" in expired.codes()
    assert not expired.eligible
    in_time = check(
        membership,
        claim_type="jkk_disability",
        event_date=event,
        reported_at=timezone.make_aware(
            dt.datetime.combine(event.replace(year=event.year + 5), dt.time(12))
        ),
    )
    assert "jkk_claim_expired" not in in_time.codes()


def test_the_seam_reads_the_contributions_bill_lines(make_membership):
    """With the contributions app's real models: settled bills count, open ones do not."""
    from django.apps import apps

    if not apps.is_installed("jamsos.contributions"):
        pytest.skip("contributions app not installed")
    bill_model = apps.get_model("contributions", "Bill")
    line_model = apps.get_model("contributions", "BillLine")
    membership = make_membership(first=months_ago(3))
    for offset, status in ((2, bill_model.Status.PAID), (1, bill_model.Status.ISSUED)):
        month = months_ago(offset)
        bill = bill_model.objects.create(
            number=f"UJI/{month}",
            regency_id="13.03",
            region_id="13.03",
            funding_source=membership.funding_source,
            first_month=month.first_day(),
            last_month=month.first_day(),
            status=status,
        )
        line_model.objects.create(
            bill=bill, membership=membership, month=month.first_day(), amount=16_800
        )
    paid = eligibility.paid_months(membership)
    assert months_ago(2) in paid  # billed and paid
    assert months_ago(1) not in paid  # billed, not paid yet
    assert months_ago(3) in paid  # never billed here: coverage
    result = check(membership, event_date=day_in(months_ago(1)))
    assert "month_not_paid" in result.codes()
