"""Permission-checked fetches of decrees, lines, memberships and files (STYLE.md 15, 17).

Design goal: a decree belongs to one kabupaten; a user sees it when holding
``enrollment.view_decrees`` and either the kabupaten lies in the user's scope (Dinas,
BPJS, executive, DPRD; a province sees all its kabupaten) or the user's scope lies inside
the kabupaten (a Camat operator). Its *lines* are then narrowed to the villages in the
user's scope, so a Camat operator sees its kecamatan's recipients only; DPRD and the
executive see no line at all (``may_see_persons``). Memberships follow the person's
village. Missing and forbidden look the same (``NotFoundOrForbidden``).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from jamsos.accounts.access import ancestor_codes, may_see_persons, region_q
from jamsos.accounts.models import User
from jamsos.enrollment.models import (
    Decree,
    DecreeDocument,
    DecreeLine,
    Membership,
    RenewalProposal,
)
from jamsos.lib.errors import NotFoundOrForbidden

VIEW_DECREES = "enrollment.view_decrees"
VIEW_MEMBERSHIPS = "enrollment.view_memberships"


def decree_region_q(user: User, field: str = "region") -> Q:
    """Decrees of a kabupaten inside the user's scope or containing it."""
    if user.is_superuser:
        return Q()
    if not user.is_active or user.region_id is None:
        return Q(pk__in=[])
    return region_q(user, field) | Q(**{f"{field}__in": ancestor_codes(user.region_id)})


def decrees_visible_to(user: User) -> QuerySet[Decree]:
    if not user.has_perm(VIEW_DECREES):
        return Decree.objects.none()
    return Decree.objects.filter(decree_region_q(user))


def may_see_lines(user: User) -> bool:
    return may_see_persons(user)


def lines_visible_to(user: User, decree: Decree) -> QuerySet[DecreeLine]:
    """The decree's lines in the user's villages; none for aggregate-only roles."""
    if not may_see_lines(user):
        return DecreeLine.objects.none()
    return DecreeLine.objects.filter(decree=decree).filter(region_q(user, "village"))


def may_see_whole_decree(user: User, decree: Decree) -> bool:
    """Every line is in scope: the kabupaten itself lies inside the user's scope."""
    if not may_see_lines(user):
        return False
    if user.is_superuser:
        return True
    code = user.region_id or ""
    return decree.region_id == code or decree.region_id.startswith(code + ".")


def access_decree(user: User, pk: int, *, for_write: bool = False) -> Decree:
    queryset = decrees_visible_to(user).select_related(
        "region",
        "fiscal_year",
        "phase",
        "reservation",
        "reservation__allocation",
        "reservation__allocation__source",
        "amends",
        "created_by",
        "approved_by",
        "issued_by",
    )
    if for_write:
        queryset = queryset.select_for_update(of=("self",))
    decree = queryset.filter(pk=pk).first()
    if decree is None:
        raise NotFoundOrForbidden(gettext("SK tidak ditemukan."))
    return decree


def access_line(user: User, pk: int) -> DecreeLine:
    line = (
        DecreeLine.objects.filter(pk=pk, decree__in=decrees_visible_to(user))
        .filter(region_q(user, "village") if may_see_lines(user) else Q(pk__in=[]))
        .select_related("decree", "decree__region", "person", "village", "funding_source")
        .first()
    )
    if line is None:
        raise NotFoundOrForbidden(gettext("Baris SK tidak ditemukan."))
    return line


def memberships_visible_to(user: User) -> QuerySet[Membership]:
    """Memberships of persons in the user's villages; aggregate-only roles get totals
    from ``selectors.membership_totals`` instead and see no row here."""
    if not user.has_perm(VIEW_MEMBERSHIPS) or not may_see_persons(user):
        return Membership.objects.none()
    return Membership.objects.filter(region_q(user, "village"))


def access_membership(user: User, pk: int) -> Membership:
    membership = (
        memberships_visible_to(user)
        .select_related(
            "person",
            "person__occupation",
            "village",
            "village__parent",
            "funding_source",
            "decree_line",
            "decree_line__decree",
        )
        .filter(pk=pk)
        .first()
    )
    if membership is None:
        raise NotFoundOrForbidden(gettext("Kepesertaan tidak ditemukan."))
    return membership


def access_document(user: User, pk: int) -> DecreeDocument:
    document = (
        DecreeDocument.objects.filter(pk=pk, decree__in=decrees_visible_to(user))
        .select_related("decree", "decree__region")
        .first()
    )
    if document is None:
        raise NotFoundOrForbidden(gettext("Berkas tidak ditemukan."))
    return document


def access_renewal(user: User, pk: int) -> RenewalProposal:
    if not user.has_perm(VIEW_DECREES):
        raise NotFoundOrForbidden(gettext("Usulan perpanjangan tidak ditemukan."))
    proposal = (
        RenewalProposal.objects.filter(pk=pk)
        .filter(decree_region_q(user, "fiscal_year__region"))
        .select_related("fiscal_year", "fiscal_year__region", "created_by")
        .first()
    )
    if proposal is None:
        raise NotFoundOrForbidden(gettext("Usulan perpanjangan tidak ditemukan."))
    return proposal
