"""The KTP/KK photos an agent's offline proposal carried: the Dinas/BPJS reviewers of that
proposal see them next to the row, through a permission-checked, logged view."""

from __future__ import annotations

import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jamsos.agents.models import OfflineSubmission
from jamsos.audit.models import PersonalDataAccess
from jamsos.testing.factories import OccupationFactory

from .test_offline import URL, values

pytestmark = pytest.mark.django_db
JPEG = b"\xff\xd8\xff\xe0fake-jpeg-bytes"


@pytest.fixture(autouse=True)
def _occupation(db):
    OccupationFactory()


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def submission(personas, agent) -> OfflineSubmission:
    response = _client(personas.agent).post(
        URL,
        {
            "client_id": str(uuid.uuid4()),
            "values": json.dumps(values()),
            "ktp_photo": SimpleUploadedFile("ktp.jpg", JPEG, content_type="image/jpeg"),
        },
    )
    assert response.status_code == 201, response.content
    return OfflineSubmission.objects.get()


def _url(submission: OfflineSubmission, kind: str = "ktp") -> str:
    return f"/agen/foto-usulan/{submission.pk}/{kind}/"


@pytest.mark.parametrize("who", ["dinas_operator", "dinas_head", "bpjs_officer"])
def test_reviewers_see_the_photo_on_the_row_and_each_read_is_logged(personas, submission, who):
    c = _client(getattr(personas, who))
    page = c.get(f"/usulan/baris/{submission.row_id}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="proposal-photos"' in body and _url(submission) in body
    assert _url(submission, "kk") not in body  # no KK photo was taken
    before = PersonalDataAccess.objects.count()
    response = c.get(_url(submission))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == JPEG
    assert response["Content-Type"] == "image/jpeg"
    assert "no-store" in response["Cache-Control"]
    assert PersonalDataAccess.objects.count() == before + 1
    log = PersonalDataAccess.objects.latest("pk")
    assert log.viewer == getattr(personas, who) and "proposal_photo" in log.purpose


OTHERS = ["kecamatan_operator", "agent", "executive", "dprd", "admin", "outsider"]


@pytest.mark.parametrize("who", OTHERS)
def test_others_get_no_photo_and_no_link(personas, submission, who):
    user = getattr(personas, who)
    c = _client(user)
    assert c.get(_url(submission)).status_code in (403, 404)
    page = c.get(f"/usulan/baris/{submission.row_id}/")
    assert _url(submission) not in page.content.decode()


def test_out_of_scope_and_unknown_look_missing(personas, submission):
    outsider = personas.outsider  # a Dinas operator of another kabupaten: has the permission
    assert outsider.has_perm("agents.view_proposal_photos")
    assert _client(outsider).get(_url(submission)).status_code == 404
    c = _client(personas.dinas_operator)
    assert c.get(_url(submission, "kk")).status_code == 404  # no such photo
    assert c.get(_url(submission, "selfie")).status_code == 404
    assert c.get(f"/agen/foto-usulan/{submission.pk + 99}/ktp/").status_code == 404


def test_photos_are_not_under_a_public_media_url(personas, submission):
    name = submission.ktp_photo.name
    assert Client().get(f"/media/{name}").status_code == 404
    assert _client(personas.dinas_operator).get(f"/media/{name}").status_code == 404
