from __future__ import annotations

import pytest
from django.db import transaction

from jamsos.accounts.services import user_update
from jamsos.audit import actions
from jamsos.audit.models import AuditEvent
from jamsos.audit.services import (
    UnknownAuditAction,
    audit_event_build,
    audit_record,
    audit_record_many,
)
from jamsos.lib.errors import DomainError

pytestmark = pytest.mark.django_db


def test_audit_record_refuses_unregistered_codes(personas):
    with pytest.raises(UnknownAuditAction, match=r"accounts\.user\.renamed"):
        audit_record(action="accounts.user.renamed", acting_user=personas.admin)
    with pytest.raises(UnknownAuditAction):
        audit_event_build(action="typo", acting_user=None)
    assert not AuditEvent.objects.exists()


def test_register_actions_refuses_a_code_twice(monkeypatch):
    monkeypatch.setattr(actions, "ACTIONS", dict(actions.ACTIONS))
    actions.register_actions({"test.thing.done": "Sesuatu dilakukan"})
    assert actions.action_label("test.thing.done") == "Sesuatu dilakukan"
    with pytest.raises(ValueError, match="registered twice"):
        actions.register_actions({"test.thing.done": "lagi"})


def test_event_copies_actor_agency_object_and_region(personas):
    event = audit_record(
        action="accounts.user.updated", acting_user=personas.admin, obj=personas.agent
    )
    assert event.actor == personas.admin
    assert event.actor_label == str(personas.admin)
    assert event.agency_label == "Diskominfo Sijunjung"
    assert (event.object_type, event.object_id) == ("accounts.user", str(personas.agent.pk))
    assert event.region_code == "13.03.03.2001"


def test_system_event_has_no_actor():
    event = audit_record(action="demo.data.loaded", acting_user=None)
    assert event.actor is None
    assert event.actor_label == "sistem"
    assert event.region_code == ""


def test_bulk_writer_inserts_built_events(personas):
    events = [
        audit_event_build(action="accounts.user.updated", acting_user=None, obj=personas.agent)
        for _ in range(3)
    ]
    assert audit_record_many(events) == 3
    assert AuditEvent.objects.filter(action="accounts.user.updated").count() == 3


def test_request_ip_reaches_the_event(client, personas):
    client.force_login(personas.admin)
    client.get("/", REMOTE_ADDR="10.1.2.3")
    event = AuditEvent.objects.filter(action="accounts.user.logged_in").first()
    # force_login runs outside a request; the next event written in one carries the IP.
    assert event is not None
    client.post(f"/pengguna/{personas.agent.pk}/nonaktifkan/", REMOTE_ADDR="10.1.2.3", follow=False)
    deactivated = AuditEvent.objects.get(action="accounts.user.deactivated")
    assert deactivated.ip_address == "10.1.2.3"


def test_failing_service_leaves_no_event(personas):
    """The event is written in the service's transaction, so it rolls back with it."""
    with pytest.raises(DomainError), transaction.atomic():
        user_update(user=personas.agent, acting_user=personas.admin, full_name="Baru")
        raise DomainError("later step fails", code="boom")
    assert not AuditEvent.objects.filter(action="accounts.user.updated").exists()
    personas.agent.refresh_from_db()
    assert personas.agent.full_name != "Baru"


def test_invalid_change_writes_no_event(personas):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        user_update(
            user=personas.agent,
            acting_user=personas.admin,
            region=personas.dinas_operator.region,  # a regency: not allowed for an agent
        )
    assert not AuditEvent.objects.filter(action="accounts.user.updated").exists()
