"""Writes of memberships: created from accepted decree lines, ended by amendments, moved
through pending → active → ended by the monthly refresh, and carried into next year by a
renewal proposal."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from jamsos.accounts.models import User
from jamsos.audit.services import audit_event_build, audit_record
from jamsos.budget.estimates import cost_estimate
from jamsos.budget.models import Allocation, FiscalYear, FundingSource, Programme, Reservation
from jamsos.enrollment.models import (
    Decree,
    DecreeLine,
    Membership,
    RenewalCandidate,
    RenewalProposal,
)
from jamsos.enrollment.services.common import (
    AlreadyCovered,
    audit_bulk,
    coverage_clashes,
    id_chunks,
    ids_q,
    require,
)
from jamsos.lib.bulkcopy import rows_insert
from jamsos.lib.errors import DomainError, InvalidTransition
from jamsos.lib.formats import angka
from jamsos.lib.periods import Month

PROGRAMMES = [Programme.JKK.value, Programme.JKM.value]
_MEMBERSHIP_FIELDS = (
    "person",
    "segment",
    "programmes",
    "funding_source",
    "decree_line",
    "village",
    "kpj_number",
    "first_month",
    "last_month",
    "status",
    "status_reason",
    "status_changed_at",
    "created_at",
)


@transaction.atomic
def membership_counts_rebuild() -> int:
    """Recompute the whole count summary (``MembershipCount``) from the memberships;
    returns the number of groups. The triggers keep it right on every write, so this is
    a repair (e.g. after restoring one table alone), not a routine step. On PostgreSQL
    the membership table is locked against writes meanwhile (reads go on)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("LOCK TABLE enrollment_membership IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute("DELETE FROM enrollment_membershipcount")
        cursor.execute(
            "INSERT INTO enrollment_membershipcount (village_id, funding_source_id, status, "
            "first_month, last_month, n) SELECT village_id, funding_source_id, status, "
            "first_month, last_month, COUNT(*) FROM enrollment_membership "
            "GROUP BY village_id, funding_source_id, status, first_month, last_month"
        )
        return cursor.rowcount


def membership_status_for(first: Month, last: Month, as_of: Month) -> str:
    """Pending before its first month, ended after its last, active in between."""
    if as_of < first:
        return Membership.Status.PENDING
    if as_of > last:
        return Membership.Status.ENDED
    return Membership.Status.ACTIVE


@dataclass(frozen=True)
class NewMembership:
    line_id: int
    person_id: int
    segment: str
    funding_source_id: int
    village_id: str
    kpj_number: str
    first: Month
    last: Month


def memberships_create_prevalidated(
    *, items: Sequence[NewMembership], as_of: Month
) -> dict[int, int]:
    """Write memberships for accepted lines in bulk; ``{line id: membership id}``.

    For ``bpjs_results_record`` only: it holds the transaction, has locked the persons and
    checked that no pending or active coverage overlaps.
    """
    if not items:
        return {}
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("memberships_create_prevalidated must run inside a transaction")
    now = timezone.now()
    programmes = json.dumps(PROGRAMMES)
    rows_insert(
        Membership,
        _MEMBERSHIP_FIELDS,
        (
            (
                m.person_id,
                m.segment,
                programmes,
                m.funding_source_id,
                m.line_id,
                m.village_id,
                m.kpj_number,
                m.first.first_day(),
                m.last.first_day(),
                membership_status_for(m.first, m.last, as_of),
                "",
                now,
                now,
            )
            for m in items
        ),
    )
    ids = [m.line_id for m in items]
    found: dict[int, int] = {}
    for chunk in id_chunks(ids):
        found.update(
            Membership.objects.filter(ids_q("decree_line_id", chunk)).values_list(
                "decree_line_id", "pk"
            )
        )
    return found


def memberships_end_for_lines(*, lines: Iterable[DecreeLine], last: Month, decree: Decree) -> int:
    """End the coverage of persons an issued amendment strikes out.

    A membership whose first month is after the amendment's month is cancelled (it never
    covered anything); a running one is covered to the end of the month the amendment was
    issued in (the refresh ends it after).
    """
    line_ids = [line.pk for line in lines]
    memberships = list(
        Membership.objects.select_for_update()
        .filter(decree_line_id__in=line_ids)
        .exclude(
            status__in=[
                Membership.Status.ENDED,
                Membership.Status.DECEASED,
                Membership.Status.CANCELLED,
            ]
        )
    )
    now = timezone.now()
    as_of = Month.current()
    reason = f"Dicoret SK perubahan {decree.number or decree.pk}"
    events = []
    for membership in memberships:
        first = Month.from_date(membership.first_month)
        before = {"status": membership.status, "last_month": str(membership.last_month)}
        if last < first:
            # Struck out before its first month: it never covered anything.
            membership.status = Membership.Status.CANCELLED
        else:
            end = min(Month.from_date(membership.last_month), max(first, last))
            membership.last_month = end.first_day()
            membership.status = (
                Membership.Status.ENDED if end < as_of else membership_status_for(first, end, as_of)
            )
        membership.status_reason = reason[:255]
        membership.status_changed_at = now
        membership.save(
            update_fields=["status", "last_month", "status_reason", "status_changed_at"]
        )
        events.append(
            audit_event_build(
                action="enrollment.membership.ended",
                acting_user=None,
                obj=membership,
                before=before,
                after={"status": membership.status, "last_month": str(membership.last_month)},
                data={"decree": decree.pk, "reason": reason},
            )
        )
    audit_bulk(events)
    return len(memberships)


def membership_statuses_refresh(*, as_of: Month | None = None) -> dict[str, int]:
    """Move memberships to the status their months give on ``as_of`` (default: this
    month): pending → active from the first month, active → ended after the last.

    Run monthly by cron (``jamsos membership_refresh``); re-running changes nothing. The
    contributions app moves members to ``lapsed``; this never touches lapsed or
    deceased memberships.
    """
    as_of = as_of or Month.current()
    day = as_of.first_day()
    now = timezone.now()
    counts = {}
    with transaction.atomic():
        to_active = Membership.objects.filter(
            status=Membership.Status.PENDING, first_month__lte=day, last_month__gte=day
        )
        to_ended = Membership.objects.filter(
            Q(status=Membership.Status.ACTIVE) | Q(status=Membership.Status.PENDING),
            last_month__lt=day,
        )
        for label, queryset, status in (
            ("ended", to_ended, Membership.Status.ENDED),
            ("active", to_active, Membership.Status.ACTIVE),
        ):
            rows = list(queryset.select_for_update().values_list("pk", "status", "village_id"))
            if rows:
                Membership.objects.filter(pk__in=[r[0] for r in rows]).update(
                    status=status, status_changed_at=now
                )
                template = audit_event_build(
                    action="enrollment.membership.status_changed",
                    acting_user=None,
                    data={"as_of": str(as_of)},
                )
                audit_bulk(
                    audit_event_build(
                        action=template.action,
                        acting_user=None,
                        before={"status": old},
                        after={"status": status},
                        data={"as_of": str(as_of), "membership": pk},
                        region_code=village,
                    )
                    for pk, old, village in rows
                )
            counts[label] = len(rows)
    return counts


# --- Renewal -------------------------------------------------------------------------------------


def _renewal_candidates(fiscal_year: FiscalYear) -> list[tuple[int, int, int, str]]:
    """``(person, membership, funding source, village)`` of the previous year's members
    who are alive, were not struck out, and have no coverage in the new year yet."""
    previous = fiscal_year.year - 1
    region = fiscal_year.region_id
    rows = (
        Membership.objects.filter(
            Q(village__code__startswith=region + "."),
            last_month__year=previous,
            status__in=[
                Membership.Status.PENDING,
                Membership.Status.ACTIVE,
                Membership.Status.ENDED,
            ],
            person__is_deceased=False,
        )
        .filter(Q(decree_line__isnull=True) | Q(decree_line__removed_by_line__isnull=True))
        .order_by("person_id", "-last_month", "-pk")
        .values_list("person_id", "pk", "funding_source_id", "village_id", "status_reason")
    )
    latest: dict[int, tuple[int, int, int, str]] = {}
    for person, membership, source, village, reason in rows:
        if person not in latest and not reason.startswith("Dicoret"):
            latest[person] = (person, membership, source, village)
    return list(latest.values())


def membership_renewal_propose(
    *, fiscal_year: FiscalYear, acting_user: User | None
) -> RenewalProposal:
    """Carry the previous year's members into ``fiscal_year`` as a proposal.

    Why a proposal of its own rather than an intake batch or a reservation: the persons
    are already in the registry (intake would flag every one as already registered), and
    a reservation commits money the head has not budgeted yet and needs an approved pagu
    that may not exist when renewal is prepared (in the autumn, before the APBD). The
    proposal names the persons and what 12 months cost at the new year's rates, per
    funding source; ``renewal_reserve`` turns it into named reservations once the pagu is
    approved, and the decree is drafted from those as usual. Re-running adds only persons
    not proposed yet, so it can run again after late BPJS results.
    """
    require(acting_user, "enrollment.draft_decree", fiscal_year.region_id)
    candidates = _renewal_candidates(fiscal_year)
    first, last = Month(fiscal_year.year, 1), Month(fiscal_year.year, 12)
    with transaction.atomic():
        proposal, created = RenewalProposal.objects.select_for_update().get_or_create(
            fiscal_year=fiscal_year, defaults={"created_by": acting_user}
        )
        known = set(proposal.lines.values_list("person_id", flat=True))
        fresh = [c for c in candidates if c[0] not in known]
        covered = _covered_persons([c[0] for c in fresh], first=first, last=last)
        fresh = [c for c in fresh if c[0] not in covered]
        RenewalCandidate.objects.bulk_create(
            [
                RenewalCandidate(
                    proposal=proposal,
                    person_id=person,
                    membership_id=membership,
                    funding_source_id=source,
                    village_id=village,
                )
                for person, membership, source, village in fresh
            ],
            batch_size=5000,
        )
        proposal.persons = proposal.lines.count()
        proposal.estimate = _renewal_estimate(proposal, first=first)
        proposal.save(update_fields=["persons", "estimate"])
        audit_record(
            action="enrollment.renewal.proposed",
            acting_user=acting_user,
            obj=proposal,
            after={"persons": proposal.persons, "total": proposal.estimate.get("total", 0)},
            data={"added": len(fresh), "created": created, "skipped_covered": len(covered)},
        )
    return proposal


def _covered_persons(ids: Sequence[int], *, first: Month, last: Month) -> set[int]:
    covered: set[int] = set()
    for chunk in id_chunks(ids):
        covered |= set(
            Membership.objects.filter(
                ids_q("person_id", chunk),
                status__in=Membership.COVERING_STATUSES,
                first_month__lte=last.first_day(),
                last_month__gte=first.first_day(),
            ).values_list("person_id", flat=True)
        )
    return covered


def _renewal_estimate(proposal: RenewalProposal, *, first: Month) -> dict[str, Any]:
    """12 months from January at the new year's rates, per funding source."""
    counts: dict[int, int] = defaultdict(int)
    for source in proposal.lines.values_list("funding_source_id", flat=True):
        counts[source] += 1
    sources = FundingSource.objects.in_bulk(list(counts))
    by_source = []
    for source_id, persons in sorted(counts.items()):
        estimate = cost_estimate(
            persons=persons, months=12, start=first, payer=sources[source_id].payer
        )
        by_source.append(
            {
                "source": source_id,
                "source_name": sources[source_id].name,
                "persons": persons,
                "per_person_month": estimate.per_person_month,
                "total": estimate.total,
            }
        )
    return {
        "first_month": str(first),
        "months": 12,
        "by_source": by_source,
        "total": sum(item["total"] for item in by_source),
    }


def _renewal_person_ids(proposal: RenewalProposal, allocation: Allocation) -> list[int]:
    """Candidates not reserved yet whose coverage was paid from the pagu's source."""
    return list(
        proposal.lines.filter(reservation__isnull=True, funding_source_id=allocation.source_id)
        .order_by("pk")
        .values_list("person_id", flat=True)
    )


def renewal_reserve(
    *, proposal: RenewalProposal, allocation: Allocation, acting_user: User | None
) -> Reservation:
    """Reserve the candidates paid from ``allocation``'s source, January–December,
    naming them (the decree may then name only them); links the reservation."""
    from jamsos.budget.services import reservation_create

    require(acting_user, "enrollment.draft_decree", proposal.fiscal_year.region_id)
    if allocation.fiscal_year_id != proposal.fiscal_year_id:
        raise DomainError(gettext("Pagu harus dari tahun anggaran usulan ini."), code="other_year")
    ids = _renewal_person_ids(proposal, allocation)
    if not ids:
        raise DomainError(
            gettext(
                "Tidak ada peserta usulan yang belum direservasi dengan sumber dana %(source)s."
            )
            % {"source": allocation.source},
            code="no_candidates",
        )
    covered = coverage_clashes(
        ids,
        first=Month(proposal.fiscal_year.year, 1).first_day(),
        last=Month(proposal.fiscal_year.year, 12).first_day(),
    )
    if covered:
        raise AlreadyCovered("Sebagian peserta sudah tercakup: " + "; ".join(covered) + ".")
    # reservation_create runs its own durable transaction (the pagu lock).
    reservation = reservation_create(
        allocation=allocation,
        person_ids=ids,
        first_month=Month(proposal.fiscal_year.year, 1),
        months=12,
        note=f"Perpanjangan {angka(len(ids))} peserta {proposal.fiscal_year.year - 1}",
        acting_user=acting_user,
    )
    renewal_link_reservation(proposal=proposal, reservation=reservation, acting_user=acting_user)
    return reservation


@transaction.atomic
def renewal_link_reservation(
    *, proposal: RenewalProposal, reservation: Reservation, acting_user: User | None
) -> RenewalProposal:
    """Mark the reservation's named persons as reserved in the proposal."""
    require(acting_user, "enrollment.draft_decree", proposal.fiscal_year.region_id)
    proposal = RenewalProposal.objects.select_for_update().get(pk=proposal.pk)
    named = reservation.lines.values_list("person_id", flat=True)
    linked = proposal.lines.filter(reservation__isnull=True, person_id__in=named).update(
        reservation=reservation
    )
    if not linked:
        raise InvalidTransition(
            gettext("Reservasi ini tidak menyebut peserta usulan yang tersisa.")
        )
    proposal.reservations.add(reservation)
    if not proposal.lines.filter(reservation__isnull=True).exists():
        proposal.status = RenewalProposal.Status.RESERVED
        proposal.save(update_fields=["status"])
    audit_record(
        action="enrollment.renewal.reserved",
        acting_user=acting_user,
        obj=proposal,
        data={"reservation": reservation.pk, "persons": linked, "status": proposal.status},
    )
    return proposal
