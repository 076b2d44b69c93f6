"""Writes of the agents app. Every one is atomic, takes ``acting_user`` (``None`` only for
the system's own monthly check) and records its audit event in the same transaction."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext

from jamsos.accounts.access import region_in_scope, require_perm, require_region
from jamsos.accounts.models import User
from jamsos.accounts.roles import Role
from jamsos.agents import selectors
from jamsos.agents.models import (
    Agent,
    AgentAssignment,
    AgentInstitution,
    AgentStatement,
    AgentStatementLine,
    AgentStatusChange,
    AgentTraining,
    FeeRule,
    InactivityCheck,
    InactivityRule,
    OfflineSubmission,
)
from jamsos.audit.services import audit_record, model_snapshot
from jamsos.budget.models import FundingSource
from jamsos.claims.documents import document_check
from jamsos.contributions.models import Bill, BillLine
from jamsos.enrollment.models import Membership
from jamsos.lib.errors import DomainError, InvalidTransition, NotFoundOrForbidden, PermissionDenied
from jamsos.lib.money import percent_of
from jamsos.lib.periods import Month
from jamsos.regions.models import Region
from jamsos.registry.models import Occupation, Person

Status = Agent.Status


# --- Institutions and agents ---------------------------------------------------------------


@transaction.atomic
def institution_create(
    *,
    name: str,
    kind: str,
    region: Region,
    acting_user: User,
    bpjs_agreement_number: str = "",
    contact: str = "",
) -> AgentInstitution:
    require_perm(acting_user, "agents.manage_agents")
    require_region(acting_user, region.pk)
    institution = AgentInstitution(
        name=name,
        kind=kind,
        region=region,
        bpjs_agreement_number=bpjs_agreement_number,
        contact=contact,
    )
    institution.full_clean()
    institution.save()
    audit_record(
        action="agents.institution.created",
        acting_user=acting_user,
        obj=institution,
        after=model_snapshot(institution, ("name", "kind", "bpjs_agreement_number")),
    )
    return institution


@dataclass(frozen=True)
class AgentPersonData:
    """Who the agent is, when the registry does not know the NIK yet."""

    nik: str
    full_name: str = ""
    birth_date: dt.date | None = None
    sex: str = ""
    village: str = ""
    phone: str = ""
    occupation: str = ""


def _agent_person(data: AgentPersonData, *, acting_user: User) -> Person:
    """The registry person with this NIK, or a new one; NIK rules apply to both paths."""
    from jamsos.regions.selectors import nik_check

    existing = Person.objects.filter(nik=data.nik.strip()).first()
    if existing is not None:
        if not region_in_scope(acting_user, existing.village_id):
            raise NotFoundOrForbidden(gettext("NIK ini terdaftar di luar cakupan Anda."))
        return existing
    check = nik_check(data.nik, birth_date=data.birth_date, sex=data.sex or None)
    if check.errors:
        raise DomainError(
            " ".join(check.message(code, translate=gettext) for code in check.errors),
            code="nik_invalid",
            field="nik",
        )
    if not (data.full_name and data.birth_date and data.sex and data.village):
        raise DomainError(
            gettext("NIK belum terdaftar: isi nama, tanggal lahir, jenis kelamin dan nagari."),
            code="person_data_missing",
        )
    require_region(acting_user, data.village)
    occupation = (
        Occupation.objects.filter(code=data.occupation or "lainnya").first()
        or Occupation.objects.order_by("sort_order").first()
    )
    person = Person(
        nik=check.nik,
        full_name=data.full_name,
        birth_date=data.birth_date,
        sex=data.sex,
        village_id=data.village,
        phone=data.phone,
        occupation=occupation,
    )
    person.full_clean()
    person.save()
    audit_record(
        action="registry.person.created",
        acting_user=acting_user,
        obj=person,
        after=model_snapshot(person, ("full_name", "village", "occupation")),
        data={"via": "agents"},
    )
    return person


IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")


def _upload_checked(
    upload: UploadedFile | None, *, images_only: bool = False, max_bytes: int | None = None
) -> UploadedFile | None:
    """An uploaded file made safe to keep: type by content (not by the name or the
    Content-Type the client sends), size bounded, no HTML polyglot (claims' check), and
    stored under a random name. ``None`` or an empty value passes through."""
    if not upload:
        return upload
    if images_only:
        # The phone sends every photo as "ktp.jpg"/"kk.jpg": name it by its content, so a
        # PNG is checked as a PNG (anything else still fails the check below).
        upload.seek(0)
        head = upload.read(8)
        upload.seek(0)
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            upload.name = "foto.png"
        elif head.startswith(b"\xff\xd8\xff"):
            upload.name = "foto.jpg"
    checked = document_check(
        upload, max_bytes=max_bytes, suffixes=IMAGE_SUFFIXES if images_only else None
    )
    suffix = "." + checked.name.rsplit(".", 1)[-1].lower()
    upload.name = f"{uuid.uuid4().hex}{suffix}"
    return upload


AGENT_FIELDS = (
    "institution",
    "bpjs_code",
    "appointment_number",
    "appointment_date",
    "appointment_document",
    "is_perangkat_nagari",
    "substitute",
    "works_to",
    "user",
)


def _check_user(user: User | None, *, agent: Agent | None, acting_user: User) -> None:
    if user is None:
        return
    if user.role != Role.AGENT:
        raise DomainError(gettext("Akun agen harus berperan Agen Perisai."), code="agent_user_role")
    if not region_in_scope(acting_user, user.region_id):
        raise NotFoundOrForbidden(gettext("Akun di luar cakupan Anda."))
    taken = Agent.objects.filter(user=user)
    if agent is not None:
        taken = taken.exclude(pk=agent.pk)
    if taken.exists():
        raise DomainError(gettext("Akun ini sudah dipakai agen lain."), code="agent_user_taken")


@transaction.atomic
def agent_create(
    *, person: AgentPersonData, region: Region, acting_user: User, **fields: Any
) -> Agent:
    """Record a (candidate) agent: a registry person, its institution and its login."""
    require_perm(acting_user, "agents.manage_agents")
    require_region(acting_user, region.pk)
    unknown = set(fields) - set(AGENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown agent fields: {sorted(unknown)}")
    who = _agent_person(person, acting_user=acting_user)
    if Agent.objects.filter(person=who).exists():
        raise DomainError(gettext("Orang ini sudah tercatat sebagai agen."), code="agent_exists")
    _check_user(fields.get("user"), agent=None, acting_user=acting_user)
    if "appointment_document" in fields:
        fields["appointment_document"] = _upload_checked(fields["appointment_document"])
    agent = Agent(person=who, region=region, created_by=acting_user, **fields)
    agent.full_clean()
    agent.save()
    audit_record(
        action="agents.agent.created",
        acting_user=acting_user,
        obj=agent,
        after=model_snapshot(agent, ("person", "institution", "bpjs_code", "status", "user")),
    )
    return agent


@transaction.atomic
def agent_update(*, agent: Agent, acting_user: User, **fields: Any) -> Agent:
    """Change the whitelisted fields; the status only changes through maker-checker."""
    require_perm(acting_user, "agents.manage_agents")
    require_region(acting_user, agent.region_id)
    unknown = set(fields) - set(AGENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown agent fields: {sorted(unknown)}")
    _check_user(fields.get("user"), agent=agent, acting_user=acting_user)
    if fields.get("appointment_document"):
        fields["appointment_document"] = _upload_checked(fields["appointment_document"])
    names = [n for n in fields if n != "appointment_document"]
    before = model_snapshot(agent, names)
    for name, value in fields.items():
        if name == "appointment_document" and not value:
            continue
        setattr(agent, name, value)
    if agent.substitute_id == agent.pk:
        raise DomainError(
            gettext("Agen tidak dapat menggantikan dirinya sendiri."), code="substitute_self"
        )
    agent.full_clean()
    agent.save()
    audit_record(
        action="agents.agent.updated",
        acting_user=acting_user,
        obj=agent,
        before=before,
        after=model_snapshot(agent, names),
    )
    return agent


# --- Status: maker-checker -----------------------------------------------------------------


@transaction.atomic
def agent_status_request(
    *,
    agent: Agent,
    to_status: str,
    acting_user: User | None,
    effective_on: dt.date | None = None,
    end_reason: str = "",
    note: str = "",
    source: str = AgentStatusChange.Source.MANUAL,
) -> AgentStatusChange:
    """Ask for a status change; a second person applies it (``agent_status_decide``).

    ``acting_user`` is ``None`` only when the monthly inactivity check proposes.
    """
    if acting_user is not None:
        require_perm(acting_user, "agents.manage_agents")
        require_region(acting_user, agent.region_id)
    agent = Agent.objects.select_for_update().get(pk=agent.pk)
    _transition_check(agent, to_status, end_reason=end_reason, on=effective_on)
    if agent.status_changes.filter(decision=AgentStatusChange.Decision.PENDING).exists():
        raise InvalidTransition(
            gettext("Sudah ada perubahan status yang menunggu persetujuan."),
            code="status_change_pending",
        )
    change = AgentStatusChange(
        agent=agent,
        from_status=agent.status,
        to_status=to_status,
        end_reason=end_reason if to_status == Status.ENDED else "",
        note=note,
        effective_on=effective_on or timezone.localdate(),
        source=source,
        requested_by=acting_user,
    )
    change.full_clean()
    change.save()
    audit_record(
        action="agents.agent.status_requested",
        acting_user=acting_user,
        obj=agent,
        data={
            "change": change.pk,
            "from": change.from_status,
            "to": to_status,
            "reason": change.end_reason,
            "source": source,
        },
    )
    return change


def _transition_check(agent: Agent, to_status: str, *, end_reason: str, on: dt.date | None) -> None:
    if not agent.may_become(to_status):
        raise InvalidTransition(
            gettext("Status agen tidak dapat berubah dari %(from)s ke %(to)s.")
            % {"from": agent.get_status_display(), "to": Status(to_status).label},
            code="agent_transition",
            status=agent.status,
        )
    if to_status == Status.ENDED and not end_reason:
        raise DomainError(gettext("Sebutkan alasan berhenti."), code="end_reason_missing")
    day = on or timezone.localdate()
    if (
        agent.status == Status.ENDED
        and agent.rejoin_eligible_from is not None
        and day < agent.rejoin_eligible_from
    ):
        raise InvalidTransition(
            gettext("Agen baru boleh bergabung lagi sejak %(date)s.")
            % {"date": agent.rejoin_eligible_from.strftime("%d-%m-%Y")},
            code="rejoin_too_early",
        )


@transaction.atomic
def agent_status_decide(
    *, change: AgentStatusChange, approve: bool, acting_user: User, note: str = ""
) -> AgentStatusChange:
    """The checker approves (the status changes) or rejects (nothing changes)."""
    require_perm(acting_user, "agents.approve_agent_status")
    change = AgentStatusChange.objects.select_for_update().get(pk=change.pk)
    require_region(acting_user, change.agent.region_id)
    if change.decision != AgentStatusChange.Decision.PENDING:
        raise InvalidTransition(gettext("Permohonan ini sudah diputuskan."), code="decided")
    if change.requested_by_id == acting_user.pk:
        raise PermissionDenied(
            gettext("Pemeriksa kedua harus orang lain dari pengaju."), code="checker_is_maker"
        )
    agent = Agent.objects.select_for_update().get(pk=change.agent_id)
    change.decided_by = acting_user
    change.decided_at = timezone.now()
    change.decision_note = note
    if not approve:
        change.decision = AgentStatusChange.Decision.REJECTED
        change.save()
        audit_record(
            action="agents.agent.status_rejected",
            acting_user=acting_user,
            obj=agent,
            data={"change": change.pk, "to": change.to_status, "note": note},
        )
        return change
    _transition_check(agent, change.to_status, end_reason=change.end_reason, on=change.effective_on)
    before = model_snapshot(agent, ("status", "ended_on", "end_reason"))
    agent.status = change.to_status
    agent.status_changed_at = timezone.now()
    if change.to_status == Status.ENDED:
        rule = selectors.inactivity_rule_in_force(
            month=Month.from_date(change.effective_on), region=agent.region_id
        )
        agent.ended_on = change.effective_on
        agent.end_reason = change.end_reason
        agent.rejoin_eligible_from = (
            (Month.from_date(change.effective_on) + rule.rejoin_after_months).first_day()
            if rule
            else None
        )
        AgentAssignment.objects.filter(agent=agent, valid_to__isnull=True).update(
            valid_to=change.effective_on
        )
    elif change.to_status in (Status.ACTIVE, Status.CANDIDATE):
        agent.ended_on = None
        agent.end_reason = ""
    agent.full_clean()
    agent.save()
    change.decision = AgentStatusChange.Decision.APPROVED
    change.save()
    audit_record(
        action="agents.agent.status_approved",
        acting_user=acting_user,
        obj=agent,
        before=before,
        after=model_snapshot(agent, ("status", "ended_on", "end_reason")),
        data={"change": change.pk},
    )
    return change


# --- Assignments and trainings -------------------------------------------------------------


@transaction.atomic
def assignment_add(
    *,
    agent: Agent,
    nagari: Region,
    valid_from: dt.date,
    acting_user: User,
    valid_to: dt.date | None = None,
    is_primary: bool = False,
) -> AgentAssignment:
    require_perm(acting_user, "agents.manage_agents")
    require_region(acting_user, nagari.pk)
    if nagari.level != Region.Level.VILLAGE:
        raise DomainError(gettext("Penugasan harus ke satu nagari/desa."), code="not_village")
    if not region_in_scope_code(agent.region_id, nagari.pk):
        raise DomainError(gettext("Nagari di luar kabupaten agen."), code="outside_regency")
    overlapping = AgentAssignment.objects.filter(agent=agent, nagari=nagari).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from)
    )
    if valid_to is not None:
        overlapping = overlapping.filter(valid_from__lte=valid_to)
    if overlapping.exists():
        raise DomainError(
            gettext("Agen sudah ditugaskan di nagari ini pada masa itu."), code="assignment_overlap"
        )
    assignment = AgentAssignment(
        agent=agent,
        nagari=nagari,
        valid_from=valid_from,
        valid_to=valid_to,
        is_primary=is_primary,
        created_by=acting_user,
    )
    assignment.full_clean()
    assignment.save()
    audit_record(
        action="agents.assignment.added",
        acting_user=acting_user,
        obj=assignment,
        data={
            "agent": agent.pk,
            "nagari": nagari.pk,
            "from": str(valid_from),
            "to": str(valid_to or ""),
        },
    )
    return assignment


def region_in_scope_code(outer: str, inner: str) -> bool:
    return inner == outer or inner.startswith(outer + ".")


@transaction.atomic
def assignment_end(
    *, assignment: AgentAssignment, valid_to: dt.date, acting_user: User
) -> AgentAssignment:
    require_perm(acting_user, "agents.manage_agents")
    require_region(acting_user, assignment.agent.region_id)
    if assignment.valid_to is not None:
        raise InvalidTransition(gettext("Penugasan ini sudah berakhir."), code="assignment_ended")
    assignment.valid_to = valid_to
    assignment.full_clean()
    assignment.save()
    audit_record(
        action="agents.assignment.ended",
        acting_user=acting_user,
        obj=assignment,
        data={"agent": assignment.agent_id, "to": str(valid_to)},
    )
    return assignment


@transaction.atomic
def training_add(
    *,
    agent: Agent,
    topic: str,
    title: str,
    held_on: dt.date,
    acting_user: User,
    provider: str = "",
    certificate: UploadedFile | None = None,
) -> AgentTraining:
    require_perm(acting_user, "agents.manage_agents")
    require_region(acting_user, agent.region_id)
    certificate = _upload_checked(certificate)
    training = AgentTraining(
        agent=agent, topic=topic, title=title, held_on=held_on, provider=provider
    )
    if certificate:
        training.certificate = certificate
    training.full_clean()
    training.save()
    audit_record(
        action="agents.training.added",
        acting_user=acting_user,
        obj=training,
        data={"agent": agent.pk, "topic": topic, "held_on": str(held_on)},
    )
    return training


# --- Attribution ---------------------------------------------------------------------------


def memberships_attribute_agents(*, membership_ids: Iterable[int]) -> int:
    """Record the recruiting agent on new memberships; returns how many got one.

    1. A person covered before keeps the recruiter of their earlier coverage (the fee
       follows the recruiter on renewal).
    2. Otherwise the recruiter is the agent of the person's latest proposal row (its own
       ``agent`` or its batch's).
    3. When a renewal was proposed by another agent, that agent is ``renewed_by_agent``.
    Bookkeeping inside the caller's transaction; no audit event of its own (the
    membership's creation is audited by the caller).
    """
    from jamsos.intake.models import ProposalRow

    done = 0
    memberships = Membership.objects.filter(pk__in=list(membership_ids), agent__isnull=True)
    for membership in memberships.only("pk", "person_id", "first_month"):
        earlier = (
            Membership.objects.filter(person_id=membership.person_id, agent__isnull=False)
            .exclude(pk=membership.pk)
            .order_by("first_month")
            .values_list("agent_id", flat=True)
            .first()
        )
        row = (
            ProposalRow.objects.filter(person_id=membership.person_id)
            .filter(Q(agent__isnull=False) | Q(batch__agent__isnull=False))
            .order_by("-batch__created_at", "-pk")
            .values_list("agent_id", "batch__agent_id")
            .first()
        )
        proposer = (row[0] or row[1]) if row else None
        recruiter = earlier or proposer
        if recruiter is None:
            continue
        renewer = proposer if earlier and proposer and proposer != earlier else None
        Membership.objects.filter(pk=membership.pk).update(
            agent_id=recruiter, renewed_by_agent_id=renewer
        )
        done += 1
    return done


# --- Fees ----------------------------------------------------------------------------------


def _eligible_kinds(rule: FeeRule) -> list[str]:
    return [kind for kind, payer in FundingSource.PAYER.items() if rule.earns(payer)]


@transaction.atomic
def statement_draft(*, agent: Agent, month: Month, acting_user: User) -> AgentStatement:
    """Draft (or refresh the draft of) an agent's fee statement for ``month``.

    1. Lock the agent (two drafts at once queue here); an approved statement is final.
    2. The fee rule in force for the month, for the agent's kabupaten.
    3. Lines: every contribution (membership-month) of a member the agent recruited,
       billed for this month or before, settled on the rule's basis, from a payer type
       the rule pays on, and never stamped by a statement before (the unique stamp
       ``agents_fee_line_paid_once`` makes a second payment impossible anyway).
    4. Fee = rule % of the sum, rounded half-up once; the bonus when the month's new
       members reach the rule's minimum; the institution's share off the total.
    """
    require_perm(acting_user, "agents.prepare_statement")
    require_region(acting_user, agent.region_id)
    Agent.objects.select_for_update().filter(pk=agent.pk).first()
    rule = selectors.fee_rule_in_force(month=month, region=agent.region_id)
    if rule is None:
        raise DomainError(
            gettext("Tidak ada aturan fee agen yang berlaku pada %(month)s.") % {"month": month},
            code="fee_rule_missing",
        )
    statement = AgentStatement.objects.filter(agent=agent, month=month.first_day()).first()
    if statement is not None and statement.status != AgentStatement.Status.DRAFT:
        raise InvalidTransition(
            gettext("Rekap fee bulan ini sudah disetujui."), code="statement_approved"
        )
    if statement is None:
        statement = AgentStatement(agent=agent, month=month.first_day(), rule=rule)
    else:
        statement.lines.all().delete()
        statement.rule = rule
    statement.created_by = acting_user
    statement.created_at = timezone.now()
    statement.save()
    stamped = AgentStatementLine.objects.filter(
        kind=AgentStatementLine.Kind.CONTRIBUTION,
        membership_id=OuterRef("membership_id"),
        month=OuterRef("month"),
    )
    statuses = (
        [Bill.Status.RECONCILED] if rule.basis == FeeRule.Basis.RECONCILED else list(Bill.SETTLED)
    )
    lines = list(
        BillLine.objects.filter(
            membership__agent=agent,
            month__lte=month.first_day(),
            bill__status__in=statuses,
            bill__funding_source__kind__in=_eligible_kinds(rule),
        )
        .exclude(Exists(stamped))
        .values_list("membership_id", "month", "amount")
    )
    objs = [
        AgentStatementLine(
            statement=statement,
            kind=AgentStatementLine.Kind.CONTRIBUTION,
            membership_id=membership_id,
            month=line_month,
            amount=amount,
        )
        for membership_id, line_month, amount in lines
    ]
    new_members = Membership.objects.filter(agent=agent, first_month=month.first_day()).count()
    bonus = 0
    if rule.acquisition_bonus and new_members >= max(rule.bonus_min_new, 1):
        bonus = rule.acquisition_bonus
        objs.append(
            AgentStatementLine(
                statement=statement, kind=AgentStatementLine.Kind.BONUS, amount=bonus
            )
        )
    try:
        with transaction.atomic():
            AgentStatementLine.objects.bulk_create(objs, batch_size=2000)
    except IntegrityError as exc:
        raise DomainError(
            gettext("Sebagian iuran baru saja dibayarkan fee-nya oleh rekap lain; susun ulang."),
            code="fee_line_taken",
        ) from exc
    base = sum(amount for _m, _mo, amount in lines)
    statement.contributions_total = base
    statement.contribution_fee = percent_of(base, rule.percent_of_contributions)
    statement.new_members = new_members
    statement.bonus = bonus
    statement.total = statement.contribution_fee + bonus
    statement.institution_amount = (
        percent_of(statement.total, rule.institution_share_percent) if agent.institution_id else 0
    )
    statement.agent_amount = statement.total - statement.institution_amount
    statement.full_clean()
    statement.save()
    audit_record(
        action="agents.statement.drafted",
        acting_user=acting_user,
        obj=statement,
        data={
            "month": str(month),
            "lines": len(lines),
            "base": base,
            "total": statement.total,
            "rule": rule.pk,
        },
    )
    return statement


@dataclass
class StatementRun:
    month: Month
    statements: list[AgentStatement] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "month": str(self.month),
            "statements": [
                {
                    "id": s.pk,
                    "agent": s.agent_id,
                    "agent_code": s.agent.bpjs_code,
                    "status": s.status,
                    "lines": s.lines.count(),
                    "contributions_total": s.contributions_total,
                    "contribution_fee": s.contribution_fee,
                    "bonus": s.bonus,
                    "total": s.total,
                    "institution_amount": s.institution_amount,
                    "agent_amount": s.agent_amount,
                }
                for s in self.statements
            ],
            "skipped": [{"agent": pk, "reason": reason} for pk, reason in self.skipped],
        }


def statements_draft_month(*, month: Month, acting_user: User) -> StatementRun:
    """Draft the month's statement of every agent in the user's scope that was active or
    suspended (an approved statement is left as it is and reported as skipped)."""
    run = StatementRun(month=month)
    for agent in selectors.agent_list(viewer=acting_user).exclude(status=Status.CANDIDATE):
        try:
            run.statements.append(
                statement_draft(agent=agent, month=month, acting_user=acting_user)
            )
        except InvalidTransition as exc:
            run.skipped.append((agent.pk, exc.code))
    return run


@transaction.atomic
def statement_approve(*, statement: AgentStatement, acting_user: User) -> AgentStatement:
    require_perm(acting_user, "agents.approve_statement")
    statement = AgentStatement.objects.select_for_update().get(pk=statement.pk)
    require_region(acting_user, statement.agent.region_id)
    if statement.status != AgentStatement.Status.DRAFT:
        raise InvalidTransition(gettext("Rekap ini sudah disetujui."), code="statement_approved")
    if statement.created_by_id == acting_user.pk:
        raise PermissionDenied(
            gettext("Pemeriksa kedua harus orang lain dari penyusun."), code="checker_is_maker"
        )
    statement.status = AgentStatement.Status.APPROVED
    statement.approved_by = acting_user
    statement.approved_at = timezone.now()
    statement.save()
    audit_record(
        action="agents.statement.approved",
        acting_user=acting_user,
        obj=statement,
        data={"total": statement.total},
    )
    return statement


# --- Inactivity ----------------------------------------------------------------------------


@dataclass
class InactivityRun:
    month: Month
    warned: list[int] = field(default_factory=list)
    proposed: list[int] = field(default_factory=list)
    already_checked: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "month": str(self.month),
            "warned": self.warned,
            "proposed": self.proposed,
            "already_checked": self.already_checked,
        }


def inactivity_check_run(*, month: Month, region: str | None = None) -> InactivityRun:
    """The monthly check: propose (never enforce) ending inactive agents.

    1. For every active agent (of ``region`` when given) not checked for ``month`` yet:
    2. count the consecutive months up to ``month`` without an accepted recruit and
       without a collection (``selectors.agent_months_inactive``);
    3. at the rule's ``inactive_months`` open an ``AgentStatusChange`` to ``berhenti``
       (reason ``tidak_aktif``) for the Dinas to approve or reject; at ``warn_at_month``
       record a warning the agent sees on its phone;
    4. one ``InactivityCheck`` per agent and month makes a rerun change nothing.
    """
    run = InactivityRun(month=month)
    agents = Agent.objects.filter(status=Status.ACTIVE)
    if region:
        agents = agents.filter(Q(region_id=region) | Q(region__code__startswith=region + "."))
    for agent in agents.select_related("region"):
        if InactivityCheck.objects.filter(agent=agent, month=month.first_day()).exists():
            run.already_checked += 1
            continue
        rule = selectors.inactivity_rule_in_force(month=month, region=agent.region_id)
        if rule is None:
            continue
        idle = selectors.agent_months_inactive(agent=agent, month=month, limit=rule.inactive_months)
        if idle >= rule.inactive_months:
            _inactivity_propose(agent=agent, month=month, idle=idle, rule=rule, run=run)
        elif idle >= rule.warn_at_month:
            _inactivity_record(agent, month, idle, rule, InactivityCheck.Outcome.WARNED, None)
            run.warned.append(agent.pk)
    return run


@transaction.atomic
def _inactivity_propose(
    *, agent: Agent, month: Month, idle: int, rule: InactivityRule, run: InactivityRun
) -> None:
    change = None
    if not agent.status_changes.filter(decision=AgentStatusChange.Decision.PENDING).exists():
        change = agent_status_request(
            agent=agent,
            to_status=Status.ENDED,
            acting_user=None,
            effective_on=month.last_day(),
            end_reason=Agent.EndReason.INACTIVE,
            note=gettext(
                "Usulan otomatis: %(n)s bulan tanpa peserta baru yang diterima dan tanpa iuran "
                "(aturan: %(rule)s bulan)."
            )
            % {"n": idle, "rule": rule.inactive_months},
            source=AgentStatusChange.Source.INACTIVITY,
        )
    _inactivity_record(agent, month, idle, rule, InactivityCheck.Outcome.PROPOSED, change)
    run.proposed.append(agent.pk)


@transaction.atomic
def _inactivity_record(
    agent: Agent,
    month: Month,
    idle: int,
    rule: InactivityRule,
    outcome: str,
    change: AgentStatusChange | None,
) -> InactivityCheck:
    check = InactivityCheck.objects.create(
        agent=agent,
        month=month.first_day(),
        months_inactive=idle,
        outcome=outcome,
        rule=rule,
        status_change=change,
    )
    audit_record(
        action=(
            "agents.inactivity.proposed"
            if outcome == InactivityCheck.Outcome.PROPOSED
            else "agents.inactivity.warned"
        ),
        acting_user=None,
        obj=agent,
        data={"month": str(month), "months_inactive": idle, "rule": rule.pk},
    )
    return check


# --- The offline phone app -----------------------------------------------------------------


@dataclass
class OfflineResult:
    submission: OfflineSubmission
    created: bool


def offline_proposal_receive(
    *,
    client_id: uuid.UUID,
    values: dict[str, str],
    acting_user: User,
    queued_at: dt.datetime | None = None,
    ktp_photo: UploadedFile | None = None,
    kk_photo: UploadedFile | None = None,
) -> OfflineResult:
    """Receive one proposal the phone queued, exactly once per ``client_id``.

    1. A submission with this id already stored answers again with its outcome
       (``created=False``); another user's id looks like a missing one.
    2. Otherwise, in one transaction: insert the submission row first (its unique
       ``client_id`` is the idempotency key: a concurrent retry's insert waits on it and
       then fails, and that retry reads the winner's row), then propose the person
       through ``intake.services.person_propose`` (same checks as the web form).
    3. Values the checks refuse are stored as an ``invalid`` outcome with the message,
       so the phone shows the fate and a retry does not re-check them.
    """
    from jamsos.intake import services as intake_services

    require_perm(acting_user, "agents.use_agent_app")
    agent = selectors.agent_of_user(acting_user)
    if agent is None:
        raise PermissionDenied(
            gettext("Akun ini belum tercatat sebagai agen."), code="not_an_agent"
        )
    existing = OfflineSubmission.objects.filter(client_id=client_id).first()
    if existing is not None:
        return _same_submitter(existing, acting_user)
    photo_limit = settings.AGENT_PHOTO_MAX_BYTES
    ktp_photo = _upload_checked(ktp_photo, images_only=True, max_bytes=photo_limit)
    kk_photo = _upload_checked(kk_photo, images_only=True, max_bytes=photo_limit)
    try:
        with transaction.atomic():
            submission = OfflineSubmission(
                client_id=client_id,
                agent=agent,
                user=acting_user,
                outcome=OfflineSubmission.Outcome.PROPOSED,
                queued_at=queued_at,
            )
            if ktp_photo:
                submission.ktp_photo = ktp_photo
            if kk_photo:
                submission.kk_photo = kk_photo
            submission.save()
            try:
                with transaction.atomic():
                    row = intake_services.person_propose(values=values, acting_user=acting_user)
            except DomainError as exc:
                if exc.code not in ("row_invalid", "eligibility_rule_missing"):
                    raise
                submission.outcome = OfflineSubmission.Outcome.INVALID
                submission.message = exc.message
            else:
                submission.row = row
            submission.save()
            audit_record(
                action="agents.offline.received",
                acting_user=acting_user,
                obj=submission,
                data={
                    "client_id": str(client_id),
                    "outcome": submission.outcome,
                    "row": submission.row_id,
                },
            )
    except IntegrityError:
        existing = OfflineSubmission.objects.filter(client_id=client_id).first()
        if existing is None:
            raise
        return _same_submitter(existing, acting_user)
    return OfflineResult(submission=submission, created=True)


def _same_submitter(existing: OfflineSubmission, user: User) -> OfflineResult:
    if existing.user_id != user.pk:
        raise NotFoundOrForbidden(gettext("Usulan tidak ditemukan."))
    return OfflineResult(submission=existing, created=False)


def statement_totals(statements: Iterable[AgentStatement]) -> dict[str, int]:
    ids = [s.pk for s in statements]
    return AgentStatement.objects.filter(pk__in=ids).aggregate(
        total=Sum("total"), agent=Sum("agent_amount"), institution=Sum("institution_amount")
    )
