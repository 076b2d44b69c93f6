"""Real local servers for the transports: an aiosmtpd SMTP server and an http.server
gateway, each on a free port in a thread of the test process."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class SmtpInbox:
    port: int
    messages: list[dict[str, Any]] = field(default_factory=list)


class _Handler:
    def __init__(self, inbox: SmtpInbox) -> None:
        self.inbox = inbox

    async def handle_DATA(self, server, session, envelope):
        self.inbox.messages.append(
            {
                "from": envelope.mail_from,
                "to": list(envelope.rcpt_tos),
                "data": envelope.content.decode("utf-8", "replace"),
            }
        )
        return "250 OK"


@pytest.fixture
def smtp_server(settings) -> Iterator[SmtpInbox]:
    from aiosmtpd.controller import Controller

    inbox = SmtpInbox(port=free_port())
    controller = Controller(_Handler(inbox), hostname="127.0.0.1", port=inbox.port)
    controller.start()
    settings.MESSAGING_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = inbox.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield inbox
    finally:
        controller.stop()


@dataclass
class Gateway:
    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    # What the next requests answer: (status, body); the last one repeats.
    answers: list[tuple[int, dict[str, Any]]] = field(default_factory=lambda: [(200, {})])


@pytest.fixture
def gateway(settings) -> Iterator[Gateway]:
    state = Gateway(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            state.requests.append(
                {
                    "path": self.path,
                    "auth": self.headers.get("Authorization"),
                    "json": json.loads(self.rfile.read(length)),
                }
            )
            status, body = state.answers.pop(0) if len(state.answers) > 1 else state.answers[0]
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/send"
    settings.MESSAGING_GATEWAY_URL = state.url
    settings.MESSAGING_GATEWAY_KEY = "kunci-uji"
    settings.MESSAGING_TIMEOUT_SECONDS = 5
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


from jamsos.claims.tests.conftest import apbd, make_membership, membership  # noqa: E402, F401
