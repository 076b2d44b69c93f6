"""How a message leaves: e-mail through Django's mail backend (SMTP by default) and
WhatsApp/SMS through the provider's HTTP gateway.

A transport returns the provider's reference or raises ``TransportError``;
``permanent=True`` says retrying cannot help (an address the server refuses, a request
the gateway rejects as malformed), so the sender marks the message failed at once.
Settings (``MESSAGING_*``) come from the environment; no key lives in the code.

The gateway contract (one POST per message, JSON)::

    POST MESSAGING_GATEWAY_URL
    Authorization: Bearer MESSAGING_GATEWAY_KEY
    {"channel": "whatsapp"|"sms", "to": "+62812…", "body": "…", "reference": "jamsos-42"}
    → 2xx, optionally {"id": "<provider id>"}

Most Indonesian WhatsApp/SMS aggregators accept this shape or sit behind a small adapter.
"""

from __future__ import annotations

import json
import smtplib
import urllib.error
import urllib.request
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

if TYPE_CHECKING:
    from jamsos.messaging.models import Message


class TransportError(Exception):
    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def email_send(message: Message) -> str:
    connection = get_connection(
        backend=settings.MESSAGING_EMAIL_BACKEND,
        fail_silently=False,
        timeout=settings.MESSAGING_TIMEOUT_SECONDS,
    )
    email = EmailMessage(
        subject=message.subject or "Jamsos",
        body=message.body,
        from_email=settings.MESSAGING_FROM_EMAIL,
        to=[message.recipient_address],
        headers={"X-Jamsos-Message": str(message.pk)},
        connection=connection,
    )
    try:
        email.send()
    except smtplib.SMTPRecipientsRefused as exc:
        raise TransportError(f"SMTP menolak alamat: {exc.recipients}", permanent=True) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise TransportError(f"SMTP: {type(exc).__name__}: {exc}") from exc
    return f"smtp:{message.pk}"


def gateway_send(message: Message) -> str:
    url = settings.MESSAGING_GATEWAY_URL
    if not url:
        raise TransportError("Gateway WhatsApp/SMS belum dikonfigurasi (MESSAGING_GATEWAY_URL).")
    if not url.startswith(("https://", "http://")):
        raise TransportError(f"MESSAGING_GATEWAY_URL bukan alamat http(s): {url}", permanent=True)
    payload = json.dumps(
        {
            "channel": message.channel,
            "to": message.recipient_address,
            "body": message.body,
            "reference": f"jamsos-{message.pk}",
        }
    ).encode()
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if settings.MESSAGING_GATEWAY_KEY:
        headers["Authorization"] = f"Bearer {settings.MESSAGING_GATEWAY_KEY}"
    request = urllib.request.Request(url, data=payload, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(  # noqa: S310 - scheme checked above
            request, timeout=settings.MESSAGING_TIMEOUT_SECONDS
        ) as response:
            body = response.read(4096)
    except urllib.error.HTTPError as exc:
        detail = exc.read(300).decode("utf-8", "replace")
        # 4xx: the request itself is wrong; retrying the same bytes cannot help. A 408 or
        # 429 (busy) and every 5xx can pass later.
        permanent = 400 <= exc.code < 500 and exc.code not in (408, 429)
        raise TransportError(f"Gateway HTTP {exc.code}: {detail}", permanent=permanent) from exc
    except (TimeoutError, urllib.error.URLError, OSError) as exc:
        raise TransportError(f"Gateway tidak terjangkau: {exc}") from exc
    try:
        answer = json.loads(body or b"{}")
    except ValueError:
        answer = {}
    return str(answer.get("id", "")) if isinstance(answer, dict) else ""


def transport_send(message: Message) -> str:
    if message.channel == "email":
        return email_send(message)
    return gateway_send(message)
