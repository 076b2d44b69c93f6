"""API rate limits per user and per client address, read from settings at each call.

Design goal: one person (or one stolen token) cannot hammer the API, and neither can one
address behind which many tokens hide; both limits are settings (``API_THROTTLE_USER``,
``API_THROTTLE_IP``: "n/s", "n/m", "n/h" or "n/d"; empty turns a limit off). Counters
live in the default cache, which settings make shared by every gunicorn worker. The
client address is REMOTE_ADDR, or X-Forwarded-For's last hop only behind our proxy
(``NINJA_NUM_PROXIES``), so a client cannot spoof its way past the limit.

ninja answers an exceeded limit with 429 and ``Retry-After`` (``jamsos.api.base`` maps
it to the API's error shape).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import SimpleRateThrottle


class _SettingsRateThrottle(SimpleRateThrottle):
    setting = ""

    def __init__(self) -> None:  # the rate is read per call: settings may change in tests
        self.rate = None
        self.num_requests, self.duration = None, None

    def allow_request(self, request: HttpRequest) -> bool:
        self.rate = getattr(settings, self.setting, "") or None
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)


class UserThrottle(_SettingsRateThrottle):
    """Calls of one authenticated user (session or any of their tokens)."""

    scope = "user"
    setting = "API_THROTTLE_USER"

    def get_cache_key(self, request: HttpRequest) -> str | None:
        user = getattr(request, "auth", None) or getattr(request, "user", None)
        if user is None or not getattr(user, "is_authenticated", False):
            return None
        return self.cache_format % {"scope": self.scope, "ident": user.pk}


class AddressThrottle(_SettingsRateThrottle):
    """Calls from one client address, whoever makes them."""

    scope = "ip"
    setting = "API_THROTTLE_IP"

    def get_cache_key(self, request: HttpRequest) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
