"""The phone's queued proposals: a client-made UUID makes the submit idempotent."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jamsos.agents.models import OfflineSubmission
from jamsos.intake.models import ProposalRow
from jamsos.lib.nik import nik_build
from jamsos.testing.factories import OccupationFactory

pytestmark = pytest.mark.django_db
URL = "/api/agents/me/proposals"


def values(serial: int = 4411) -> dict[str, str]:
    return {
        "nik": nik_build("13.03.03", dt.date(1980, 5, 6), "L", serial),
        "full_name": "Bujang Saputra",
        "birth_date": "1980-05-06",
        "sex": "L",
        "occupation": "petani",
        "village": "13.03.03.2001",
    }


@pytest.fixture
def client_for():
    def make(user) -> Client:
        c = Client()
        c.force_login(user)
        return c

    return make


@pytest.fixture(autouse=True)
def _occupation(db):
    OccupationFactory()


def post(client: Client, client_id: str, vals: dict, **files):
    data = {"client_id": client_id, "values": json.dumps(vals), **files}
    return client.post(URL, data)


def test_same_uuid_twice_proposes_once(personas, agent, client_for):
    c = client_for(personas.agent)
    cid = str(uuid.uuid4())
    first = post(c, cid, values())
    assert first.status_code == 201, first.content
    assert first.json()["created"] is True and first.json()["outcome"] == "proposed"
    again = post(c, cid, values())
    assert again.status_code == 200
    assert again.json()["created"] is False
    assert ProposalRow.objects.count() == 1
    row = ProposalRow.objects.get()
    assert row.agent_id == agent.pk  # the row records the agent who brought the person
    assert row.batch.agent_id == agent.pk
    assert OfflineSubmission.objects.get().row_id == row.pk


def test_two_people_two_rows(personas, agent, client_for):
    c = client_for(personas.agent)
    assert post(c, str(uuid.uuid4()), values(4411)).status_code == 201
    assert post(c, str(uuid.uuid4()), values(4412)).status_code == 201
    assert ProposalRow.objects.filter(agent=agent).count() == 2


def test_invalid_values_are_stored_as_their_fate(personas, agent, client_for):
    c = client_for(personas.agent)
    cid = str(uuid.uuid4())
    bad = values() | {"nik": "1303031234"}
    first = post(c, cid, bad)
    assert first.status_code == 201
    assert first.json()["outcome"] == "invalid"
    assert "NIK" in first.json()["message"]
    assert post(c, cid, bad).json()["created"] is False
    assert ProposalRow.objects.count() == 0


def test_another_users_uuid_looks_missing(personas, agent, other_agent, client_for):
    cid = str(uuid.uuid4())
    assert post(client_for(personas.agent), cid, values()).status_code == 201
    response = post(client_for(other_agent.user), cid, values())
    assert response.status_code == 404
    assert ProposalRow.objects.count() == 1


def test_photos_travel_with_the_proposal(personas, agent, client_for):
    c = client_for(personas.agent)
    photo = SimpleUploadedFile("ktp.jpg", b"\xff\xd8\xff\xe0fake-jpeg", content_type="image/jpeg")
    response = post(c, str(uuid.uuid4()), values(), ktp_photo=photo)
    assert response.status_code == 201
    assert OfflineSubmission.objects.get().ktp_photo.name.startswith("agents/photos/")
    not_image = SimpleUploadedFile("ktp.txt", b"hello", content_type="text/plain")
    refused = post(c, str(uuid.uuid4()), values(4412), ktp_photo=not_image)
    assert refused.status_code == 400


def test_only_agents_with_a_record_may_send(personas, client_for):
    c = client_for(personas.agent)  # an agent login without an agent record
    assert post(c, str(uuid.uuid4()), values()).status_code == 403
    assert post(client_for(personas.dinas_operator), str(uuid.uuid4()), values()).status_code == 403


def test_bad_values_json_is_refused(personas, agent, client_for):
    c = client_for(personas.agent)
    response = c.post(URL, {"client_id": str(uuid.uuid4()), "values": "not json"})
    assert response.status_code == 400
    response = c.post(URL, {"client_id": "not-a-uuid", "values": "{}"})
    assert response.status_code == 422


def test_a_suspended_agent_cannot_propose(personas, agent, client_for):
    from jamsos.agents.models import Agent

    Agent.objects.filter(pk=agent.pk).update(status=Agent.Status.SUSPENDED)
    response = post(client_for(personas.agent), str(uuid.uuid4()), values())
    assert response.status_code == 403
    assert response.json()["code"] == "agent_not_active"
    assert not OfflineSubmission.objects.exists()  # nothing stored: it can be sent later
    assert ProposalRow.objects.count() == 0
