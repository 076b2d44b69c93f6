"""Permission-checked fetches of contributions objects (STYLE.md 15, 17).

Design goal: a bill is seen by holders of ``contributions.view_bills`` whose scope
contains the bill's region — the kabupaten for APBD, pokir and CSR bills, the nagari
for an APB Nagari bill, so a nagari-scoped user sees its own nagari's bills and no
other. Statements and discrepancies name persons: they also need ``may_see_persons``.
Missing and forbidden look the same. ``for_write`` locks the row: call it inside the
transaction of the change.
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet
from django.utils.translation import gettext

from jamsos.accounts.access import may_see_persons, scope_queryset
from jamsos.accounts.models import User
from jamsos.contributions.models import Bill, Discrepancy, StatementImport
from jamsos.enrollment.models import Membership
from jamsos.lib.errors import NotFoundOrForbidden

M = TypeVar("M", bound=Model)

VIEW = "contributions.view_bills"


def _fetch(viewer: User, queryset: QuerySet[M], field: str, pk: int, *, for_write: bool) -> M:
    queryset = scope_queryset(viewer, queryset, field)
    if for_write:
        queryset = queryset.select_for_update(of=("self",))
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise NotFoundOrForbidden(gettext("Data iuran tidak ditemukan."))
    return obj


def access_bill(viewer: User, pk: int, *, for_write: bool = False) -> Bill:
    if not viewer.has_perm(VIEW):
        raise NotFoundOrForbidden(gettext("Tagihan tidak ditemukan."))
    queryset = Bill.objects.select_related(
        "funding_source", "regency", "region", "issued_by", "created_by", "reconciled_by"
    )
    return _fetch(viewer, queryset, "region", pk, for_write=for_write)


def access_statement(viewer: User, pk: int) -> StatementImport:
    if not viewer.has_perm(VIEW):
        raise NotFoundOrForbidden(gettext("Rekening tidak ditemukan."))
    if not may_see_persons(viewer):
        raise NotFoundOrForbidden(gettext("Rekening tidak ditemukan."))
    queryset = StatementImport.objects.select_related("regency", "uploaded_by")
    return _fetch(viewer, queryset, "regency", pk, for_write=False)


def access_discrepancy(viewer: User, pk: int, *, for_write: bool = False) -> Discrepancy:
    if not viewer.has_perm(VIEW):
        raise NotFoundOrForbidden(gettext("Selisih tidak ditemukan."))
    if not may_see_persons(viewer):
        raise NotFoundOrForbidden(gettext("Selisih tidak ditemukan."))
    queryset = Discrepancy.objects.select_related("statement", "membership")
    return _fetch(viewer, queryset, "region", pk, for_write=for_write)


def access_membership(viewer: User, pk: int, *, for_write: bool = False) -> Membership:
    """A membership whose arrears the viewer manages (lapse list, reactivation)."""
    if not viewer.has_perm("contributions.manage_arrears"):
        raise NotFoundOrForbidden(gettext("Kepesertaan tidak ditemukan."))
    queryset = Membership.objects.select_related("person", "village", "funding_source")
    return _fetch(viewer, queryset, "village", pk, for_write=for_write)
