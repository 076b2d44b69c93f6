"""REST API of agents: one operation per action (STYLE.md 13). Dinas/BPJS read agents
of their kabupaten and run the status maker-checker and fee statements; an agent reads
its own performance and proposals and sends the proposals its phone queued offline,
each under a client-made UUID (idempotent: the same UUID twice proposes once)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from jamsos.agents import access, selectors, services
from jamsos.agents.models import Agent, AgentStatement, OfflineSubmission
from jamsos.api.schemas import Count, Id, PageIn, PageMetaOut, Rupiah, paginate
from jamsos.audit.services import personal_data_access_log
from jamsos.lib.errors import DomainError, PermissionDenied
from jamsos.lib.nik import nik_mask
from jamsos.lib.periods import Month

router = Router(tags=["agents"])
MONTH_PATTERN = r"^\d{4}-\d{2}$"


# --- Schemas -------------------------------------------------------------------------------


class AgentOut(Schema):
    id: int
    name: str
    nik: str = Field(description="Disamarkan.")
    status: str
    bpjs_code: str
    institution: str | None
    region: str
    is_perangkat_nagari: bool
    substitute_id: int | None

    @classmethod
    def of(cls, agent: Agent) -> dict[str, Any]:
        return {
            "id": agent.pk,
            "name": agent.person.full_name,
            "nik": nik_mask(agent.person.nik),
            "status": agent.status,
            "bpjs_code": agent.bpjs_code,
            "institution": agent.institution.name if agent.institution_id else None,
            "region": agent.region_id,
            "is_perangkat_nagari": agent.is_perangkat_nagari,
            "substitute_id": agent.substitute_id,
        }


class AgentListIn(PageIn):
    status: Agent.Status | None = None
    q: str = Field("", max_length=100)


class AgentPageOut(Schema):
    meta: PageMetaOut
    items: list[AgentOut]


class RetentionOut(Schema):
    months: int
    cohort: int
    still_active: int
    percent: int | None


class TipOut(Schema):
    reason: str
    count: int
    tip: str


class PerformanceOut(Schema):
    proposed: int
    in_registry: int
    accepted: int
    rejected: int
    waiting: int
    acceptance_percent: int | None
    rejection_tips: list[TipOut]
    retention: list[RetentionOut]
    nagari_assigned: list[str]
    nagari_covered: list[str]
    months_since_activity: int | None
    inactivity_warning: bool

    @classmethod
    def of(cls, perf: selectors.AgentPerformance) -> dict[str, Any]:
        return {
            **{
                k: getattr(perf, k)
                for k in ("proposed", "in_registry", "accepted", "rejected", "waiting")
            },
            "acceptance_percent": perf.acceptance_percent,
            "rejection_tips": [t.__dict__ for t in perf.rejection_tips],
            "retention": [{**r.__dict__, "percent": r.percent} for r in perf.retention],
            "nagari_assigned": perf.nagari_assigned,
            "nagari_covered": perf.nagari_covered,
            "months_since_activity": perf.months_since_activity,
            "inactivity_warning": perf.warning is not None,
        }


class AgentDetailOut(AgentOut):
    performance: PerformanceOut


class StatusRequestIn(Schema):
    to_status: Agent.Status
    end_reason: Agent.EndReason | None = None
    effective_on: dt.date | None = None
    note: str = Field("", max_length=1000)


class StatusChangeOut(Schema):
    id: int
    agent_id: int
    from_status: str
    to_status: str
    end_reason: str
    decision: str
    source: str
    effective_on: dt.date


class DecisionIn(Schema):
    approve: bool
    note: str = Field("", max_length=1000)


class AgentStatementOut(Schema):
    id: int
    agent_id: int
    month: str
    status: str
    contributions_total: Rupiah
    contribution_fee: Rupiah
    new_members: Count
    bonus: Rupiah
    total: Rupiah
    institution_amount: Rupiah
    agent_amount: Rupiah

    @classmethod
    def of(cls, s: AgentStatement) -> dict[str, Any]:
        return {
            "id": s.pk,
            "agent_id": s.agent_id,
            "month": f"{s.month:%Y-%m}",
            **{
                k: getattr(s, k)
                for k in (
                    "status",
                    "contributions_total",
                    "contribution_fee",
                    "new_members",
                    "bonus",
                    "total",
                    "institution_amount",
                    "agent_amount",
                )
            },
        }


class StatementListIn(Schema):
    month: str | None = Field(None, pattern=MONTH_PATTERN)


class PhoneProposalOut(Schema):
    client_id: str
    name: str
    nik: str
    proposed_on: str
    fate: str
    fate_code: str
    note: str


class OfflineSubmitOut(Schema):
    client_id: uuid.UUID
    outcome: str
    created: bool
    message: str


# --- Dinas / BPJS --------------------------------------------------------------------------


def _perm(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied(gettext("Anda tidak berwenang untuk tindakan ini."), perm=perm)


@router.get("/agents", response=AgentPageOut, summary="Daftar agen Perisai di wilayah Anda")
def agent_list(request: HttpRequest, filters: Query[AgentListIn]) -> dict[str, Any]:
    _perm(request, "agents.view_agents")
    queryset = selectors.agent_list(viewer=request.user, status=filters.status, q=filters.q)
    meta, items = paginate(queryset, filters)
    return {"meta": meta, "items": [AgentOut.of(a) for a in items]}


@router.get("/agents/{agent_id}", response=AgentDetailOut, summary="Satu agen dan kinerjanya")
def agent_detail(request: HttpRequest, agent_id: Id) -> dict[str, Any]:
    agent = access.access_agent(request.user, agent_id)
    personal_data_access_log(
        viewer=request.user,
        persons=[(agent.person_id, agent.person.nik)],
        purpose="Rincian agen Perisai (API)",
        fields=("full_name", "nik_masked", "phone"),
        path=request.path,
    )
    return {
        **AgentOut.of(agent),
        "performance": PerformanceOut.of(selectors.agent_performance(agent=agent)),
    }


@router.post(
    "/agents/{agent_id}/status-requests",
    response={201: StatusChangeOut},
    summary="Ajukan perubahan status agen (disetujui orang lain)",
)
def status_request(request: HttpRequest, agent_id: Id, payload: StatusRequestIn) -> Status:
    agent = access.access_agent(request.user, agent_id)
    change = services.agent_status_request(
        agent=agent,
        to_status=payload.to_status,
        end_reason=payload.end_reason or "",
        effective_on=payload.effective_on,
        note=payload.note,
        acting_user=request.user,
    )
    return Status(201, change)


@router.post(
    "/status-requests/{change_id}/decision",
    response=StatusChangeOut,
    summary="Setujui atau tolak perubahan status agen",
)
def status_decide(request: HttpRequest, change_id: Id, payload: DecisionIn) -> Any:
    change = access.access_status_change(request.user, change_id)
    return services.agent_status_decide(
        change=change, approve=payload.approve, note=payload.note, acting_user=request.user
    )


@router.get("/statements", response=list[AgentStatementOut], summary="Rekap fee agen")
def statement_list(request: HttpRequest, filters: Query[StatementListIn]) -> list[dict[str, Any]]:
    _perm(request, "agents.view_agents")
    month = Month.parse(filters.month) if filters.month else None
    return [
        AgentStatementOut.of(s)
        for s in selectors.statement_list(viewer=request.user, month=month)[:500]
    ]


@router.post(
    "/statements/{statement_id}/approve", response=AgentStatementOut, summary="Setujui rekap fee"
)
def statement_approve(request: HttpRequest, statement_id: Id) -> dict[str, Any]:
    statement = access.access_statement(request.user, statement_id)
    return AgentStatementOut.of(
        services.statement_approve(statement=statement, acting_user=request.user)
    )


# --- The agent itself ----------------------------------------------------------------------


@router.get("/me/performance", response=PerformanceOut, summary="Kinerja saya (agen)")
def own_performance(request: HttpRequest) -> dict[str, Any]:
    agent = access.access_own_agent(request.user)
    return PerformanceOut.of(selectors.agent_performance(agent=agent))


@router.get(
    "/me/proposals",
    response=list[PhoneProposalOut],
    url_name="agents_own_proposals",
    summary="Usulan saya dan nasibnya (NIK disamarkan, tanpa klaim)",
)
def own_proposals(request: HttpRequest) -> list[dict[str, str]]:
    agent = access.access_own_agent(request.user)
    return [p.as_dict() for p in selectors.agent_phone_proposals(agent=agent)]


def _photo(upload: UploadedFile | None, name: str) -> UploadedFile | None:
    if upload is None:
        return None
    if upload.size > settings.AGENT_PHOTO_MAX_BYTES:
        raise DomainError(
            gettext("Foto %(name)s terlalu besar.") % {"name": name}, code="photo_too_large"
        )
    if not (upload.content_type or "").startswith("image/"):
        raise DomainError(
            gettext("Foto %(name)s harus berupa gambar.") % {"name": name}, code="photo_type"
        )
    return upload


@router.post(
    "/me/proposals",
    response={200: OfflineSubmitOut, 201: OfflineSubmitOut},
    url_name="agents_offline_submit",
    summary="Kirim usulan yang diantrekan ponsel (idempoten per client_id)",
)
def offline_submit(
    request: HttpRequest,
    client_id: Form[uuid.UUID],
    values: Form[str],
    queued_at: Form[dt.datetime | None] = None,
    ktp_photo: File[UploadedFile | None] = None,
    kk_photo: File[UploadedFile | None] = None,
) -> Status:
    try:
        parsed = json.loads(values)
    except ValueError as exc:
        raise DomainError(gettext("Isian usulan tidak terbaca."), code="values_invalid") from exc
    if not isinstance(parsed, dict) or len(parsed) > 30:
        raise DomainError(gettext("Isian usulan tidak terbaca."), code="values_invalid")
    result = services.offline_proposal_receive(
        client_id=client_id,
        values={str(k)[:40]: str(v)[:300] for k, v in parsed.items()},
        queued_at=queued_at,
        ktp_photo=_photo(ktp_photo, "KTP"),
        kk_photo=_photo(kk_photo, "KK"),
        acting_user=request.user,
    )
    sub = result.submission
    body = {
        "client_id": sub.client_id,
        "outcome": sub.outcome,
        "created": result.created,
        "message": sub.message,
    }
    return Status(201 if result.created else 200, body)


__all__ = ["OfflineSubmission", "router"]
