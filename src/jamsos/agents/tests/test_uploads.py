"""Files agents' pages and the phone keep (review): typed by their content, not by the
name or Content-Type the client sends, bounded, and stored under a random name."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jamsos.agents import services
from jamsos.agents.models import AgentTraining, OfflineSubmission
from jamsos.agents.tests.conftest import person_data
from jamsos.claims.documents import DocumentInvalid
from jamsos.lib.nik import nik_build
from jamsos.testing.factories import OccupationFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
HTML_AS_PDF = b"<html><script>alert(document.cookie)</script></html>"
POLYGLOT = b"%PDF-1.4\n<html><script>alert(1)</script></html>"
JPEG = b"\xff\xd8\xff\xe0fake-jpeg"


def test_appointment_document_must_be_a_real_pdf(personas, sijunjung):
    fake = SimpleUploadedFile("sk.pdf", HTML_AS_PDF, content_type="application/pdf")
    with pytest.raises(DocumentInvalid):
        services.agent_create(
            person=person_data(7101),
            region=sijunjung,
            appointment_document=fake,
            acting_user=personas.dinas_operator,
        )
    real = SimpleUploadedFile("SK Agen <Budi>.pdf", PDF, content_type="application/pdf")
    agent = services.agent_create(
        person=person_data(7102),
        region=sijunjung,
        appointment_document=real,
        acting_user=personas.dinas_operator,
    )
    stored = agent.appointment_document.name
    assert stored.endswith(".pdf") and "Budi" not in stored


def test_appointment_document_polyglot_refused_on_update(personas, agent):
    poly = SimpleUploadedFile("sk.pdf", POLYGLOT, content_type="application/pdf")
    with pytest.raises(DocumentInvalid):
        services.agent_update(
            agent=agent, appointment_document=poly, acting_user=personas.dinas_operator
        )


def test_training_certificate_is_checked(personas, agent):
    exe = SimpleUploadedFile("sertifikat.pdf", b"MZ\x90\x00evil", content_type="application/pdf")
    with pytest.raises(DocumentInvalid):
        services.training_add(
            agent=agent,
            topic=AgentTraining.Topic.choices[0][0],
            title="Pelatihan",
            held_on=dt.date(2025, 1, 1),
            certificate=exe,
            acting_user=personas.dinas_operator,
        )
    assert not AgentTraining.objects.exists()


def _post(user, photo) -> object:
    OccupationFactory()
    c = Client()
    c.force_login(user)
    vals = {
        "nik": nik_build("13.03.03", dt.date(1980, 5, 6), "L", 4411),
        "full_name": "Bujang Saputra",
        "birth_date": "1980-05-06",
        "sex": "L",
        "occupation": "petani",
        "village": "13.03.03.2001",
    }
    data = {"client_id": str(uuid.uuid4()), "values": json.dumps(vals), "ktp_photo": photo}
    return c.post("/api/agents/me/proposals", data)


def test_ktp_photo_with_an_image_content_type_but_html_inside_is_refused(personas, agent):
    fake = SimpleUploadedFile("ktp.jpg", HTML_AS_PDF, content_type="image/jpeg")
    response = _post(personas.agent, fake)
    assert response.status_code == 400
    assert not OfflineSubmission.objects.exists()


def test_ktp_photo_must_be_an_image_not_a_pdf(personas, agent):
    pdf = SimpleUploadedFile("ktp.pdf", PDF, content_type="image/jpeg")
    assert _post(personas.agent, pdf).status_code == 400


def test_ktp_photo_stored_under_a_random_name(personas, agent):
    photo = SimpleUploadedFile("KTP Bujang 1303030605800001.jpg", JPEG, content_type="image/jpeg")
    assert _post(personas.agent, photo).status_code == 201
    name = OfflineSubmission.objects.get().ktp_photo.name
    assert name.startswith("agents/photos/") and "1303" not in name.rsplit("/", 1)[-1]


def test_a_png_photo_sent_as_ktp_jpg_is_accepted(personas, agent):
    """The phone names every photo "ktp.jpg" whatever it is; the content decides."""
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
    photo = SimpleUploadedFile("ktp.jpg", png, content_type="image/jpeg")
    assert _post(personas.agent, photo).status_code == 201
    assert OfflineSubmission.objects.get().ktp_photo.name.endswith(".png")
