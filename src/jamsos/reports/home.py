"""What each role's home page shows beside its cards (issue 12 "Role homes").

- Bupati/Sekda and DPRD: the programme at a glance, never a person: the nagari map, the
  four transparency figures, budget absorption and the cross-year trend.
- Kepala Dinas: what awaits its decision, plus the same.
- Operator, BPJS officer: their work queues plus the kabupaten's figures.
- Camat's operator and agent: their queues and their own area's figures.

Queues are counts of rows in the viewer's scope, each linking to the list it counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Sum
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext

from jamsos.accounts.access import region_q
from jamsos.accounts.models import User
from jamsos.accounts.roles import Role
from jamsos.regions.models import Region
from jamsos.reports import charts, selectors
from jamsos.reports.access import home_region
from jamsos.reports.maps import coverage_map_svg

PROGRAMME_ROLES = (
    Role.EXECUTIVE,
    Role.DPRD,
    Role.DINAS_HEAD,
    Role.DINAS_OPERATOR,
    Role.BPJS_OFFICER,
)


@dataclass
class Queue:
    label: str
    count: int
    url: str = ""


@dataclass
class HomePanel:
    region: Region
    year: int
    month: int
    coverage: Any
    figures: Any
    map_svg: str = ""
    charts: list[Any] = field(default_factory=list)
    queues: list[Queue] = field(default_factory=list)
    may_open_reports: bool = False


def _url(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def queues_for(user: User) -> list[Queue]:
    from jamsos.claims.models import Claim
    from jamsos.enrollment.models import Decree, DecreeLine, DecreeLineCount
    from jamsos.intake.access import batches_visible_to
    from jamsos.intake.models import ProposalBatch

    batches = batches_visible_to(user)
    claims = Claim.objects.filter(region_q(user, "village"))
    queues: list[Queue] = []
    status = ProposalBatch.Status
    if user.role == Role.DINAS_HEAD:
        queues += [
            Queue(
                gettext("Usulan menunggu persetujuan"),
                batches.filter(status=status.SUBMITTED).count(),
                _url("intake:batch_list"),
            ),
            Queue(
                gettext("Rancangan SK menunggu persetujuan"),
                Decree.objects.filter(region_q(user, "region"), status=Decree.Status.DRAFT).count(),
                _url("enrollment:decree_list"),
            ),
            Queue(
                gettext("Pengajuan klaim menunggu persetujuan"),
                claims.filter(status=Claim.Status.SUBMISSION_PREPARED).count(),
                _url("claims:claim_list"),
            ),
        ]
    elif user.role == Role.DINAS_OPERATOR:
        queues += [
            Queue(
                gettext("Usulan siap diperiksa"),
                batches.filter(status=status.VALIDATED).count(),
                _url("intake:batch_list"),
            ),
            Queue(
                gettext("Klaim menunggu berkas lengkap"),
                claims.filter(status=Claim.Status.REPORTED).count(),
                _url("claims:claim_list"),
            ),
            Queue(
                gettext("Klaim siap diajukan"),
                claims.filter(status=Claim.Status.DOCUMENTS_COMPLETE).count(),
                _url("claims:claim_list"),
            ),
        ]
    elif user.role == Role.BPJS_OFFICER:
        # From the line count summary (kept by triggers), not the decrees' lines.
        pending = DecreeLineCount.objects.filter(
            region_q(user, "village"),
            decree__status=Decree.Status.ISSUED,
            action=DecreeLine.Action.ADD,
            bpjs_status=DecreeLine.BpjsStatus.PENDING,
        ).aggregate(n=Sum("n", default=0))["n"]
        queues += [
            Queue(
                gettext("Peserta SK menunggu verifikasi BPJS"),
                pending,
                _url("enrollment:decree_list"),
            ),
            Queue(
                gettext("Klaim diajukan, belum diperiksa"),
                claims.filter(status=Claim.Status.SUBMITTED).count(),
                _url("claims:claim_list"),
            ),
            Queue(
                gettext("Klaim sedang diperiksa"),
                claims.filter(status=Claim.Status.UNDER_REVIEW).count(),
                _url("claims:claim_list"),
            ),
            Queue(
                gettext("Klaim disetujui, belum dibayar"),
                claims.filter(status=Claim.Status.APPROVED).count(),
                _url("claims:claim_list"),
            ),
        ]
    elif user.role in (Role.KECAMATAN_OPERATOR, Role.AGENT):
        queues += [
            Queue(
                gettext("Usulan masih draf atau perlu diperbaiki"),
                batches.filter(status__in=[status.DRAFT, status.VALIDATED, status.FAILED]).count(),
                _url("intake:batch_list"),
            ),
            Queue(
                gettext("Usulan menunggu keputusan Dinas"),
                batches.filter(status=status.SUBMITTED).count(),
                _url("intake:batch_list"),
            ),
            Queue(
                gettext("Klaim berjalan di wilayah Anda"),
                claims.filter(status__in=list(Claim.OPEN_STATUSES)).count(),
                _url("claims:claim_list"),
            ),
        ]
    return queues


def home_panel(user: User) -> HomePanel | None:
    """The figures panel of ``user``'s home; None for roles without one (admin)."""
    if not user.is_authenticated or user.role == Role.ADMIN:
        return None
    if user.role in PROGRAMME_ROLES:
        region = home_region(user) if user.has_perm("reports.view_aggregates") else None
    else:
        region = user.region
    if region is None:
        return None
    today = timezone.localdate()
    year, month = today.year, today.month
    coverage = selectors.coverage_areas(region=region, year=year, month=month, viewer=user)
    panel = HomePanel(
        region=region,
        year=year,
        month=month,
        coverage=coverage,
        figures=selectors.transparency_figures(region=region, year=year, month=month),
        queues=queues_for(user),
        may_open_reports=user.has_perm("reports.view_aggregates"),
    )
    if region.level in (Region.Level.REGENCY, Region.Level.DISTRICT):
        by = "villages" if region.level == Region.Level.REGENCY else "children"
        nagari = selectors.coverage_areas(region=region, year=year, month=month, viewer=user, by=by)
        href = (
            (lambda a: reverse("reports:area", args=[a.code])) if panel.may_open_reports else None
        )
        panel.map_svg = coverage_map_svg(
            nagari, level=Region.Level.VILLAGE, title=gettext("Cakupan per nagari"), href=href
        )
    if user.role in (Role.EXECUTIVE, Role.DPRD, Role.DINAS_HEAD):
        cached = charts.charts_cached(region=region, year=year)
        panel.charts = [c for c in cached if c.key in ("anggaran", "tren")]
    return panel
