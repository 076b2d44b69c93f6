"""The audit page's expandable rows keep plain-digit ids (``ev-9578``, never ``ev-9.578``)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from jamsos.audit.models import AuditEvent
from jamsos.audit.services import audit_record
from jamsos.testing.ids import ids_start_at

pytestmark = pytest.mark.django_db


def test_event_row_ids_are_plain_digits(client, personas):
    ids_start_at(AuditEvent, 9578)
    event = audit_record(
        action="accounts.user.updated",
        acting_user=personas.admin,
        obj=personas.agent,
        before={"full_name": "Lama"},
        after={"full_name": "Baru"},
    )
    assert event.pk >= 9578
    client.force_login(personas.dinas_head)
    body = client.get(reverse("audit:event_list")).content.decode()
    ids = re.findall(r'id="ev-([^"]*)"', body)
    targets = re.findall(r'data-bs-target="#ev-([^"]*)"', body)
    assert str(event.pk) in ids and ids == targets
    assert all(value.isdigit() for value in ids), ids
