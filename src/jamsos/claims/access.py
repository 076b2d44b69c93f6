"""Permission-checked fetches of claims (STYLE.md 15, 17).

Design goal: a claim reaches a view or an API operation only through here. The viewer
needs ``claims.view_claims`` and must not be an aggregate-only role (DPRD and the
executive see totals only) and the claim's village must lie in the viewer's scope: an agent sees its
nagari's claims, a kecamatan operator its kecamatan's. Missing and forbidden look the
same. ``for_write`` locks the row: call it inside the transaction of the change.
"""

from __future__ import annotations

from django.utils.translation import gettext

from jamsos.accounts.access import region_in_scope, scope_queryset, scoped_get
from jamsos.accounts.models import User
from jamsos.accounts.roles import AGGREGATE_ONLY_ROLES
from jamsos.claims.models import Claim, ClaimDocument
from jamsos.claims.selectors import claim_detail_queryset
from jamsos.enrollment.models import Membership
from jamsos.lib.errors import NotFoundOrForbidden


def may_view_claims(viewer: User) -> bool:
    """``claims.view_claims`` and not an aggregate-only role (DPRD, executive).

    Not ``may_see_persons``: agents see their own nagari's claims without holding the
    registry's ``view_persons``.
    """
    if not viewer.has_perm("claims.view_claims"):
        return False
    if viewer.is_superuser:
        return True
    return viewer.role not in AGGREGATE_ONLY_ROLES


def access_claim(viewer: User, pk: int, *, for_write: bool = False) -> Claim:
    missing = gettext("Klaim tidak ditemukan.")
    if not may_view_claims(viewer):
        raise NotFoundOrForbidden(missing)
    queryset = claim_detail_queryset()
    return scoped_get(viewer, queryset, "village", pk, for_write=for_write, missing=missing)


def access_claim_document(viewer: User, pk: int) -> ClaimDocument:
    if not may_view_claims(viewer):
        raise NotFoundOrForbidden(gettext("Dokumen tidak ditemukan."))
    document = ClaimDocument.objects.select_related("claim", "requirement").filter(pk=pk).first()
    if document is None:
        raise NotFoundOrForbidden(gettext("Dokumen tidak ditemukan."))
    if not region_in_scope(viewer, document.claim.village_id):
        raise NotFoundOrForbidden(gettext("Dokumen tidak ditemukan."))
    return document


def access_membership_for_claim(viewer: User, pk: int) -> Membership:
    """A membership the viewer may report a claim against (its village in scope)."""
    if not viewer.has_perm("claims.report_claim"):
        raise NotFoundOrForbidden(gettext("Kepesertaan tidak ditemukan."))
    queryset = scope_queryset(
        viewer, Membership.objects.select_related("person", "village"), "village"
    )
    membership = queryset.filter(pk=pk).first()
    if membership is None:
        raise NotFoundOrForbidden(gettext("Kepesertaan tidak ditemukan."))
    return membership


def may_view_bank_accounts(viewer: User) -> bool:
    """Heirs' bank accounts in full: BPJS and the Dinas only; everyone else sees them masked."""
    return viewer.has_perm("claims.view_bank_accounts")


def may_view_claim_payout(viewer: User) -> bool:
    """What BPJS approved and paid, to whom and how: the family's money, for BPJS and the
    Dinas (who decide and pay) only. The nagari agent and the kecamatan operator report
    and follow a claim; they see its status ("dibayar"), not the sum or the payee."""
    return viewer.has_perm("claims.view_bank_accounts")
