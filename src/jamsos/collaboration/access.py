"""Permission-checked fetches of the forum's records (STYLE.md 15, 17).

Design goal: a forum's records are seen by holders of ``collaboration.view_forum`` whose
scope contains the forum's region: the Dinas, BPJS, the Bupati and DPRD of a kabupaten see
its forums (the kabupaten's and its kecamatan's); a Camat operator sees only its own
kecamatan's forum. Agreements and scorecards belong to a region the same way. Who may
*act* on a record (its owner agency) is checked by the service. Missing and forbidden look
the same. ``for_write`` locks the row: call it inside the transaction of the change.
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet
from django.utils.translation import gettext

from jamsos.accounts.access import scoped_get
from jamsos.accounts.models import User
from jamsos.collaboration.models import (
    ActionItem,
    Agreement,
    Forum,
    InterAgencyRequest,
    Meeting,
    ObligationInstance,
    ScorecardSnapshot,
)
from jamsos.lib.errors import NotFoundOrForbidden

M = TypeVar("M", bound=Model)

VIEW_FORUM = "collaboration.view_forum"
VIEW_AGREEMENTS = "collaboration.view_agreements"
VIEW_SCORECARD = "collaboration.view_scorecard"


def _fetch(viewer: User, queryset: QuerySet[M], field: str, pk: int, *, for_write: bool) -> M:
    missing = gettext("Data forum tidak ditemukan.")
    return scoped_get(viewer, queryset, field, pk, for_write=for_write, missing=missing)


def access_forum(viewer: User, pk: int) -> Forum:
    if not viewer.has_perm(VIEW_FORUM):
        raise NotFoundOrForbidden(gettext("Forum tidak ditemukan."))
    queryset = Forum.objects.select_related("region", "convening_agency")
    return _fetch(viewer, queryset, "region", pk, for_write=False)


def access_meeting(viewer: User, pk: int, *, for_write: bool = False) -> Meeting:
    if not viewer.has_perm(VIEW_FORUM):
        raise NotFoundOrForbidden(gettext("Rapat tidak ditemukan."))
    queryset = Meeting.objects.select_related("forum", "forum__region", "convened_by")
    return _fetch(viewer, queryset, "forum__region", pk, for_write=for_write)


def access_action_item(viewer: User, pk: int, *, for_write: bool = False) -> ActionItem:
    if not viewer.has_perm(VIEW_FORUM):
        raise NotFoundOrForbidden(gettext("Tindak lanjut tidak ditemukan."))
    queryset = ActionItem.objects.select_related(
        "forum", "forum__region", "owner_agency", "decision"
    )
    return _fetch(viewer, queryset, "forum__region", pk, for_write=for_write)


def access_request(viewer: User, pk: int, *, for_write: bool = False) -> InterAgencyRequest:
    if not viewer.has_perm(VIEW_FORUM):
        raise NotFoundOrForbidden(gettext("Permintaan tidak ditemukan."))
    queryset = InterAgencyRequest.objects.select_related(
        "forum", "forum__region", "from_agency", "to_agency"
    )
    return _fetch(viewer, queryset, "forum__region", pk, for_write=for_write)


def access_agreement(viewer: User, pk: int) -> Agreement:
    if not viewer.has_perm(VIEW_AGREEMENTS):
        raise NotFoundOrForbidden(gettext("Perjanjian tidak ditemukan."))
    queryset = Agreement.objects.select_related("region", "amends")
    return _fetch(viewer, queryset, "region", pk, for_write=False)


def access_obligation_instance(
    viewer: User, pk: int, *, for_write: bool = False
) -> ObligationInstance:
    if not viewer.has_perm(VIEW_AGREEMENTS):
        raise NotFoundOrForbidden(gettext("Kewajiban tidak ditemukan."))
    queryset = ObligationInstance.objects.select_related(
        "obligation", "obligation__agreement", "obligation__party"
    )
    return _fetch(viewer, queryset, "obligation__agreement__region", pk, for_write=for_write)


def access_snapshot(viewer: User, pk: int, *, for_write: bool = False) -> ScorecardSnapshot:
    if not viewer.has_perm(VIEW_SCORECARD):
        raise NotFoundOrForbidden(gettext("Rapor tidak ditemukan."))
    queryset = ScorecardSnapshot.objects.select_related("region")
    return _fetch(viewer, queryset, "region", pk, for_write=for_write)


def acts_for(viewer: User, agency_id: int | None) -> bool:
    """Does the viewer speak for this agency (its own side of a request or item)?"""
    if viewer.is_superuser:
        return True
    return viewer.agency_id is not None and viewer.agency_id == agency_id
