"""Writes of one membership's coverage terms: a PU member's wage and risk group, and the
end of coverage at a participant's death.

Kept apart from ``memberships`` (bulk creation, refresh, renewal): these are single-row
changes other apps trigger — the contributions app bills PU members from the wage
recorded here, and a paid death claim ends the deceased's coverage here.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from jamsos.accounts.access import region_in_scope, require_perm
from jamsos.accounts.models import User
from jamsos.audit.services import audit_record
from jamsos.budget.models import RiskGroup, Segment
from jamsos.enrollment.models import Membership
from jamsos.lib.errors import DomainError, NotFoundOrForbidden
from jamsos.lib.formats import tanggal
from jamsos.lib.periods import Month

# Coverage that still runs or is still to come: a death ends these.
_RUNNING = (Membership.Status.PENDING, Membership.Status.ACTIVE, Membership.Status.LAPSED)


@transaction.atomic
def membership_wage_set(
    *, membership: Membership, wage: int, risk_group: str, acting_user: User
) -> Membership:
    """Record a PU member's monthly wage and the employer's JKK risk group: the base of
    the contribution (wage × the group's JKK rate + the JKM rate) and of JKK benefits.
    Months already billed keep the amount they were billed at."""
    require_perm(acting_user, "enrollment.draft_decree")
    if not region_in_scope(acting_user, membership.village_id):
        raise NotFoundOrForbidden(gettext("Kepesertaan tidak ditemukan."))
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.segment != Segment.PU:
        raise DomainError(
            gettext("Upah dan kelompok risiko hanya untuk peserta penerima upah (PU)."),
            code="wage_only_pu",
        )
    if isinstance(wage, bool) or not isinstance(wage, int) or wage <= 0:
        raise DomainError(
            gettext("Upah sebulan harus lebih dari Rp 0."), code="wage_invalid", field="wage"
        )
    if risk_group not in RiskGroup.values:
        raise DomainError(
            gettext('Kelompok risiko "%(value)s" tidak dikenal; pilih salah satu: %(choices)s.')
            % {"value": risk_group, "choices": ", ".join(RiskGroup.values)},
            code="risk_group_unknown",
            field="risk_group",
        )
    before = {"wage": membership.wage, "risk_group": membership.risk_group}
    membership.wage = wage
    membership.risk_group = risk_group
    membership.full_clean()
    membership.save(update_fields=["wage", "risk_group"])
    audit_record(
        action="enrollment.membership.wage_set",
        acting_user=acting_user,
        obj=membership,
        before=before,
        after={"wage": wage, "risk_group": risk_group},
    )
    return membership


def memberships_end_for_death_unchecked(
    *, person_id: int, died_on: dt.date, reason: str, acting_user: User | None
) -> list[Membership]:
    """End the coverage of a person who died: covered up to the month of death, status
    ``deceased``; a membership whose first month comes after the death never started
    and is cancelled. Returns the memberships changed.

    Unchecked: the caller holds the transaction and has checked the permission for
    what caused it (a paid death claim: ``claims.record_payout``). Re-running changes
    nothing (memberships already ended by the death are left alone).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("memberships_end_for_death_unchecked must run inside a transaction")
    death = Month.from_date(died_on)
    memberships = list(
        Membership.objects.select_for_update()
        .filter(person_id=person_id, status__in=[*_RUNNING, Membership.Status.ENDED])
        .order_by("pk")
    )
    now = timezone.now()
    changed = []
    for membership in memberships:
        first = Month.from_date(membership.first_month)
        last = Month.from_date(membership.last_month)
        if membership.status == Membership.Status.ENDED and last <= death:
            continue  # ended before the death: nothing to change
        before = {"status": membership.status, "last_month": str(last)}
        if death < first:
            membership.status = Membership.Status.CANCELLED
        else:
            membership.status = Membership.Status.DECEASED
            membership.last_month = min(last, death).first_day()
        membership.status_reason = (
            f"Meninggal {tanggal(died_on)}; {reason}" if reason else f"Meninggal {tanggal(died_on)}"
        )[:255]
        membership.status_changed_at = now
        membership.full_clean()
        membership.save(
            update_fields=["status", "last_month", "status_reason", "status_changed_at"]
        )
        audit_record(
            action="enrollment.membership.ended_by_death",
            acting_user=acting_user,
            obj=membership,
            before=before,
            after={
                "status": membership.status,
                "last_month": str(Month.from_date(membership.last_month)),
            },
            data={"died_on": died_on.isoformat(), "reason": reason},
        )
        changed.append(membership)
    return changed
