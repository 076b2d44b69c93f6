"""Permission-checked fetches of budget objects (STYLE.md 15, 17).

Design goal: every budget object hangs under a fiscal year of one kabupaten/kota, and a
user sees it only when holding ``budget.view_budget`` and that kabupaten lies inside the
user's scope (a province-scoped user sees all its kabupaten). Missing and forbidden look
the same. ``for_write`` locks the row: call it inside the transaction of the change.
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet
from django.utils.translation import gettext

from jamsos.accounts.access import scoped_get
from jamsos.accounts.models import User
from jamsos.budget.models import (
    Allocation,
    FiscalYear,
    FundingSource,
    NagariQuota,
    Phase,
    Reservation,
)
from jamsos.lib.errors import NotFoundOrForbidden

M = TypeVar("M", bound=Model)

VIEW = "budget.view_budget"


def _fetch(viewer: User, queryset: QuerySet[M], field: str, pk: int, *, for_write: bool) -> M:
    missing = gettext("Data anggaran tidak ditemukan.")
    if not viewer.has_perm(VIEW):
        raise NotFoundOrForbidden(missing)
    return scoped_get(viewer, queryset, field, pk, for_write=for_write, missing=missing)


def access_fiscal_year(viewer: User, pk: int, *, for_write: bool = False) -> FiscalYear:
    queryset = FiscalYear.objects.select_related("region")
    return _fetch(viewer, queryset, "region", pk, for_write=for_write)


def access_funding_source(viewer: User, pk: int, *, for_write: bool = False) -> FundingSource:
    queryset = FundingSource.objects.select_related("region", "nagari")
    return _fetch(viewer, queryset, "region", pk, for_write=for_write)


def access_allocation(viewer: User, pk: int, *, for_write: bool = False) -> Allocation:
    queryset = Allocation.objects.select_related(
        "fiscal_year", "fiscal_year__region", "source", "source__nagari"
    )
    return _fetch(viewer, queryset, "fiscal_year__region", pk, for_write=for_write)


def access_phase(viewer: User, pk: int, *, for_write: bool = False) -> Phase:
    queryset = Phase.objects.select_related("fiscal_year", "fiscal_year__region", "allocation")
    return _fetch(viewer, queryset, "fiscal_year__region", pk, for_write=for_write)


def access_nagari_quota(viewer: User, pk: int, *, for_write: bool = False) -> NagariQuota:
    queryset = NagariQuota.objects.select_related("fiscal_year", "nagari")
    return _fetch(viewer, queryset, "fiscal_year__region", pk, for_write=for_write)


def access_reservation(viewer: User, pk: int, *, for_write: bool = False) -> Reservation:
    queryset = Reservation.objects.select_related(
        "allocation",
        "allocation__fiscal_year",
        "allocation__fiscal_year__region",
        "allocation__source",
        "phase",
        "nagari",
    )
    return _fetch(viewer, queryset, "allocation__fiscal_year__region", pk, for_write=for_write)
