"""What every contributions service shares: permission + scope checks, validation,
the errors, and keeping the budget's absorption figures in step with the bills."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Max, Sum
from django.utils.translation import gettext

from jamsos.accounts.access import region_in_scope, require_perm
from jamsos.accounts.models import User
from jamsos.budget.models import Allocation
from jamsos.budget.services import allocation_absorption_record
from jamsos.contributions.models import Bill
from jamsos.lib.errors import DomainError, PermissionDenied
from jamsos.lib.periods import Month


class BillingError(DomainError):
    code = "billing_invalid"


class StatementInvalid(DomainError):
    """The statement file has bad rows; ``errors`` lists each with row, column, value."""

    code = "statement_invalid"


def require(acting_user: User | None, perm: str, region_code: str) -> None:
    """The actor holds ``perm`` and the region lies in its scope (None = the system)."""
    if acting_user is None:
        return
    require_perm(acting_user, perm)
    if not region_in_scope(acting_user, region_code):
        raise PermissionDenied(
            gettext("Data ini di luar cakupan wilayah Anda."), code="outside_scope"
        )


def validated(obj: Any) -> None:
    """``full_clean`` with Django's messages turned into one domain error."""
    try:
        obj.full_clean()
    except ValidationError as exc:
        parts = []
        for field, messages in exc.message_dict.items():
            label = "" if field == "__all__" else f"{field}: "
            parts.append(label + " ".join(str(m) for m in messages))
        raise DomainError("; ".join(parts), code="invalid", fields=exc.message_dict) from exc


def absorption_refresh(*, source_id: int, year: int) -> Allocation | None:
    """Write billed and paid of a funding source's year into its pagu (budget app).

    Billed = Σ sent bills of the source whose months lie in the year (a bill never
    crosses a year); paid = what of them is settled (payments and credit). The figures
    go to the source's approved pagu of that year (the first by id when there are
    several: bills are per source, not per pagu). No pagu → nothing to record.
    """
    bills = Bill.objects.filter(
        funding_source_id=source_id,
        status__in=Bill.SENT,
        first_month__year=year,
    )
    figures = bills.aggregate(
        billed=Sum("total", default=0),
        credit=Sum("credit_applied", default=0),
        paid=Sum("paid_amount", default=0),
        through=Max("last_month"),
    )
    if figures["through"] is None:
        return None
    allocation = (
        Allocation.objects.filter(
            source_id=source_id,
            fiscal_year__year=year,
            status=Allocation.Status.APPROVED,
        )
        .order_by("pk")
        .first()
    )
    if allocation is None:
        return None
    return allocation_absorption_record(
        allocation=allocation,
        billed=int(figures["billed"]),
        paid=int(figures["credit"]) + int(figures["paid"]),
        through=Month.from_date(figures["through"]),
        acting_user=None,  # the system: the bill or payment carries the actor's audit event
    )
