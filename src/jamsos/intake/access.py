"""Permission-checked fetches of proposal batches and rows (STYLE.md 15, 17).

Who sees which batch:
- an agent: only the batches they proposed themselves (never another nagari's);
- a kecamatan operator: batches for regions inside their kecamatan;
- Dinas (operator, head) and BPJS officers: batches for regions inside their scope;
- the executive, DPRD and anyone without an intake or registry permission: none.
Not-found and forbidden look the same (``NotFoundOrForbidden``).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext

from jamsos.accounts.access import scope_queryset
from jamsos.accounts.models import User
from jamsos.accounts.roles import Role
from jamsos.intake.models import ProposalBatch, ProposalRow
from jamsos.lib.errors import NotFoundOrForbidden

VIEW_PERMISSIONS = (
    "intake.propose",
    "intake.review_batch",
    "intake.approve_batch",
    "registry.view_persons",
)


def may_view_batches(user: User) -> bool:
    if not user.is_active:
        return False
    return any(user.has_perm(perm) for perm in VIEW_PERMISSIONS)


def batches_visible_to(user: User) -> QuerySet[ProposalBatch]:
    """Every batch ``user`` may see, unordered and without joins (callers add them)."""
    queryset = ProposalBatch.objects.all()
    if not may_view_batches(user):
        return queryset.none()
    if user.is_superuser:
        return queryset
    if user.role == Role.AGENT:
        queryset = queryset.filter(proposer=user)
    return scope_queryset(user, queryset, "region")


def access_batch(user: User, pk: int, *, for_write: bool = False) -> ProposalBatch:
    queryset = batches_visible_to(user).select_related(
        "region", "agency", "proposer", "submitted_by", "decided_by"
    )
    if for_write:
        queryset = queryset.select_for_update(of=("self",))
    batch = queryset.filter(pk=pk).first()
    if batch is None:
        raise NotFoundOrForbidden(gettext("Usulan tidak ditemukan."))
    return batch


def access_row(user: User, pk: int, *, for_write: bool = False) -> ProposalRow:
    visible = batches_visible_to(user).values("pk")
    queryset = ProposalRow.objects.filter(batch__in=visible).select_related(
        "batch", "batch__region", "village", "person", "decided_by"
    )
    if for_write:
        queryset = queryset.select_for_update(of=("self",))
    row = queryset.filter(pk=pk).first()
    if row is None:
        raise NotFoundOrForbidden(gettext("Baris usulan tidak ditemukan."))
    return row
