"""Reads of claims: scoped lists, the document checklist, the benefit estimate of a claim,
stage clocks (SLA), the dashboard, and the "claims paid" figures for transparency.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext, gettext_lazy, gettext_noop
from django_stubs_ext import StrOrPromise

from jamsos.accounts.access import region_q, scope_queryset
from jamsos.accounts.models import User
from jamsos.accounts.roles import AGGREGATE_ONLY_ROLES
from jamsos.budget.estimates import RateMissing, cost_estimate
from jamsos.budget.models import Segment
from jamsos.claims import rules as r
from jamsos.claims.benefits import BenefitEstimate, BenefitInputError, Note, benefit_estimate
from jamsos.claims.eligibility import covers
from jamsos.claims.models import (
    BeasiswaOrigin,
    BenefitRule,
    Claim,
    ClaimDocument,
    ClaimParameter,
    ClaimTransition,
    ClaimType,
    DocumentRequirement,
)
from jamsos.enrollment.models import Membership
from jamsos.lib.errors import DomainError, NotFoundOrForbidden
from jamsos.lib.formats import rupiah
from jamsos.lib.periods import Month
from jamsos.registry.models import Heir

Status = Claim.Status

# Who must act while a claim waits in a stage (for the clock labels).
STAGE_OWNER: dict[str, StrOrPromise] = {
    Status.REPORTED: gettext_lazy("Disnakertrans: periksa kelengkapan berkas"),
    Status.DOCUMENTS_COMPLETE: gettext_lazy("Disnakertrans: siapkan pengajuan"),
    Status.SUBMISSION_PREPARED: gettext_lazy("Kepala Disnakertrans: setujui pengajuan"),
    Status.SUBMITTED: gettext_lazy("BPJS Ketenagakerjaan: mulai pemeriksaan"),
    Status.UNDER_REVIEW: gettext_lazy("BPJS Ketenagakerjaan: putuskan klaim"),
    Status.APPROVED: gettext_lazy("BPJS Ketenagakerjaan: bayar manfaat"),
}
FINAL_STATUSES = frozenset({Status.PAID, Status.REJECTED, Status.WITHDRAWN})


# --- Lists -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimFilters:
    status: str = ""
    claim_type: str = ""
    district: str = ""
    q: str = ""


def claim_list(*, viewer: User, filters: ClaimFilters | None = None) -> QuerySet[Claim]:
    """Claims of the viewer's area; none for roles that see totals only."""
    if not viewer.has_perm("claims.view_claims"):
        return Claim.objects.none()
    if not viewer.is_superuser and viewer.role in AGGREGATE_ONLY_ROLES:
        return Claim.objects.none()
    queryset = scope_queryset(
        viewer,
        Claim.objects.select_related("person", "village", "village__parent", "funding_source"),
        "village",
    )
    filters = filters or ClaimFilters()
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.claim_type:
        queryset = queryset.filter(claim_type=filters.claim_type)
    if filters.district:
        queryset = queryset.filter(village__parent_id=filters.district)
    if filters.q:
        text = filters.q.strip()
        queryset = queryset.filter(
            Q(reference__icontains=text)
            | Q(person__full_name__icontains=text)
            | Q(membership__kpj_number=text)
            | Q(person__nik=text)
        )
    return queryset


def claim_detail_queryset() -> QuerySet[Claim]:
    return Claim.objects.select_related(
        "person",
        "person__occupation",
        "village",
        "village__parent",
        "membership",
        "funding_source",
        "reported_by",
        "reporter_agency",
        "prepared_by",
        "approved_by",
        "decided_by",
        "paid_by",
    ).prefetch_related(
        "heirs",
        Prefetch(
            "transitions",
            queryset=ClaimTransition.objects.select_related("actor", "agency").order_by("at", "pk"),
        ),
    )


def registry_heirs(*, claim: Claim) -> QuerySet[Heir]:
    """Heirs already recorded in the registry for this person, not yet on the claim."""
    taken = claim.heirs.exclude(registry_heir=None).values("registry_heir_id")
    return Heir.objects.filter(person_id=claim.person_id).exclude(pk__in=taken)


# --- Benefit estimate of one claim ---------------------------------------------------------


def claim_children(claim: Claim) -> list[tuple[str, str]]:
    """(name, level) of the children on a scholarship claim, in the order recorded."""
    return [
        (heir.full_name, heir.education_level)
        for heir in claim.heirs.all()
        if heir.relationship == Heir.Relationship.CHILD and heir.education_level
    ]


@dataclass(frozen=True)
class BenefitBase:
    """The monthly income a claim's benefit is computed from, and why."""

    income: int | None
    notes: tuple[Note, ...] = ()


def claim_benefit_base(*, claim: Claim) -> BenefitBase:
    """The income the benefit follows: what the membership's contribution was paid for.

    1. BPU: the Lampiran II income the contribution is charged on — the same
       ``cost_estimate`` (lowest bracket, budget's tables) the billing run prices a
       month with, at the event month. An income a proposer typed (on the person or the
       claim) is not what was paid for, so it is not the base (issue 9: Rp 3 M typed,
       Rp 16,800 paid, a JKK death estimated at Rp 166 M).
    2. PU: the wage recorded on the membership (the contribution is a percentage of
       it); without one, the wage given on the claim.
    """
    membership = claim.membership
    typed = claim.income or claim.person.declared_income
    if membership.segment == Segment.PU:
        if membership.wage:
            return BenefitBase(
                membership.wage,
                (
                    Note(
                        gettext_noop("Upah dasar manfaat: %(wage)s (kepesertaan)."),
                        wage=rupiah(membership.wage),
                    ),
                ),
            )
        return BenefitBase(claim.income)
    month = Month.from_date(claim.event_date)
    try:
        paid_for = cost_estimate(
            persons=1,
            months=1,
            start=month,
            segment=Segment.BPU,
            payer=claim.funding_source.payer,
        )
    except RateMissing as exc:
        raise r.RuleMissing(exc.message, month=str(month)) from exc
    income = paid_for.declared_income
    notes = [
        Note(
            gettext_noop(
                "Penghasilan dasar manfaat: %(income)s, nilai penghasilan yang iurannya "
                "dibayar (%(paid)s per bulan)."
            ),
            income=rupiah(income),
            paid=rupiah(paid_for.per_person_month or 0),
        )
    ]
    if typed and typed != income:
        notes.append(
            Note(
                gettext_noop(
                    "Penghasilan yang diisi (%(typed)s) tidak dipakai: manfaat BPU mengikuti "
                    "iuran yang dibayar."
                ),
                typed=rupiah(typed),
            )
        )
    return BenefitBase(income, tuple(notes))


def claim_estimate(*, claim: Claim) -> BenefitEstimate:
    """The benefit this claim would pay, from the rules valid at its event date, on the
    income its contribution was paid for (``claim_benefit_base``)."""
    base = claim_benefit_base(claim=claim)
    estimate = benefit_estimate(
        benefit_type=claim.claim_type,
        on=claim.event_date,
        months_paid=claim.months_paid,
        income=base.income,
        days=claim.stmb_days,
        disability=claim.disability_code or None,
        medical_costs=claim.medical_costs,
        child_levels=claim_children(claim) if claim.claim_type == ClaimType.BEASISWA else None,
    )
    if not base.notes or "income" not in estimate.inputs:
        return estimate
    return replace(estimate, notes=tuple(dict.fromkeys([*base.notes, *estimate.notes])))


def claim_estimate_or_none(*, claim: Claim) -> tuple[BenefitEstimate | None, str]:
    """The estimate, or None and the reason (missing input or table row) for the page."""
    try:
        return claim_estimate(claim=claim), ""
    except (BenefitInputError, r.RuleMissing) as exc:
        return None, exc.message


# --- Document checklist --------------------------------------------------------------------


@dataclass
class ChecklistItem:
    requirement: DocumentRequirement
    required: bool
    documents: list[ClaimDocument] = field(default_factory=list)

    @property
    def document(self) -> ClaimDocument | None:
        return self.documents[0] if self.documents else None

    @property
    def present(self) -> bool:
        return bool(self.documents)


@dataclass
class Checklist:
    items: list[ChecklistItem]

    @property
    def required_total(self) -> int:
        return sum(1 for item in self.items if item.required)

    @property
    def required_present(self) -> int:
        return sum(1 for item in self.items if item.required and item.present)

    @property
    def missing(self) -> list[ChecklistItem]:
        return [item for item in self.items if item.required and not item.present]

    @property
    def complete(self) -> bool:
        return not self.missing


def _condition_holds(condition: str, claim: Claim, amount: int | None) -> bool:
    match condition:
        case DocumentRequirement.Condition.HEIR_SPOUSE:
            return any(h.relationship == Heir.Relationship.SPOUSE for h in claim.heirs.all())
        case DocumentRequirement.Condition.DEATH_ORIGIN:
            return claim.origin in (BeasiswaOrigin.JKM, BeasiswaOrigin.JKK_DEATH)
        case DocumentRequirement.Condition.NPWP_ABOVE:
            if amount is None:
                return False
            month = Month.from_date(claim.event_date)
            row = ClaimParameter.objects.filter(
                r.valid_in(month), key=ClaimParameter.Key.NPWP_ABOVE
            ).first()
            return row is not None and amount > row.value
    return False


def document_checklist(*, claim: Claim) -> Checklist:
    """Each requirement of the claim's type with its uploads, newest first."""
    requirements = list(
        DocumentRequirement.objects.filter(claim_type=claim.claim_type, is_active=True)
    )
    by_requirement: dict[int, list[ClaimDocument]] = defaultdict(list)
    for document in (
        ClaimDocument.objects.filter(claim=claim)
        .select_related("uploaded_by")
        .order_by("-uploaded_at", "-pk")
    ):
        by_requirement[document.requirement_id].append(document)
    amount: int | None = claim.estimated_amount or None
    if amount is None and any(q.condition == "npwp_above" for q in requirements):
        estimate, _reason = claim_estimate_or_none(claim=claim)
        amount = estimate.total if estimate else None
    items = [
        ChecklistItem(
            requirement=requirement,
            required=requirement.required
            or (
                bool(requirement.condition)
                and _condition_holds(requirement.condition, claim, amount)
            ),
            documents=by_requirement.get(requirement.pk, []),
        )
        for requirement in requirements
    ]
    return Checklist(items=items)


# --- Stage clocks (SLA) --------------------------------------------------------------------


@dataclass(frozen=True)
class StageClock:
    status: str
    label: str
    entered_at: dt.datetime
    left_at: dt.datetime | None
    agency: str
    actor: str
    waiting_for: str

    @property
    def running(self) -> bool:
        return self.left_at is None and self.status not in FINAL_STATUSES

    def seconds(self, now: dt.datetime) -> int:
        end = self.left_at or now
        return max(0, int((end - self.entered_at).total_seconds()))


def claim_stage_clocks(*, claim: Claim) -> list[StageClock]:
    """One clock per stage the claim has been in, from its transitions.

    A stage's agency is the one that moved the claim out of it (who held it); the stage
    the claim is in now runs until now and names who must act.
    """
    transitions = list(claim.transitions.all())
    clocks = []
    for index, transition in enumerate(transitions):
        following = transitions[index + 1] if index + 1 < len(transitions) else None
        if transition.to_status in FINAL_STATUSES:
            continue
        clocks.append(
            StageClock(
                status=transition.to_status,
                label=str(Status(transition.to_status).label),
                entered_at=transition.at,
                left_at=following.at if following else None,
                agency=str(following.agency or "") if following else "",
                actor=str(following.actor) if following else "",
                waiting_for=str(STAGE_OWNER.get(transition.to_status, "")),
            )
        )
    return clocks


# --- Dashboard -----------------------------------------------------------------------------


@dataclass
class StageAverage:
    status: str
    label: str
    claims: int
    average_seconds: int

    @property
    def average_days(self) -> float:
        return round(self.average_seconds / 86400, 1)


@dataclass
class AgencyStageRow:
    agency: str
    cells: dict[str, StageAverage]


@dataclass
class Dashboard:
    totals: dict[str, int]
    by_type: list[dict[str, Any]]
    by_status: list[dict[str, Any]]
    by_district: list[dict[str, Any]]
    stages: list[StageAverage]
    by_agency: list[AgencyStageRow]
    stage_order: list[tuple[str, str]]


def _scoped(viewer: User) -> QuerySet[Claim]:
    """Every claim in the viewer's area, for totals (aggregate roles included)."""
    if not (viewer.has_perm("claims.view_claims") or viewer.has_perm("reports.view_aggregates")):
        return Claim.objects.none()
    return scope_queryset(viewer, Claim.objects.all(), "village")


def _sums(queryset: QuerySet[Claim], *group: str) -> list[dict[str, Any]]:
    rows = (
        queryset.values(*group)
        .annotate(
            claims=Count("pk"),
            estimated=Sum("estimated_amount"),
            paid_claims=Count("pk", filter=Q(status=Status.PAID)),
            paid=Sum("payout_amount", filter=Q(status=Status.PAID)),
        )
        .order_by(*group)
    )
    return [{**row, "estimated": row["estimated"] or 0, "paid": row["paid"] or 0} for row in rows]


def _stage_durations(claim_ids: QuerySet[Claim]) -> list[tuple[str, str, float]]:
    """(stage, agency that held it, seconds) for every finished stage of these claims."""
    rows = (
        ClaimTransition.objects.filter(claim_id__in=claim_ids)
        .order_by("claim_id", "at", "pk")
        .values_list("claim_id", "to_status", "at", "agency__name")
    )
    out = []
    previous: tuple[int, str, dt.datetime] | None = None
    for claim_id, status, at, agency in rows:
        if previous is not None and previous[0] == claim_id:
            out.append((previous[1], agency or "-", (at - previous[2]).total_seconds()))
        previous = (claim_id, status, at)
    return out


def claim_dashboard(*, viewer: User) -> Dashboard:
    """Counts and amounts by type, stage and kecamatan; average time per stage and agency."""
    queryset = _scoped(viewer)
    totals = queryset.aggregate(
        claims=Count("pk"),
        open=Count("pk", filter=Q(status__in=Claim.OPEN_STATUSES)),
        paid_claims=Count("pk", filter=Q(status=Status.PAID)),
        paid=Sum("payout_amount", filter=Q(status=Status.PAID)),
        estimated=Sum("estimated_amount", filter=Q(status__in=Claim.OPEN_STATUSES)),
    )
    totals = {k: v or 0 for k, v in totals.items()}
    type_labels = dict(ClaimType.choices)
    status_labels = dict(Status.choices)
    by_type = [
        {**row, "label": type_labels[row["claim_type"]]} for row in _sums(queryset, "claim_type")
    ]
    by_status = [
        {**row, "label": status_labels[row["status"]]} for row in _sums(queryset, "status")
    ]
    by_district = _sums(queryset, "village__parent_id", "village__parent__name")
    stages_seen: dict[str, list[float]] = defaultdict(list)
    per_agency: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for stage, agency, seconds in _stage_durations(queryset.values("pk")):
        stages_seen[stage].append(seconds)
        per_agency[agency][stage].append(seconds)
    order = [s for s in Claim.STAGES if s not in FINAL_STATUSES]

    def average(status: str, values: list[float]) -> StageAverage:
        mean = int(sum(values) / len(values)) if values else 0
        return StageAverage(status, str(status_labels[status]), len(values), mean)

    stages = [average(s, stages_seen.get(s, [])) for s in order]
    by_agency = [
        AgencyStageRow(agency=agency, cells={s: average(s, cells[s]) for s in order if s in cells})
        for agency, cells in sorted(per_agency.items())
    ]
    return Dashboard(
        totals=totals,
        by_type=by_type,
        by_status=by_status,
        by_district=by_district,
        stages=stages,
        by_agency=by_agency,
        stage_order=[(s, str(status_labels[s])) for s in order],
    )


# --- Claims paid, for the transparency page ------------------------------------------------


@dataclass(frozen=True)
class PaidMonthRow:
    month: Month
    funding_source_id: int
    funding_source_name: str
    funding_kind: str
    district_code: str
    district_name: str
    claims: int
    amount: int


def _paid_queryset(
    *, region_code: str | None, first: Month | None, last: Month | None, viewer: User | None
) -> QuerySet[Claim]:
    queryset = Claim.objects.filter(status=Status.PAID)
    if viewer is not None:
        queryset = queryset.filter(region_q(viewer, "village"))
    if region_code:
        queryset = queryset.filter(
            Q(village__code=region_code) | Q(village__code__startswith=region_code + ".")
        )
    if first is not None:
        queryset = queryset.filter(payout_date__gte=first.first_day())
    if last is not None:
        queryset = queryset.filter(payout_date__lte=last.last_day())
    return queryset


def claims_paid_by_month(
    *,
    region_code: str | None = None,
    first: Month | None = None,
    last: Month | None = None,
    viewer: User | None = None,
) -> list[PaidMonthRow]:
    """Benefits paid per month (by payout date), funding source and kecamatan.

    Totals only, no person: safe for the public transparency page. ``region_code`` keeps
    claims of villages inside that region (a kabupaten "13.03", a kecamatan…);
    ``viewer`` additionally limits to that user's scope. Rows are ordered by month,
    funding source and kecamatan.
    """
    rows = (
        _paid_queryset(region_code=region_code, first=first, last=last, viewer=viewer)
        .annotate(month=TruncMonth("payout_date"))
        .values(
            "month",
            "funding_source_id",
            "funding_source__name",
            "funding_source__kind",
            "village__parent_id",
            "village__parent__name",
        )
        .annotate(claims=Count("pk"), amount=Sum("payout_amount"))
        .order_by("month", "funding_source_id", "village__parent_id")
    )
    return [
        PaidMonthRow(
            month=Month.from_date(row["month"]),
            funding_source_id=row["funding_source_id"],
            funding_source_name=row["funding_source__name"],
            funding_kind=row["funding_source__kind"],
            district_code=row["village__parent_id"] or "",
            district_name=row["village__parent__name"] or "",
            claims=row["claims"],
            amount=int(row["amount"] or 0),
        )
        for row in rows
    ]


def claims_paid_total(
    *,
    region_code: str | None = None,
    first: Month | None = None,
    last: Month | None = None,
    viewer: User | None = None,
) -> tuple[int, int]:
    """(claims, rupiah) paid: the transparency page's "klaim dibayar" figure."""
    totals = _paid_queryset(
        region_code=region_code, first=first, last=last, viewer=viewer
    ).aggregate(claims=Count("pk"), amount=Sum("payout_amount"))
    return int(totals["claims"] or 0), int(totals["amount"] or 0)


def benefit_rule_list() -> QuerySet[BenefitRule]:
    return BenefitRule.objects.all()


def requirement_list(*, claim_type: str | None = None) -> QuerySet[DocumentRequirement]:
    queryset = DocumentRequirement.objects.filter(is_active=True)
    return queryset.filter(claim_type=claim_type) if claim_type else queryset


def membership_find(*, viewer: User, identifier: str, event_date: dt.date | None) -> Membership:
    """The membership a claim is reported against: by NIK or KPJ number, in scope.

    Of the person's memberships, the one covering the event month wins, else the latest.
    """
    digits = re.sub(r"\D", "", identifier or "")
    if not digits:
        raise DomainError(
            gettext("Isi NIK atau nomor KPJ peserta."), code="membership_identifier_required"
        )
    queryset = scope_queryset(
        viewer,
        Membership.objects.select_related("person", "village", "funding_source"),
        "village",
    )
    match = Q(kpj_number=digits)
    if len(digits) == 16:
        match |= Q(person__nik=digits)
    candidates = list(queryset.filter(match).order_by("-first_month", "-pk"))
    if not candidates:
        raise NotFoundOrForbidden(
            gettext("Peserta dengan NIK/KPJ %(digits)s tidak ditemukan di wilayah Anda.")
            % {"digits": digits},
            code="membership_not_found",
        )
    if event_date is not None:
        month = Month.from_date(event_date)
        for membership in candidates:
            if covers(membership, month):
                return membership
    return candidates[0]
