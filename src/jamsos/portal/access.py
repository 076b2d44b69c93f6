"""Who may see and follow up the leads citizens leave (STYLE.md 15, 17).

An agent sees its nagari's leads, a kecamatan operator its kecamatan's, a Dinas operator
its kabupaten's (scope by the lead's village). Missing and forbidden look the same.
"""

from __future__ import annotations

from django.utils.translation import gettext

from jamsos.accounts.access import scoped_get
from jamsos.accounts.models import User
from jamsos.lib.errors import NotFoundOrForbidden
from jamsos.portal.models import Lead

VIEW_LEADS = "portal.view_leads"
FOLLOW_UP_LEADS = "portal.follow_up_leads"


def may_view_leads(viewer: User) -> bool:
    return viewer.is_authenticated and viewer.has_perm(VIEW_LEADS)


def access_lead(viewer: User, pk: int, *, for_write: bool = False) -> Lead:
    missing = gettext("Calon peserta tidak ditemukan.")
    if not may_view_leads(viewer):
        raise NotFoundOrForbidden(missing)
    if for_write and not viewer.has_perm(FOLLOW_UP_LEADS):
        raise NotFoundOrForbidden(missing)
    queryset = Lead.objects.select_related("village__parent")
    return scoped_get(viewer, queryset, "village", pk, for_write=for_write, missing=missing)
