"""Arrears from the regulation data: warned at month two, lapsed at three (BPU), with the
reason recorded and audited; reactivation as a new coverage period."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command

from jamsos.audit.models import AuditEvent
from jamsos.budget.models import Segment
from jamsos.contributions import services
from jamsos.contributions.models import (
    ArrearsNotice,
    Bill,
    BillLine,
    LapseRule,
    Reactivation,
)
from jamsos.enrollment.models import Membership
from jamsos.enrollment.services.memberships import membership_status_for
from jamsos.lib.errors import DomainError, InvalidTransition, PermissionDenied
from jamsos.lib.periods import Month

pytestmark = pytest.mark.django_db


def bill_month(regency, month: int, *, issue: bool = True, pay: bool = False) -> Bill:
    result = services.billing_run(regency=regency, month=Month(2025, month), acting_user=None)
    bill = next(o.bill for o in result.bills if o.bill.status == Bill.Status.DRAFT)
    if issue:
        bill = services.bill_issue(bill=bill, acting_user=None)
    if pay:
        services.payment_record(
            bill=bill,
            sp2d_number=f"SP2D-{month}",
            paid_on=dt.date(2025, month, 25),
            amount=bill.total,
            treasury_account="RKUD",
            acting_user=None,
        )
    return bill


def check(month: int, regency=None, **kwargs) -> services.ArrearsReport:
    return services.arrears_check(
        as_of=Month(2025, month), regency=regency, acting_user=None, **kwargs
    )


def test_the_rule_is_data_with_its_legal_basis():
    rule = LapseRule.objects.get(segment=Segment.BPU)
    assert (rule.unpaid_months, rule.warn_at_months) == (3, 2)
    assert rule.legal_basis == "PP 44/2015 jo. Permenaker 5/2021 (pasal belum diperiksa)"
    assert "3 bulan berturut-turut" in rule.note  # the FAQ's wording is a source
    assert not rule.confirmed
    assert "dari awal" in rule.reactivation  # the sources disagree; both are recorded
    assert services.lapse_rules_valid(Month(2025, 1)) == [rule]


def test_warned_at_two_lapsed_at_three_unpaid_months(sijunjung, apbd, make_members):
    (member,) = make_members(1, apbd)
    bill_month(sijunjung, 1, pay=True)
    bill_month(sijunjung, 2)
    assert check(2).warnings == []  # one unpaid month: nothing yet
    bill_month(sijunjung, 3)
    report = check(3, regency=sijunjung)
    assert [e.membership_id for e in report.warnings] == [member.pk]
    assert report.warnings[0].unpaid_months == (Month(2025, 2), Month(2025, 3))
    assert report.new_warnings == 1
    assert check(3).new_warnings == 0  # once per month
    assert ArrearsNotice.objects.filter(kind="warning").count() == 1
    member.refresh_from_db()
    assert member.status == Membership.Status.ACTIVE

    bill_month(sijunjung, 4)
    report = check(4)
    assert [e.membership_id for e in report.lapses] == [member.pk]
    member.refresh_from_db()
    assert member.status == Membership.Status.LAPSED
    # entering the third unpaid month cuts cover: covered up to the month before it
    assert member.last_month == dt.date(2025, 3, 1)
    assert "3 bulan berturut-turut" in member.status_reason
    assert "Februari 2025 s.d. April 2025" in member.status_reason
    notice = ArrearsNotice.objects.get(kind="lapse")
    assert notice.unpaid_months == ["2025-02", "2025-03", "2025-04"]
    event = AuditEvent.objects.get(action="contributions.membership.lapsed")
    assert event.object_id == str(member.pk)
    assert event.data["unpaid_months"] == ["2025-02", "2025-03", "2025-04"]
    assert event.data["legal_basis"]
    # a lapsed membership is not billed again, and the check does not lapse it twice
    assert check(4).lapses == []
    result = services.billing_run(regency=sijunjung, month=Month(2025, 5), acting_user=None)
    assert result.created == 0


def test_a_payment_resets_the_count(sijunjung, apbd, make_members):
    make_members(1, apbd)
    bill_month(sijunjung, 1)
    bill_month(sijunjung, 2, pay=True)
    bill_month(sijunjung, 3)
    bill_month(sijunjung, 4)
    report = check(4, apply=False)
    assert report.lapses == []
    assert [e.unpaid_months for e in report.warnings] == [(Month(2025, 3), Month(2025, 4))]


def test_partly_paid_counts_as_unpaid_and_drafts_do_not(sijunjung, apbd, make_members):
    make_members(2, apbd)
    january = bill_month(sijunjung, 1)
    services.payment_record(
        bill=january,
        sp2d_number="SP2D-sebagian",
        paid_on=dt.date(2025, 1, 25),
        amount=16_800,  # one of two members' worth: which one is unknown
        treasury_account="RKUD",
        acting_user=None,
    )
    bill_month(sijunjung, 2)
    bill_month(sijunjung, 3, issue=False)  # a draft is not due yet
    report = check(3, apply=False)
    assert len(report.warnings) == 2
    assert report.lapses == []


def test_months_never_billed_are_not_arrears(sijunjung, apbd, make_members):
    make_members(3, apbd, first="2024-01")
    report = check(6)
    assert report.warnings == report.lapses == []


def test_lapse_removes_later_lines_from_draft_bills(sijunjung, apbd, make_members):
    (member,) = make_members(1, apbd)
    for month in (1, 2, 3):
        bill_month(sijunjung, month)
    prepaid = (
        services.billing_run(regency=sijunjung, month=Month(2025, 4), months=3, acting_user=None)
        .bills[0]
        .bill
    )
    assert prepaid.person_months == 3
    report = check(3)
    assert len(report.lapses) == 1
    prepaid.refresh_from_db()
    assert (prepaid.person_months, prepaid.total) == (0, 0)
    assert (
        not BillLine.objects.filter(membership=member, month__gte=dt.date(2025, 3, 1))
        .filter(bill=prepaid)
        .exists()
    )


def test_reactivation_is_a_new_coverage_period(sijunjung, apbd, make_members, personas):
    (member,) = make_members(1, apbd)
    for month in (1, 2, 3):
        bill_month(sijunjung, month)
    check(3)
    member.refresh_from_db()
    assert member.status == Membership.Status.LAPSED
    with pytest.raises(DomainError) as exc:
        services.membership_reactivate(
            lapsed=member, first_month=Month(2025, 2), acting_user=personas.dinas_operator
        )
    assert exc.value.code == "reactivation_overlaps"
    with pytest.raises(PermissionDenied):
        services.membership_reactivate(
            lapsed=member, first_month=Month(2025, 5), acting_user=personas.dinas_head
        )
    new = services.membership_reactivate(
        lapsed=member,
        first_month=Month(2025, 5),
        note="Membayar lewat kanal mitra",
        acting_user=personas.dinas_operator,
    )
    assert new.pk != member.pk
    assert (new.person_id, new.kpj_number, new.funding_source_id) == (
        member.person_id,
        member.kpj_number,
        member.funding_source_id,
    )
    assert (new.first_month, new.last_month) == (dt.date(2025, 5, 1), dt.date(2025, 12, 1))
    # its status follows its months, as the enrollment app sets them
    assert new.status == membership_status_for(Month(2025, 5), Month(2025, 12), Month.current())
    member.refresh_from_db()
    assert member.status == Membership.Status.LAPSED  # the old period stays as it was
    assert Reactivation.objects.get(lapsed=member).membership == new
    event = AuditEvent.objects.get(action="contributions.membership.reactivated")
    assert event.data["lapsed_membership"] == member.pk
    with pytest.raises(InvalidTransition):
        services.membership_reactivate(
            lapsed=member, first_month=Month(2025, 7), acting_user=personas.dinas_operator
        )
    with pytest.raises(InvalidTransition):
        services.membership_reactivate(
            lapsed=new, first_month=Month(2025, 7), acting_user=personas.dinas_operator
        )
    # the new period is billed from its first month
    result = services.billing_run(regency=sijunjung, month=Month(2025, 5), acting_user=None)
    assert result.members == 1


def test_check_arrears_command(sijunjung, apbd, make_members, capsys):
    (member,) = make_members(1, apbd)
    for month in (1, 2, 3):
        bill_month(sijunjung, month)
    call_command("check_arrears", "--as-of", "2025-03", "--dry-run", "--json")
    dry = json.loads(capsys.readouterr().out)
    assert dry["applied"] is False
    assert dry["lapsed"] == 1
    member.refresh_from_db()
    assert member.status == Membership.Status.ACTIVE
    call_command("check_arrears", "--as-of", "2025-03", "--region", "13.03", "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["lapses"] == [
        {
            "membership": member.pk,
            "kpj_number": member.kpj_number,
            "village": member.village_id,
            "funding_source": apbd.pk,
            "unpaid_months": ["2025-01", "2025-02", "2025-03"],
        }
    ]
    assert report["rules"][0]["unpaid_months"] == 3
    member.refresh_from_db()
    assert member.status == Membership.Status.LAPSED
    call_command("check_arrears", "--as-of", "2025-03")
    assert "0 dinonaktifkan" in capsys.readouterr().out


def test_a_pending_membership_past_its_first_month_can_lapse(sijunjung, apbd, make_members):
    """The enrollment app's monthly refresh may not have made it active yet."""
    (member,) = make_members(1, apbd, status="pending")
    for month in (1, 2, 3):
        bill_month(sijunjung, month)
    assert [e.membership_id for e in check(3).lapses] == [member.pk]
    member.refresh_from_db()
    assert member.status == Membership.Status.LAPSED
