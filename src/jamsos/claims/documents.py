"""Checking an uploaded claim document before it is kept: type, size, content.

Design goal: only PDF, JPEG and PNG files reach MEDIA_ROOT, whatever name or
Content-Type the browser sends. The first bytes must match the extension (a renamed .exe
is refused), the size is bounded, and an empty file is refused. The file is stored under
a random name (``claims/<claim id>/<uuid>.<ext>``); the name people gave it is kept in a
column only.

Magic bytes alone let a PDF/HTML polyglot through (``%PDF-`` followed by ``<html>…``: a
browser sniffing it renders a page with script). So the first KB is also searched for
HTML/SVG markup that has no business in a scanned document, and the download is served
as an attachment with ``nosniff`` and a sandboxing CSP (``views.document_download``), so
that a polyglot this check misses still never runs as a page of our origin.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext

from jamsos.lib.errors import DomainError
from jamsos.lib.formats import angka

# extension → (content type, leading bytes)
ALLOWED: dict[str, tuple[str, bytes]] = {
    ".pdf": ("application/pdf", b"%PDF-"),
    ".jpg": ("image/jpeg", b"\xff\xd8\xff"),
    ".jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    ".png": ("image/png", b"\x89PNG\r\n\x1a\n"),
}
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
# How much of the start of a file is searched for markup (browsers sniff the first 512
# bytes; a little more catches a polyglot that pads its PDF header).
SNIFF_BYTES = 1024
# Markup a browser would render as a page; none of it belongs in a PDF or image header.
HTML_MARKERS = (
    b"<!doctype",
    b"<html",
    b"<head",
    b"<body",
    b"<script",
    b"<iframe",
    b"<object",
    b"<embed",
    b"<svg",
    b"<img",
    b"<meta",
    b"<a href",
    b"javascript:",
    b"<?xml",
)


class DocumentInvalid(DomainError):
    code = "document_invalid"


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    size: int
    sha256: str


def max_document_bytes() -> int:
    return int(getattr(settings, "CLAIM_DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def document_check(
    upload: UploadedFile,
    *,
    max_bytes: int | None = None,
    suffixes: tuple[str, ...] | None = None,
) -> CheckedFile:
    """Refuse anything but a non-empty PDF/JPEG/PNG within the size limit.

    ``max_bytes`` replaces the claim documents' limit and ``suffixes`` narrows the
    accepted types (a KTP photo is an image, never a PDF) for other apps' uploads.
    """
    name = PurePosixPath((upload.name or "").replace("\\", "/")).name[:200]
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in ALLOWED or (suffixes is not None and suffix not in suffixes):
        raise DocumentInvalid(
            gettext('Berkas "%(name)s" ditolak: hanya PDF, JPG atau PNG yang diterima.')
            % {"name": name},
            code="document_type",
            value=name,
        )
    size = int(upload.size or 0)
    if size == 0:
        raise DocumentInvalid(
            gettext('Berkas "%(name)s" kosong.') % {"name": name}, code="document_empty", value=name
        )
    limit = max_bytes if max_bytes is not None else max_document_bytes()
    if size > limit:
        raise DocumentInvalid(
            gettext('Berkas "%(name)s" terlalu besar (%(value)s KB); paling besar %(value2)s KB.')
            % {"name": name, "value": angka(size // 1024), "value2": angka(limit // 1024)},
            code="document_too_large",
            value=name,
            size=size,
        )
    content_type, magic = ALLOWED[suffix]
    digest = hashlib.sha256()
    upload.seek(0)
    head = upload.read(len(magic))
    if head != magic:
        raise DocumentInvalid(
            gettext('Isi berkas "%(name)s" bukan %(upper)s yang sah.')
            % {"name": name, "upper": suffix.lstrip(".").upper()},
            code="document_content",
            value=name,
        )
    upload.seek(0)
    start = upload.read(SNIFF_BYTES).lower()
    marker = next((m for m in HTML_MARKERS if m in start), None)
    if marker is not None:
        raise DocumentInvalid(
            f'Berkas "{name}" ditolak: berisi kode halaman web '
            f'("{marker.decode()}"), bukan {suffix.lstrip(".").upper()} biasa.',
            code="document_polyglot",
            value=name,
        )
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(name=name, content_type=content_type, size=size, sha256=digest.hexdigest())
