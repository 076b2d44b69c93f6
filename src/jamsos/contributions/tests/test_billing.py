"""The billing run: exact sums, idempotent reruns, covered months only, prepayment,
rates from the regulation tables, supplements, audit and budget absorption."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from jamsos.audit.models import AuditEvent
from jamsos.budget import services as budget_services
from jamsos.budget.estimates import cost_estimate
from jamsos.budget.models import Allocation, ContributionRate, Segment
from jamsos.contributions import services
from jamsos.contributions.models import Bill, BillLine, BillMonth
from jamsos.contributions.services import BillingError
from jamsos.enrollment.models import Membership
from jamsos.lib.errors import PermissionDenied
from jamsos.lib.periods import Month
from jamsos.regions.models import Region

pytestmark = pytest.mark.django_db


def rate(month: Month, payer: str = "apbd") -> int:
    """The per-person-month rate, read from the tables like the billing run does."""
    return cost_estimate(persons=1, months=1, start=month, payer=payer).per_person_month


def run(regency, month: str, **kwargs) -> services.BillingResult:
    return services.billing_run(
        regency=regency, month=Month.parse(month), acting_user=None, **kwargs
    )


def test_one_bill_per_source_with_exact_totals(sijunjung, apbd, apb_nagari, make_members):
    make_members(1_333, apbd)
    make_members(100, apb_nagari)
    result = run(sijunjung, "2025-03")
    assert result.created == 2
    by_source = {o.bill.funding_source_id: o.bill for o in result.bills}
    per_month = rate(Month(2025, 3))
    assert per_month == 16_800  # the seed's package, as the tables say today
    assert by_source[apbd.pk].members == 1_333
    assert by_source[apbd.pk].total == 1_333 * per_month == 22_394_400
    assert by_source[apb_nagari.pk].total == 100 * per_month
    assert result.total == 1_433 * per_month
    # the bill total is the sum of its lines, to the rupiah
    for bill in by_source.values():
        assert (
            sum(BillLine.objects.filter(bill=bill).values_list("amount", flat=True)) == bill.total
        )
    # scope: the APB Nagari bill belongs to its nagari, the APBD one to the kabupaten
    assert by_source[apb_nagari.pk].region_id == apb_nagari.nagari_id
    assert by_source[apbd.pk].region_id == "13.03"


def test_phase_one_of_the_seed_billed_month_by_month(sijunjung, apbd, make_members):
    """1,333 persons × 9 months (Mar–Nov 2022) = Rp 201,549,600 (facts.md §0)."""
    make_members(1_333, apbd, first="2022-03", last="2022-11")
    for month in range(1, 13):
        run(sijunjung, f"2022-{month:02d}")
    bills = Bill.objects.filter(funding_source=apbd)
    assert bills.count() == 9
    assert sum(b.total for b in bills) == 201_549_600
    assert BillLine.objects.count() == 1_333 * 9


def test_rerun_creates_nothing(sijunjung, apbd, make_members):
    make_members(5, apbd)
    first = run(sijunjung, "2025-01")
    events = AuditEvent.objects.count()
    second = run(sijunjung, "2025-01")
    assert (first.created, second.created) == (1, 0)
    assert second.lines_added == 0
    assert (second.members, second.total) == (first.members, first.total)
    assert Bill.objects.count() == 1
    assert BillLine.objects.count() == 5
    assert AuditEvent.objects.count() == events  # a no-op writes no events


def test_a_membership_is_billed_exactly_for_its_covered_months(sijunjung, apbd, make_members):
    (starts_mid_year,) = make_members(1, apbd, first="2025-05", last="2025-12")
    (ends_mid_year,) = make_members(1, apbd, first="2025-01", last="2025-04")
    (lapsed,) = make_members(1, apbd, first="2025-01", last="2025-06", status="lapsed")
    (deceased,) = make_members(1, apbd, first="2025-01", last="2025-08", status="deceased")
    # accepted by BPJS, first month not come yet when it was made: billed from that month
    (pending,) = make_members(1, apbd, first="2025-10", last="2025-12", status="pending")
    (cancelled,) = make_members(1, apbd, status="cancelled")
    for month in range(1, 13):
        run(sijunjung, f"2025-{month:02d}")

    def months_of(membership):
        return [
            Month.from_date(d)
            for d in BillLine.objects.filter(membership=membership)
            .order_by("month")
            .values_list("month", flat=True)
        ]

    assert months_of(starts_mid_year) == [Month(2025, m) for m in range(5, 13)]
    assert months_of(ends_mid_year) == [Month(2025, m) for m in range(1, 5)]
    assert months_of(lapsed) == [Month(2025, m) for m in range(1, 7)]
    assert months_of(deceased) == [Month(2025, m) for m in range(1, 9)]
    assert months_of(pending) == [Month(2025, m) for m in range(10, 13)]
    assert months_of(cancelled) == []
    assert sum(Bill.objects.values_list("total", flat=True)) == (8 + 4 + 6 + 8 + 3) * 16_800


@pytest.mark.parametrize("months", [3, 6, 12])
def test_prepayment_bills_each_month_once(sijunjung, apbd, make_members, months):
    make_members(4, apbd, first="2025-01", last="2025-12")
    (late,) = make_members(1, apbd, first="2025-02", last="2025-12")
    result = run(sijunjung, "2025-01", months=months)
    (outcome,) = result.bills
    bill = outcome.bill
    assert Month.from_date(bill.last_month) == Month(2025, months)
    assert bill.person_months == 4 * months + (months - 1)
    assert bill.members == 5
    assert bill.total == bill.person_months * 16_800
    assert BillMonth.objects.filter(bill=bill).count() == months
    # Running a month the prepayment covers adds nothing: each month is billed once.
    again = run(sijunjung, f"2025-{months:02d}")
    assert again.created == 0
    assert BillLine.objects.filter(membership=late).count() == months - 1


def _distinct_members(bill: Bill) -> int:
    return BillLine.objects.filter(bill=bill).values("membership_id").distinct().count()


def test_prepaid_members_are_counted_once_over_fresh_and_billed_months(
    sijunjung, apbd, make_members
):
    """A prepayment over months never billed is written with a plain insert and its
    members counted on the memberships; over a month already billed, from its lines.
    Both give what the lines say."""
    make_members(3, apbd)
    make_members(1, apbd, first="2024-06", last="2025-01")  # January only
    make_members(1, apbd, first="2025-05")  # after the period
    make_members(1, apbd, status="cancelled")
    make_members(1, apbd, segment=Segment.PU)  # no wage yet: skipped, not a member
    make_members(2, apbd, segment=Segment.PU, wage=3_000_000, risk_group="rendah")
    fresh = run(sijunjung, "2025-01", months=3).bills[0].bill
    assert (fresh.members, fresh.person_months) == (6, 3 * 5 + 1)
    assert fresh.members == _distinct_members(fresh)
    assert fresh.person_months == BillLine.objects.filter(bill=fresh).count()
    assert fresh.total == sum(BillLine.objects.filter(bill=fresh).values_list("amount", flat=True))
    # One statement writes the three fresh months: each line in its member's cover, at
    # the rate of its own segment and month.
    per_month = Counter(
        m.strftime("%Y-%m")
        for m in BillLine.objects.filter(bill=fresh).values_list("month", flat=True)
    )
    assert per_month == {"2025-01": 6, "2025-02": 5, "2025-03": 5}
    for line in BillLine.objects.filter(bill=fresh).select_related("membership"):
        rate = BillMonth.objects.get(
            bill=fresh,
            month=line.month,
            segment=line.membership.segment,
            wage=line.membership.wage or 0,
            risk_group=line.membership.risk_group,
        )
        assert line.amount == rate.per_person_month
        assert line.membership.first_month <= line.month <= line.membership.last_month

    run(sijunjung, "2025-04")  # April billed on its own: the prepayment skips it
    (april_only,) = make_members(1, apbd, first="2025-06", last="2025-06")
    billed = run(sijunjung, "2025-04", months=3)
    bill = next(o.bill for o in billed.bills if o.lines_added)
    assert bill.members == _distinct_members(bill) == 6 + 1
    assert bill.person_months == BillLine.objects.filter(bill=bill).count() == 2 * 6 + 1
    assert BillLine.objects.filter(membership=april_only).count() == 1


def test_prepayment_limits(sijunjung, apbd, make_members):
    make_members(1, apbd)
    with pytest.raises(BillingError) as exc:
        run(sijunjung, "2025-01", months=2)
    assert exc.value.code == "prepayment_months"
    with pytest.raises(BillingError) as exc:
        run(sijunjung, "2025-11", months=3)
    assert exc.value.code == "prepayment_crosses_year"
    assert "Desember 2025" in exc.value.message


def test_the_rate_comes_from_the_tables(sijunjung, apbd, make_members):
    make_members(2, apbd)
    budget_services.contribution_rate_add(
        segment=Segment.BPU,
        programme="jkm",
        basis=ContributionRate.Basis.FLAT,
        amount=7_200,
        valid_from=Month(2025, 7),
        legal_basis="Uji: perubahan tarif JKM",
        acting_user=None,
    )
    june = run(sijunjung, "2025-06").bills[0].bill
    july = run(sijunjung, "2025-07").bills[0].bill
    assert june.total == 2 * 16_800
    assert july.total == 2 * (10_000 + 7_200)
    july_month = BillMonth.objects.get(bill=july)
    assert (july_month.jkk, july_month.jkm) == (10_000, 7_200)
    assert "Uji: perubahan tarif JKM" in july_month.legal_basis


def test_pu_memberships_without_a_wage_are_reported_not_billed(sijunjung, apbd, make_members):
    make_members(2, apbd)
    make_members(3, apbd, segment=Segment.PU)
    result = run(sijunjung, "2025-01")
    assert result.skipped == {"pu_without_wage": 3}
    assert result.members == 2


def test_pu_members_are_billed_at_wage_times_their_risk_rates(sijunjung, apbd, make_members):
    """Non-ASN wage earners (issue 9): wage × the risk group's JKK rate + JKM 0.30 %
    (facts.md §2, seeded rows). By hand, rounded half-up per component:
    Rp 2,500,000 sangat rendah: JKK 0.24 % = 6,000, JKM 0.30 % = 7,500 → 13,500;
    Rp 3,123,457 sedang: JKK 0.89 % = 27,798.77 → 27,799, JKM 0.30 % = 9,370.37 → 9,370
    → 37,169."""
    make_members(2, apbd)
    low = make_members(3, apbd, segment=Segment.PU, wage=2_500_000, risk_group="sangat_rendah")
    mid = make_members(1, apbd, segment=Segment.PU, wage=3_123_457, risk_group="sedang")
    result = run(sijunjung, "2025-03")
    assert result.skipped == {}
    bill = result.bills[0].bill
    assert (bill.members, bill.total) == (6, 2 * 16_800 + 3 * 13_500 + 37_169)
    amounts = dict(BillLine.objects.filter(bill=bill).values_list("membership_id", "amount"))
    assert {amounts[m.pk] for m in low} == {13_500}
    assert amounts[mid[0].pk] == 37_169
    rates = {
        (m.segment, m.wage, m.risk_group): (m.per_person_month, m.jkk, m.jkm, m.lines, m.amount)
        for m in BillMonth.objects.filter(bill=bill)
    }
    assert rates == {
        ("bpu", 0, ""): (16_800, 10_000, 6_800, 2, 33_600),
        ("pu", 2_500_000, "sangat_rendah"): (13_500, 6_000, 7_500, 3, 40_500),
        ("pu", 3_123_457, "sedang"): (37_169, 27_799, 9_370, 1, 37_169),
    }
    pu_month = BillMonth.objects.get(bill=bill, risk_group="sedang")
    assert any("0,89 %" in basis for basis in pu_month.legal_basis)
    # A rerun bills nothing twice.
    assert run(sijunjung, "2025-03").lines_added == 0


def test_late_members_extend_a_draft_and_get_a_supplement_after_issue(
    sijunjung, apbd, make_members
):
    make_members(2, apbd)
    first = run(sijunjung, "2025-01").bills[0].bill
    make_members(1, apbd)
    extended = run(sijunjung, "2025-01")
    assert extended.created == 0
    assert extended.bills[0].bill.pk == first.pk
    assert extended.bills[0].bill.members == 3
    services.bill_issue(bill=first, acting_user=None)
    make_members(1, apbd)
    supplement = run(sijunjung, "2025-01")
    assert supplement.created == 1
    numbers = sorted(o.bill.number for o in supplement.bills)
    assert numbers == [first.number, first.number + "/S1"]
    new = next(o.bill for o in supplement.bills if o.created)
    assert (new.sequence, new.members, new.total) == (1, 1, 16_800)
    assert Bill.objects.get(pk=first.pk).total == 3 * 16_800  # the issued bill is untouched


def test_events_and_permissions(sijunjung, apbd, make_members, personas):
    make_members(1, apbd)
    for user in (personas.agent, personas.dinas_head, personas.dprd, personas.outsider):
        with pytest.raises(PermissionDenied):
            services.billing_run(regency=sijunjung, month=Month(2025, 1), acting_user=user)
    result = services.billing_run(
        regency=sijunjung, month=Month(2025, 1), acting_user=personas.bpjs_officer
    )
    bill = result.bills[0].bill
    created = AuditEvent.objects.get(action="contributions.bill.created")
    assert created.object_id == str(bill.pk)
    assert created.actor == personas.bpjs_officer
    assert created.after["total"] == 16_800
    assert AuditEvent.objects.filter(
        action="contributions.billing.ran", region_code="13.03"
    ).exists()


def test_issuing_and_paying_update_the_pagu(sijunjung, apbd, make_members):
    year = budget_services.fiscal_year_create(region=sijunjung, year=2025, acting_user=None)
    allocation = budget_services.allocation_approve(
        allocation=budget_services.allocation_create(
            fiscal_year=year, source=apbd, name="Iuran 2025", pagu=10_000_000, acting_user=None
        ),
        acting_user=None,
    )
    make_members(10, apbd)
    bill = run(sijunjung, "2025-02").bills[0].bill
    allocation.refresh_from_db()
    assert allocation.billed_amount == 0  # a draft is not billed yet
    services.bill_issue(bill=bill, acting_user=None)
    allocation.refresh_from_db()
    assert (allocation.billed_amount, allocation.paid_amount) == (168_000, 0)
    assert allocation.billed_through == dt.date(2025, 2, 1)
    services.payment_record(
        bill=bill,
        sp2d_number="900/001/SP2D-LS/2025",
        paid_on=dt.date(2025, 2, 20),
        amount=100_000,
        treasury_account="RKUD Sijunjung",
        acting_user=None,
    )
    allocation = Allocation.objects.get(pk=allocation.pk)
    assert (allocation.billed_amount, allocation.paid_amount) == (168_000, 100_000)


def test_only_the_regencys_sources(sijunjung, apbd, make_members):
    from jamsos.budget.models import FundingSource
    from jamsos.testing.factories import region

    padang = budget_services.funding_source_create(
        region=region("13.71"), kind=FundingSource.Kind.APBD, name="APBD Padang", acting_user=None
    )
    with pytest.raises(BillingError) as exc:
        run(sijunjung, "2025-01", sources=[padang])
    assert exc.value.code == "source_other_region"
    assert not Membership.objects.filter(funding_source=padang).exists()


def test_a_pu_wage_recorded_through_the_service_is_billed(sijunjung, apbd, make_members, personas):
    from jamsos.enrollment.services.coverage import membership_wage_set
    from jamsos.lib.errors import DomainError

    (member,) = make_members(1, apbd, segment=Segment.PU)
    (bpu,) = make_members(1, apbd)
    assert run(sijunjung, "2025-02").skipped == {"pu_without_wage": 1}
    with pytest.raises(PermissionDenied):
        membership_wage_set(
            membership=member, wage=2_000_000, risk_group="rendah", acting_user=personas.agent
        )
    with pytest.raises(DomainError) as exc:
        membership_wage_set(
            membership=bpu,
            wage=2_000_000,
            risk_group="rendah",
            acting_user=personas.dinas_operator,
        )
    assert exc.value.code == "wage_only_pu"
    membership_wage_set(
        membership=member, wage=2_000_000, risk_group="rendah", acting_user=personas.dinas_operator
    )
    assert AuditEvent.objects.filter(action="enrollment.membership.wage_set").count() == 1
    # The month already billed is not billed again; the next month is, at 0.54 % + 0.30 %.
    result = run(sijunjung, "2025-03")
    line = BillLine.objects.get(membership=member, month=Month(2025, 3).first_day())
    assert line.amount == 10_800 + 6_000
    assert result.skipped == {}


def test_prepayment_choices_are_regulation_data(sijunjung, apbd, make_members):
    """Issue 9: 1/3/6/12 months is a rule row (unconfirmed: officials in the press),
    read by the billing run and its form, not a constant."""
    from jamsos.contributions.forms import BillingRunForm
    from jamsos.contributions.models import PrepaymentRule

    rule = PrepaymentRule.objects.get()
    assert (rule.months, rule.confirmed) == ([1, 3, 6, 12], False)
    make_members(1, apbd)
    form = BillingRunForm(regencies=Region.objects.filter(pk="13.03"), sources=apbd_qs(apbd))
    assert [value for value, _label in form.fields["months"].choices] == [1, 3, 6, 12]
    with pytest.raises(BillingError) as exc:
        run(sijunjung, "2025-01", months=2)
    assert exc.value.code == "prepayment_months"
    rule.months = [1, 2]
    rule.save()
    assert run(sijunjung, "2025-01", months=2).bills[0].bill.months == 2
    with pytest.raises(BillingError):
        run(sijunjung, "2025-03", months=3)
    form = BillingRunForm(regencies=Region.objects.filter(pk="13.03"), sources=apbd_qs(apbd))
    assert [value for value, _label in form.fields["months"].choices] == [1, 2]
    PrepaymentRule.objects.all().delete()
    with pytest.raises(BillingError) as exc:
        run(sijunjung, "2025-05")
    assert exc.value.code == "prepayment_rule_missing"


def apbd_qs(apbd):
    from jamsos.budget.models import FundingSource

    return FundingSource.objects.filter(pk=apbd.pk)


def test_pu_rates_from_news_only_are_billed_but_marked_unconfirmed(sijunjung, apbd, make_members):
    make_members(1, apbd, segment=Segment.PU, wage=2_000_000, risk_group="tinggi")
    bill = run(sijunjung, "2025-04").bills[0].bill
    month = BillMonth.objects.get(bill=bill)
    assert month.per_person_month == 25_400 + 6_000  # 1.27 % and 0.30 % of Rp 2,000,000
    assert len(month.unconfirmed) == 2
    assert not ContributionRate.objects.filter(segment="pu", confirmed=True).exists()
