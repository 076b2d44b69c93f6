"""Demo claims: at least one claim in every stage, walked through the real services.

The step runs after the enrollment (memberships) and contributions (bills) steps and does
nothing when no membership exists yet. Each claim is reported by whoever would report it
in the field (the nagari's agent, the camat's operator, or the Dinas), gets its heirs and
documents (small generated PDFs), and is moved along the workflow by the Dinas operator,
the Dinas head and the BPJS officer of the demo. The services stamp every step "now", so
afterwards the step spreads the timestamps over the days after the event, so that the SLA
clocks and the dashboard averages show something like real history.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jamsos.accounts.models import User
from jamsos.claims import services
from jamsos.claims.eligibility import paid_months
from jamsos.claims.models import (
    PAID_TO_HEIR_TYPES,
    Claim,
    ClaimTransition,
    EducationLevel,
    PayoutMethod,
)
from jamsos.claims.selectors import document_checklist
from jamsos.demo.registry import demo_step
from jamsos.enrollment.models import Membership
from jamsos.lib.periods import Month

if TYPE_CHECKING:
    from jamsos.demo.registry import DemoContext

Status = Claim.Status

# (type, stage to reach) — every stage at least once; paid claims most often.
PLAN: list[tuple[str, str]] = [
    ("jkm", Status.PAID),
    ("jkk_death", Status.PAID),
    ("jkm", Status.PAID),
    ("jkk_medical", Status.PAID),
    ("jkm", Status.APPROVED),
    ("jkk_stmb", Status.UNDER_REVIEW),
    ("jkm", Status.SUBMITTED),
    ("beasiswa", Status.SUBMISSION_PREPARED),
    ("jkm", Status.DOCUMENTS_COMPLETE),
    ("jkk_medical", Status.REPORTED),
    ("jkm", Status.REPORTED),
    ("jkm", Status.REJECTED),
    ("jkk_stmb", Status.WITHDRAWN),
]
ORDER = [
    Status.REPORTED,
    Status.DOCUMENTS_COMPLETE,
    Status.SUBMISSION_PREPARED,
    Status.SUBMITTED,
    Status.UNDER_REVIEW,
    Status.APPROVED,
    Status.PAID,
]
SPOUSES = ["Rosmaniar", "Nurhayati", "Yusnimar", "Ernawati", "Syafrizal", "Asrul", "Desmawati"]
CHILDREN = ["Putri", "Rahmat", "Nadia", "Fauzan", "Aisyah", "Rizki"]
BANKS = ["Bank Nagari", "BRI", "BSI", "Bank Mandiri"]
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@dataclass
class Cast:
    operator: User
    head: User
    bpjs: User
    agent: User
    camat: User

    def reporter(self, membership: Membership) -> User:
        if membership.village_id == self.agent.region_id:
            return self.agent
        if membership.village.parent_id == self.camat.region_id:
            return self.camat
        return self.operator


def _event_date(rng: random.Random, membership: Membership, today: dt.date) -> dt.date | None:
    months = sorted(m for m in paid_months(membership) if m.first_day() <= today)
    if not months:
        return None
    month: Month = rng.choice(months[-12:])
    last = min(month.last_day(), today - dt.timedelta(days=1))
    if last < month.first_day():
        return None
    return month.first_day() + dt.timedelta(days=rng.randrange((last - month.first_day()).days + 1))


def _heirs(rng: random.Random, claim_type: str) -> list[services.HeirData]:
    account = "".join(str(rng.randrange(10)) for _ in range(10))
    if claim_type == "beasiswa":
        return [
            services.HeirData(
                full_name=rng.choice(CHILDREN),
                relationship="child",
                birth_date=dt.date(2010 + i * 3, rng.randrange(1, 13), rng.randrange(1, 28)),
                education_level=level,
                bank_name=rng.choice(BANKS),
                bank_account=account if i == 0 else "",
                is_payee=i == 0,
            )
            for i, level in enumerate([EducationLevel.SMA, EducationLevel.SMP])
        ]
    return [
        services.HeirData(
            full_name=rng.choice(SPOUSES),
            relationship="spouse" if claim_type in ("jkm", "jkk_death") else "other",
            bank_name=rng.choice(BANKS),
            bank_account=account,
            is_payee=True,
        )
    ]


def _upload_all(claim: Claim, user: User) -> None:
    for item in document_checklist(claim=claim).missing:
        services.claim_document_upload(
            claim=claim,
            requirement=item.requirement,
            upload=SimpleUploadedFile(f"{item.requirement.code}.pdf", DEMO_PDF),
            acting_user=user,
        )


def _advance(claim: Claim, cast: Cast, rng: random.Random) -> Claim:
    """One step along the happy path, by whoever takes it in real life."""
    match claim.status:
        case Status.REPORTED:
            _upload_all(claim, cast.reporter(claim.membership))
            return services.claim_documents_confirm(claim=claim, acting_user=cast.operator)
        case Status.DOCUMENTS_COMPLETE:
            return services.claim_submission_prepare(claim=claim, acting_user=cast.operator)
        case Status.SUBMISSION_PREPARED:
            return services.claim_submission_approve(claim=claim, acting_user=cast.head)
        case Status.SUBMITTED:
            return services.claim_review_start(claim=claim, acting_user=cast.bpjs)
        case Status.UNDER_REVIEW:
            return services.claim_approve(claim=claim, acting_user=cast.bpjs)
    payee = None
    account = ""
    if claim.claim_type in PAID_TO_HEIR_TYPES:
        payee = claim.heirs.order_by("-is_payee", "pk").first()
    if payee is None or not payee.bank_account:
        account = f"{rng.randrange(10**9, 10**10)}"
    return services.claim_payout_record(
        claim=claim,
        amount=int(claim.approved_amount or 0),
        paid_on=timezone.localdate(),
        reference=f"TRF{rng.randrange(10**9):09d}",
        method=PayoutMethod.TRANSFER,
        payee_heir=payee,
        bank="" if payee and payee.bank_name else "Bank Nagari",
        account=account,
        acting_user=cast.bpjs,
    )


def _walk(claim: Claim, target: str, cast: Cast, rng: random.Random) -> Claim:
    if target == Status.WITHDRAWN:
        return services.claim_withdraw(
            claim=claim, reason="Dilaporkan ganda oleh keluarga.", acting_user=cast.operator
        )
    stop = Status.UNDER_REVIEW if target == Status.REJECTED else target
    while ORDER.index(claim.status) < ORDER.index(stop):
        claim = _advance(claim, cast, rng)
    if target == Status.REJECTED:
        claim = services.claim_reject(
            claim=claim,
            reason="Ahli waris tidak sesuai surat keterangan ahli waris.",
            acting_user=cast.bpjs,
        )
    return claim


def _spread(claim: Claim, rng: random.Random, now: dt.datetime) -> None:
    """Move the claim's history back in time: report a day or two after the event, each
    later stage some hours to days after the previous one, the last one not after now."""
    transitions = list(claim.transitions.order_by("at", "pk"))
    start = timezone.make_aware(dt.datetime.combine(claim.event_date, dt.time(9)))
    moments = [start + dt.timedelta(hours=rng.randrange(4, 60))]
    for _ in transitions[1:]:
        moments.append(moments[-1] + dt.timedelta(hours=rng.randrange(3, 24 * 6)))
    shift = max(dt.timedelta(0), moments[-1] - now)
    moments = [m - shift for m in moments]
    fields: dict[str, dt.datetime | dt.date] = {}
    for transition, moment in zip(transitions, moments, strict=True):
        ClaimTransition.objects.filter(pk=transition.pk).update(at=moment)
        column = {
            Status.REPORTED: "reported_at",
            Status.DOCUMENTS_COMPLETE: "documents_completed_at",
            Status.SUBMISSION_PREPARED: "prepared_at",
            Status.SUBMITTED: "submitted_at",
            Status.UNDER_REVIEW: "review_started_at",
            Status.APPROVED: "decided_at",
            Status.REJECTED: "decided_at",
            Status.PAID: "paid_at",
        }.get(transition.to_status)
        if column:
            fields[column] = moment
        if transition.to_status == Status.PAID:
            fields["payout_date"] = timezone.localdate(moment)
    fields["status_changed_at"] = moments[-1]
    Claim.objects.filter(pk=claim.pk).update(**fields)
    # The findings were computed with "now" as the report time; check again with the
    # report time of the history (a late JKK report is late by hours, not years).
    claim.refresh_from_db()
    result = services.claim_eligibility_check(claim)
    Claim.objects.filter(pk=claim.pk).update(
        eligibility=result.as_list(), months_paid=result.months_paid
    )


@demo_step("claims", order=60)
def demo_step_claims(ctx: DemoContext) -> int:
    """Claims in every stage for the demo memberships; none when there are no memberships."""
    memberships = list(
        Membership.objects.filter(
            status__in=[Membership.Status.ACTIVE, Membership.Status.ENDED],
            village__code__startswith=ctx.regency.code + ".",
        )
        .select_related("person", "village")
        .order_by("pk")
    )
    users = ctx.users
    needed = ("operator", "kadis", "bpjs", "agen", "camat")
    if not memberships or any(name not in users for name in needed):
        return 0
    cast = Cast(users["operator"], users["kadis"], users["bpjs"], users["agen"], users["camat"])
    rng = ctx.rng("claims")
    rng.shuffle(memberships)
    # Agents and camat report in their own area: put such memberships first.
    memberships.sort(key=lambda m: cast.reporter(m) is cast.operator)
    today = timezone.localdate()
    now = timezone.now()
    created = 0
    used_persons: set[int] = set()
    candidates = iter(memberships)
    for claim_type, target in PLAN:
        for membership in candidates:
            if membership.person_id in used_persons:
                continue
            event = _event_date(rng, membership, today)
            if event is None:
                continue
            claim = services.claim_report(
                membership=membership,
                claim_type=claim_type,
                event_date=event,
                origin="jkk_death" if claim_type == "beasiswa" else "",
                chronology="Data demo.",
                stmb_days=rng.randrange(14, 120) if claim_type == "jkk_stmb" else None,
                medical_costs=rng.randrange(2, 40) * 250_000
                if claim_type == "jkk_medical"
                else None,
                heirs=_heirs(rng, claim_type),
                acting_user=cast.reporter(membership),
            )
            if claim.eligibility_errors and target not in (Status.REPORTED, Status.WITHDRAWN):
                target = Status.WITHDRAWN
            claim = _walk(claim, target, cast, rng)
            _spread(claim, rng, now)
            used_persons.add(membership.person_id)
            created += 1
            break
    return created
