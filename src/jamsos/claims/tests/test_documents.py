"""Uploads: only real PDF/JPEG/PNG files within the size limit are kept, under MEDIA_ROOT."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from jamsos.claims import services
from jamsos.claims.models import ClaimDocument, DocumentRequirement
from jamsos.claims.tests.conftest import PDF, PNG, pdf_upload
from jamsos.lib.errors import DomainError

pytestmark = pytest.mark.django_db


def upload(claim, user, file, code="akta_kematian"):
    requirement = DocumentRequirement.objects.get(claim_type=claim.claim_type, code=code)
    return services.claim_document_upload(
        claim=claim, requirement=requirement, upload=file, acting_user=user
    )


def test_a_pdf_is_kept_under_media_root_with_its_checksum(personas, jkm_claim):
    document = upload(jkm_claim, personas.agent, pdf_upload("Akta Kematian.PDF"))
    path = Path(document.file.path)
    assert path.is_relative_to(Path(settings.MEDIA_ROOT) / "claims" / str(jkm_claim.pk))
    assert path.suffix == ".pdf"
    assert "Akta" not in path.name  # stored under a random name
    assert path.read_bytes() == PDF
    assert document.original_name == "Akta Kematian.PDF"
    assert (document.content_type, document.size) == ("application/pdf", len(PDF))
    assert len(document.sha256) == 64


def test_a_png_is_accepted(personas, jkm_claim):
    document = upload(jkm_claim, personas.agent, SimpleUploadedFile("ktp.png", PNG))
    assert document.content_type == "image/png"


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("virus.exe", b"MZ\x90\x00", "document_type"),
        ("akta.docx", b"PK\x03\x04", "document_type"),
        ("akta", PDF, "document_type"),
        ("akta.pdf", b"MZ\x90\x00 not a pdf", "document_content"),
        ("foto.jpg", PDF, "document_content"),
        ("kosong.pdf", b"", "document_empty"),
        # Polyglots: valid magic bytes, then a page a sniffing browser would render.
        (
            "akta.pdf",
            b"%PDF-1.4\n<html><body><script>fetch('/api/')</script></body></html>",
            "document_polyglot",
        ),
        ("akta.pdf", b"%PDF-1.7\n%\xe2\xe3\n<!DOCTYPE html><p>x</p>", "document_polyglot"),
        ("foto.png", PNG + b"<SCRIPT>alert(1)</SCRIPT>", "document_polyglot"),
        ("foto.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 200 + b"<svg onload=x>", "document_polyglot"),
    ],
)
def test_bad_uploads_are_refused(personas, jkm_claim, name, content, code):
    with pytest.raises(DomainError) as exc:
        upload(jkm_claim, personas.agent, SimpleUploadedFile(name, content))
    assert exc.value.code == code
    assert not ClaimDocument.objects.exists()


def test_too_large_is_refused(personas, jkm_claim, settings):
    settings.CLAIM_DOCUMENT_MAX_BYTES = 1024
    with pytest.raises(DomainError) as exc:
        upload(jkm_claim, personas.agent, pdf_upload(content=PDF + b"0" * 2000))
    assert exc.value.code == "document_too_large"
    assert "paling besar 1 KB" in exc.value.message


def test_a_requirement_of_another_claim_type_is_refused(personas, jkm_claim):
    requirement = DocumentRequirement.objects.get(claim_type="jkk_medical", code="form_3_kk1")
    with pytest.raises(DomainError) as exc:
        services.claim_document_upload(
            claim=jkm_claim,
            requirement=requirement,
            upload=pdf_upload(),
            acting_user=personas.agent,
        )
    assert exc.value.code == "document_requirement_mismatch"


def test_the_latest_upload_counts(personas, jkm_claim):
    from jamsos.claims.selectors import document_checklist

    upload(jkm_claim, personas.agent, pdf_upload("lama.pdf"))
    upload(jkm_claim, personas.agent, pdf_upload("baru.pdf"))
    item = next(
        i
        for i in document_checklist(claim=jkm_claim).items
        if i.requirement.code == "akta_kematian"
    )
    assert item.document.original_name == "baru.pdf"
    assert len(item.documents) == 2
