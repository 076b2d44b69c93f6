"""Obligation instances: generated per period or per event, judged from the system's own
records where the obligation's evidence rule allows (design-governance §2.2).

1. ``obligation_instances_generate`` makes one instance per quarter/year the obligation
   was in force (cut at its ``effective_to``, so an addendum mid-quarter leaves the old
   version an instance for its part of the quarter and the new version one for the rest),
   or per event: a decree issued (sent to BPJS), a claim at the stage the rule watches.
   Re-running adds nothing (unique ``obligation``+``key``).
2. ``obligation_instances_judge`` looks up the record that proves each automatic instance
   (a BPJS result file, a claim decision or payout, an evaluation meeting, …) and sets
   fulfilled / late, or missed once the due date has passed without one. Instances judged
   by a person (evidence uploaded, waived) are never re-judged.

Without an agreed SLA an event instance cannot be late: it is fulfilled when the record
arrives, and the page says "SLA belum disepakati".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone

from jamsos.accounts.models import Agency, User
from jamsos.audit.services import audit_event_build, audit_record, audit_record_many
from jamsos.collaboration.models import (
    Agreement,
    Meeting,
    Obligation,
    ObligationInstance,
)
from jamsos.collaboration.quarters import Quarter
from jamsos.regions.models import Region

E = Obligation.Evidence
S = ObligationInstance.Status

# Which claim timestamp starts the clock and which one proves fulfilment, per rule.
CLAIM_CLOCKS = {
    E.CLAIM_SUBMITTED: ("documents_completed_at", "submitted_at"),
    E.CLAIM_DECIDED: ("submitted_at", "decided_at"),
    E.CLAIM_PAID: ("decided_at", "paid_at"),
}


def _in_region(field: str, region: Region) -> Q:
    return Q(**{field: region.code}) | Q(**{f"{field}__startswith": region.code + "."})


def _periods(obligation: Obligation, until: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    end = min(obligation.effective_to or until, until)
    start = obligation.effective_from
    out: list[tuple[str, dt.date, dt.date]] = []
    if obligation.frequency == Obligation.Frequency.QUARTERLY:
        q = Quarter.of(start)
        while q.start <= end:
            out.append((str(q), max(q.start, start), min(q.end, obligation.effective_to or q.end)))
            q = q.next()
    elif obligation.frequency == Obligation.Frequency.YEARLY:
        for year in range(start.year, end.year + 1):
            first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
            out.append((str(year), max(first, start), min(last, obligation.effective_to or last)))
    elif obligation.frequency == Obligation.Frequency.ONCE and start <= until:
        out.append(("once", start, obligation.effective_to or start))
    return out


def _events(obligation: Obligation, region: Region, until: dt.date) -> list[dict]:
    from jamsos.claims.models import Claim
    from jamsos.enrollment.models import Decree

    start = obligation.effective_from
    end = min(obligation.effective_to or until, until)
    rule = obligation.evidence_rule
    if obligation.frequency == Obligation.Frequency.PER_DECREE:
        decrees = Decree.objects.filter(
            _in_region("region__code", region),
            status=Decree.Status.ISSUED,
            issued_at__date__gte=start,
            issued_at__date__lte=end,
        )
        return [
            {"key": f"decree:{d.pk}", "day": timezone.localdate(d.issued_at), "decree": d}
            for d in decrees
        ]
    if obligation.frequency == Obligation.Frequency.PER_CLAIM and rule in CLAIM_CLOCKS:
        start_field = CLAIM_CLOCKS[rule][0]
        claims = Claim.objects.filter(
            _in_region("village__code", region),
            **{
                f"{start_field}__isnull": False,
                f"{start_field}__date__gte": start,
                f"{start_field}__date__lte": end,
            },
        )
        if rule == E.CLAIM_PAID:
            claims = claims.exclude(status=Claim.Status.REJECTED)
        return [
            {"key": f"claim:{c.pk}", "day": timezone.localdate(getattr(c, start_field)), "claim": c}
            for c in claims
        ]
    return []


@transaction.atomic
def obligation_instances_generate(
    *, region: Region, until: dt.date, acting_user: User | None = None
) -> int:
    obligations = Obligation.objects.filter(agreement__region=region).exclude(
        agreement__status=Agreement.Status.DRAFT
    )
    created = 0
    for obligation in obligations.select_related("agreement"):
        if obligation.kind == Obligation.Kind.PER_EVENT:
            for event in _events(obligation, region, until):
                day = event["day"]
                due = day + dt.timedelta(days=obligation.sla_days or 0)
                _obj, made = ObligationInstance.objects.get_or_create(
                    obligation=obligation,
                    key=event["key"],
                    defaults={
                        "period_start": day,
                        "period_end": day,
                        "due_on": due,
                        "decree": event.get("decree"),
                        "claim": event.get("claim"),
                    },
                )
                created += made
            continue
        for key, first, last in _periods(obligation, until):
            due = (
                last
                if obligation.frequency != Obligation.Frequency.ONCE
                else first + dt.timedelta(days=obligation.sla_days or 0)
            )
            _obj, made = ObligationInstance.objects.get_or_create(
                obligation=obligation,
                key=key,
                defaults={"period_start": first, "period_end": last, "due_on": due},
            )
            created += made
    if created:
        audit_record(
            action="collaboration.obligation.instances_generated",
            acting_user=acting_user,
            region_code=region.code,
            data={"created": created, "until": until.isoformat()},
        )
    return created


@dataclass
class Proof:
    at: dt.datetime
    ref: str


def _meetings(region: Region, first: dt.date, last: dt.date):
    return Meeting.objects.filter(
        _in_region("forum__region__code", region),
        starts_at__date__gte=first,
        starts_at__date__lte=last,
    ).order_by("starts_at")


def _report_proof(
    obligation: Obligation, region: Region, first: dt.date, last: dt.date
) -> Proof | None:
    """A monthly report to the Bupati (``reports.Publication``) for a month of the period;
    on time when published by the instance's due date."""
    from jamsos.reports.models import Publication

    months = [
        f"{year:04d}-{month:02d}"
        for year in range(first.year, last.year + 1)
        for month in range(1, 13)
        if first <= dt.date(year, month, 1) <= last
    ]
    publication = (
        Publication.objects.filter(
            _in_region("region__code", region),
            kind=Publication.Kind.MONTHLY_BUPATI,
            period__in=months,
        )
        .order_by("published_at")
        .first()
    )
    if publication is None:
        return None
    return Proof(publication.published_at, f"publication:{publication.pk}")


def _outreach_proof(
    obligation: Obligation, region: Region, first: dt.date, last: dt.date
) -> Proof | None:
    """A sosialisasi event the party organised or co-organised in the period."""
    from jamsos.outreach.models import EventKind, OutreachEvent

    event = (
        OutreachEvent.objects.filter(
            _in_region("village__code", region),
            kind=EventKind.SOSIALISASI,
            held_on__gte=first,
            held_on__lte=last,
        )
        .filter(Q(organiser=obligation.party) | Q(co_organisers=obligation.party))
        .order_by("held_on", "pk")
        .first()
    )
    if event is None:
        return None
    at = timezone.make_aware(dt.datetime.combine(event.held_on, dt.time(12)))
    return Proof(at, f"outreach_event:{event.pk}")


# Duties proved by another governance record of the period (reports, outreach).
PERIOD_PROOFS = {E.REPORT_PUBLISHED: _report_proof, E.OUTREACH_EVENT: _outreach_proof}


def _proof(instance: ObligationInstance, region: Region) -> Proof | None:
    from jamsos.budget.models import Allocation
    from jamsos.enrollment.models import BpjsResultImport, DecreeLine
    from jamsos.intake.models import ProposalBatch

    obligation = instance.obligation
    rule = obligation.evidence_rule
    first, last = instance.period_start, instance.period_end
    if rule in PERIOD_PROOFS:
        return PERIOD_PROOFS[rule](obligation, region, first, last)
    if rule == E.BPJS_RESULT and instance.decree_id:
        file_at = BpjsResultImport.objects.filter(decree_id=instance.decree_id).aggregate(
            at=Min("imported_at")
        )["at"]
        line_at = DecreeLine.objects.filter(
            decree_id=instance.decree_id, bpjs_recorded_at__isnull=False
        ).aggregate(at=Min("bpjs_recorded_at"))["at"]
        times = [t for t in (file_at, line_at) if t is not None]
        return Proof(min(times), f"decree:{instance.decree_id}") if times else None
    if rule in CLAIM_CLOCKS and instance.claim_id:
        at = getattr(instance.claim, CLAIM_CLOCKS[rule][1])
        return Proof(at, f"claim:{instance.claim_id}") if at else None
    if rule == E.PROPOSALS:
        batch = (
            ProposalBatch.objects.filter(
                _in_region("region__code", region),
                submitted_at__date__gte=first,
                submitted_at__date__lte=last,
            )
            .order_by("submitted_at")
            .first()
        )
        return Proof(batch.submitted_at, f"batch:{batch.pk}") if batch else None
    if rule == E.ALLOCATION:
        allocation = (
            Allocation.objects.filter(
                fiscal_year__region=region,
                approved_at__date__gte=first,
                approved_at__date__lte=last,
            )
            .order_by("approved_at")
            .first()
        )
        return Proof(allocation.approved_at, f"allocation:{allocation.pk}") if allocation else None
    if rule == E.EVALUATION:
        meeting = _meetings(region, first, last).filter(kind=Meeting.Kind.EVALUASI).first()
        return Proof(meeting.starts_at, f"meeting:{meeting.pk}") if meeting else None
    if rule == E.ATTENDANCE:
        meeting = (
            _meetings(region, first, last)
            .filter(attendances__agency=obligation.party)
            .distinct()
            .first()
        )
        return Proof(meeting.starts_at, f"meeting:{meeting.pk}") if meeting else None
    if rule == E.DPRD_MEETING:
        meeting = (
            _meetings(region, first, last)
            .filter(attendances__agency__kind=Agency.Kind.DPRD)
            .distinct()
            .first()
        )
        return Proof(meeting.starts_at, f"meeting:{meeting.pk}") if meeting else None
    return None


@transaction.atomic
def obligation_instances_judge(
    *, region: Region, today: dt.date, acting_user: User | None = None
) -> dict[str, int]:
    instances = (
        ObligationInstance.objects.filter(
            obligation__agreement__region=region,
            obligation__evidence_rule__in=list(Obligation.AUTO),
            status__in=[S.PENDING, S.MISSED],
            judged_by__isnull=True,
            waiver_approved_by__isnull=True,
        )
        .select_related("obligation", "claim")
        .order_by("pk")
    )
    counts: dict[str, int] = {}
    events = []
    for instance in instances:
        proof = _proof(instance, region)
        no_sla = (
            instance.obligation.kind == Obligation.Kind.PER_EVENT
            and not instance.obligation.sla_days
        )
        if proof is not None:
            on_time = no_sla or timezone.localdate(proof.at) <= instance.due_on
            status = S.FULFILLED if on_time else S.LATE
            instance.fulfilled_at = proof.at
            instance.evidence_ref = proof.ref
        elif instance.due_on < today and not no_sla:
            status = S.MISSED
        else:
            continue
        if status == instance.status:
            continue
        before = instance.status
        instance.status = status
        instance.judged_at = timezone.now()
        instance.save(update_fields=["status", "fulfilled_at", "evidence_ref", "judged_at"])
        counts[status] = counts.get(status, 0) + 1
        # One event per status change (design-governance §2.2), written in bulk.
        events.append(
            audit_event_build(
                action="collaboration.obligation.judged",
                acting_user=acting_user,
                obj=instance,
                before={"status": before},
                after={"status": status},
                data={"evidence": instance.evidence_ref, "today": today.isoformat()},
                region_code=region.code,
            )
        )
    audit_record_many(events)
    return counts
