"""Review: the lead follow-up service checks the permission and the lead's nagari itself,
not only ``access_lead`` in the view."""

from __future__ import annotations

import pytest

from jamsos.lib.errors import NotFoundOrForbidden, PermissionDenied
from jamsos.portal import services
from jamsos.portal.models import Lead
from jamsos.portal.tests.conftest import OTHER_NAGARI
from jamsos.portal.tests.test_leads import _lead

pytestmark = pytest.mark.django_db


def test_follow_up_of_another_nagaris_lead_is_refused(personas):
    other = _lead(OTHER_NAGARI)
    with pytest.raises(NotFoundOrForbidden):
        services.lead_follow_up(
            lead=other, status="contacted", note="x", acting_user=personas.agent
        )
    other.refresh_from_db()
    assert other.status == Lead.Status.NEW and other.handled_by is None


def test_follow_up_needs_the_permission(personas):
    lead = _lead()
    for user in (personas.dprd, personas.executive):
        with pytest.raises(PermissionDenied):
            services.lead_follow_up(lead=lead, status="contacted", note="", acting_user=user)
    services.lead_follow_up(lead=lead, status="contacted", note="", acting_user=personas.agent)


def test_purging_old_leads_is_audited():
    import datetime as dt

    from django.utils import timezone

    from jamsos.audit.models import AuditEvent

    old = _lead()
    Lead.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=400))
    assert services.lead_purge() == 1
    event = AuditEvent.objects.get(action="portal.lead.purged")
    assert event.data["count"] == 1
    assert services.lead_purge() == 0
    assert AuditEvent.objects.filter(action="portal.lead.purged").count() == 1
