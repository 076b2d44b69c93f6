"""Dashboard figures, stage clocks and the "claims paid" figures for transparency."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jamsos.claims import selectors, services
from jamsos.claims.models import Claim, ClaimTransition
from jamsos.claims.tests.conftest import OTHER_KECAMATAN_NAGARI, day_in, months_ago, walk
from jamsos.enrollment.models import Membership
from jamsos.lib.periods import Month

pytestmark = pytest.mark.django_db
Status = Claim.Status


@pytest.fixture
def three_claims(personas, make_membership):
    """A paid JKM in Tanjung Gadang, a reported JKK death there, a paid JKM in Sijunjung."""

    def report(village, claim_type):
        return services.claim_report(
            membership=make_membership(village=village),
            claim_type=claim_type,
            event_date=day_in(months_ago(1)),
            # A death benefit is paid to an heir of the claim.
            heirs=[services.HeirData(full_name="Ahli Waris", relationship="spouse")],
            acting_user=personas.dinas_operator,
        )

    paid = walk(report("13.03.03.2001", "jkm"), personas, Status.PAID)
    open_claim = report("13.03.03.2002", "jkk_death")
    other = walk(report(OTHER_KECAMATAN_NAGARI, "jkm"), personas, Status.PAID)
    return paid, open_claim, other


def test_dashboard_counts_and_amounts(personas, three_claims):
    board = selectors.claim_dashboard(viewer=personas.dinas_head)
    assert board.totals["claims"] == 3
    assert board.totals["paid"] == 84_000_000
    assert board.totals["paid_claims"] == 2
    assert board.totals["open"] == 1
    by_type = {row["claim_type"]: row for row in board.by_type}
    assert (by_type["jkm"]["claims"], by_type["jkm"]["paid"]) == (2, 84_000_000)
    assert by_type["jkk_death"]["claims"] == 1
    by_status = {row["status"]: row["claims"] for row in board.by_status}
    assert by_status == {"paid": 2, "reported": 1}
    by_district = {row["village__parent_id"]: row["claims"] for row in board.by_district}
    assert by_district == {"13.03.03": 2, "13.03.04": 1}


def test_dashboard_is_scoped(personas, three_claims):
    assert selectors.claim_dashboard(viewer=personas.kecamatan_operator).totals["claims"] == 2
    assert selectors.claim_dashboard(viewer=personas.agent).totals["claims"] == 1
    assert selectors.claim_dashboard(viewer=personas.outsider).totals["claims"] == 0
    assert selectors.claim_dashboard(viewer=personas.dprd).totals["claims"] == 3


def test_stage_averages_per_stage_and_agency(personas, three_claims):
    paid, _, other = three_claims
    # Make the BPJS review of one claim take 2 days and of the other 4 days.
    for claim, days in ((paid, 2), (other, 4)):
        review = ClaimTransition.objects.get(claim=claim, to_status=Status.UNDER_REVIEW)
        for offset, status in enumerate((Status.APPROVED, Status.PAID)):
            ClaimTransition.objects.filter(claim=claim, to_status=status).update(
                at=review.at + dt.timedelta(days=days, seconds=offset)
            )
    board = selectors.claim_dashboard(viewer=personas.dinas_head)
    review = next(s for s in board.stages if s.status == Status.UNDER_REVIEW)
    assert review.claims == 2
    assert review.average_days == 3.0
    bpjs = next(row for row in board.by_agency if row.agency == "BPJS Ketenagakerjaan Cabang Solok")
    assert bpjs.cells[Status.UNDER_REVIEW].average_seconds == 3 * 86400


def test_dashboard_query_count_does_not_grow_with_claims(personas, three_claims):
    with CaptureQueriesContext(connection) as few:
        selectors.claim_dashboard(viewer=personas.dinas_head)
    assert len(few) <= 6


def test_clocks_name_who_held_each_stage(personas, jkm_claim):
    claim = walk(jkm_claim, personas, Status.SUBMITTED)
    clocks = selectors.claim_stage_clocks(claim=claim)
    assert [c.status for c in clocks] == [
        "reported",
        "documents_complete",
        "submission_prepared",
        "submitted",
    ]
    assert clocks[0].agency == "Disnakertrans Sijunjung"  # the operator closed the report stage
    assert clocks[-1].running
    assert clocks[-1].waiting_for.startswith("BPJS")
    assert not clocks[0].running


def test_claims_paid_by_month_by_funder_and_kecamatan(personas, three_claims):
    _paid, _open, other = three_claims
    last_month = months_ago(1)
    Claim.objects.filter(pk=other.pk).update(payout_date=day_in(last_month, 20))
    rows = selectors.claims_paid_by_month(region_code="13.03")
    assert [(r.month, r.district_code, r.claims, r.amount, r.funding_kind) for r in rows] == [
        (Month.from_date(day_in(last_month, 20)), "13.03.04", 1, 42_000_000, "apbd"),
        (Month.current(), "13.03.03", 1, 42_000_000, "apbd"),
    ]
    assert rows[0].funding_source_name == "APBD Sijunjung"
    this_month = selectors.claims_paid_by_month(first=Month.current(), last=Month.current())
    assert [r.district_code for r in this_month] == ["13.03.03"]
    assert selectors.claims_paid_by_month(region_code="13.71") == []
    assert selectors.claims_paid_total(region_code="13.03") == (2, 84_000_000)
    assert selectors.claims_paid_total(viewer=personas.kecamatan_operator) == (1, 42_000_000)


def test_paid_totals_ignore_claims_not_yet_paid(personas, jkm_claim):
    walk(jkm_claim, personas, Status.APPROVED)
    assert selectors.claims_paid_total() == (0, 0)
    assert timezone.localdate()  # payout dates are local dates


def test_bpu_benefits_follow_the_contribution_paid_not_the_typed_income(personas, make_membership):
    """Issue 9: bills charge the lowest bracket (Rp 16,800) while the proposer typed
    Rp 3,000,000; a JKK death was estimated at 48 × 3 M + 22 M = Rp 166 M. The base is the
    bracket the membership pays for: 48 × Rp 1,000,000 + Rp 12 M + Rp 10 M."""
    from jamsos.budget.models import IncomeBracket
    from jamsos.contributions.models import BillLine
    from jamsos.contributions.services.billing import billing_run

    membership = make_membership(declared_income=3_000_000)
    event = months_ago(1)
    result = billing_run(
        regency=membership.funding_source.region,
        month=event,
        acting_user=personas.dinas_operator,
    )
    lowest = IncomeBracket.objects.order_by("declared_income").first()
    line = BillLine.objects.get(membership=membership, month=event.first_day())
    assert line.amount == 16_800 == lowest.declared_income // 100 + 6_800
    assert result.total == 16_800
    claim = services.claim_report(
        membership=membership,
        claim_type="jkk_death",
        event_date=day_in(event),
        income=3_000_000,
        acting_user=personas.dinas_operator,
    )
    estimate = selectors.claim_estimate(claim=claim)
    assert estimate.inputs["income"] == lowest.declared_income == 1_000_000
    assert estimate.total == 48 * 1_000_000 + 12_000_000 + 10_000_000 == 70_000_000
    assert any("Rp 3.000.000" in note and "tidak dipakai" in note for note in estimate.notes)


def test_a_pu_benefit_follows_the_wage_on_the_membership(personas, make_membership):
    membership = make_membership()
    Membership.objects.filter(pk=membership.pk).update(
        segment="pu", wage=2_500_000, risk_group="sangat_rendah"
    )
    membership.refresh_from_db()
    claim = services.claim_report(
        membership=membership,
        claim_type="jkk_death",
        event_date=day_in(months_ago(1)),
        income=9_000_000,
        acting_user=personas.dinas_operator,
    )
    estimate = selectors.claim_estimate(claim=claim)
    assert estimate.inputs["income"] == 2_500_000
    assert estimate.total == 48 * 2_500_000 + 22_000_000
