"""The Dinas hears that an issued bill is due (jamsos.messaging outbox)."""

from __future__ import annotations

import pytest

from jamsos.contributions.tests.test_payments import issued_bill
from jamsos.messaging.models import Message

pytestmark = pytest.mark.django_db


def test_an_issued_bill_tells_the_dinas(sijunjung, apbd, make_members, personas):
    make_members(10, apbd)
    bill = issued_bill(sijunjung, "2025-01")
    messages = Message.objects.filter(event="contributions.bill.issued")
    users = set(messages.values_list("recipient_user_id", flat=True))
    assert users == {personas.dinas_operator.pk, personas.dinas_head.pk}
    body = messages.first().body
    assert bill.number in body and "Rp 168.000" in body and "Januari 2025" in body
    # The outsider (another kabupaten) and the agent hear nothing.
    assert personas.outsider.pk not in users and personas.agent.pk not in users
