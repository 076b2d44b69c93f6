"""The report charts: figures computed on the server, one ``Chart`` each, drawn by
Chart.js on the page (data passed with ``json_script``; no inline script), by
reportlab in the PDF, and always with a table twin and a CSV download.

Every chart reads the summary table ``MonthlyFigure`` or small aggregate tables
(pagu, reservations, decree lines grouped by phase); none returns a person.

Public API: ``chart_active_by_month``, ``chart_funnel``, ``chart_budget``,
``chart_claims``, ``chart_trends`` (each ``(*, region, year) -> Chart``), ``all_charts``.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext

from jamsos.budget.models import Allocation, FundingSource, Reservation
from jamsos.claims.models import Claim
from jamsos.enrollment.models import Decree, DecreeLine, DecreeLineCount, RejectionReason
from jamsos.lib.periods import Month
from jamsos.regions.models import Region
from jamsos.reports.figures import JKK_TYPES
from jamsos.reports.models import MonthlyFigure, RefreshedMonth
from jamsos.reports.selectors import coverage_areas, default_month, figures_in

MONTH_LABELS = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
KIND_COLOURS = {
    "apbd": "#1b7837",
    "apbd_p": "#5aae61",
    "apb_nagari": "#2166ac",
    "pokir": "#b2182b",
    "csr": "#e08214",
    "mandiri": "#8073ac",
    "": "#999999",
}


@dataclass
class Chart:
    """One chart: what Chart.js draws (``config``) and its table twin (``headers``,
    ``rows``: plain numbers, formatted by the template)."""

    key: str
    title: str
    kind: str  # Chart.js type: bar, line
    labels: list[str]
    datasets: list[dict[str, Any]]
    headers: list[str]
    rows: list[list[Any]]
    note: str = ""
    warnings: list[str] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def script_id(self) -> str:
        return f"chart-{self.key}"

    def config(self) -> dict[str, Any]:
        return {
            "type": self.kind,
            "data": {"labels": self.labels, "datasets": self.datasets},
            "options": self.options,
        }

    def csv_rows(self) -> list[list[Any]]:
        return [self.headers, *self.rows]


def _kind_label(kind: str) -> str:
    return str(dict(FundingSource.Kind.choices).get(kind, gettext("Belum ada sumber dana")))


def _year_rows(region: Region, year: int) -> Any:
    return MonthlyFigure.objects.filter(
        figures_in(region), month__gte=dt.date(year, 1, 1), month__lte=dt.date(year, 12, 1)
    )


def chart_active_by_month(*, region: Region, year: int) -> Chart:
    """Active members at each month's end, stacked by funding-source kind, with the
    eligible target (when there is one) as a line."""
    rows = (
        _year_rows(region, year)
        .values("month", "funding_source__kind")
        .annotate(n=Sum("active"))
        .order_by()
    )
    by_kind: dict[str, list[int]] = {}
    for row in rows:
        kind = row["funding_source__kind"] or ""
        by_kind.setdefault(kind, [0] * 12)[row["month"].month - 1] += row["n"] or 0
    by_kind.pop("", None)  # proposals carry no source and no active members
    kinds = [k for k in FundingSource.Kind.values if k in by_kind]
    datasets: list[dict[str, Any]] = [
        {
            "type": "bar",
            "label": _kind_label(k),
            "data": by_kind[k],
            "backgroundColor": KIND_COLOURS[k],
            "stack": "aktif",
        }
        for k in kinds
    ]
    coverage = coverage_areas(region=region, year=year, month=12)
    if coverage.eligible:
        datasets.append(
            {
                "type": "line",
                "label": gettext("Sasaran (jumlah yang layak)"),
                "data": [coverage.eligible] * 12,
                "borderColor": "#d6604d",
                "pointRadius": 0,
            }
        )
    totals = [sum(by_kind[k][i] for k in kinds) for i in range(12)]
    return Chart(
        key="aktif",
        title=gettext("Peserta aktif akhir bulan per sumber dana, %(y)s") % {"y": year},
        kind="bar",
        labels=list(MONTH_LABELS),
        datasets=datasets,
        headers=[gettext("Bulan"), *[_kind_label(k) for k in kinds], gettext("Jumlah")],
        rows=[[MONTH_LABELS[i], *[by_kind[k][i] for k in kinds], totals[i]] for i in range(12)],
        note=(gettext("Sasaran: %(s)s") % {"s": coverage.source}) if coverage.eligible else "",
        options={"scales": {"x": {"stacked": True}, "y": {"stacked": True, "beginAtZero": True}}},
    )


def chart_funnel(*, region: Region, year: int) -> tuple[Chart, Chart]:
    """The enrolment funnel of the year (proposed → valid → in a decree → accepted by
    BPJS → started → first month's bill settled), per phase from the decree lines, and
    the rejection reasons."""
    sums = _year_rows(region, year).aggregate(
        proposed=Sum("proposed", default=0),
        valid=Sum("valid", default=0),
        in_decree=Sum("in_decree", default=0),
        accepted=Sum("accepted", default=0),
        rejected=Sum("rejected", default=0),
        started=Sum("started", default=0),
        first_paid=Sum("first_paid", default=0),
    )
    steps = [
        (gettext("Diusulkan"), sums["proposed"]),
        (gettext("Valid"), sums["valid"]),
        (gettext("Masuk SK"), sums["in_decree"]),
        (gettext("Diterima BPJS"), sums["accepted"]),
        (gettext("Mulai aktif"), sums["started"]),
        (gettext("Iuran pertama lunas"), sums["first_paid"]),
    ]
    # From the line count summary (``DecreeLineCount``, kept by triggers): a few rows
    # per decree stand for its lines, so the chart never reads a year's decree lines.
    lines = DecreeLineCount.objects.filter(
        Q(village_id=region.code) | Q(village__code__startswith=region.code + "."),
        action=DecreeLine.Action.ADD,
        decree__status=Decree.Status.ISSUED,
        decree__fiscal_year__year=year,
        n__gt=0,
    )
    phases = (
        lines.values("decree__phase__number", "decree__phase__name")
        .annotate(
            lines=Sum("n"),
            accepted=Sum("n", filter=Q(bpjs_status=DecreeLine.BpjsStatus.ACCEPTED), default=0),
            rejected=Sum("n", filter=Q(bpjs_status=DecreeLine.BpjsStatus.REJECTED), default=0),
        )
        .order_by("decree__phase__number")
    )
    funnel = Chart(
        key="corong",
        title=gettext("Corong kepesertaan %(y)s") % {"y": year},
        kind="bar",
        labels=[label for label, _ in steps],
        datasets=[
            {
                "label": gettext("Orang"),
                "data": [n for _, n in steps],
                "backgroundColor": "#2c7fb8",
            }
        ],
        headers=[gettext("Tahap"), gettext("Masuk SK"), gettext("Diterima"), gettext("Ditolak")],
        rows=[
            [
                row["decree__phase__name"] or gettext("Tanpa tahap"),
                row["lines"],
                row["accepted"],
                row["rejected"],
            ]
            for row in phases
        ],
        note=" · ".join(f"{label}: {n}" for label, n in steps),
        options={"indexAxis": "y", "plugins": {"legend": {"display": False}}},
    )
    reasons = (
        lines.filter(bpjs_status=DecreeLine.BpjsStatus.REJECTED)
        .values("bpjs_reason_code")
        .annotate(lines=Sum("n"))
        .order_by("-lines")
    )
    labels = dict(RejectionReason.choices)
    reason_rows = [
        [str(labels.get(r["bpjs_reason_code"], gettext("Tanpa kode"))), r["lines"]] for r in reasons
    ]
    rejections = Chart(
        key="alasan",
        title=gettext("Alasan penolakan BPJS %(y)s") % {"y": year},
        kind="bar",
        labels=[r[0] for r in reason_rows],
        datasets=[
            {
                "label": gettext("Ditolak"),
                "data": [r[1] for r in reason_rows],
                "backgroundColor": "#d6604d",
            }
        ],
        headers=[gettext("Alasan"), gettext("Orang")],
        rows=reason_rows,
        options={"indexAxis": "y", "plugins": {"legend": {"display": False}}},
    )
    return funnel, rejections


def chart_budget(*, region: Region, year: int, today: dt.date | None = None) -> Chart:
    """Per funding-source kind: pagu, committed (active reservations), paid; absorption
    and a straight-line year-end forecast that warns of under-spend while there is
    still time to act (APBD-P). The warning threshold is a setting."""
    today = today or timezone.localdate()
    regency = region.code[:5]
    allocations = (
        Allocation.objects.filter(
            fiscal_year__region_id=regency,
            fiscal_year__year=year,
            status=Allocation.Status.APPROVED,
        )
        .values("source__kind")
        .annotate(pagu=Sum("pagu"), paid=Sum("paid_amount"), billed=Sum("billed_amount"))
    )
    committed = dict(
        Reservation.objects.filter(
            allocation__fiscal_year__region_id=regency,
            allocation__fiscal_year__year=year,
            status=Reservation.Status.ACTIVE,
        )
        .values_list("allocation__source__kind")
        .annotate(total=Sum("amount"))
    )
    elapsed = 12 if year < today.year else (0 if year > today.year else today.month)
    threshold = settings.REPORTS_UNDERSPEND_WARN_RATIO
    rows, warnings = [], []
    data: dict[str, list[int]] = {"pagu": [], "committed": [], "paid": []}
    labels = []
    for row in sorted(
        allocations, key=lambda r: FundingSource.Kind.values.index(r["source__kind"])
    ):
        kind, pagu, paid = row["source__kind"], row["pagu"] or 0, row["paid"] or 0
        forecast = round(paid * 12 / elapsed) if elapsed else 0
        absorption = paid / pagu if pagu else None
        labels.append(_kind_label(kind))
        data["pagu"].append(pagu)
        data["committed"].append(committed.get(kind, 0) or 0)
        data["paid"].append(paid)
        rows.append(
            [_kind_label(kind), pagu, committed.get(kind, 0) or 0, paid, absorption, forecast]
        )
        if pagu and elapsed and elapsed < 12 and forecast < pagu * threshold:
            warnings.append(
                gettext(
                    "%(kind)s: dengan laju sekarang, realisasi akhir tahun sekitar %(p)s%% "
                    "dari pagu. Pertimbangkan penyesuaian di APBD-P."
                )
                % {"kind": _kind_label(kind), "p": round(forecast * 100 / pagu)}
            )
    return Chart(
        key="anggaran",
        title=gettext("Anggaran per sumber dana %(y)s: pagu, terikat, dibayar") % {"y": year},
        kind="bar",
        labels=labels,
        datasets=[
            {"label": gettext("Pagu"), "data": data["pagu"], "backgroundColor": "#bdbdbd"},
            {
                "label": gettext("Terikat (reservasi SK)"),
                "data": data["committed"],
                "backgroundColor": "#74a9cf",
            },
            {"label": gettext("Dibayar"), "data": data["paid"], "backgroundColor": "#1b7837"},
        ],
        headers=[
            gettext("Sumber dana"),
            gettext("Pagu (Rp)"),
            gettext("Terikat (Rp)"),
            gettext("Dibayar (Rp)"),
            gettext("Penyerapan"),
            gettext("Perkiraan akhir tahun (Rp)"),
        ],
        rows=rows,
        warnings=warnings,
        note=gettext("Perkiraan = dibayar ÷ bulan berjalan × 12 (garis lurus)."),
        options={"scales": {"y": {"beginAtZero": True}}},
    )


def _percentile(sorted_values: list[float], share: float) -> float:
    """Nearest-rank percentile of an ascending list (p90: the value 90 % do not exceed)."""
    rank = max(1, math.ceil(share * len(sorted_values)))
    return sorted_values[rank - 1]


def claims_turnaround(*, region: Region, year: int) -> dict[tuple[int, str], list[float]]:
    """(payout month, "jkk"/"jkm") → days from filing (``Claim.reported_at``) to payment
    (``Claim.paid_at``) of each claim paid that month, ascending. Read from the claims
    (a median cannot be summed), a kabupaten's few thousand paid claims a year."""
    rows = Claim.objects.filter(
        Q(village_id=region.code) | Q(village__code__startswith=region.code + "."),
        status=Claim.Status.PAID,
        payout_date__year=year,
        paid_at__isnull=False,
    ).values_list("claim_type", "payout_date", "reported_at", "paid_at")
    out: dict[tuple[int, str], list[float]] = {}
    for claim_type, payout_date, reported_at, paid_at in rows:
        days = max(0.0, (paid_at - reported_at).total_seconds() / 86400)
        kind = "jkk" if claim_type in JKK_TYPES else "jkm"
        out.setdefault((payout_date.month, kind), []).append(days)
    for values in out.values():
        values.sort()
    return out


def _days(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(round(value, 1)))


def chart_claims(*, region: Region, year: int) -> Chart:
    """JKK and JKM claims paid per month (count, amount) and their turnaround: days from
    filing to payment, median and p90 (nearest rank) per month and type; the chart draws
    the counts as bars and the median of all claims as a line."""
    rows = (
        _year_rows(region, year)
        .values("month")
        .annotate(
            jkk=Sum("jkk_claims"),
            jkk_amount=Sum("jkk_amount"),
            jkm=Sum("jkm_claims"),
            jkm_amount=Sum("jkm_amount"),
        )
        .order_by("month")
    )
    by_month = {row["month"].month: row for row in rows}
    turnaround = claims_turnaround(region=region, year=year)
    table, median_all = [], []
    for i in range(12):
        row = by_month.get(i + 1, {})
        jkk = turnaround.get((i + 1, "jkk"), [])
        jkm = turnaround.get((i + 1, "jkm"), [])
        both = sorted(jkk + jkm)
        median_all.append(round(statistics.median(both), 1) if both else None)
        table.append(
            [
                MONTH_LABELS[i],
                row.get("jkk") or 0,
                row.get("jkk_amount") or 0,
                _days(statistics.median(jkk)) if jkk else None,
                _days(_percentile(jkk, 0.9)) if jkk else None,
                row.get("jkm") or 0,
                row.get("jkm_amount") or 0,
                _days(statistics.median(jkm)) if jkm else None,
                _days(_percentile(jkm, 0.9)) if jkm else None,
            ]
        )
    return Chart(
        key="klaim",
        title=gettext("Klaim JKK dan JKM dibayar per bulan, %(y)s") % {"y": year},
        kind="bar",
        labels=list(MONTH_LABELS),
        datasets=[
            {"label": "JKK", "data": [r[1] for r in table], "backgroundColor": "#e08214"},
            {"label": "JKM", "data": [r[5] for r in table], "backgroundColor": "#542788"},
            {
                "type": "line",
                "label": gettext("Median hari lapor→bayar"),
                "data": median_all,
                "borderColor": "#1a1a1a",
                "yAxisID": "hari",
                "spanGaps": True,
            },
        ],
        headers=[
            gettext("Bulan"),
            gettext("JKK (klaim)"),
            gettext("JKK (Rp)"),
            gettext("JKK median hari"),
            gettext("JKK p90 hari"),
            gettext("JKM (klaim)"),
            gettext("JKM (Rp)"),
            gettext("JKM median hari"),
            gettext("JKM p90 hari"),
        ],
        rows=table,
        note=gettext(
            "JKM termasuk beasiswa anak. Menurut tanggal bayar. Waktu proses = hari dari "
            "klaim dilaporkan sampai dicatat dibayar (median dan persentil 90)."
        ),
        options={
            "scales": {
                "y": {"beginAtZero": True, "ticks": {"precision": 0}},
                "hari": {
                    "position": "right",
                    "beginAtZero": True,
                    "grid": {"drawOnChartArea": False},
                    "title": {"display": True, "text": gettext("hari")},
                },
            }
        },
    )


def chart_trends(*, region: Region, year: int, years: int = 3) -> Chart:
    """Year on year (the study's intermediate outcomes): members at the year's end
    (or now), APBD money (pagu), nagari paying from their APB Nagari, claims paid."""
    table = []
    for y in range(year - years + 1, year + 1):
        month = default_month(y)
        coverage = coverage_areas(region=region, year=y, month=month, by="villages")
        pagu = Allocation.objects.filter(
            fiscal_year__region_id=region.code[:5],
            fiscal_year__year=y,
            status=Allocation.Status.APPROVED,
            source__kind__in=[
                FundingSource.Kind.APBD,
                FundingSource.Kind.APBD_P,
                FundingSource.Kind.POKIR,
            ],
        ).aggregate(total=Sum("pagu", default=0))["total"]
        nagari = sum(1 for a in coverage.areas if a.nagari_funded_active > 0)
        claims = _year_rows(region, y).aggregate(
            amount=Sum("jkk_amount", default=0) + Sum("jkm_amount", default=0)
        )["amount"]
        table.append([str(y), coverage.active, pagu, nagari, claims])
    return Chart(
        key="tren",
        title=gettext("Tren antar tahun"),
        kind="bar",
        labels=[r[0] for r in table],
        datasets=[
            {
                "label": gettext("Peserta aktif"),
                "data": [r[1] for r in table],
                "backgroundColor": "#1b7837",
            }
        ],
        headers=[
            gettext("Tahun"),
            gettext("Peserta aktif (akhir tahun/bulan ini)"),
            gettext("Pagu APBD (Rp)"),
            gettext("Nagari membiayai dari APB Nagari"),
            gettext("Klaim dibayar (Rp)"),
        ],
        rows=table,
        options={"plugins": {"legend": {"display": False}}, "scales": {"y": {"beginAtZero": True}}},
    )


def all_charts(*, region: Region, year: int) -> list[Chart]:
    funnel, reasons = chart_funnel(region=region, year=year)
    return [
        chart_active_by_month(region=region, year=year),
        funnel,
        reasons,
        chart_budget(region=region, year=year),
        chart_claims(region=region, year=year),
        chart_trends(region=region, year=year),
    ]


def charts_cached(*, region: Region, year: int) -> list[Chart]:
    """``all_charts``, cached until the summary table of the kabupaten is refreshed or
    ``REPORTS_CHART_CACHE_SECONDS`` pass (the budget and per-phase tables are read
    directly, so they may lag that long)."""
    stamp = RefreshedMonth.objects.filter(regency_id=region.code[:5]).aggregate(
        at=Max("refreshed_at")
    )["at"]
    key = f"reports:charts:{region.code}:{year}:{stamp.timestamp() if stamp else 0}"
    found = cache.get(key)
    if found is None:
        found = all_charts(region=region, year=year)
        cache.set(key, found, settings.REPORTS_CHART_CACHE_SECONDS)
    return found


def charts_warm(*, regency_code: str, years: list[int]) -> None:
    """Compute and cache the kabupaten's charts of ``years`` right after a refresh (run by
    the refresh task when ``REPORTS_WARM_CHARTS``), so the next viewer does not pay the
    recomputation; the cache is shared by the web and worker processes."""
    region = Region.objects.filter(pk=regency_code).first()
    if region is None:
        return
    for year in sorted(set(years)):
        charts_cached(region=region, year=year)


def chart_by_key(*, region: Region, year: int, key: str) -> Chart | None:
    return next((c for c in charts_cached(region=region, year=year) if c.key == key), None)


def month_label(month: Month) -> str:
    return f"{MONTH_LABELS[month.month - 1]} {month.year}"
