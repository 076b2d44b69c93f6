"""Reads of the agents app, always scoped. An agent's own views are built from its own
rows only (``agent_*`` functions take the agent, which the caller got from
``agent_of_user``); they never touch claims, so no claim or benefit amount can leak."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jamsos.accounts.access import region_q
from jamsos.accounts.models import User
from jamsos.agents.models import (
    Agent,
    AgentAssignment,
    AgentStatement,
    AgentStatusChange,
    FeeRule,
    InactivityCheck,
    InactivityRule,
    OfflineSubmission,
)
from jamsos.budget.models import FundingSource
from jamsos.contributions.models import Bill, BillLine
from jamsos.enrollment.models import DecreeLine, Membership, RejectionReason
from jamsos.lib.nik import nik_mask
from jamsos.lib.periods import Month


def agent_of_user(user: User) -> Agent | None:
    if not user.is_authenticated or user.pk is None:
        return None
    return Agent.objects.select_related("person", "region").filter(user_id=user.pk).first()


def agent_list(*, viewer: User, status: str | None = None, q: str = "") -> QuerySet[Agent]:
    if not viewer.has_perm("agents.view_agents") and not viewer.has_perm(
        "agents.prepare_statement"
    ):
        return Agent.objects.none()
    queryset = Agent.objects.filter(region_q(viewer, "region")).select_related(
        "person", "institution", "region", "user", "substitute__person"
    )
    if status:
        queryset = queryset.filter(status=status)
    if q:
        queryset = queryset.filter(Q(person__full_name__icontains=q) | Q(bpjs_code__icontains=q))
    return queryset


def pending_status_changes(*, viewer: User) -> QuerySet[AgentStatusChange]:
    return AgentStatusChange.objects.filter(
        region_q(viewer, "agent__region"), decision=AgentStatusChange.Decision.PENDING
    ).select_related("agent__person", "requested_by")


def statement_list(*, viewer: User, month: Month | None = None) -> QuerySet[AgentStatement]:
    queryset = AgentStatement.objects.filter(region_q(viewer, "agent__region")).select_related(
        "agent__person", "agent__institution", "rule", "created_by", "approved_by"
    )
    if month is not None:
        queryset = queryset.filter(month=month.first_day())
    return queryset


def _in_force(model, *, month: Month, region: str | None):
    day = month.first_day()
    rows = model.objects.filter(valid_from__lte=day).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day)
    )
    if region:
        codes = [region, *[region[:i] for i in range(len(region)) if region[i] == "."]]
        own = rows.filter(region_id__in=codes).order_by("-region_id", "-valid_from").first()
        if own is not None:
            return own
    return rows.filter(region__isnull=True).order_by("-valid_from").first()


def fee_rule_in_force(*, month: Month, region: str | None) -> FeeRule | None:
    return _in_force(FeeRule, month=month, region=region)


def inactivity_rule_in_force(*, month: Month, region: str | None) -> InactivityRule | None:
    return _in_force(InactivityRule, month=month, region=region)


# --- Own recruits --------------------------------------------------------------------------


def agent_rows(*, agent: Agent):
    """The proposal rows this agent brought (its own rows, or rows of its batches)."""
    from jamsos.intake.models import ProposalRow

    return ProposalRow.objects.filter(Q(agent=agent) | Q(agent__isnull=True, batch__agent=agent))


def _collection_kinds(agent: Agent, month: Month) -> list[str]:
    rule = fee_rule_in_force(month=month, region=agent.region_id)
    if rule is None:
        return [FundingSource.Kind.MANDIRI]
    return [kind for kind, payer in FundingSource.PAYER.items() if rule.earns(payer)]


def agent_active_months(*, agent: Agent, first: Month, last: Month) -> set[Month]:
    """Months in ``first..last`` with an accepted recruit (a membership the agent brought
    starting that month) or a collection (a settled contribution of its recruits, from a
    payer type that earns a fee)."""
    recruits = Membership.objects.filter(
        agent=agent, first_month__gte=first.first_day(), first_month__lte=last.first_day()
    ).values_list("first_month", flat=True)
    collected = BillLine.objects.filter(
        membership__agent=agent,
        month__gte=first.first_day(),
        month__lte=last.first_day(),
        bill__status__in=Bill.SETTLED,
        bill__funding_source__kind__in=_collection_kinds(agent, last),
    ).values_list("month", flat=True)
    return {Month.from_date(d) for d in (*recruits, *collected)}


def _agent_start(agent: Agent) -> Month:
    start = agent.appointment_date or timezone.localtime(agent.created_at).date()
    return Month.from_date(start)


def agent_months_inactive(*, agent: Agent, month: Month, limit: int) -> int:
    """Consecutive months up to and including ``month`` without activity, counted no
    further back than the agent's start (a new agent is not inactive before it began)
    and at most ``limit``."""
    start = _agent_start(agent)
    first = max(start, month - (limit - 1))  # type: ignore[type-var]
    if first > month:
        return 0
    active = agent_active_months(agent=agent, first=first, last=month)
    idle = 0
    current = month
    while current >= first and current not in active:
        idle += 1
        current = current - 1  # type: ignore[assignment]
    return idle


# Coaching, not ranking: each rejection reason comes with what to do next time.
COACHING: dict[str, str] = {
    RejectionReason.REGISTERED_PU: _(
        "Tanyakan dulu apakah orang ini sudah terdaftar lewat tempat kerjanya."
    ),
    RejectionReason.REGISTERED_BPU: _(
        "Cek kepesertaan lewat JMO atau kantor cabang sebelum mengusulkan."
    ),
    RejectionReason.NIK_UNKNOWN: _(
        "Salin NIK dari KTP atau KK dengan teliti; foto KTP membantu pemeriksa."
    ),
    RejectionReason.AGE: _("Periksa umur pada tanggal mulai kepesertaan."),
    RejectionReason.DATA_MISMATCH: _("Samakan nama dan tanggal lahir persis seperti di KTP."),
    RejectionReason.DECEASED: _("Laporkan kematian lewat menu klaim agar ahli waris dibantu."),
    RejectionReason.OTHER: _("Tanyakan alasan kepada petugas Dinas."),
}


@dataclass
class RejectionTip:
    reason: str
    count: int
    tip: str


@dataclass
class Retention:
    months: int
    cohort: int
    still_active: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.still_active / self.cohort) if self.cohort else None


@dataclass
class AgentPerformance:
    proposed: int = 0
    in_registry: int = 0
    accepted: int = 0
    rejected: int = 0
    waiting: int = 0
    rejection_tips: list[RejectionTip] = field(default_factory=list)
    retention: list[Retention] = field(default_factory=list)
    nagari_assigned: list[str] = field(default_factory=list)
    nagari_covered: list[str] = field(default_factory=list)
    months_since_activity: int | None = None
    warning: InactivityCheck | None = None

    @property
    def acceptance_percent(self) -> int | None:
        decided = self.accepted + self.rejected
        return round(100 * self.accepted / decided) if decided else None


def agent_performance(*, agent: Agent, today: dt.date | None = None) -> AgentPerformance:
    """The agent's own figures (its phone and the Dinas/BPJS detail page): proposals and
    their fate, rejection reasons with coaching tips, retention of recruits after 3/6/12
    months, nagari covered vs assigned, months since the last activity. No claims."""
    from jamsos.intake.models import ProposalBatch, ProposalRow

    today = today or timezone.localdate()
    this_month = Month.from_date(today)
    perf = AgentPerformance()
    rows = agent_rows(agent=agent)
    perf.proposed = rows.count()
    perf.in_registry = rows.filter(person__isnull=False).count()
    person_ids = set(rows.filter(person__isnull=False).values_list("person_id", flat=True))
    recruited = Membership.objects.filter(agent=agent)
    perf.accepted = recruited.values("person_id").distinct().count()
    reasons: Counter[str] = Counter()
    refused = rows.filter(
        Q(decision=ProposalRow.Decision.REJECTED)
        | Q(status=ProposalRow.Status.INVALID)
        | Q(batch__status=ProposalBatch.Status.REJECTED)
    )
    for reason in refused.values_list("decision_reason", flat=True):
        reasons[reason or gettext("Ditolak pemeriksa Dinas")] += 1
    bpjs = DecreeLine.objects.filter(
        person_id__in=person_ids, bpjs_status=DecreeLine.BpjsStatus.REJECTED
    ).values_list("bpjs_reason_code", flat=True)
    codes: Counter[str] = Counter(code or RejectionReason.OTHER for code in bpjs)
    perf.rejected = sum(reasons.values()) + sum(codes.values())
    perf.waiting = max(perf.proposed - perf.accepted - perf.rejected, 0)
    perf.rejection_tips = [
        RejectionTip(str(RejectionReason(code).label), n, str(COACHING.get(code, "")))
        for code, n in codes.most_common()
    ] + [
        RejectionTip(reason, n, gettext("Lihat catatan pemeriksa pada usulan itu."))
        for reason, n in reasons.most_common()
    ]
    for months in (3, 6, 12):
        cutoff = (this_month - months).first_day()  # type: ignore[union-attr]
        cohort = set(recruited.filter(first_month__lte=cutoff).values_list("person_id", flat=True))
        active = set(
            Membership.objects.filter(
                person_id__in=cohort, status=Membership.Status.ACTIVE
            ).values_list("person_id", flat=True)
        )
        perf.retention.append(Retention(months, len(cohort), len(active)))
    assigned = AgentAssignment.objects.filter(agent=agent, valid_from__lte=today).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=today)
    )
    assigned_codes = dict(assigned.values_list("nagari_id", "nagari__name"))
    since = today - dt.timedelta(days=365)
    covered = set(
        rows.filter(batch__created_at__date__gte=since).values_list("village_id", flat=True)
    )
    perf.nagari_assigned = sorted(assigned_codes.values())
    perf.nagari_covered = sorted(assigned_codes[c] for c in covered if c in assigned_codes)
    last_row = (
        rows.order_by("-batch__created_at").values_list("batch__created_at", flat=True).first()
    )
    last_recruit = recruited.order_by("-first_month").values_list("first_month", flat=True).first()
    moments = [Month.from_date(timezone.localtime(last_row).date())] if last_row else []
    if last_recruit:
        moments.append(Month.from_date(last_recruit))
    if moments:
        perf.months_since_activity = max(this_month - max(moments), 0)  # type: ignore[type-var,operator]
    perf.warning = (
        InactivityCheck.objects.filter(agent=agent, month__gte=(this_month - 1).first_day())  # type: ignore[union-attr]
        .order_by("-month")
        .first()
    )
    return perf


@dataclass
class PhoneProposal:
    """One proposal as the agent's phone lists it: who (masked), when, and its fate."""

    client_id: str
    name: str
    nik: str
    proposed_on: str
    fate: str
    fate_code: str
    note: str = ""

    def as_dict(self) -> dict[str, str]:
        return dict(self.__dict__)


def agent_phone_proposals(*, agent: Agent, limit: int = 200) -> list[PhoneProposal]:
    """The agent's own proposals, newest first, with their fate; masked NIK, no claims."""
    from jamsos.intake.models import ProposalBatch, ProposalRow

    submissions = {
        s.row_id: str(s.client_id)
        for s in OfflineSubmission.objects.filter(agent=agent, row__isnull=False).only(
            "row_id", "client_id"
        )
    }
    rows = list(
        agent_rows(agent=agent)
        .select_related("batch")
        .order_by("-batch__created_at", "-row_number")[:limit]
    )
    person_ids = [r.person_id for r in rows if r.person_id]
    bpjs = {
        line.person_id: line
        for line in DecreeLine.objects.filter(person_id__in=person_ids).order_by("decree_id")
    }
    active = set(
        Membership.objects.filter(
            person_id__in=person_ids,
            status__in=[Membership.Status.ACTIVE, Membership.Status.PENDING],
        ).values_list("person_id", flat=True)
    )
    out: list[PhoneProposal] = []
    for row in rows:
        code, fate, note = "waiting", gettext("Menunggu pemeriksaan Dinas"), ""
        line = bpjs.get(row.person_id) if row.person_id else None
        if row.person_id in active:
            code, fate = "member", gettext("Peserta aktif")
        elif line is not None and line.bpjs_status == DecreeLine.BpjsStatus.REJECTED:
            code, fate = "rejected", gettext("Ditolak BPJS")
            note = str(RejectionReason(line.bpjs_reason_code or "lainnya").label)
        elif line is not None:
            code, fate = "decree", gettext("Masuk SK, menunggu verifikasi BPJS")
        elif row.person_id:
            code, fate = "registry", gettext("Diterima, masuk registri")
        elif (
            row.status == ProposalRow.Status.INVALID
            or row.decision == ProposalRow.Decision.REJECTED
        ):
            code, fate, note = "rejected", gettext("Ditolak pemeriksa"), row.decision_reason
        elif row.batch.status == ProposalBatch.Status.REJECTED:
            code, fate, note = "rejected", gettext("Usulan ditolak"), row.batch.decision_note
        elif row.batch.status in (ProposalBatch.Status.SUBMITTED, ProposalBatch.Status.APPROVED):
            code, fate = "reviewing", gettext("Diajukan ke kepala dinas")
        out.append(
            PhoneProposal(
                client_id=submissions.get(row.pk, ""),
                name=row.full_name,
                nik=nik_mask(row.nik),
                proposed_on=timezone.localtime(row.batch.created_at).date().isoformat(),
                fate=fate,
                fate_code=code,
                note=note,
            )
        )
    for sub in OfflineSubmission.objects.filter(
        agent=agent, outcome=OfflineSubmission.Outcome.INVALID
    )[:limit]:
        out.append(
            PhoneProposal(
                client_id=str(sub.client_id),
                name="",
                nik="",
                proposed_on=timezone.localtime(sub.received_at).date().isoformat(),
                fate=gettext("Data ditolak pemeriksaan"),
                fate_code="invalid",
                note=sub.message,
            )
        )
    return out
