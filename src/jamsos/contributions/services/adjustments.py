"""Credit notes: months billed that were not due, because the member died before them.

``membership_months_credit_unchecked`` algorithm (called by the claims app when a death
claim is paid, after the enrollment app set the membership's last month):

1. Lock the funding sources of the bills holding the membership's lines after the last
   covered month (id order: the same order as the billing run and payments), then those
   bills.
2. Lines in *draft* bills are removed (the bill was never sent) and the bills re-summed.
3. Lines in *sent* bills stay (the bill is a document the payer has): each becomes a
   ``BillAdjustment`` (unique per membership-month, so a rerun credits nothing twice);
   the bill's ``adjusted_amount`` grows by their sum, and the funding source gets a
   ``Credit`` of kind ``adjustment`` for it.
4. The source's credit is spent on its open bills, oldest first, as an overpayment's is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F

from jamsos.accounts.models import User
from jamsos.audit.services import audit_record
from jamsos.budget.models import FundingSource
from jamsos.contributions.models import Bill, BillAdjustment, BillLine, Credit
from jamsos.contributions.services.billing import bills_resum
from jamsos.contributions.services.payments import _credit_apply
from jamsos.lib.periods import Month


@dataclass
class CreditResult:
    draft_lines_removed: int = 0
    credited: dict[int, int] = field(default_factory=dict)  # bill id → rupiah

    @property
    def total(self) -> int:
        return sum(self.credited.values())


def membership_months_credit_unchecked(
    *, membership_ids: Sequence[int], after: Month, reason: str, acting_user: User | None
) -> CreditResult:
    """Credit back every month billed after ``after`` for these memberships (see the
    module docstring). Unchecked: the caller holds the transaction and checked the
    permission of what caused it (a paid death claim)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("membership_months_credit_unchecked must run inside a transaction")
    result = CreditResult()
    later = BillLine.objects.filter(membership_id__in=membership_ids, month__gt=after.first_day())
    bill_ids = sorted(set(later.values_list("bill_id", flat=True)))
    if not bill_ids:
        return result
    source_ids = sorted(
        set(Bill.objects.filter(pk__in=bill_ids).values_list("funding_source_id", flat=True))
    )
    list(
        FundingSource.objects.select_for_update()
        .filter(pk__in=source_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    bills = {
        b.pk: b for b in Bill.objects.select_for_update().filter(pk__in=bill_ids).order_by("pk")
    }
    drafts = later.filter(bill__status=Bill.Status.DRAFT)
    draft_bills = sorted(set(drafts.values_list("bill_id", flat=True)))
    result.draft_lines_removed, _ = drafts.delete()
    bills_resum(draft_bills)

    done = set(
        BillAdjustment.objects.filter(
            membership_id__in=membership_ids, month__gt=after.first_day()
        ).values_list("membership_id", "month")
    )
    by_bill: dict[int, list[BillLine]] = defaultdict(list)
    for line in later.exclude(bill__status=Bill.Status.DRAFT).order_by("bill_id", "month"):
        if (line.membership_id, line.month) not in done:
            by_bill[line.bill_id].append(line)
    for bill_id, lines in by_bill.items():
        bill = bills[bill_id]
        amount = sum(line.amount for line in lines)
        BillAdjustment.objects.bulk_create(
            BillAdjustment(
                bill=bill,
                membership_id=line.membership_id,
                month=line.month,
                amount=line.amount,
                reason=reason[:255],
                created_by=acting_user,
            )
            for line in lines
        )
        Bill.objects.filter(pk=bill.pk).update(adjusted_amount=F("adjusted_amount") + amount)
        Credit.objects.create(
            funding_source_id=bill.funding_source_id,
            kind=Credit.Kind.ADJUSTMENT,
            amount=amount,
            bill=bill,
            created_by=acting_user,
        )
        audit_record(
            action="contributions.bill.adjusted",
            acting_user=acting_user,
            obj=bill,
            after={"adjusted_amount": bill.adjusted_amount + amount},
            data={
                "amount": amount,
                "months": [str(Month.from_date(line.month)) for line in lines],
                "memberships": sorted({line.membership_id for line in lines}),
                "reason": reason,
            },
        )
        result.credited[bill.pk] = amount
    for source_id in sorted({bills[b].funding_source_id for b in by_bill}):
        _credit_apply(source_id=source_id, acting_user=acting_user)
    return result
