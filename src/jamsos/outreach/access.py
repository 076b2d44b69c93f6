"""Permission-checked fetches of events, their files and follow-ups (STYLE.md 15, 17).

Design goal: missing and forbidden look the same (404). Events carry no person and are
seen by everyone with ``outreach.view_events`` in scope; files that show people (photos,
sign-in sheets) only by those who also see persons. Follow-ups name a deceased member:
``outreach.view_followups`` and the nagari in scope (an agent sees only its own).
"""

from __future__ import annotations

from django.utils.translation import gettext

from jamsos.accounts.access import may_see_persons, region_in_scope, scope_queryset
from jamsos.accounts.models import User
from jamsos.accounts.roles import Role
from jamsos.lib.errors import NotFoundOrForbidden
from jamsos.outreach.models import EventMaterial, FollowUp, OutreachEvent
from jamsos.outreach.selectors import event_detail_queryset


def access_event(viewer: User, pk: int) -> OutreachEvent:
    if not viewer.has_perm("outreach.view_events"):
        raise NotFoundOrForbidden(gettext("Kegiatan tidak ditemukan."))
    event = scope_queryset(viewer, event_detail_queryset(), "village").filter(pk=pk).first()
    if event is None:
        raise NotFoundOrForbidden(gettext("Kegiatan tidak ditemukan."))
    return event


def may_open_personal_material(viewer: User) -> bool:
    """Photos and sign-in sheets: those who see persons, and the agents who hold the
    events (they took them)."""
    if may_see_persons(viewer):
        return True
    return viewer.role == Role.AGENT and viewer.has_perm("outreach.manage_events")


def access_material(viewer: User, pk: int) -> EventMaterial:
    material = EventMaterial.objects.select_related("event").filter(pk=pk).first()
    if material is None:
        raise NotFoundOrForbidden(gettext("Berkas tidak ditemukan."))
    if not viewer.has_perm("outreach.view_events"):
        raise NotFoundOrForbidden(gettext("Berkas tidak ditemukan."))
    if not region_in_scope(viewer, material.event.village_id):
        raise NotFoundOrForbidden(gettext("Berkas tidak ditemukan."))
    if material.is_personal and not may_open_personal_material(viewer):
        raise NotFoundOrForbidden(gettext("Berkas tidak ditemukan."))
    return material


def access_followup(viewer: User, pk: int) -> FollowUp:
    if not viewer.has_perm("outreach.view_followups"):
        raise NotFoundOrForbidden(gettext("Tindak lanjut tidak ditemukan."))
    followup = (
        scope_queryset(viewer, FollowUp.objects.select_related("person", "village"), "village")
        .filter(pk=pk)
        .first()
    )
    if followup is None:
        raise NotFoundOrForbidden(gettext("Tindak lanjut tidak ditemukan."))
    return followup
