"""QR codes as inline SVG, drawn on the server from reportlab's encoder (already a
dependency: no new package). One ``<path>`` of unit squares, crisp at any print size."""

from __future__ import annotations

from html import escape

from reportlab.graphics.barcode import qrencoder

QUIET_ZONE = 4  # modules of white border the standard asks for


def qr_matrix(text: str) -> list[list[bool]]:
    """The dark (True) and light modules of ``text``'s QR code (level M, smallest version)."""
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(text)
    code.make()
    size = code.getModuleCount()
    return [[bool(code.isDark(row, col)) for col in range(size)] for row in range(size)]


def qr_svg(text: str, *, size_mm: int = 40, title: str = "") -> str:
    """An ``<svg>`` element (safe to insert as markup) encoding ``text``."""
    matrix = qr_matrix(text)
    n = len(matrix) + 2 * QUIET_ZONE
    path = "".join(
        f"M{col + QUIET_ZONE} {row + QUIET_ZONE}h1v1h-1z"
        for row, line in enumerate(matrix)
        for col, dark in enumerate(line)
        if dark
    )
    label = escape(title or text)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n} {n}" '
        f'width="{size_mm}mm" height="{size_mm}mm" role="img" aria-label="{label}" '
        f'shape-rendering="crispEdges"><title>{label}</title>'
        f'<rect width="{n}" height="{n}" fill="#fff"/><path d="{path}" fill="#000"/></svg>'
    )
