"""Permission-checked fetches of agents (STYLE.md 15, 17).

Design goal: an agent, its status requests and its fee statements reach a view only
through here, for Dinas/BPJS users of its kabupaten; an agent reaches only its own
record (``access_own_agent``). Missing and forbidden look the same.
"""

from __future__ import annotations

from django.utils.translation import gettext

from jamsos.accounts.access import region_q
from jamsos.accounts.models import User
from jamsos.agents.models import Agent, AgentStatement, AgentStatusChange
from jamsos.agents.selectors import agent_of_user
from jamsos.lib.errors import NotFoundOrForbidden


def may_view_agents(viewer: User) -> bool:
    return viewer.has_perm("agents.view_agents")


def access_agent(viewer: User, pk: int, *, for_write: bool = False) -> Agent:
    if not may_view_agents(viewer):
        raise NotFoundOrForbidden(gettext("Agen tidak ditemukan."))
    queryset = Agent.objects.select_related("person", "institution", "region", "user").filter(
        region_q(viewer, "region")
    )
    if for_write:
        queryset = queryset.select_for_update(of=("self",))
    agent = queryset.filter(pk=pk).first()
    if agent is None:
        raise NotFoundOrForbidden(gettext("Agen tidak ditemukan."))
    return agent


def access_status_change(viewer: User, pk: int) -> AgentStatusChange:
    if not viewer.has_perm("agents.approve_agent_status"):
        raise NotFoundOrForbidden(gettext("Permohonan tidak ditemukan."))
    change = (
        AgentStatusChange.objects.select_related("agent__person")
        .filter(region_q(viewer, "agent__region"), pk=pk)
        .first()
    )
    if change is None:
        raise NotFoundOrForbidden(gettext("Permohonan tidak ditemukan."))
    return change


def access_statement(viewer: User, pk: int) -> AgentStatement:
    """A fee statement: the Dinas/BPJS of its kabupaten, or the agent it pays."""
    statement = (
        AgentStatement.objects.select_related("agent__person", "agent__institution", "rule")
        .filter(pk=pk)
        .first()
    )
    if statement is None:
        raise NotFoundOrForbidden(gettext("Rekap tidak ditemukan."))
    if viewer.has_perm("agents.use_agent_app"):
        own = agent_of_user(viewer)
        if own is not None and own.pk == statement.agent_id:
            return statement
        raise NotFoundOrForbidden(gettext("Rekap tidak ditemukan."))
    if not may_view_agents(viewer):
        raise NotFoundOrForbidden(gettext("Rekap tidak ditemukan."))
    if not AgentStatement.objects.filter(region_q(viewer, "agent__region"), pk=pk).exists():
        raise NotFoundOrForbidden(gettext("Rekap tidak ditemukan."))
    return statement


def access_own_agent(viewer: User) -> Agent:
    """The viewer's own agent record (the phone app); none: 404."""
    if not viewer.has_perm("agents.use_agent_app"):
        raise NotFoundOrForbidden(gettext("Agen tidak ditemukan."))
    agent = agent_of_user(viewer)
    if agent is None:
        raise NotFoundOrForbidden(gettext("Akun ini belum tercatat sebagai agen."))
    return agent
