"""The outbox: enqueue, real SMTP and HTTP-gateway delivery, retries with back-off,
consent and opt-out, and the staff's retry/cancel."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from jamsos.audit.models import AuditEvent
from jamsos.lib.errors import DomainError, InvalidTransition, NotFoundOrForbidden
from jamsos.messaging import selectors, services
from jamsos.messaging.events import action_item_due_notify, event_route_register
from jamsos.messaging.models import Consent, Message, Template
from jamsos.messaging.services import Outgoing, Recipient

pytestmark = pytest.mark.django_db

NAGARI = "13.03.03.2001"


def _route(context):
    yield Outgoing(
        template_code="uji",
        recipients=[
            Recipient(
                context["channel"],
                context["address"],
                "Penerima",
                needs_consent=context["needs_consent"],
            )
        ],
        values={"nama": "Budi"},
        key=context["key"],
        region_code=context["region"],
    )


event_route_register("test.uji", _route)


def queue(
    *,
    channel: str = "whatsapp",
    address: str = "+6281234567890",
    needs_consent: bool = False,
    region: str = NAGARI,
    key: str = "k1",
) -> Message:
    """A message written through a test route and the real enqueue."""
    Template.objects.get_or_create(
        code="uji",
        channel=channel,
        defaults={"subject": "Uji {nama}", "body": "Halo {nama}, ini pesan uji."},
    )
    if "@" in address:
        address = services.address_normalise(address)
    context = {
        "channel": channel,
        "address": address,
        "needs_consent": needs_consent,
        "region": region,
        "key": key,
    }
    messages = services.message_enqueue("test.uji", context)
    assert len(messages) == 1
    return messages[0]


def test_enqueue_renders_the_template_and_never_twice():
    message = queue()
    assert message.status == Message.Status.QUEUED
    assert message.body == "Halo Budi, ini pesan uji."
    again = {"channel": "whatsapp", "address": "+6281234567890", "needs_consent": False}
    assert services.message_enqueue("test.uji", {**again, "region": NAGARI, "key": "k1"}) == []
    assert Message.objects.count() == 1
    assert AuditEvent.objects.filter(action="messaging.message.queued").count() == 1


def test_missing_placeholder_is_an_error_not_half_a_message():
    template = Template(code="x", channel="sms", body="Halo {nama}, klaim {nomor_klaim}")
    with pytest.raises(services.TemplateError, match="nomor_klaim"):
        services.template_render(template, {"nama": "Budi"})


def test_email_arrives_at_a_real_smtp_server(smtp_server, personas):
    message = queue(channel="email", address="Ahli.Waris@Contoh.ID")
    assert message.recipient_address == "Ahli.Waris@contoh.id"
    summary = services.messages_send_due()
    assert summary.sent == 1
    assert len(smtp_server.messages) == 1
    received = smtp_server.messages[0]
    assert received["to"] == ["Ahli.Waris@contoh.id"]
    assert "Subject: Uji Budi" in received["data"]
    assert "Halo Budi, ini pesan uji." in received["data"]
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.attempts == 1
    assert AuditEvent.objects.filter(action="messaging.message.sent").count() == 1


def test_smtp_down_is_retried_later(settings):
    from jamsos.messaging.tests.conftest import free_port

    settings.MESSAGING_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()  # nothing listens
    message = queue(channel="email", address="dinas@contoh.id")
    summary = services.messages_send_due()
    assert summary.retrying == 1
    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED
    assert "SMTP" in message.last_error


def test_gateway_posts_json_with_the_key(gateway):
    gateway.answers = [(200, {"id": "wa-77"})]
    message = queue()
    assert services.messages_send_due().sent == 1
    request = gateway.requests[0]
    assert request["auth"] == "Bearer kunci-uji"
    assert request["json"] == {
        "channel": "whatsapp",
        "to": "+6281234567890",
        "body": "Halo Budi, ini pesan uji.",
        "reference": f"jamsos-{message.pk}",
    }
    message.refresh_from_db()
    assert (message.status, message.provider_reference) == ("sent", "wa-77")


def test_gateway_failure_backs_off_exponentially_then_fails_visibly(gateway, settings, personas):
    settings.MESSAGING_MAX_ATTEMPTS = 3
    settings.MESSAGING_BACKOFF_BASE_SECONDS = 60
    gateway.answers = [(503, {"error": "sibuk"})]
    message = queue()
    t0 = timezone.now()

    assert services.messages_send_due(now=t0).retrying == 1
    message.refresh_from_db()
    assert message.attempts == 1
    assert message.next_attempt_at == t0 + dt.timedelta(seconds=60)
    assert "HTTP 503" in message.last_error

    # Not yet due: nothing is sent.
    assert services.messages_send_due(now=t0 + dt.timedelta(seconds=59)).retrying == 0
    assert len(gateway.requests) == 1

    t1 = t0 + dt.timedelta(seconds=60)
    assert services.messages_send_due(now=t1).retrying == 1
    message.refresh_from_db()
    assert message.next_attempt_at == t1 + dt.timedelta(seconds=120)  # doubled

    t2 = t1 + dt.timedelta(seconds=120)
    assert services.messages_send_due(now=t2).failed == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", 3)
    assert len(gateway.requests) == 3
    # Never lost: on the staff's list, with its error, and in the audit trail.
    failed = selectors.message_list(viewer=personas.dinas_operator, status="failed")
    assert list(failed) == [message]
    assert AuditEvent.objects.filter(action="messaging.message.failed").count() == 1

    # The staff retry: a fresh round of tries, and now the gateway answers.
    gateway.answers = [(200, {})]
    services.message_retry(message=message, acting_user=personas.dinas_operator)
    assert services.messages_send_due(now=t2).sent == 1
    message.refresh_from_db()
    assert message.status == "sent"


def test_gateway_rejecting_the_request_fails_at_once(gateway):
    gateway.answers = [(422, {"error": "nomor tidak valid"})]
    message = queue()
    assert services.messages_send_due().failed == 1
    message.refresh_from_db()
    assert message.attempts == 1
    assert "HTTP 422" in message.last_error


def test_gateway_not_configured_is_retried(settings):
    settings.MESSAGING_GATEWAY_URL = ""
    message = queue()
    assert services.messages_send_due().retrying == 1
    message.refresh_from_db()
    assert "belum dikonfigurasi" in message.last_error


def test_backoff_is_capped(settings):
    settings.MESSAGING_BACKOFF_BASE_SECONDS = 60
    settings.MESSAGING_BACKOFF_MAX_SECONDS = 3600
    assert services.backoff_delay(1) == dt.timedelta(seconds=60)
    assert services.backoff_delay(3) == dt.timedelta(seconds=240)
    assert services.backoff_delay(20) == dt.timedelta(seconds=3600)


def test_citizen_without_consent_is_not_messaged(gateway):
    message = queue(needs_consent=True)
    assert services.messages_send_due().cancelled == 1
    message.refresh_from_db()
    assert message.status == "cancelled"
    assert "persetujuan" in message.cancelled_reason
    assert gateway.requests == []


def test_citizen_with_consent_is_messaged_and_opt_out_stops_even_staff(gateway, personas):
    services.consent_record(
        address="0812-3456-7890",
        status=Consent.Status.GRANTED,
        source=Consent.Source.CLAIM_FORM,
        acting_user=personas.agent,
    )
    assert Consent.objects.get().address == "+6281234567890"
    queue(needs_consent=True, key="a")
    assert services.messages_send_due().sent == 1

    services.consent_record(
        address="+62 812 3456 7890",
        status=Consent.Status.OPTED_OUT,
        source=Consent.Source.REPLY_STOP,
        acting_user=None,
    )
    queue(needs_consent=False, key="b")  # staff-like: no consent needed, but opted out
    assert services.messages_send_due().cancelled == 1
    assert len(gateway.requests) == 1
    actions = list(
        AuditEvent.objects.filter(action__startswith="messaging.consent").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["messaging.consent.opted_out", "messaging.consent.recorded"]


def test_consent_refuses_bad_addresses_and_other_scopes(personas):
    with pytest.raises(DomainError, match="bukan nomor HP"):
        services.consent_record(
            address="12345", status="granted", source="oral", acting_user=personas.agent
        )
    from jamsos.testing.factories import region

    with pytest.raises(NotFoundOrForbidden):
        services.consent_record(
            address="081234567890",
            status="granted",
            source="oral",
            acting_user=personas.agent,
            region=region("13.03.04.2001"),
        )
    from jamsos.lib.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.consent_record(
            address="081234567890", status="granted", source="oral", acting_user=personas.dprd
        )


def test_staff_cancel_and_scope(personas):
    message = queue()
    with pytest.raises(NotFoundOrForbidden):
        services.message_cancel(message=message, reason="x", acting_user=personas.outsider)
    with pytest.raises(DomainError):
        services.message_cancel(message=message, reason=" ", acting_user=personas.dinas_operator)
    services.message_cancel(
        message=message, reason="salah nomor", acting_user=personas.dinas_operator
    )
    message.refresh_from_db()
    assert message.status == "cancelled"
    with pytest.raises(InvalidTransition):
        services.message_cancel(message=message, reason="lagi", acting_user=personas.dinas_operator)
    assert list(selectors.message_list(viewer=personas.outsider)) == []


def test_two_senders_never_send_one_message_twice(gateway):
    message = queue()
    assert services.message_send_one(message_id=message.pk) == "sent"
    assert services.message_send_one(message_id=message.pk) is None
    assert len(gateway.requests) == 1


def test_stale_sending_is_requeued(gateway):
    message = queue()
    Message.objects.filter(pk=message.pk).update(
        status="sending", claimed_at=timezone.now() - dt.timedelta(hours=1)
    )
    summary = services.messages_send_due()
    assert (summary.requeued_stale, summary.sent) == (1, 1)


def test_action_item_due_notify_for_the_forum(personas):
    personas.dinas_head.phone = "081298765432"
    personas.dinas_head.save()
    count = action_item_due_notify(
        key="ai-5",
        title="Kirim data BPU per nagari",
        due_on=dt.date(2026, 12, 10),
        users=[personas.dinas_head],
        region_code="13.03",
        forum="Forum Komunikasi",
    )
    assert count == 2  # e-mail and WhatsApp
    bodies = sorted(Message.objects.values_list("channel", "body"))
    assert "jatuh tempo 10 Desember 2026" in bodies[1][1]
    assert (
        action_item_due_notify(
            key="ai-5",
            title="Kirim data BPU per nagari",
            due_on=dt.date(2026, 12, 10),
            users=[personas.dinas_head],
        )
        == 0
    )


def test_cli_send_messages_json(gateway, capsys):
    queue()
    call_command("send_messages", "--json")
    out = json.loads(capsys.readouterr().out)
    assert out == {"sent": 1, "retrying": 0, "failed": 0, "cancelled": 0, "requeued_stale": 0}


def test_staff_page_shows_failed_messages_with_retry_and_cancel(
    gateway, settings, personas, client
):
    settings.MESSAGING_MAX_ATTEMPTS = 1
    gateway.answers = [(500, {"error": "rusak"})]
    message = queue()
    services.messages_send_due()
    client.force_login(personas.dinas_operator)
    page = client.get("/pesan/?status=failed").content.decode()
    assert "Gateway HTTP 500" in page and 'data-testid="message-retry"' in page
    assert client.post(f"/pesan/{message.pk}/kirim-ulang/").status_code == 302
    message.refresh_from_db()
    assert message.status == "queued"
    assert client.post(f"/pesan/{message.pk}/batal/", {"reason": "nomor salah"}).status_code == 302
    message.refresh_from_db()
    assert (message.status, message.cancelled_reason) == ("cancelled", "nomor salah")
    api = client.get("/api/messaging/messages?status=cancelled").json()
    assert [m["id"] for m in api["items"]] == [message.pk]
    assert api["items"][0]["recipient_masked"] == "+62812****7890"
    assert client.post(f"/api/messaging/messages/{message.pk}/retry").status_code == 200

    client.force_login(personas.dinas_head)  # may look, may not act
    assert client.get("/pesan/").status_code == 200
    assert client.post(f"/pesan/{message.pk}/batal/", {"reason": "x"}).status_code == 403
    for persona in ("agent", "dprd", "executive"):
        client.force_login(getattr(personas, persona))
        assert client.get("/pesan/").status_code == 403
    client.force_login(personas.outsider)
    assert client.post(f"/api/messaging/messages/{message.pk}/retry").status_code == 404


def test_consent_page_for_agents(personas, client):
    client.force_login(personas.agent)
    response = client.post(
        "/pesan/persetujuan/",
        {
            "address": "0812 3456 7890",
            "status": "granted",
            "source": "claim_form",
            "given_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert (consent.address, consent.region_id) == ("+6281234567890", personas.agent.region_id)
    assert "+6281234567890" in client.get("/pesan/persetujuan/").content.decode()
