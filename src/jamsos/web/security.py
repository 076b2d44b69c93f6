"""Security headers on every response: Content-Security-Policy, Permissions-Policy and
Referrer-Policy (Django 5.2 has no CSP of its own).

Design goal: a script injected into a page (a name with ``<script>`` that slipped past
escaping, a crafted attribute) does not run. Pages therefore load scripts only from our
own static files (``script-src 'self'``: no inline ``<script>``, no ``on…=`` handler
attributes, no ``eval``), which ``web/tests/test_security_headers.py`` checks on every
template. Styles may stay inline (progress bars set a width). A response that sets its
own policy (an uploaded document served with a sandbox) keeps it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        headers = (
            ("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY),
            ("Permissions-Policy", settings.PERMISSIONS_POLICY),
            ("Referrer-Policy", settings.SECURE_REFERRER_POLICY),
        )
        for name, value in headers:
            if value and name not in response:
                response[name] = value
        return response
