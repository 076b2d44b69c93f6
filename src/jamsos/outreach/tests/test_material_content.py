"""Review: an event's files are typed by their content, not by their name (a sign-in sheet
named .pdf that is an HTML page, a program named .docx, are refused)."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jamsos.claims.documents import DocumentInvalid
from jamsos.lib.errors import DomainError
from jamsos.outreach import services
from jamsos.outreach.tests.test_events import make_event

pytestmark = pytest.mark.django_db


def _upload(event, user, name: str, content: bytes):
    return services.material_upload(
        event=event,
        kind="materi",
        title="Paparan",
        upload=SimpleUploadedFile(name, content),
        acting_user=user,
    )


def _office(part: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<x/>")
    return out.getvalue()


def test_html_named_pdf_and_program_named_docx_are_refused(personas):
    event = make_event(personas.agent)
    with pytest.raises(DocumentInvalid):
        _upload(event, personas.agent, "hadir.pdf", b"<html><script>alert(1)</script>")
    with pytest.raises(DocumentInvalid):
        _upload(event, personas.agent, "foto.jpg", b"%PDF-1.4 not a jpeg")
    with pytest.raises(DomainError):
        _upload(event, personas.agent, "paparan.docx", b"MZ\x90\x00 a program")
    with pytest.raises(DomainError):  # a zip, but not a Word document
        _upload(event, personas.agent, "paparan.pptx", _office("word/document.xml"))
    assert not event.materials.exists()


def test_real_files_pass(personas):
    event = make_event(personas.agent)
    _upload(event, personas.agent, "paparan.pdf", b"%PDF-1.4\n%%EOF\n")
    _upload(event, personas.agent, "paparan.pptx", _office("ppt/presentation.xml"))
    _upload(event, personas.agent, "laporan.docx", _office("word/document.xml"))
    assert event.materials.count() == 3
