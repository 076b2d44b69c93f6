"""Issuing bills, SP2D payments (partial, exact, over), credit carried forward."""

from __future__ import annotations

import datetime as dt

import pytest

from jamsos.audit.models import AuditEvent
from jamsos.budget import services as budget_services
from jamsos.budget.models import FundingSource
from jamsos.contributions import services
from jamsos.contributions.models import Bill, Credit, Payment
from jamsos.lib.errors import DomainError, InvalidTransition, PermissionDenied
from jamsos.lib.periods import Month
from jamsos.testing.factories import region

pytestmark = pytest.mark.django_db

PAID_ON = dt.date(2025, 3, 10)


def issued_bill(regency, month: str, *, acting_user=None) -> Bill:
    bill = services.billing_run(regency=regency, month=Month.parse(month), acting_user=None)
    (outcome,) = [o for o in bill.bills if o.bill.status == Bill.Status.DRAFT]
    return services.bill_issue(bill=outcome.bill, acting_user=acting_user)


def pay(bill: Bill, amount: int, sp2d: str, **kwargs):
    kwargs.setdefault("acting_user", None)
    return services.payment_record(
        bill=bill,
        sp2d_number=sp2d,
        paid_on=kwargs.pop("paid_on", PAID_ON),
        amount=amount,
        treasury_account="Rekening Kas Umum Daerah Sijunjung",
        **kwargs,
    )


@pytest.fixture
def bill(sijunjung, apbd, make_members) -> Bill:
    make_members(10, apbd)  # 10 × Rp 16,800 = Rp 168,000
    return issued_bill(sijunjung, "2025-01")


def test_partial_then_full_payment(bill, personas):
    first = pay(bill, 100_000, "900/1/SP2D/2025", acting_user=personas.dinas_operator)
    bill.refresh_from_db()
    assert (first.applied_amount, first.credited_amount) == (100_000, 0)
    assert bill.status == Bill.Status.PARTLY_PAID
    assert bill.due == 68_000
    pay(bill, 68_000, "900/2/SP2D/2025", acting_user=personas.dinas_operator)
    bill.refresh_from_db()
    assert bill.status == Bill.Status.PAID
    assert (bill.paid_amount, bill.due) == (168_000, 0)
    event = AuditEvent.objects.filter(action="contributions.payment.recorded").order_by("pk").last()
    assert event.data["sp2d_number"] == "900/2/SP2D/2025"
    assert event.after["status"] == Bill.Status.PAID
    assert event.actor == personas.dinas_operator


def test_overpayment_becomes_credit_used_by_the_next_bill(sijunjung, apbd, bill):
    payment = pay(bill, 200_000, "900/3/SP2D/2025")
    assert (payment.applied_amount, payment.credited_amount) == (168_000, 32_000)
    assert services.credit_balance(source_id=apbd.pk) == 32_000
    february = issued_bill(sijunjung, "2025-02")
    assert february.credit_applied == 32_000
    assert february.status == Bill.Status.PARTLY_PAID
    assert february.due == 168_000 - 32_000
    assert services.credit_balance(source_id=apbd.pk) == 0
    entries = list(Credit.objects.order_by("pk").values_list("kind", "amount"))
    assert entries == [("overpayment", 32_000), ("applied", -32_000)]


def test_credit_covering_a_whole_bill_pays_it(sijunjung, apbd, bill):
    pay(bill, 168_000 * 3, "900/4/SP2D/2025")
    february = issued_bill(sijunjung, "2025-02")
    march = issued_bill(sijunjung, "2025-03")
    assert february.status == march.status == Bill.Status.PAID
    assert services.credit_balance(source_id=apbd.pk) == 0


def test_an_overpayment_settles_other_open_bills_oldest_first(sijunjung, apbd, bill):
    february = issued_bill(sijunjung, "2025-02")
    pay(bill, 168_000 + 50_000, "900/5/SP2D/2025")
    february.refresh_from_db()
    assert february.credit_applied == 50_000
    assert february.status == Bill.Status.PARTLY_PAID


def test_credit_belongs_to_its_funding_source(sijunjung, apbd, apb_nagari, make_members, bill):
    pay(bill, 200_000, "900/6/SP2D/2025")
    make_members(2, apb_nagari)
    result = services.billing_run(regency=sijunjung, month=Month(2025, 2), acting_user=None)
    nagari_bill = next(o.bill for o in result.bills if o.bill.funding_source_id == apb_nagari.pk)
    nagari_bill = services.bill_issue(bill=nagari_bill, acting_user=None)
    assert nagari_bill.credit_applied == 0


def test_sp2d_numbers_are_unique_per_regency(sijunjung, apbd, bill, make_members):
    pay(bill, 10_000, "900/7/SP2D/2025")
    with pytest.raises(services.Sp2dDuplicate) as exc:
        pay(bill, 10_000, "900/7/sp2d/2025")  # any case, any spacing
    assert "900/7/sp2d/2025" in exc.value.message
    assert Payment.objects.count() == 1
    padang = region("13.71")
    source = budget_services.funding_source_create(
        region=padang, kind=FundingSource.Kind.APBD, name="APBD Padang", acting_user=None
    )
    make_members(1, source, village="13.71.01.1001")
    padang_bill = issued_bill(padang, "2025-01")
    pay(padang_bill, 16_800, "900/7/SP2D/2025")  # another kabupaten's treasury: allowed
    assert Payment.objects.count() == 2


def test_payments_only_on_open_bills(sijunjung, apbd, make_members, bill):
    make_members(1, apbd, first="2025-02")
    result = services.billing_run(regency=sijunjung, month=Month(2025, 2), acting_user=None)
    draft = result.bills[0].bill
    with pytest.raises(InvalidTransition) as exc:
        pay(draft, 1_000, "900/8/SP2D/2025")
    assert "belum diterbitkan" in exc.value.message
    pay(bill, 168_000, "900/9/SP2D/2025")
    with pytest.raises(InvalidTransition):
        pay(bill, 1_000, "900/10/SP2D/2025")


@pytest.mark.parametrize(
    ("amount", "sp2d", "account", "paid_on", "code"),
    [
        (0, "1", "RKUD", PAID_ON, "payment_amount"),
        (-5, "1", "RKUD", PAID_ON, "payment_amount"),
        (1_000, "  ", "RKUD", PAID_ON, "sp2d_required"),
        (1_000, "1", "", PAID_ON, "account_required"),
        (1_000, "1", "RKUD", dt.date(2099, 1, 1), "payment_date_future"),
    ],
)
def test_payment_input_checked(bill, amount, sp2d, account, paid_on, code):
    with pytest.raises(DomainError) as exc:
        services.payment_record(
            bill=bill,
            sp2d_number=sp2d,
            paid_on=paid_on,
            amount=amount,
            treasury_account=account,
            acting_user=None,
        )
    assert exc.value.code == code


def test_who_may_issue_and_pay(sijunjung, apbd, make_members, personas):
    make_members(1, apbd)
    result = services.billing_run(regency=sijunjung, month=Month(2025, 1), acting_user=None)
    draft = result.bills[0].bill
    for user in (personas.dinas_operator, personas.agent, personas.outsider):
        with pytest.raises(PermissionDenied):
            services.bill_issue(bill=draft, acting_user=user)
    bill = services.bill_issue(bill=draft, acting_user=personas.bpjs_officer)
    assert bill.issued_by == personas.bpjs_officer
    with pytest.raises(InvalidTransition):
        services.bill_issue(bill=bill, acting_user=personas.bpjs_officer)
    for user in (personas.bpjs_officer, personas.dinas_head, personas.outsider):
        with pytest.raises(PermissionDenied):
            pay(bill, 1_000, "900/11/SP2D/2025", acting_user=user)
    pay(bill, 16_800, "900/11/SP2D/2025", acting_user=personas.dinas_operator)


def test_reconciling_a_bill_needs_it_paid(bill, personas):
    with pytest.raises(InvalidTransition):
        services.bill_reconcile(bill=bill, acting_user=personas.bpjs_officer)
    pay(bill, 168_000, "900/12/SP2D/2025")
    with pytest.raises(PermissionDenied):
        services.bill_reconcile(bill=bill, acting_user=personas.dinas_head)
    bill = services.bill_reconcile(bill=bill, acting_user=personas.bpjs_officer)
    assert bill.status == Bill.Status.RECONCILED
    assert AuditEvent.objects.filter(action="contributions.bill.reconciled").exists()
