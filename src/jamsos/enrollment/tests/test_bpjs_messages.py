"""The agent hears of a BPJS rejection, with the reason (jamsos.messaging outbox)."""

from __future__ import annotations

import pytest

from jamsos.enrollment import services
from jamsos.enrollment.tests.test_bpjs import accept, reject
from jamsos.lib.periods import Month
from jamsos.messaging.models import Message

pytestmark = pytest.mark.django_db


def test_rejections_reach_the_agent_of_each_nagari(decree, personas, persons):
    services.bpjs_results_record(
        decree=decree,
        results=[
            reject(persons[0], "Sudah terdaftar sebagai peserta PU"),
            reject(persons[1], "NIK tidak dikenal di Dukcapil"),
            accept(persons[2], "13000000003"),
        ],
        acting_user=personas.bpjs_officer,
        as_of=Month(2022, 4),
    )
    messages = list(Message.objects.filter(event="enrollment.decree_line.rejected"))
    # One message per channel of the agent (its e-mail) for the nagari, listing both.
    assert [m.recipient_user_id for m in messages] == [personas.agent.pk]
    body = messages[0].body
    assert "2 orang" in body
    assert f"{persons[0].full_name}: Sudah terdaftar sebagai peserta PU" in body
    assert f"{persons[1].full_name}: NIK tidak dikenal di Dukcapil" in body
    assert persons[2].full_name not in body
    assert persons[0].nik not in body
    assert messages[0].region_id == persons[0].village_id


def test_all_accepted_sends_nothing(decree, personas, persons):
    services.bpjs_results_record(
        decree=decree,
        results=[accept(persons[0], "13000000001")],
        acting_user=personas.bpjs_officer,
        as_of=Month(2022, 4),
    )
    assert not Message.objects.exists()
