"""The outreach demo step: events (some nagari not reached), follow-ups, an outbox with
sent, failed and queued messages, all without a network."""

from __future__ import annotations

import pytest

from jamsos.claims.demo import demo_step_claims
from jamsos.claims.tests.test_demo import _memberships, steps_with
from jamsos.demo import services as demo
from jamsos.messaging.models import Message
from jamsos.outreach.demo import demo_step_outreach
from jamsos.outreach.models import FollowUp, OutreachEvent

pytestmark = pytest.mark.django_db


def test_demo_outreach(monkeypatch, gateway_absent):
    monkeypatch.setattr(
        demo,
        "DEMO_STEPS",
        steps_with(
            [
                ("memberships", _memberships),
                ("claims", demo_step_claims),
                ("outreach", demo_step_outreach),
            ]
        ),
    )
    summary = demo.demo_load(people=150, seed=7)
    assert summary.counts["outreach"] > 0
    assert OutreachEvent.objects.filter(created_by__username="agen").count() == 1
    assert OutreachEvent.objects.count() > 5
    statuses = set(FollowUp.objects.values_list("status", flat=True))
    assert statuses == {"open", "claimed", "closed"}
    assert FollowUp.objects.filter(source="dukcapil").exists()
    outbox = set(Message.objects.values_list("status", flat=True))
    assert {"sent", "failed", "queued"} <= outbox
    assert (
        not Message.objects.filter(status="sent", needs_consent=True)
        .exclude(
            recipient_address__in=list(
                __import__("jamsos.messaging.models", fromlist=["Consent"])
                .Consent.objects.filter(status="granted")
                .values_list("address", flat=True)
            )
        )
        .exists()
    )


@pytest.fixture
def gateway_absent(settings):
    settings.MESSAGING_GATEWAY_URL = ""
