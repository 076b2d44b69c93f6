"""Documents of the forum: the calendar (.ics), the invitation and minutes in the Pemda's
letter style, and the published scorecard, as PDF (reportlab's built-in Helvetica, so no
font files are needed). Minutes and scorecards name agencies and officials, never a
participant of the programme.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import HRFlowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from jamsos.collaboration.models import Forum, Meeting, ScorecardSnapshot
from jamsos.lib.formats import tanggal, waktu


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    body = ParagraphStyle(
        "body", parent=base["Normal"], fontName="Helvetica", fontSize=10, leading=13
    )
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10),
        "head1": ParagraphStyle(
            "head1", parent=body, fontName="Helvetica-Bold", fontSize=13, alignment=TA_CENTER
        ),
        "head2": ParagraphStyle(
            "head2", parent=body, fontName="Helvetica-Bold", fontSize=11, alignment=TA_CENTER
        ),
        "title": ParagraphStyle(
            "title",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=11,
            spaceBefore=6,
            spaceAfter=4,
        ),
    }


def _p(text: Any, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def _grid(rows: list[list[Any]], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONTSIZE", (0, 0), (-1, -1), 8.5),
            ]
        )
    )
    return table


def _letterhead(forum: Forum, s: dict[str, ParagraphStyle]) -> list[Any]:
    regency = forum.region if forum.region.level == "regency" else forum.region.parent
    government = f"PEMERINTAH {regency.name.upper()}" if regency else "PEMERINTAH DAERAH"
    return [
        _p(government, s["head1"]),
        _p(forum.convening_agency.name.upper(), s["head2"]),
        Spacer(1, 2 * mm),
        HRFlowable(width="100%", thickness=1.5, color=colors.black),
        Spacer(1, 4 * mm),
    ]


def _build(flow: list[Any], title: str) -> bytes:
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=title,
    )
    doc.build(flow)
    return out.getvalue()


def _pairs(rows: list[tuple[str, str]], s: dict[str, ParagraphStyle]) -> Table:
    table = Table(
        [[_p(a, s["body"]), _p(":", s["body"]), _p(b, s["body"])] for a, b in rows],
        colWidths=[30 * mm, 4 * mm, 130 * mm],
    )
    table.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
    )
    return table


def invitation_pdf(meeting: Meeting) -> bytes:
    s = _styles()
    forum = meeting.forum
    members = forum.memberships.select_related("agency").order_by("role", "agency__name")
    flow = _letterhead(forum, s)
    flow += [
        _pairs(
            [
                ("Hal", f"Undangan {meeting.get_kind_display()}"),
                ("Tanggal", tanggal(timezone.localdate(meeting.created_at))),
            ],
            s,
        ),
        Spacer(1, 4 * mm),
        _p(
            "Kepada Yth.\n" + "\n".join(f"{i}. {m.agency.name}" for i, m in enumerate(members, 1)),
            s["body"],
        ),
        Spacer(1, 4 * mm),
        _p(
            "Dengan hormat, kami mengundang Bapak/Ibu untuk menghadiri "
            f"{meeting.get_kind_display().lower()} {forum.name} yang akan dilaksanakan pada:",
            s["body"],
        ),
        Spacer(1, 2 * mm),
        _pairs(
            [
                ("Waktu", waktu(meeting.starts_at)),
                ("Tempat", meeting.place or "—"),
                ("Cara", meeting.get_mode_display()),
                ("Acara", meeting.title),
            ],
            s,
        ),
    ]
    agenda = list(meeting.agenda_items.select_related("proposed_by"))
    if agenda:
        flow += [Spacer(1, 3 * mm), _p("Agenda:", s["body"])]
        flow += [
            _p(f"{i}. {a.title} (usulan {a.proposed_by.name})", s["body"])
            for i, a in enumerate(agenda, 1)
        ]
    flow += [
        Spacer(1, 4 * mm),
        _p("Atas perhatian dan kehadiran Bapak/Ibu kami ucapkan terima kasih.", s["body"]),
        Spacer(1, 12 * mm),
        _p(meeting.chair_name or forum.convening_agency.name, s["body"]),
    ]
    return _build(flow, f"Undangan {meeting}")


def minutes_pdf(meeting: Meeting) -> bytes:
    s = _styles()
    forum = meeting.forum
    flow = _letterhead(forum, s)
    flow += [
        _p(f"NOTULEN {meeting.get_kind_display().upper()}", s["head2"]),
        Spacer(1, 3 * mm),
        _pairs(
            [
                ("Forum", forum.name),
                ("Acara", meeting.title),
                ("Waktu", waktu(meeting.starts_at)),
                ("Tempat", f"{meeting.place or '—'} ({meeting.get_mode_display()})"),
                ("Pengundang", meeting.convened_by.name),
                ("Pimpinan", meeting.chair_name or "—"),
            ],
            s,
        ),
        _p("Kehadiran", s["title"]),
    ]
    rows = [["Instansi", "Tingkat", "Jumlah"]]
    rows += [
        [_p(a.agency.name, s["small"]), a.get_level_display(), str(a.count)]
        for a in meeting.attendances.select_related("agency")
    ]
    flow.append(_grid(rows, [100 * mm, 35 * mm, 25 * mm]))
    flow.append(_p("Agenda", s["title"]))
    rows = [["No", "Agenda", "Diusulkan oleh"]]
    rows += [
        [str(i), _p(a.title, s["small"]), _p(a.proposed_by.name, s["small"])]
        for i, a in enumerate(meeting.agenda_items.select_related("proposed_by"), 1)
    ]
    flow.append(_grid(rows, [10 * mm, 100 * mm, 50 * mm]))
    flow.append(_p("Keputusan", s["title"]))
    rows = [["No", "Keputusan", "Cara", "Diusulkan oleh"]]
    rows += [
        [str(i), _p(d.text, s["small"]), d.get_kind_display(), _p(d.proposed_by.name, s["small"])]
        for i, d in enumerate(meeting.decisions.select_related("proposed_by"), 1)
    ]
    flow.append(_grid(rows, [10 * mm, 90 * mm, 22 * mm, 38 * mm]))
    flow.append(_p("Tindak lanjut", s["title"]))
    from jamsos.collaboration.models import ActionItem

    rows = [["Tindak lanjut", "Penanggung jawab", "Tenggat"]]
    rows += [
        [_p(t.title, s["small"]), _p(t.owner_agency.name, s["small"]), tanggal(t.due_on)]
        for t in ActionItem.objects.filter(decision__meeting=meeting).select_related("owner_agency")
    ]
    flow.append(_grid(rows, [90 * mm, 45 * mm, 25 * mm]))
    return _build(flow, f"Notulen {meeting}")


def scorecard_pdf(snapshot: ScorecardSnapshot) -> bytes:
    from jamsos.collaboration.models import IndicatorDefinition
    from jamsos.collaboration.scorecard import band_label

    s = _styles()
    data = snapshot.data
    labels = dict(IndicatorDefinition.Element.choices)
    status = "" if snapshot.status == ScorecardSnapshot.Status.PUBLISHED else " — DRAF"
    flow = [
        _p(f"RAPOR KOLABORASI {snapshot.region.name.upper()}{status}", s["head1"]),
        _p(
            f"Triwulan {snapshot.period} · definisi versi {snapshot.definitions_version}",
            s["head2"],
        ),
        Spacer(1, 2 * mm),
        _p(
            f"Data per {waktu(snapshot.as_of)}. Skor hanya mencerminkan kegiatan yang dicatat; "
            "tidak ada skor gabungan. Sinyal proses untuk evaluasi forum sendiri, bukan dasar "
            "penilaian perorangan.",
            s["small"],
        ),
        Spacer(1, 3 * mm),
    ]
    replies = list(snapshot.replies.select_related("agency"))
    for element in data.get("elements", []):
        if not element["indicators"]:
            continue
        flow.append(_p(str(labels.get(element["element"], element["element"])), s["title"]))
        rows = [["Kode", "Indikator", "k dari n", "Pita", "Tren (3 triwulan sebelumnya)"]]
        for i in element["indicators"]:
            kn = f"{i['numerator']} dari {i['denominator']}"
            if i["value"] is not None:
                kn += f" ({round(100 * i['value'])}%)"
            trend = ", ".join(f"{t['numerator']}/{t['denominator']}" for t in i.get("trend", []))
            rows.append([i["id"], _p(i["name"], s["small"]), kn, band_label(i), trend])
        flow.append(_grid(rows, [14 * mm, 62 * mm, 30 * mm, 26 * mm, 38 * mm]))
    clocks = data.get("clocks", {})
    if clocks:
        flow.append(_p("Waktu layanan (dari cap waktu rantai transaksi)", s["title"]))
        rows = [["Jam", "n", "Median (hari)", "p90 (hari)"]]
        names = {
            "bpjs_verification": "Verifikasi BPJS (SK → hasil)",
            "claim_payout": "Klaim (berkas lengkap → dibayar)",
            "bill_to_sp2d": "Tagihan → SP2D",
        }
        for key, clock in clocks.items():
            rows.append(
                [
                    names.get(key, key),
                    str(clock["n"]),
                    str(clock["median_days"] or "—"),
                    str(clock["p90_days"] or "—"),
                ]
            )
        flow.append(_grid(rows, [80 * mm, 20 * mm, 30 * mm, 30 * mm]))
    flow.append(_p("Tanggapan instansi", s["title"]))
    if replies:
        for r in replies:
            flow.append(_p(f"{r.agency.name} ({r.indicator or 'umum'}): {r.text}", s["body"]))
    else:
        flow.append(_p("Tidak ada tanggapan.", s["body"]))
    return _build(flow, f"Rapor kolaborasi {snapshot.period}")


def _ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _ics_time(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar_ics(*, forum: Forum, meetings: list[Meeting]) -> str:
    """RFC 5545 calendar of a forum's meetings (two hours each, as planned invitations do)."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Jamsos//Forum//ID",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_ics_text(forum.name)}",
    ]
    stamp = _ics_time(timezone.now())
    for m in meetings:
        lines += [
            "BEGIN:VEVENT",
            f"UID:jamsos-meeting-{m.pk}@jamsos",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_ics_time(m.starts_at)}",
            f"DTEND:{_ics_time(m.starts_at + dt.timedelta(hours=2))}",
            f"SUMMARY:{_ics_text(f'{m.get_kind_display()}: {m.title}')}",
            f"LOCATION:{_ics_text(m.place)}",
            f"DESCRIPTION:{_ics_text(f'{forum.name} ({m.get_mode_display()})')}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"
