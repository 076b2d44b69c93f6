"""Permission-checked fetches of agents (STYLE.md 15, 17).

Design goal: an agent, its status requests and its fee statements reach a view only
through here, for Dinas/BPJS users of its kabupaten; an agent reaches only its own
record (``access_own_agent``). Missing and forbidden look the same.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

from jamsos.accounts.access import region_q, scoped_get
from jamsos.accounts.models import User
from jamsos.agents.models import Agent, AgentStatement, AgentStatusChange, OfflineSubmission
from jamsos.agents.selectors import agent_of_user
from jamsos.lib.errors import NotFoundOrForbidden


def may_view_agents(viewer: User) -> bool:
    return viewer.has_perm("agents.view_agents")


def access_agent(viewer: User, pk: int, *, for_write: bool = False) -> Agent:
    missing = gettext("Agen tidak ditemukan.")
    if not may_view_agents(viewer):
        raise NotFoundOrForbidden(missing)
    queryset = Agent.objects.select_related("person", "institution", "region", "user")
    return scoped_get(viewer, queryset, "region", pk, for_write=for_write, missing=missing)


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


PHOTO_PERMISSION = "agents.view_proposal_photos"
PHOTO_KINDS = ("ktp", "kk")


def proposal_photos(viewer: User, row_id: int) -> list[tuple[int, str]]:
    """``(submission id, kind)`` of the KTP/KK photos an agent's offline proposal carried
    for proposal row ``row_id``, if ``viewer`` may see them (the row itself must already
    have been fetched through ``intake.access``)."""
    from jamsos.agents.models import OfflineSubmission

    if not viewer.has_perm(PHOTO_PERMISSION):
        return []
    out = []
    for pk, ktp, kk in OfflineSubmission.objects.filter(row_id=row_id).values_list(
        "pk", "ktp_photo", "kk_photo"
    ):
        out += [(pk, kind) for kind, name in (("ktp", ktp), ("kk", kk)) if name]
    return out


def access_proposal_photo(viewer: User, pk: int, kind: str) -> tuple[OfflineSubmission, Any]:
    """The submission and its ``kind`` photo file, for a viewer with the photo permission
    who may also see the proposal row it became (its batch scope: region, proposer)."""
    from jamsos.agents.models import OfflineSubmission
    from jamsos.intake.access import access_row

    missing = NotFoundOrForbidden(gettext("Foto tidak ditemukan."))
    if kind not in PHOTO_KINDS or not viewer.has_perm(PHOTO_PERMISSION):
        raise missing
    submission = OfflineSubmission.objects.filter(pk=pk, row__isnull=False).first()
    if submission is None:
        raise missing
    access_row(viewer, submission.row_id)  # NotFoundOrForbidden outside the viewer's scope
    photo = submission.ktp_photo if kind == "ktp" else submission.kk_photo
    if not photo:
        raise missing
    return submission, photo
