"""Printed outputs: the SK penetapan (official and public copy), its lampiran as Excel, and
the participant card.

Speed matters at 10,000 recipients (bench/decree.py: PDF ≤ 5 s, xlsx ≤ 2 s). The body of
the decree is laid out with platypus paragraphs (a few pages); the lampiran is one
custom flowable that knows every row's height in advance (prefix sums), so splitting it
across 200+ pages costs a binary search per page instead of re-measuring the rest of the
table each time, and it draws its cells straight onto the canvas. Page numbers
("Halaman x dari y") are added when the document is saved, once the total is known.
"""

from __future__ import annotations

import bisect
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

import xlsxwriter
from django.conf import settings
from django.utils import translation
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from jamsos.enrollment.models import Decree, DecreeLine, Membership
from jamsos.enrollment.texts import (
    LETTERS,
    diktum_label,
    government_of_region,
    head_of_region,
    rate_explanation,
)
from jamsos.lib.formats import bulan, tanggal
from jamsos.lib.nik import nik_mask
from jamsos.regions.models import Region

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_CONTENT_TYPE = "application/pdf"
FONT, BOLD = "Helvetica", "Helvetica-Bold"
PAGE = A4
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 25 * mm, 20 * mm, 18 * mm, 20 * mm
Progress = Callable[[int], None]

_BODY = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=14, alignment=TA_JUSTIFY)
_CENTER = ParagraphStyle("center", parent=_BODY, alignment=TA_CENTER)
_CENTER_BOLD = ParagraphStyle("center_bold", parent=_CENTER, fontName=BOLD)
_KOP = ParagraphStyle("kop", parent=_CENTER_BOLD, fontSize=14, leading=18)
_LABEL = ParagraphStyle("label", parent=_BODY, alignment=0)


@dataclass(frozen=True)
class RecipientRow:
    no: int
    nik: str
    name: str
    sex: str
    birth: str
    occupation: str
    village: str
    action: str


def _p(text: str, style: ParagraphStyle = _BODY) -> Paragraph:
    return Paragraph(escape(text), style)


def decree_rows(decree: Decree, *, public: bool) -> list[RecipientRow]:
    """The lampiran's rows in one query, NIK masked for the public copy."""
    names = {
        code: (name, parent)
        for code, name, parent in Region.objects.filter(
            code__startswith=decree.region_id + "."
        ).values_list("code", "name", "parent_id")
    }
    rows = []
    for no, nik, name, sex, born, occupation, village, action in (
        DecreeLine.objects.filter(decree=decree)
        .order_by("action", "line_no")
        .values_list(
            "line_no", "nik", "full_name", "sex", "birth_date", "occupation", "village_id", "action"
        )
        .iterator(chunk_size=5000)
    ):
        village_name, district = names.get(village, (village, None))
        district_name = names.get(district, ("", None))[0] if district else ""
        rows.append(
            RecipientRow(
                no=no,
                nik=nik_mask(nik) if public else nik,
                name=name,
                sex="" if public else sex,
                birth="" if public else born.strftime("%d-%m-%Y"),
                occupation="" if public else occupation,
                village=f"{village_name}, Kec. {district_name}" if district_name else village_name,
                action=action,
            )
        )
    return rows


# --- The recipient table -------------------------------------------------------------------------

_COLUMNS = (
    ("No.", 11 * mm, "no"),
    ("NIK", 31 * mm, "nik"),
    ("Nama", 42 * mm, "name"),
    ("L/P", 8 * mm, "sex"),
    ("Tgl. lahir", 18 * mm, "birth"),
    ("Pekerjaan", 22 * mm, "occupation"),
    ("Nagari/Desa, Kecamatan", 33 * mm, "village"),
)
# The public copy (salinan publik) lists what a citizen needs to find a recipient and no
# more (UU 27/2022 Pasal 16(2) data minimisation; UU 14/2008 Pasal 17 huruf h): name,
# masked NIK and nagari. Birth date, sex and occupation stay in the official lampiran.
_PUBLIC_COLUMNS = (
    ("No.", 11 * mm, "no"),
    ("NIK (disamarkan)", 36 * mm, "nik"),
    ("Nama", 60 * mm, "name"),
    ("Nagari/Desa, Kecamatan", 58 * mm, "village"),
)
_WRAPPED = {"name", "occupation", "village"}
_SIZE, _LEADING, _PAD = 8.0, 9.5, 2.2


_PDF_BYTES = [
    "\\" + chr(b) if chr(b) in "\\()" else chr(b) if 32 <= b < 127 else f"\\{b:03o}"
    for b in range(256)
]


def _pdf_string(value: str) -> str:
    """A literal PDF string in the standard fonts' encoding (WinAnsi = cp1252), kept to
    ASCII (octal escapes) because reportlab writes the content stream as UTF-8."""
    data = value.encode("cp1252", "replace")
    if data.isascii() and value.isprintable() and not any(ch in value for ch in "\\()"):
        return value
    return "".join(_PDF_BYTES[b] for b in data)


class RecipientTable(Flowable):
    """Rows ``start``..``end`` of the lampiran, with the header row on every page."""

    def __init__(
        self,
        cells: Sequence[Sequence[Sequence[str]]],
        prefix: Sequence[float],
        start: int = 0,
        end: int | None = None,
        progress: Progress | None = None,
        columns: Sequence[tuple[str, float, str]] = _COLUMNS,
    ) -> None:
        super().__init__()
        self.cells, self.prefix = cells, prefix
        self.start, self.end = start, len(cells) if end is None else end
        self.progress = progress
        self.columns = columns
        self.header_height = _LEADING + 2 * _PAD
        self.width = sum(width for _h, width, _k in columns)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.header_height + self.prefix[self.end] - self.prefix[self.start]

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        room = avail_height - self.header_height
        last = bisect.bisect_right(self.prefix, self.prefix[self.start] + room) - 1
        if last <= self.start:
            return []  # not even one row fits: platypus moves on to the next page
        if last >= self.end:
            return [self]
        return [
            RecipientTable(self.cells, self.prefix, self.start, last, self.progress, self.columns),
            RecipientTable(self.cells, self.prefix, last, self.end, self.progress, self.columns),
        ]

    def draw(self) -> None:
        c = self.canv
        top = self.header_height + self.prefix[self.end] - self.prefix[self.start]
        c.setFillColor(colors.HexColor("#E8E8E8"))
        c.rect(0, top - self.header_height, self.width, self.header_height, stroke=0, fill=1)
        c.setFillColor(colors.black)
        c.setFont(BOLD, _SIZE)
        x = 0.0
        for header, width, _key in self.columns:
            c.drawString(x + _PAD, top - _PAD - _SIZE, header)
            x += width
        y = top - self.header_height
        # The cells go into the page as raw text operators, one BT…ET block per page:
        # reportlab's text objects measure and re-encode every string (without its C
        # accelerator, which is not installed, that was 80 % of a 10,000-row decree).
        # The font is registered on the page by setFont, so its resource name is valid.
        c.setFont(FONT, _SIZE)
        ops = [f"BT {c._doc.getInternalFontName(FONT)} {_SIZE:g} Tf"]
        rules = [(0, top, self.width, top), (0, y, self.width, y)]
        for index in range(self.start, self.end):
            x = 0.0
            for (_header, width, _key), lines in zip(self.columns, self.cells[index], strict=True):
                for n, value in enumerate(lines):
                    base = y - _PAD - _SIZE - n * _LEADING + 1
                    ops.append(f"1 0 0 1 {x + _PAD:.2f} {base:.2f} Tm ({_pdf_string(value)}) Tj")
                x += width
            y -= self.prefix[index + 1] - self.prefix[index]
            rules.append((0, y, self.width, y))
        ops.append("ET")
        c._code.append("\n".join(ops))
        x = 0.0
        for _header, width, _key in ((None, 0, None), *self.columns):
            x += width
            rules.append((x, top, x, y))
        c.setLineWidth(0.4)
        c.lines(rules)
        if self.progress is not None:
            self.progress(self.end)


def _cells(
    rows: Sequence[RecipientRow], columns: Sequence[tuple[str, float, str]] = _COLUMNS
) -> tuple[list[list[list[str]]], list[float]]:
    """Each row's cell lines (long names wrap) and the prefix sums of row heights."""
    cells: list[list[list[str]]] = []
    prefix = [0.0]
    widths = {key: width - 2 * _PAD for _h, width, key in columns}
    # Occupations and villages repeat thousands of times: wrap each distinct one once.
    wrapped: dict[tuple[str, str], list[str]] = {}
    for row in rows:
        line_cells = []
        for _header, _width, key in columns:
            text = str(getattr(row, key))
            if key not in _WRAPPED:
                line_cells.append([text])
                continue
            lines = wrapped.get((key, text))
            if lines is None:
                lines = (
                    simpleSplit(text, FONT, _SIZE, widths[key])[:3]
                    if stringWidth(text, FONT, _SIZE) > widths[key]
                    else [text]
                )
                if key != "name":
                    wrapped[(key, text)] = lines
            line_cells.append(lines)
        cells.append(line_cells)
        lines = max(len(cell) for cell in line_cells)
        prefix.append(prefix[-1] + lines * _LEADING + 2 * _PAD)
    return cells, prefix


# --- Page decoration ----------------------------------------------------------------------------


def _numbered_canvas(banner: str, footer: str) -> type[pdfcanvas.Canvas]:
    class NumberedCanvas(pdfcanvas.Canvas):
        """Keeps each finished page, then stamps "Halaman x dari y" on all of them."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            width, _height = self._pagesize
            self.setFont(FONT, 8)
            self.setFillColor(colors.grey)
            self.drawString(MARGIN_LEFT, 10 * mm, footer)
            self.drawRightString(
                width - MARGIN_RIGHT, 10 * mm, f"Halaman {self._pageNumber} dari {total}"
            )
            if banner:
                self.setFont(BOLD, 9)
                self.setFillColor(colors.red)
                self.drawCentredString(width / 2, self._pagesize[1] - 9 * mm, banner)
            self.setFillColor(colors.black)

    return NumberedCanvas


# --- The decree ---------------------------------------------------------------------------------


def _listing(label: str, items: Sequence[str], marks: Sequence[str]) -> Table:
    """ "Menimbang : a. …" with hanging indents, as Indonesian decrees are set."""
    data = [
        [_p(label if i == 0 else "", _LABEL), _p(":" if i == 0 else ""), _p(mark), _p(text)]
        for i, (mark, text) in enumerate(zip(marks, items, strict=False))
    ] or [[_p(label, _LABEL), _p(":"), _p(""), _p("—")]]
    table = Table(data, colWidths=[27 * mm, 4 * mm, 8 * mm, None])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _decisions(decree: Decree, title: str) -> Table:
    head = head_of_region(decree.region).upper()
    data = [
        [
            _p("Menetapkan", _LABEL),
            _p(":"),
            _p(f"KEPUTUSAN {head} TENTANG {title.upper()}.", _BODY),
        ]
    ]
    for i, text in enumerate(decree.decisions):
        data.append([_p(diktum_label(i), _LABEL), _p(":"), _p(text)])
    table = Table(data, colWidths=[27 * mm, 4 * mm, None])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    return table


def _number(decree: Decree) -> str:
    return decree.number or "…………………………"


def _signature(decree: Decree) -> KeepTogether:
    date = (
        tanggal(decree.decree_date)
        if decree.decree_date
        else "…………………… " + str(decree.fiscal_year.year)
    )
    title = decree.signer_title or head_of_region(decree.region).upper()
    block = [
        ["Ditetapkan di", ":", decree.place or "……………………"],
        ["pada tanggal", ":", date],
    ]
    signer = Table(
        [
            *[[_p(a, _LABEL), _p(b), _p(c, _LABEL)] for a, b, c in block],
            [_p(title + ",", _LABEL), "", ""],
            [Spacer(1, 18 * mm), "", ""],
            [_p(decree.signer_name.upper() if decree.signer_name else "", _CENTER_BOLD), "", ""],
        ],
        colWidths=[26 * mm, 4 * mm, 46 * mm],
        hAlign="RIGHT",
    )
    signer.setStyle(
        TableStyle(
            [
                ("SPAN", (0, 2), (-1, 2)),
                ("SPAN", (0, 4), (-1, 4)),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return KeepTogether([Spacer(1, 6 * mm), signer])


def _lampiran_head(decree: Decree, title: str) -> Table:
    head = head_of_region(decree.region).upper()
    date = tanggal(decree.decree_date) if decree.decree_date else "……………………"
    data = [
        [_p(f"LAMPIRAN KEPUTUSAN {head}", _LABEL), "", ""],
        [_p("NOMOR", _LABEL), _p(":"), _p(_number(decree), _LABEL)],
        [_p("TANGGAL", _LABEL), _p(":"), _p(date, _LABEL)],
        [_p("TENTANG", _LABEL), _p(":"), _p(title.upper(), _LABEL)],
    ]
    table = Table(data, colWidths=[22 * mm, 4 * mm, 82 * mm], hAlign="RIGHT")
    table.setStyle(
        TableStyle(
            [
                ("SPAN", (0, 0), (-1, 0)),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


# The decree, its lampiran and the participant card are official documents in Bahasa
# Indonesia (UU 24/2009 art. 27) whatever language the person printing them reads the site
# in: choice labels and formats are not translated here.
@translation.override(settings.LANGUAGE_CODE)
def decree_pdf(decree: Decree, *, public: bool, progress: Progress | None = None) -> bytes:
    """The SK with its lampiran. ``public`` masks every NIK (salinan untuk umum).

    ``progress(n)`` is called as lampiran rows are laid out, for the background task.
    """
    rows = decree_rows(decree, public=public)
    region = decree.region
    head = head_of_region(region).upper()
    title = decree.title
    story: list[Flowable] = [
        _p(government_of_region(region), _KOP),
        _HRule(),
        Spacer(1, 4 * mm),
        _p(f"KEPUTUSAN {head}", _CENTER_BOLD),
        _p(f"NOMOR {_number(decree)}", _CENTER_BOLD),
        Spacer(1, 3 * mm),
        _p("TENTANG", _CENTER_BOLD),
        Spacer(1, 2 * mm),
        _p(title.upper(), _CENTER_BOLD),
        Spacer(1, 4 * mm),
        _p("DENGAN RAHMAT TUHAN YANG MAHA ESA", _CENTER_BOLD),
        Spacer(1, 3 * mm),
        _p(f"{head},", _CENTER_BOLD),
        Spacer(1, 4 * mm),
        _listing("Menimbang", decree.considerations, [f"{c}." for c in LETTERS]),
        Spacer(1, 2 * mm),
        _listing(
            "Mengingat",
            decree.legal_bases,
            [f"{n}." for n in range(1, len(decree.legal_bases) + 1)],
        ),
        Spacer(1, 4 * mm),
        _p("MEMUTUSKAN:", _CENTER_BOLD),
        Spacer(1, 3 * mm),
        _decisions(decree, title),
        _signature(decree),
        PageBreak(),
        _lampiran_head(decree, title),
        Spacer(1, 5 * mm),
    ]
    sections = _sections(decree, rows)
    done = 0
    for heading, section_rows in sections:
        story.append(_p(heading, _CENTER_BOLD))
        story.append(Spacer(1, 3 * mm))
        columns = _PUBLIC_COLUMNS if public else _COLUMNS
        cells, prefix = _cells(section_rows, columns)
        offset = done
        story.append(
            RecipientTable(
                cells,
                prefix,
                progress=(lambda n, o=offset: progress(o + n)) if progress else None,
                columns=columns,
            )
        )
        story.append(Spacer(1, 5 * mm))
        story.append(CondPageBreak(40 * mm))
        done += len(section_rows)
    explanation = rate_explanation(decree.reservation)
    if explanation:
        # Rate notes belong here, not under Mengingat (issue 9).
        story.append(_p("Keterangan:", _LABEL))
        story += [_p(f"{n}. {text}", _LABEL) for n, text in enumerate(explanation, start=1)]
        story.append(Spacer(1, 3 * mm))
    story.append(_signature(decree))
    banner = "" if decree.status == Decree.Status.ISSUED else "RANCANGAN — BELUM DITETAPKAN"
    footer = f"SK {_number(decree)}" + (
        " · salinan publik: NIK disamarkan, tanpa tanggal lahir (UU 27/2022)" if public else ""
    )
    output = io.BytesIO()
    doc = SimpleDocTemplate(
        output,
        pagesize=PAGE,
        leftMargin=MARGIN_LEFT,
        rightMargin=MARGIN_RIGHT,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=f"Keputusan {head_of_region(region)} {_number(decree)}",
        author=government_of_region(region).title(),
        subject=title,
    )
    doc.build(story, canvasmaker=_numbered_canvas(banner, footer))
    return output.getvalue()


def _sections(decree: Decree, rows: list[RecipientRow]) -> list[tuple[str, list[RecipientRow]]]:
    title = f"DAFTAR PENERIMA {decree.title.upper()}"
    if decree.amends_id is None:
        return [(title, rows)]
    added = [r for r in rows if r.action == DecreeLine.Action.ADD]
    removed = [r for r in rows if r.action == DecreeLine.Action.REMOVE]
    sections = []
    if added:
        sections.append(("A. PENERIMA YANG DITAMBAHKAN", added))
    if removed:
        sections.append((f"{'B' if added else 'A'}. PENERIMA YANG DICORET", removed))
    return sections


class _HRule(Flowable):
    """The kop's double line."""

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        return avail_width, 4

    def draw(self) -> None:
        self.canv.setLineWidth(1.6)
        self.canv.line(0, 3, self.width, 3)
        self.canv.setLineWidth(0.5)
        self.canv.line(0, 0.5, self.width, 0.5)


# --- The lampiran as Excel ----------------------------------------------------------------------

XLSX_HEADERS = ("No.", "NIK", "Nama", "L/P", "Tanggal lahir", "Pekerjaan", "Nagari/Desa, Kecamatan")


@translation.override(settings.LANGUAGE_CODE)
def decree_xlsx(decree: Decree, *, public: bool = False, progress: Progress | None = None) -> bytes:
    """The lampiran as a workbook: decree header lines, then one row per recipient."""
    rows = decree_rows(decree, public=public)
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True, "constant_memory": True})
    sheet = book.add_worksheet("Lampiran")
    bold = book.add_format({"bold": True})
    head = book.add_format({"bold": True, "bg_color": "#E8E8E8", "border": 1})
    for col, width in enumerate((6, 19, 34, 5, 12, 22, 34)):
        sheet.set_column(col, col, width)
    region = decree.region
    sheet.write_string(0, 0, f"LAMPIRAN KEPUTUSAN {head_of_region(region).upper()}", bold)
    sheet.write_string(1, 0, f"NOMOR: {_number(decree)}")
    date = tanggal(decree.decree_date) if decree.decree_date else "(belum ditetapkan)"
    sheet.write_string(2, 0, f"TANGGAL: {date}")
    sheet.write_string(3, 0, f"TENTANG: {decree.title}")
    period = f"Masa pertanggungan {bulan(decree.first_month)} s.d. {bulan(decree.last_month)}"
    sheet.write_string(4, 0, period)
    row_index = 6
    for heading, section in _sections(decree, rows):
        sheet.write_string(row_index, 0, heading, bold)
        row_index += 1
        for col, header in enumerate(XLSX_HEADERS):
            sheet.write_string(row_index, col, header, head)
        row_index += 1
        for n, row in enumerate(section, start=1):
            sheet.write_number(row_index, 0, row.no)
            for col, value in enumerate(
                (row.nik, row.name, row.sex, row.birth, row.occupation, row.village), start=1
            ):
                sheet.write_string(row_index, col, value)
            row_index += 1
            if progress is not None and n % 2000 == 0:
                progress(n)
        row_index += 1
    book.close()
    return output.getvalue()


# --- The participant card ----------------------------------------------------------------------

CARD = (85.6 * mm, 54 * mm)


@translation.override(settings.LANGUAGE_CODE)
def membership_card_pdf(membership: Membership, *, show_full_nik: bool) -> bytes:
    """A card the size of a bank card: who, KPJ, programmes, period, who pays; a QR code
    with the KPJ and period (reportlab's own QR, no extra package)."""
    person = membership.person
    region = membership.village
    while region.parent_id and region.level != Region.Level.REGENCY:
        region = region.parent
    output = io.BytesIO()
    c = pdfcanvas.Canvas(output, pagesize=CARD)
    c.setTitle(f"Kartu peserta {person.full_name}")
    width, height = CARD
    c.setFillColor(colors.HexColor("#157347"))
    c.rect(0, height - 12 * mm, width, 12 * mm, stroke=0, fill=1)
    c.setFillColor(colors.white)
    c.setFont(BOLD, 8)
    c.drawString(4 * mm, height - 5.5 * mm, "KARTU PESERTA JAMINAN SOSIAL KETENAGAKERJAAN")
    c.setFont(FONT, 6.5)
    c.drawString(
        4 * mm, height - 9.5 * mm, f"Program pekerja rentan {government_of_region(region).title()}"
    )
    c.setFillColor(colors.black)
    nik = person.nik if show_full_nik else nik_mask(person.nik)
    first, last = bulan(membership.first_month), bulan(membership.last_month)
    fields = [
        ("Nama", person.full_name),
        ("NIK", nik),
        ("No. KPJ", membership.kpj_number or "—"),
        ("Program", " + ".join(p.upper() for p in membership.programmes)),
        ("Berlaku", f"{first} s.d. {last}"),
        ("Iuran oleh", membership.funding_source.name),
    ]
    y = height - 17 * mm
    for label, value in fields:
        c.setFont(FONT, 6.5)
        c.drawString(4 * mm, y, label)
        c.setFont(BOLD if label in ("Nama", "No. KPJ") else FONT, 7.5)
        c.drawString(19 * mm, y, simpleSplit(value, FONT, 7.5, 44 * mm)[0] if value else "")
        y -= 5.2 * mm
    code = (
        f"KPJ:{membership.kpj_number};NIK:{nik_mask(person.nik)};S/D:{membership.last_month:%Y-%m}"
    )
    widget = QrCodeWidget(code)
    x0, y0, x1, y1 = widget.getBounds()
    size = 20 * mm
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, c, width - size - 2.5 * mm, 3 * mm)
    c.setFont(FONT, 5.5)
    c.setFillColor(colors.grey)
    c.drawString(4 * mm, 3 * mm, f"Status: {membership.get_status_display()} · cek di JMO / 175")
    c.showPage()
    c.save()
    return output.getvalue()
