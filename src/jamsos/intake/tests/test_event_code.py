"""A proposal carries the sosialisasi event's code (QR on the form); a submitted batch
tells the Dinas head it awaits approval (jamsos.messaging outbox)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from jamsos.accounts.models import Agency
from jamsos.intake import services
from jamsos.intake.tests import core_fixtures
from jamsos.intake.tests.core_fixtures import person_dict
from jamsos.lib.errors import DomainError
from jamsos.messaging.models import Message
from jamsos.outreach import selectors as outreach_selectors
from jamsos.outreach import services as outreach_services
from jamsos.testing.factories import region

villages = core_fixtures.villages
people = core_fixtures.people

pytestmark = pytest.mark.django_db


@pytest.fixture
def values(personas, people, villages):
    nagari = next(v for v in villages if v.code == personas.agent.region_id)

    def make():
        person = people(1, village=nagari)[0]
        data = {
            k: str(v) for k, v in person_dict(person).items() if k not in ("village", "district")
        }
        data["birth_date"] = person.birth_date.strftime("%d-%m-%Y")
        return data

    return make


@pytest.fixture
def event(personas):
    return outreach_services.event_create(
        acting_user=personas.agent,
        title="Sosialisasi di masjid",
        kind="sosialisasi",
        held_on=timezone.localdate() - dt.timedelta(days=3),
        place="Masjid Raya",
        village=region(personas.agent.region_id),
        organiser=Agency.objects.get(code="bpjs-solok"),
        attendance_male=20,
        attendance_female=15,
    )


def test_a_proposal_keeps_the_event_code_and_counts_as_conversion(personas, values, event):
    row = services.person_propose(
        values=values(), acting_user=personas.agent, event_code=f"sos {event.pk}"
    )
    assert row.event_code == event.code
    services.person_propose(values=values(), acting_user=personas.agent)
    conversion = outreach_selectors.event_conversion(event)
    assert (conversion.with_code, conversion.from_village) == (1, 2)


def test_an_unknown_code_is_refused(personas, values):
    with pytest.raises(DomainError) as caught:
        services.person_propose(values=values(), acting_user=personas.agent, event_code="SOS-999")
    assert caught.value.code == "event_code_unknown"
    with pytest.raises(DomainError) as caught:
        services.person_propose(values=values(), acting_user=personas.agent, event_code="abc")
    assert caught.value.code == "event_code_invalid"


def test_form_and_api_accept_the_code(personas, values, event, client):
    client.force_login(personas.agent)
    page = client.get(f"{reverse('intake:person_propose')}?kegiatan={event.code}")
    assert f'value="{event.code}"' in page.content.decode()
    response = client.post(
        "/api/intake/persons",
        {"values": values(), "event_code": event.code},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["event_code"] == event.code


def test_a_submitted_batch_tells_the_head(personas, values):
    row = services.person_propose(values=values(), acting_user=personas.agent)
    services.batch_submit(batch=row.batch, acting_user=personas.dinas_operator)
    messages = Message.objects.filter(event="intake.batch.submitted")
    assert set(messages.values_list("recipient_user_id", flat=True)) == {personas.dinas_head.pk}
    assert "1 orang" in messages.first().body


def test_an_uploaded_file_may_carry_the_event_code_column(personas, people, event):
    """A "Kode Kegiatan" column links each row to its sosialisasi event; an unknown or
    malformed code is a warning, not kept, and does not stop the row."""
    from django.core.files.base import ContentFile

    from jamsos.intake.models import ProposalRow
    from jamsos.regions.models import Region

    header = [
        "NIK",
        "Nama Lengkap",
        "Tempat Lahir",
        "Tanggal Lahir",
        "Jenis Kelamin",
        "Nagari",
        "Pekerjaan",
        "Kode Kegiatan",
    ]
    codes = [f"sos {event.pk}", "SOS-99999", "abc", "", event.code]
    lines = ["USULAN", ";".join(header)]
    for person, code in zip(people(len(codes)), codes, strict=True):
        data = person_dict(person)
        lines.append(
            ";".join(
                [
                    data["nik"],
                    data["full_name"],
                    data["birth_place"],
                    data["birth_date"].strftime("%d-%m-%Y"),
                    data["sex"],
                    data["village"],
                    data["occupation"],
                    code,
                ]
            )
        )
    batch = services.batch_stage_upload(
        upload=ContentFile(("\n".join(lines) + "\n").encode()),
        file_name="usulan-kegiatan.csv",
        region=Region.objects.get(pk="13.03"),
        acting_user=personas.dinas_operator,
        enqueue=False,
    )
    batch = services.batch_validate(batch=batch)
    rows = list(ProposalRow.objects.filter(batch=batch).order_by("row_number"))
    assert [r.event_code for r in rows] == [event.code, "", "", "", event.code]
    for row in rows[1:3]:
        assert "event_code_unknown" in {i["code"] for i in row.issues}
        assert row.status != "invalid"  # a warning only
    assert not any(i["code"] == "event_code_unknown" for r in rows[3:] for i in r.issues)
    assert not any(i["code"] == "event_code_unknown" for i in rows[0].issues)
    conversion = outreach_selectors.event_conversion(event)
    assert conversion.with_code == 2
