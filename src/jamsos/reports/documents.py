"""Report documents (PDF with reportlab, Excel with xlsxwriter), kept as publications.

- ``bulanan_bupati``: the monthly programme report to the Bupati (PKS duty D5): the
  four figures, coverage by kecamatan with formula and source, the nagari map, and the
  charts (members by source, budget, claims) drawn with ``reportlab.graphics``.
- ``dprd``: by kecamatan and funding source, with pokir realisation per allocation.
- ``nagari_minimum``: the "1 Nagari 100 orang" compliance list.
- ``tahunan_lkpj``: the yearly LKPJ/LPPD/LKjIP annex (``reports.annex``): target,
  realisation, % capaian and last year for members, APBD money, nagari, claims. Its period
  is a year; due ``REPORTS_ANNUAL_DUE_MONTHS`` months after the year's end.

``publication_generate`` (run by ``tasks.publication_generate_task``) builds one and
stores it as an immutable ``Publication`` with its SHA-256 and due date: the month's
last day + ``REPORTS_MONTHLY_DUE_DAYS``. No document names a person.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

import xlsxwriter
from django.conf import settings
from django.db.models import Sum
from django.utils.translation import gettext
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, Polygon, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from jamsos.accounts.models import User
from jamsos.budget.models import Allocation, FundingSource
from jamsos.lib.formats import angka, rupiah
from jamsos.lib.periods import Month
from jamsos.regions.models import Region
from jamsos.reports import charts, selectors
from jamsos.reports.annex import annex_notes, annex_tables
from jamsos.reports.maps import NO_DATA, boundaries_for, colour_of
from jamsos.reports.models import MonthlyFigure, Publication
from jamsos.reports.services import publication_create
from jamsos.reports.templatetags.reports_ui import cakupan, sel


def due_date_of(period: Month) -> dt.date:
    return period.last_day() + dt.timedelta(days=settings.REPORTS_MONTHLY_DUE_DAYS)


def annual_due_date_of(year: int) -> dt.date:
    """The last day of the ``REPORTS_ANNUAL_DUE_MONTHS``-th month after the year."""
    return (Month(year, 12) + settings.REPORTS_ANNUAL_DUE_MONTHS).last_day()


# --- Content (shared by PDF and xlsx) -----------------------------------------------------


def dprd_tables(region: Region, when: Month) -> list[tuple[str, list[list[Any]]]]:
    """Active members by kecamatan × funding-source kind; money by source; pokir per
    allocation (pagu, billed, paid, per DPRD member)."""
    kinds = list(FundingSource.Kind.values)
    rows = (
        MonthlyFigure.objects.filter(selectors.figures_in(region), month=when.first_day())
        .values("village__parent_id", "village__parent__name", "funding_source__kind")
        .annotate(n=Sum("active"))
    )
    grid: dict[tuple[str, str], dict[str, int]] = {}
    for row in rows:
        key = (row["village__parent_id"], row["village__parent__name"])
        grid.setdefault(key, dict.fromkeys(kinds, 0))
        if row["funding_source__kind"]:
            grid[key][row["funding_source__kind"]] += row["n"] or 0
    labels = dict(FundingSource.Kind.choices)
    by_kec = [[gettext("Kecamatan"), *[str(labels[k]) for k in kinds], gettext("Jumlah")]]
    for (_code, name), counts in sorted(grid.items()):
        by_kec.append([name, *[counts[k] for k in kinds], sum(counts.values())])
    money = (
        MonthlyFigure.objects.filter(
            selectors.figures_in(region),
            month__gte=Month(when.year, 1).first_day(),
            month__lte=when.first_day(),
        )
        .exclude(funding_source=None)
        .values("funding_source__name")
        .annotate(payable=Sum("payable"), paid=Sum("paid"))
        .order_by("funding_source__name")
    )
    by_source = [[gettext("Sumber dana"), gettext("Iuran terutang (Rp)"), gettext("Dibayar (Rp)")]]
    by_source += [[m["funding_source__name"], m["payable"] or 0, m["paid"] or 0] for m in money]
    pokir = Allocation.objects.filter(
        fiscal_year__region_id=region.code[:5],
        fiscal_year__year=when.year,
        source__kind=FundingSource.Kind.POKIR,
    ).select_related("source")
    pokir_rows = [
        [
            gettext("Anggota DPRD"),
            gettext("Pagu"),
            gettext("Pagu (Rp)"),
            gettext("Ditagih (Rp)"),
            gettext("Dibayar (Rp)"),
            gettext("Realisasi"),
        ]
    ]
    pokir_rows += [
        [
            a.source.dprd_member,
            a.name,
            a.pagu,
            a.billed_amount,
            a.paid_amount,
            round(a.paid_amount / a.pagu, 4) if a.pagu else None,
        ]
        for a in pokir
    ]
    return [
        (gettext("Peserta aktif per kecamatan dan sumber dana"), by_kec),
        (gettext("Iuran per sumber dana sejak Januari"), by_source),
        (gettext("Realisasi pokok pikiran DPRD per pagu"), pokir_rows),
    ]


def nagari_minimum_rows(region: Region, when: Month) -> list[list[Any]]:
    coverage = selectors.coverage_areas(
        region=region, year=when.year, month=when.month, by="villages"
    )
    rows: list[list[Any]] = [
        [
            gettext("Kode"),
            gettext("Nagari"),
            gettext("Dibiayai APB Nagari"),
            gettext("Minimum"),
            gettext("Memenuhi"),
            gettext("Seluruh peserta aktif"),
        ]
    ]
    for area in coverage.areas:
        ok = area.nagari_minimum is not None and area.nagari_funded_active >= area.nagari_minimum
        rows.append(
            [
                area.code,
                area.name,
                area.nagari_funded_active,
                area.nagari_minimum,
                gettext("ya") if ok else gettext("belum"),
                area.active,
            ]
        )
    return rows


def monthly_tables(region: Region, when: Month) -> dict[str, Any]:
    coverage = selectors.coverage_areas(region=region, year=when.year, month=when.month)
    figures = selectors.transparency_figures(region=region, year=when.year, month=when.month)
    summary = [
        [gettext("Angka"), gettext("Nilai")],
        [gettext("Peserta aktif akhir bulan"), figures.active],
        [gettext("Cakupan"), coverage.coverage],
        [gettext("Iuran terutang sejak Januari (Rp)"), figures.payable],
        [gettext("Iuran dibayar sejak Januari (Rp)"), figures.paid],
        [gettext("Klaim dibayar sejak Januari"), figures.claims],
        [gettext("Klaim dibayar sejak Januari (Rp)"), figures.claims_amount],
    ]
    areas = [[gettext("Wilayah"), gettext("Aktif"), gettext("Sasaran"), gettext("Cakupan")]]
    areas += [[a.name, a.active, a.eligible, a.coverage] for a in coverage.areas]
    areas.append([gettext("Jumlah"), coverage.active, coverage.eligible, coverage.coverage])
    return {
        "coverage": coverage,
        "summary": summary,
        "areas": areas,
        "charts": [
            charts.chart_active_by_month(region=region, year=when.year),
            charts.chart_budget(region=region, year=when.year),
            charts.chart_claims(region=region, year=when.year),
        ],
    }


# --- PDF ------------------------------------------------------------------------------------


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=base["Normal"], fontName="Helvetica", fontSize=9)
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=7.5, leading=9),
        "title": ParagraphStyle(
            "title", parent=body, fontName="Helvetica-Bold", fontSize=13, leading=16
        ),
        "h2": ParagraphStyle(
            "h2", parent=body, fontName="Helvetica-Bold", fontSize=10.5, spaceBefore=6
        ),
    }


FRAME_WIDTH = 170 * mm  # A4 less the margins of the narrowest document


def _table(rows: list[list[Any]], widths: list[float] | None = None) -> Table:
    header: list[Any] = [str(c) for c in rows[0]]
    if widths is None and len(header) >= 7:  # wide tables: equal columns, headers wrap
        widths = [FRAME_WIDTH / len(header)] * len(header)
        style = ParagraphStyle("th", fontName="Helvetica-Bold", fontSize=7, leading=8.5)
        header = [Paragraph(escape(h), style) for h in header]
    cells = [header, *[[sel(c) for c in row] for row in rows[1:]]]
    table = Table(cells, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), "Helvetica", 7.5),
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 7.5),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8f3ea")),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
            ]
        )
    )
    return table


def chart_drawing(chart: charts.Chart, width: float = 170 * mm, height: float = 60 * mm) -> Drawing:
    """A bar chart of ``chart``'s bar datasets, drawn by reportlab (the same figures)."""
    drawing = Drawing(width, height)
    bars = [d for d in chart.datasets if d.get("type", "bar") == "bar"]
    if not bars or not chart.labels:
        drawing.add(String(4, height / 2, gettext("Belum ada data."), fontSize=8))
        return drawing
    plot = VerticalBarChart()
    plot.x, plot.y, plot.width, plot.height = 40, 28, width - 60, height - 40
    plot.data = [[float(v or 0) for v in d["data"]] for d in bars]
    plot.categoryAxis.categoryNames = [str(label)[:12] for label in chart.labels]
    plot.categoryAxis.labels.fontSize = 6
    plot.valueAxis.labels.fontSize = 6
    plot.valueAxis.valueMin = 0
    if len(bars) > 1 and chart.options.get("scales", {}).get("y", {}).get("stacked"):
        plot.categoryAxis.style = "stacked"
    for i, dataset in enumerate(bars):
        plot.bars[i].fillColor = colors.HexColor(dataset.get("backgroundColor", "#1b7837"))
        plot.bars[i].strokeWidth = 0
    drawing.add(plot)
    for i, dataset in enumerate(bars):
        x = 40 + i * 95
        drawing.add(Rect(x, 4, 8, 8, fillColor=plot.bars[i].fillColor, strokeWidth=0))
        drawing.add(String(x + 11, 5, str(dataset["label"])[:22], fontSize=6.5))
    return drawing


def map_drawing(region: Region, coverage: Any, width: float = 170 * mm) -> Drawing | None:
    """The nagari map drawn with reportlab polygons (same shapes and colours as the SVG)."""
    level = Region.Level.VILLAGE
    shapes = boundaries_for(region, level)
    if shapes is None:
        return None
    values = {a.code: a.coverage for a in coverage.areas}
    points = [pt for s in shapes.values() for p in s.polygons for r in p for pt in r]
    west, east = min(x for x, _ in points), max(x for x, _ in points)
    south, north = min(y for _, y in points), max(y for _, y in points)
    scale = (width - 10) / (east - west)
    height = (north - south) * scale + 10
    drawing = Drawing(width, height)
    for code, shape in shapes.items():
        fill = colors.HexColor(colour_of(values.get(code)) if code in values else NO_DATA)
        for polygon in shape.polygons:
            flat = [
                v for x, y in polygon[0] for v in (5 + (x - west) * scale, 5 + (y - south) * scale)
            ]
            drawing.add(Polygon(flat, fillColor=fill, strokeColor=colors.white, strokeWidth=0.4))
    return drawing


def monthly_pdf(region: Region, when: Month) -> bytes:
    data = monthly_tables(region, when)
    nagari = selectors.coverage_areas(
        region=region, year=when.year, month=when.month, by="villages"
    )
    styles = _styles()
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title="Laporan bulanan program",
    )
    story: list[Any] = [
        Paragraph(
            escape(
                gettext("Laporan bulanan program jaminan sosial ketenagakerjaan pekerja rentan")
            ),
            styles["title"],
        ),
        Paragraph(escape(f"{region.label} — {when.month:02d}/{when.year}"), styles["body"]),
        Paragraph(
            escape(
                gettext("Kepada Bupati (PKS kewajiban D5). Angka ringkasan, tanpa data pribadi.")
            ),
            styles["small"],
        ),
        Spacer(1, 4 * mm),
        _table(data["summary"], [110 * mm, 50 * mm]),
        Paragraph(escape(data["coverage"].formula), styles["small"]),
        Paragraph(
            escape(
                gettext("Sumber sasaran: %(s)s")
                % {"s": data["coverage"].source or gettext("belum ada (hanya jumlah)")}
            ),
            styles["small"],
        ),
        Paragraph(escape(gettext("Cakupan per wilayah")), styles["h2"]),
        _table(data["areas"], [70 * mm, 30 * mm, 30 * mm, 30 * mm]),
    ]
    drawing = map_drawing(region, nagari) if region.level in ("regency", "district") else None
    if drawing is not None:
        story += [
            Paragraph(escape(gettext("Peta cakupan per nagari")), styles["h2"]),
            drawing,
            Paragraph(
                escape(
                    gettext(
                        "Batas wilayah: cahyadsn/wilayah_boundaries (MIT, © Cahya DSN). "
                        "Abu-abu: belum ada sasaran."
                    )
                ),
                styles["small"],
            ),
        ]
    for chart in data["charts"]:
        story += [Paragraph(escape(chart.title), styles["h2"]), chart_drawing(chart)]
        for warning in chart.warnings:
            story.append(Paragraph(escape(warning), styles["small"]))
        story.append(_table(chart.csv_rows()))
    doc.build(story)
    return out.getvalue()


def tables_pdf(
    title: str,
    region: Region,
    when: Month | str,
    tables: list[tuple[str, list[list[Any]]]],
    notes: list[str] | None = None,
) -> bytes:
    period = when if isinstance(when, str) else f"{when.month:02d}/{when.year}"
    styles = _styles()
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=title,
    )
    story: list[Any] = [
        Paragraph(escape(title), styles["title"]),
        Paragraph(escape(f"{region.label} — {period}"), styles["body"]),
        Paragraph(escape(gettext("Angka ringkasan, tanpa data pribadi.")), styles["small"]),
    ]
    for heading, rows in tables:
        story += [Paragraph(escape(heading), styles["h2"]), _table(rows)]
    for note in notes or []:
        story.append(Paragraph(escape(note), styles["small"]))
    doc.build(story)
    return out.getvalue()


def tables_xlsx(tables: list[tuple[str, list[list[Any]]]], notes: list[str] | None = None) -> bytes:
    """One sheet per table; every text cell written as a string (never a formula)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    bold = book.add_format({"bold": True})
    pct = book.add_format({"num_format": "0.0%"})
    for index, (heading, rows) in enumerate(tables):
        sheet = book.add_worksheet(f"{index + 1} {heading}"[:31].replace("/", "-"))
        sheet.write(0, 0, heading, bold)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, float):
                    sheet.write_number(r + 2, c, value, pct)
                elif isinstance(value, (int, Decimal)):
                    sheet.write_number(r + 2, c, value)
                else:
                    sheet.write_string(r + 2, c, str(value), bold if r == 0 else None)
        for n, note in enumerate(notes or []):
            sheet.write_string(len(rows) + 3 + n, 0, note)
        sheet.set_column(0, 0, 34)
        sheet.set_column(1, 12, 16)
    book.close()
    return out.getvalue()


# --- Publication ----------------------------------------------------------------------------


def document_build(*, kind: str, fmt: str, region: Region, when: Month) -> bytes:
    """One document. For a yearly kind only ``when.year`` counts."""
    if kind == Publication.Kind.ANNUAL:
        tables = annex_tables(region=region, year=when.year)
        notes = annex_notes(region=region, year=when.year)
        if fmt == Publication.Format.PDF:
            title = gettext(
                "Lampiran LKPJ/LPPD/LKjIP: jaminan sosial ketenagakerjaan pekerja rentan"
            )
            return tables_pdf(
                title, region, gettext("Tahun %(y)s") % {"y": when.year}, tables, notes
            )
        return tables_xlsx(tables, notes)
    if kind == Publication.Kind.MONTHLY_BUPATI:
        if fmt == Publication.Format.PDF:
            return monthly_pdf(region, when)
        data = monthly_tables(region, when)
        tables = [(gettext("Ringkasan"), data["summary"]), (gettext("Cakupan"), data["areas"])]
        tables += [(c.title, c.csv_rows()) for c in data["charts"]]
        return tables_xlsx(tables)
    if kind == Publication.Kind.DPRD:
        tables = dprd_tables(region, when)
        title = gettext("Laporan DPRD per kecamatan dan sumber dana")
    else:
        tables = [(gettext("Kepatuhan 1 Nagari 100 orang"), nagari_minimum_rows(region, when))]
        title = gettext("Kepatuhan 1 Nagari 100 orang")
    if fmt == Publication.Format.PDF:
        return tables_pdf(title, region, when, tables)
    return tables_xlsx(tables)


def publication_generate(
    *, kind: str, fmt: str, region_code: str, period: str, user_id: int | None
) -> Publication:
    region = Region.objects.get(pk=region_code)
    if kind in Publication.YEARLY_KINDS:
        year = int(period[:4])
        period, when, due = str(year), Month(year, 12), annual_due_date_of(year)
    else:
        when = Month.parse(period)
        due = due_date_of(when)
    user = User.objects.filter(pk=user_id).first() if user_id else None
    content = document_build(kind=kind, fmt=fmt, region=region, when=when)
    return publication_create(
        kind=kind,
        fmt=fmt,
        region=region,
        period=period,
        due_date=due,
        content=content,
        file_name=f"{kind}-{region.code}-{period}.{fmt}",
        acting_user=user,
    )


__all__ = ["angka", "cakupan", "publication_generate", "rupiah"]
