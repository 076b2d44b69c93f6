"""The fee statement as a PDF (reportlab): the agent, the month, the rule applied with its
source, every contribution it pays on (masked NIK) and the split with the institution."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from jamsos.agents.models import AgentStatement, AgentStatementLine
from jamsos.lib.formats import rupiah
from jamsos.lib.nik import nik_mask

MAX_LINES = 5000


def statement_pdf(statement: AgentStatement) -> bytes:
    styles = getSampleStyleSheet()
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"Rekap fee agen {statement.month:%Y-%m}",
    )
    agent = statement.agent
    rule = statement.rule
    story = [
        Paragraph("Rekap Fee Agen Perisai", styles["Title"]),
        Paragraph(
            escape(
                f"{agent.person.full_name} · kode BPJS {agent.bpjs_code or '-'} · "
                f"lembaga {agent.institution.name if agent.institution else '-'}"
            ),
            styles["Normal"],
        ),
        Paragraph(
            escape(f"Bulan {statement.month:%m/%Y} · status {statement.get_status_display()}"),
            styles["Normal"],
        ),
        Spacer(1, 4 * mm),
        Paragraph(
            escape(
                f"Aturan: {rule.percent_of_contributions}% iuran; "
                f"bonus {rupiah(rule.acquisition_bonus)} "
                f"bila ≥ {rule.bonus_min_new} peserta baru; bagian lembaga "
                f"{rule.institution_share_percent}%; "
                f"pembayar: {', '.join(rule.eligible_payer_types)}"
                f"{'' if rule.confirmed else ' (belum terkonfirmasi)'}."
            ),
            styles["Normal"],
        ),
        Paragraph(escape(f"Sumber: {rule.legal_basis}"), styles["Italic"]),
        Spacer(1, 4 * mm),
    ]
    rows = [["No", "Peserta (NIK disamarkan)", "Bulan iuran", "Iuran"]]
    lines = (
        statement.lines.filter(kind=AgentStatementLine.Kind.CONTRIBUTION)
        .select_related("membership__person")
        .order_by("month", "membership_id")[:MAX_LINES]
    )
    for n, line in enumerate(lines, start=1):
        person = line.membership.person
        rows.append(
            [
                str(n),
                f"{person.full_name} ({nik_mask(person.nik)})",
                f"{line.month:%m/%Y}",
                rupiah(line.amount),
            ]
        )
    table = Table(rows, colWidths=[12 * mm, 95 * mm, 30 * mm, 35 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("ALIGN", (-1, 1), (-1, -1), "RIGHT"),
            ]
        )
    )
    story.append(table)
    story.append(Spacer(1, 4 * mm))
    totals = [
        ["Iuran yang menjadi dasar", rupiah(statement.contributions_total)],
        ["Fee iuran", rupiah(statement.contribution_fee)],
        [f"Bonus akuisisi ({statement.new_members} peserta baru)", rupiah(statement.bonus)],
        ["Jumlah", rupiah(statement.total)],
        ["Bagian lembaga", rupiah(statement.institution_amount)],
        ["Bagian agen", rupiah(statement.agent_amount)],
    ]
    summary = Table(totals, colWidths=[120 * mm, 52 * mm])
    summary.setStyle(
        TableStyle(
            [
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("LINEABOVE", (0, 3), (-1, 3), 0.5, colors.black),
            ]
        )
    )
    story.append(summary)
    if statement.approved_by_id:
        story.append(Spacer(1, 4 * mm))
        story.append(
            Paragraph(
                escape(
                    f"Disusun oleh {statement.created_by}; disetujui oleh {statement.approved_by} "
                    f"pada {statement.approved_at:%d-%m-%Y}."
                ),
                styles["Normal"],
            )
        )
    doc.build(story)
    return out.getvalue()
