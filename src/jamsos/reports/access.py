"""Who may see which report region (STYLE.md 15: one place, one rule)."""

from __future__ import annotations

from django.utils.translation import gettext

from jamsos.accounts.access import region_in_scope
from jamsos.accounts.models import User
from jamsos.lib.errors import NotFoundOrForbidden
from jamsos.regions.models import Region
from jamsos.reports.models import Publication

REPORT_LEVELS = (Region.Level.REGENCY, Region.Level.DISTRICT, Region.Level.VILLAGE)


def access_report_region(viewer: User, code: str) -> Region:
    """A kabupaten, kecamatan or nagari inside the viewer's scope; else 404."""
    region = Region.objects.filter(pk=code, level__in=REPORT_LEVELS).first()
    if region is None:
        raise NotFoundOrForbidden(gettext("Tidak ditemukan."))
    if not viewer.has_perm("reports.view_aggregates"):
        raise NotFoundOrForbidden(gettext("Tidak ditemukan."))
    if not region_in_scope(viewer, region.code):
        raise NotFoundOrForbidden(gettext("Tidak ditemukan."))
    return region


def access_publication(viewer: User, pk: int) -> Publication:
    publication = Publication.objects.filter(pk=pk).first()
    if publication is None:
        raise NotFoundOrForbidden(gettext("Tidak ditemukan."))
    if not viewer.has_perm("reports.view_aggregates"):
        raise NotFoundOrForbidden(gettext("Tidak ditemukan."))
    if not region_in_scope(viewer, publication.region_id):
        raise NotFoundOrForbidden(gettext("Tidak ditemukan."))
    return publication


def home_region(viewer: User) -> Region | None:
    """The region a viewer's report pages open on: its own kabupaten or kecamatan; for
    a province-wide scope, the first kabupaten that has figures."""
    region = viewer.region
    if region is not None and region.level in (Region.Level.REGENCY, Region.Level.DISTRICT):
        return region
    if region is not None and region.level == Region.Level.VILLAGE:
        return region
    from jamsos.reports.models import MonthlyFigure

    first = MonthlyFigure.objects.order_by("regency_id").values_list("regency_id", flat=True)
    codes = [c for c in first[:1]] or ["13.03"]
    candidate = Region.objects.filter(pk=codes[0]).first()
    if candidate is not None and region_in_scope(viewer, candidate.code):
        return candidate
    return None
