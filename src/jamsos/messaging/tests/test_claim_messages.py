"""Heirs (with consent) and the nagari's agent hear of each claim stage; no amount is
ever in a message."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jamsos.claims import services as claim_services
from jamsos.claims.services import HeirData
from jamsos.claims.tests.conftest import walk
from jamsos.messaging import services
from jamsos.messaging.models import Consent, Message

pytestmark = pytest.mark.django_db


def test_each_stage_reaches_the_heir_and_the_agent(membership, personas, gateway):
    personas.agent.phone = "0813 1111 2222"
    personas.agent.save()
    claim = claim_services.claim_report(
        membership=membership,
        claim_type="jkm",
        event_date=timezone.localdate() - dt.timedelta(days=4),
        reporter_contact="0812-3456-7890",
        heirs=[
            HeirData(full_name="Siti Aminah", relationship="spouse", phone="081298765432"),
        ],
        acting_user=personas.agent,
    )
    services.consent_record(
        address="081298765432", status="granted", source="claim_form", acting_user=personas.agent
    )
    claim = walk(claim, personas, "approved")
    stages = set(Message.objects.values_list("body", flat=True))
    assert any("disetujui BPJS" in body for body in stages)
    heir_messages = Message.objects.filter(recipient_address="+6281298765432")
    assert heir_messages.count() == 5  # reported, complete, submitted, review, approved
    assert all(m.needs_consent for m in heir_messages)
    agent_messages = Message.objects.filter(recipient_user=personas.agent)
    assert agent_messages.filter(channel="email").count() == 5
    assert agent_messages.filter(channel="whatsapp").count() == 5
    for body in Message.objects.values_list("body", flat=True):
        assert "Rp" not in body and str(claim.estimated_amount) not in body
        assert claim.person.nik not in body

    summary = services.messages_send_due()
    # The heir consented; the reporter's number did not: its messages are cancelled.
    reporter = Message.objects.filter(recipient_address="+6281234567890")
    assert set(reporter.values_list("status", flat=True)) == {Message.Status.CANCELLED}
    assert set(heir_messages.values_list("status", flat=True)) == {Message.Status.SENT}
    assert summary.cancelled == reporter.count() == 5
    assert Consent.objects.count() == 1


def test_rejection_reason_reaches_the_family(membership, personas):
    claim = claim_services.claim_report(
        membership=membership,
        claim_type="jkm",
        event_date=timezone.localdate() - dt.timedelta(days=4),
        reporter_contact="081234567890",
        acting_user=personas.agent,
    )
    claim = walk(claim, personas, "under_review")
    claim_services.claim_reject(
        claim=claim, reason="Masa iur belum cukup", acting_user=personas.bpjs_officer
    )
    last = Message.objects.filter(recipient_address="+6281234567890").order_by("pk").last()
    assert "ditolak" in last.body and "Alasan: Masa iur belum cukup." in last.body


def test_a_nik_typed_into_a_rejection_reason_leaves_masked(membership, personas):
    """Review: a message is read by whoever holds the phone; whatever text an officer
    types, no NIK goes out whole (issue 10: no NIK in messages)."""
    claim = claim_services.claim_report(
        membership=membership,
        claim_type="jkm",
        event_date=timezone.localdate() - dt.timedelta(days=4),
        reporter_contact="081234567890",
        acting_user=personas.agent,
    )
    claim = walk(claim, personas, "under_review")
    nik = claim.person.nik
    grouped = f"{nik[:4]} {nik[4:8]} {nik[8:12]} {nik[12:]}"
    claim_services.claim_reject(
        claim=claim,
        reason=f"NIK {nik} sudah diklaim; lihat juga {grouped}",
        acting_user=personas.bpjs_officer,
    )
    last = Message.objects.filter(recipient_address="+6281234567890").order_by("pk").last()
    assert "ditolak" in last.body
    assert nik not in last.body and grouped not in last.body
    assert f"{nik[:6]}********{nik[-2:]}" in last.body
    for body in Message.objects.values_list("body", flat=True):
        assert nik not in body
