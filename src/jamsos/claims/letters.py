"""The claim letter: the Dinas's submission of one claim to the BPJS branch, as a PDF.

Letterhead of the Pemerintah Kabupaten and its Disnakertrans, the letter number and date,
the participant and the event, the heirs (bank accounts masked for viewers who may not see
them), the documents checklist, the benefit estimate with its legal basis, and the
signatures of the operator who prepared it and the head who approved it. Before approval
the letter is marked DRAF. Built with reportlab's built-in Helvetica, so it needs no font
files.
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.db import transaction
from django.utils import translation
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import HRFlowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from jamsos.accounts.access import ancestor_codes, require_perm
from jamsos.accounts.models import Agency, User
from jamsos.audit.services import audit_record, may_view_full_nik, nik_access_log
from jamsos.claims import selectors
from jamsos.claims.access import may_view_bank_accounts
from jamsos.claims.benefits import estimate_shown
from jamsos.claims.eligibility import finding_text
from jamsos.claims.models import Claim
from jamsos.lib.formats import bulan, rupiah, tanggal, waktu
from jamsos.lib.nik import nik_mask
from jamsos.regions.models import Region

Status = Claim.Status
APPROVED_STATUSES = frozenset(
    {Status.SUBMITTED, Status.UNDER_REVIEW, Status.APPROVED, Status.REJECTED, Status.PAID}
)


def mask_account(number: str) -> str:
    """``1234567890`` → ``******7890``: enough to recognise, not to transfer to."""
    if not number:
        return ""
    return "*" * max(0, len(number) - 4) + number[-4:]


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    body = ParagraphStyle(
        "body", parent=base["Normal"], fontName="Helvetica", fontSize=9.5, leading=12.5
    )
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10),
        "head1": ParagraphStyle(
            "head1",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=13,
            leading=16,
            alignment=TA_CENTER,
        ),
        "head2": ParagraphStyle(
            "head2",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=11.5,
            leading=14,
            alignment=TA_CENTER,
        ),
        "center": ParagraphStyle("center", parent=body, alignment=TA_CENTER),
        "h": ParagraphStyle(
            "h", parent=body, fontName="Helvetica-Bold", spaceBefore=6, spaceAfter=2
        ),
        "draft": ParagraphStyle(
            "draft",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=12,
            textColor=colors.red,
            alignment=TA_CENTER,
        ),
    }


def _p(text: Any, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def _grid(rows: list[list[Any]], widths: list[float], *, header: bool = True) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTSIZE", (0, 0), (-1, -1), 8.5),
    ]
    if header:
        style += [("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8f1ea"))]
    table.setStyle(TableStyle(style))
    return table


def _pairs(rows: list[tuple[str, str]], s: dict[str, ParagraphStyle]) -> Table:
    table = Table(
        [[_p(k, s["body"]), _p(":", s["body"]), _p(v, s["body"])] for k, v in rows],
        colWidths=[45 * mm, 4 * mm, 121 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 1),
                ("RIGHTPADDING", (0, 0), (-1, -1), 1),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return table


def _regency(claim: Claim) -> Region | None:
    region: Region | None = claim.village
    while region is not None and region.level != Region.Level.REGENCY:
        region = region.parent
    return region


def _agency(claim: Claim, kind: str) -> Agency | None:
    """The agency of this kind serving the claim's village (its nearest region up)."""
    codes = [*ancestor_codes(claim.village_id), claim.village_id]
    candidates = {a.region_id: a for a in Agency.objects.filter(kind=kind, region_id__in=codes)}
    for code in reversed(codes):
        if code in candidates:
            return candidates[code]
    return None


def _dinas(claim: Claim) -> str:
    for user in (claim.approved_by, claim.prepared_by):
        if user is not None and user.agency is not None:
            return user.agency.name
    agency = _agency(claim, Agency.Kind.DINAS)
    return agency.name if agency else "Dinas Tenaga Kerja dan Transmigrasi"


def _participant_nik(claim: Claim, viewer: User) -> str:
    if may_view_full_nik(viewer, claim.person):
        nik_access_log(viewer=viewer, person=claim.person, purpose=f"surat klaim {claim}")
        return claim.person.nik
    return nik_mask(claim.person.nik)


def _heading(claim: Claim, s: dict[str, ParagraphStyle]) -> list[Any]:
    regency = _regency(claim)
    government = f"PEMERINTAH {regency.name.upper()}" if regency else "PEMERINTAH DAERAH"
    return [
        _p(government, s["head1"]),
        _p(_dinas(claim).upper(), s["head2"]),
        Spacer(1, 2 * mm),
        HRFlowable(width="100%", thickness=1.5, color=colors.black),
        Spacer(1, 4 * mm),
    ]


def _letter_head(claim: Claim, s: dict[str, ParagraphStyle], documents: int) -> list[Any]:
    approved = claim.status in APPROVED_STATUSES and claim.submitted_at is not None
    bpjs = _agency(claim, Agency.Kind.BPJS_BRANCH)
    flow: list[Any] = []
    if not approved:
        flow.append(_p("DRAF — belum disetujui Kepala Dinas", s["draft"]))
    flow.append(
        _pairs(
            [
                ("Nomor", claim.letter_number or "—"),
                ("Tanggal", tanggal(claim.submitted_at) if claim.submitted_at else "—"),
                ("Lampiran", f"{documents} berkas"),
                ("Hal", f"Pengajuan klaim {claim.get_claim_type_display()} a.n. {claim.person}"),
            ],
            s,
        )
    )
    flow += [
        Spacer(1, 3 * mm),
        _p(
            "Kepada Yth.\nKepala "
            + (bpjs.name if bpjs else "Kantor Cabang BPJS Ketenagakerjaan")
            + "\ndi tempat",
            s["body"],
        ),
        Spacer(1, 3 * mm),
        _p(
            "Dengan hormat, bersama ini kami ajukan klaim peserta program jaminan sosial "
            "ketenagakerjaan pekerja rentan yang iurannya dibayar Pemerintah Daerah, dengan "
            "data sebagai berikut:",
            s["body"],
        ),
    ]
    return flow


def _participant(claim: Claim, viewer: User, s: dict[str, ParagraphStyle]) -> list[Any]:
    m = claim.membership
    district = claim.village.parent.name if claim.village.parent else ""
    when = tanggal(claim.event_date) + (
        f" pukul {claim.event_time:%H.%M}" if claim.event_time else ""
    )
    rows = [
        ("Nama peserta", claim.person.full_name),
        ("NIK", _participant_nik(claim, viewer)),
        ("Nomor KPJ", m.kpj_number or "—"),
        ("Nagari/desa, kecamatan", f"{claim.village.name}, {district}"),
        ("Pekerjaan", str(claim.person.occupation)),
        ("Sumber iuran", claim.funding_source.name),
        ("Masa kepesertaan", f"{bulan(m.first_month)} – {bulan(m.last_month)}"),
        ("Masa iur tercatat", f"{claim.months_paid or 0} bulan"),
        ("Jenis klaim", claim.get_claim_type_display()),
        ("Tanggal kejadian", when),
        ("Tempat kejadian", claim.event_place or "—"),
        (
            "Dilaporkan",
            f"{waktu(claim.reported_at)} oleh {claim.reported_by} ({claim.reporter_agency or '-'})",
        ),
        ("Kronologi", claim.chronology or "—"),
    ]
    if claim.origin:
        rows.insert(9, ("Dasar beasiswa", claim.get_origin_display()))
    return [_p("A. Peserta dan kejadian", s["h"]), _pairs(rows, s)]


def _heirs(claim: Claim, viewer: User, s: dict[str, ParagraphStyle]) -> list[Any]:
    full = may_view_bank_accounts(viewer)
    rows: list[list[Any]] = [
        [_p(h, s["small"]) for h in ("Nama", "Hubungan", "NIK", "Bank", "Rekening", "Penerima")]
    ]
    for heir in claim.heirs.all():
        rows.append(
            [
                _p(heir.full_name, s["small"]),
                _p(heir.get_relationship_display(), s["small"]),
                _p(nik_mask(heir.nik) if heir.nik else "—", s["small"]),
                _p(heir.bank_name or "—", s["small"]),
                _p(
                    (heir.bank_account if full else mask_account(heir.bank_account)) or "—",
                    s["small"],
                ),
                _p("ya" if heir.is_payee else "", s["small"]),
            ]
        )
    if len(rows) == 1:
        rows.append([_p("Belum ada ahli waris tercatat.", s["small"]), "", "", "", "", ""])
    widths = [42 * mm, 24 * mm, 30 * mm, 24 * mm, 28 * mm, 22 * mm]
    return [_p("B. Ahli waris", s["h"]), _grid(rows, widths)]


def _documents(checklist: selectors.Checklist, s: dict[str, ParagraphStyle]) -> list[Any]:
    rows: list[list[Any]] = [[_p(h, s["small"]) for h in ("No.", "Dokumen", "Sifat", "Ada")]]
    for i, item in enumerate(checklist.items, start=1):
        rows.append(
            [
                _p(i, s["small"]),
                _p(item.requirement.label, s["small"]),
                _p("wajib" if item.required else "bila ada", s["small"]),
                _p("ada" if item.present else "belum", s["small"]),
            ]
        )
    summary = (
        f"Dokumen wajib lengkap: {checklist.required_present} dari {checklist.required_total}."
    )
    return [
        _p("C. Kelengkapan dokumen", s["h"]),
        _grid(rows, [10 * mm, 120 * mm, 20 * mm, 20 * mm]),
        _p(summary, s["small"]),
    ]


def _estimate(claim: Claim, s: dict[str, ParagraphStyle]) -> list[Any]:
    flow: list[Any] = [_p("D. Perkiraan manfaat", s["h"])]
    data = estimate_shown(claim.estimate)  # in the letter's language
    if not data:
        estimate, reason = selectors.claim_estimate_or_none(claim=claim)
        if estimate is None:
            return [*flow, _p(f"Belum dapat dihitung: {reason}", s["body"])]
        data = estimate.as_dict()
    rows: list[list[Any]] = [[_p(h, s["small"]) for h in ("Uraian", "Dasar hukum", "Jumlah")]]
    for line in data["lines"]:
        label = line["label"] + (f" ({line['detail']})" if line.get("detail") else "")
        if not line.get("confirmed", True):
            label += " *"
        rows.append(
            [
                _p(label, s["small"]),
                _p(line["legal_basis"], s["small"]),
                _p(rupiah(int(line["amount"])), s["small"]),
            ]
        )
    rows.append([_p("Jumlah", s["small"]), "", _p(rupiah(int(data["total"])), s["small"])])
    flow.append(_grid(rows, [80 * mm, 60 * mm, 30 * mm]))
    if data.get("unconfirmed"):
        flow.append(
            _p(
                "* Baris belum terkonfirmasi dengan teks peraturan: "
                + "; ".join(data["unconfirmed"]),
                s["small"],
            )
        )
    for note in data.get("notes", []):
        flow.append(_p(note, s["small"]))
    return flow


def _findings(claim: Claim, s: dict[str, ParagraphStyle]) -> list[Any]:
    if not claim.eligibility:
        return []
    lines = [f"- {finding_text(f)}" for f in claim.eligibility]
    return [_p("E. Catatan kelayakan", s["h"]), _p("\n".join(lines), s["small"])]


def _signatures(claim: Claim, s: dict[str, ParagraphStyle]) -> list[Any]:
    prepared = str(claim.prepared_by) if claim.prepared_by else "(belum disiapkan)"
    approved = str(claim.approved_by) if claim.approved_by else "(belum disetujui)"
    table = Table(
        [
            [_p("Disiapkan oleh,\nOperator", s["center"]), _p("Kepala Dinas,", s["center"])],
            [Spacer(1, 14 * mm), Spacer(1, 14 * mm)],
            [_p(prepared, s["center"]), _p(approved, s["center"])],
        ],
        colWidths=[85 * mm, 85 * mm],
    )
    return [
        Spacer(1, 6 * mm),
        _p("Demikian kami sampaikan. Atas kerja samanya kami ucapkan terima kasih.", s["body"]),
        Spacer(1, 4 * mm),
        table,
    ]


# An official letter to BPJS is written in Bahasa Indonesia (UU 24/2009 art. 33) whatever
# language the person printing it reads the site in: choice labels are not translated here.
@translation.override(settings.LANGUAGE_CODE)
def claim_letter_pdf(*, claim: Claim, viewer: User) -> bytes:
    """Render the letter; a full NIK in it is logged like any other full NIK shown."""
    s = _styles()
    checklist = selectors.document_checklist(claim=claim)
    documents = sum(1 for item in checklist.items if item.present)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"Pengajuan klaim {claim}",
        author=_dinas(claim),
    )
    flow = [
        *_heading(claim, s),
        *_letter_head(claim, s, documents),
        *_participant(claim, viewer, s),
        *_heirs(claim, viewer, s),
        *_documents(checklist, s),
        *_estimate(claim, s),
        *_findings(claim, s),
        *_signatures(claim, s),
    ]
    doc.build(flow)
    return buffer.getvalue()


@transaction.atomic
def claim_letter_generate(*, claim: Claim, acting_user: User) -> bytes:
    """The letter for a viewer of the claim, with an audit event saying who printed it."""
    require_perm(acting_user, "claims.view_claims")
    pdf = claim_letter_pdf(claim=claim, viewer=acting_user)
    audit_record(
        action="claims.claim.letter_generated",
        acting_user=acting_user,
        obj=claim,
        data={"letter_number": claim.letter_number, "status": claim.status},
    )
    return pdf
