"""Issuing bills, recording treasury payments (SP2D), carrying credit forward.

Locking protocol (the same as the billing run, so they never deadlock): lock the funding
source row first, then the bill rows, in id order. The source row guards its credit
balance: two payments that both overpay cannot both spend the same credit.

Credit: a payment beyond what a bill still owes is recorded whole on the bill's payment
row; the excess becomes a ``Credit`` entry (+) of the funding source. Credit is used up
(−) by the source's open bills, oldest month first: at once by bills already issued, and
by each later bill when it is issued ("carried forward to the next bill").
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext

from jamsos.accounts.models import User
from jamsos.audit.services import audit_record
from jamsos.budget.models import FundingSource
from jamsos.contributions.models import Bill, Credit, Discrepancy, Payment
from jamsos.contributions.services.common import absorption_refresh, require, validated
from jamsos.lib.errors import DomainError, InvalidTransition
from jamsos.lib.formats import angka, rupiah


class Sp2dDuplicate(DomainError):
    code = "sp2d_duplicate"
    http_status = 409


def credit_balance(*, source_id: int) -> int:
    return int(
        Credit.objects.filter(funding_source_id=source_id).aggregate(
            total=Sum("amount", default=0)
        )["total"]
    )


def _lock_source(source_id: int) -> FundingSource:
    return FundingSource.objects.select_for_update().get(pk=source_id)


def _credit_apply(*, source_id: int, acting_user: User | None) -> list[Bill]:
    """Spend the source's credit on its open bills, oldest first; call under its lock."""
    balance = credit_balance(source_id=source_id)
    changed: list[Bill] = []
    if balance <= 0:
        return changed
    open_bills = (
        Bill.objects.select_for_update()
        .filter(funding_source_id=source_id, status__in=Bill.OPEN)
        .order_by("first_month", "sequence", "pk")
    )
    for bill in open_bills:
        use = min(balance, bill.due)
        if use <= 0:
            continue
        Credit.objects.create(
            funding_source_id=source_id,
            kind=Credit.Kind.APPLIED,
            amount=-use,
            bill=bill,
            created_by=acting_user,
        )
        before = bill.status
        bill.credit_applied += use
        bill.status = bill.status_after_settlement()
        bill.save(update_fields=["credit_applied", "status"])
        audit_record(
            action="contributions.credit.applied",
            acting_user=acting_user,
            obj=bill,
            before={"status": before},
            after={"status": bill.status, "credit_applied": bill.credit_applied},
            data={"amount": use},
        )
        changed.append(bill)
        balance -= use
        if balance == 0:
            break
    return changed


@transaction.atomic
def bill_issue(*, bill: Bill, acting_user: User | None) -> Bill:
    """BPJS sends the bill to the payer: draft → issued (or paid, if credit covers it)."""
    require(acting_user, "contributions.issue_bill", bill.region_id)
    _lock_source(bill.funding_source_id)
    bill = Bill.objects.select_for_update().get(pk=bill.pk)
    if bill.status != Bill.Status.DRAFT:
        raise InvalidTransition(
            gettext("Tagihan %(number)s sudah %(lower)s.")
            % {"number": bill.number, "lower": bill.get_status_display().lower()},
            status=bill.status,
        )
    if bill.total <= 0:
        raise InvalidTransition(
            gettext("Tagihan %(number)s tidak berisi peserta.") % {"number": bill.number},
            code="bill_empty",
        )
    bill.status = Bill.Status.ISSUED
    bill.issued_by = acting_user
    bill.issued_at = timezone.now()
    bill.save(update_fields=["status", "issued_by", "issued_at"])
    audit_record(
        action="contributions.bill.issued",
        acting_user=acting_user,
        obj=bill,
        before={"status": Bill.Status.DRAFT},
        after={"status": bill.status, "total": bill.total, "members": bill.members},
    )
    from jamsos.messaging.services import message_enqueue

    message_enqueue("contributions.bill.issued", {"bill": bill})
    others = _credit_apply(source_id=bill.funding_source_id, acting_user=acting_user)
    bill.refresh_from_db()
    for year in sorted({b.first_month.year for b in [bill, *others]}):
        absorption_refresh(source_id=bill.funding_source_id, year=year)
    return bill


def _check_payment(*, sp2d_number: str, paid_on: dt.date, amount: int, account: str) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise DomainError(
            gettext(
                "Jumlah pembayaran harus bilangan bulat rupiah lebih dari 0 (diberikan: "
                "%(amount)s)."
            )
            % {"amount": amount},
            code="payment_amount",
            value=amount,
        )
    if not sp2d_number.strip():
        raise DomainError(gettext("Nomor SP2D wajib diisi."), code="sp2d_required")
    if not account.strip():
        raise DomainError(gettext("Rekening kas daerah wajib diisi."), code="account_required")
    if paid_on > timezone.localdate():
        raise DomainError(
            gettext("Tanggal SP2D %(isoformat)s ada di masa depan.")
            % {"isoformat": paid_on.isoformat()},
            code="payment_date_future",
            value=paid_on.isoformat(),
        )


@transaction.atomic
def payment_record(
    *,
    bill: Bill,
    sp2d_number: str,
    paid_on: dt.date,
    amount: int,
    treasury_account: str,
    note: str = "",
    acting_user: User | None,
) -> Payment:
    """Record an SP2D against an issued bill; partial payments and overpayments allowed.

    1. Lock the source, then the bill; only issued or partly paid bills take payments.
    2. Refuse an SP2D number already recorded in the kabupaten (also a DB constraint).
    3. Apply up to what the bill still owes; the rest becomes credit of the source and
       is spent at once on its other open bills, oldest first.
    4. Update the bill's status, the budget's absorption, and write the audit event.
    """
    require(acting_user, "contributions.record_payment", bill.region_id)
    sp2d_number = " ".join(sp2d_number.split())
    _check_payment(
        sp2d_number=sp2d_number, paid_on=paid_on, amount=amount, account=treasury_account
    )
    _lock_source(bill.funding_source_id)
    bill = Bill.objects.select_for_update().get(pk=bill.pk)
    if bill.status not in Bill.OPEN:
        reason = (
            "belum diterbitkan BPJS"
            if bill.status == Bill.Status.DRAFT
            else "sudah lunas; catat kelebihan pada tagihan berikutnya"
        )
        raise InvalidTransition(
            gettext("Tagihan %(number)s %(reason)s.") % {"number": bill.number, "reason": reason},
            code="bill_not_open",
            status=bill.status,
        )
    if Payment.objects.filter(regency_id=bill.regency_id, sp2d_number__iexact=sp2d_number).exists():
        raise Sp2dDuplicate(
            f"SP2D nomor {sp2d_number} sudah dicatat di {bill.regency.name}.", value=sp2d_number
        )
    applied = min(amount, bill.due)
    payment = Payment(
        bill=bill,
        regency_id=bill.regency_id,
        sp2d_number=sp2d_number,
        paid_on=paid_on,
        amount=amount,
        applied_amount=applied,
        credited_amount=amount - applied,
        treasury_account=treasury_account.strip(),
        note=note.strip(),
        created_by=acting_user,
    )
    validated(payment)
    try:
        with transaction.atomic():
            payment.save(force_insert=True)
    except IntegrityError as exc:  # the same SP2D recorded at this instant on another bill
        raise Sp2dDuplicate(
            f"SP2D nomor {sp2d_number} sudah dicatat di {bill.regency.name}.", value=sp2d_number
        ) from exc
    before = bill.status
    bill.paid_amount += applied
    bill.status = bill.status_after_settlement()
    bill.save(update_fields=["paid_amount", "status"])
    audit_record(
        action="contributions.payment.recorded",
        acting_user=acting_user,
        obj=bill,
        before={"status": before},
        after={"status": bill.status, "paid_amount": bill.paid_amount},
        data={
            "payment": payment.pk,
            "sp2d_number": sp2d_number,
            "paid_on": paid_on.isoformat(),
            "amount": amount,
            "applied": applied,
            "credited": payment.credited_amount,
            "treasury_account": payment.treasury_account,
        },
    )
    if payment.credited_amount:
        Credit.objects.create(
            funding_source_id=bill.funding_source_id,
            kind=Credit.Kind.OVERPAYMENT,
            amount=payment.credited_amount,
            payment=payment,
            created_by=acting_user,
        )
        others = _credit_apply(source_id=bill.funding_source_id, acting_user=acting_user)
    else:
        others = []
    for year in sorted({b.first_month.year for b in [bill, *others]}):
        absorption_refresh(source_id=bill.funding_source_id, year=year)
    return payment


@transaction.atomic
def bill_reconcile(*, bill: Bill, acting_user: User | None) -> Bill:
    """A paid bill agrees with the BPJS statement: paid → reconciled.

    Refused while a discrepancy about one of its members is open.
    """
    require(acting_user, "contributions.reconcile", bill.region_id)
    bill = Bill.objects.select_for_update().get(pk=bill.pk)
    if bill.status != Bill.Status.PAID:
        raise InvalidTransition(
            gettext(
                "Hanya tagihan lunas yang dapat direkonsiliasi; %(number)s berstatus %(lower)s."
            )
            % {"number": bill.number, "lower": bill.get_status_display().lower()},
            status=bill.status,
        )
    blocking = open_discrepancies_for(bill).count()
    if blocking:
        raise InvalidTransition(
            gettext(
                "Masih ada %(blocking)s selisih rekonsiliasi terbuka untuk peserta "
                "tagihan %(number)s; selesaikan dulu."
            )
            % {"blocking": angka(blocking), "number": bill.number},
            code="discrepancies_open",
            open=blocking,
        )
    return _mark_reconciled(bill, acting_user=acting_user)


def open_discrepancies_for(bill: Bill) -> QuerySet[Discrepancy]:
    """Open discrepancies about members of ``bill`` from statements covering its months."""
    return Discrepancy.objects.filter(
        status=Discrepancy.Status.OPEN,
        statement__regency_id=bill.regency_id,
        statement__first_month__lte=bill.last_month,
        statement__last_month__gte=bill.first_month,
        membership__bill_lines__bill=bill,
    ).distinct()


def _mark_reconciled(bill: Bill, *, acting_user: User | None) -> Bill:
    bill.status = Bill.Status.RECONCILED
    bill.reconciled_by = acting_user
    bill.reconciled_at = timezone.now()
    bill.save(update_fields=["status", "reconciled_by", "reconciled_at"])
    audit_record(
        action="contributions.bill.reconciled",
        acting_user=acting_user,
        obj=bill,
        before={"status": Bill.Status.PAID},
        after={"status": bill.status},
        data={"total": rupiah(bill.total)},
    )
    return bill
