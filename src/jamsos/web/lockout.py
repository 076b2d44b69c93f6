"""django-axes with a second rule: too many failed log-ins from one address.

Axes locks a username+address pair after ``AXES_FAILURE_LIMIT`` failures; spraying one
password across many accounts from one address never reaches that for any pair. This
handler also counts every failure from the address within the cool-off, whatever the
username, and locks the address at ``AXES_IP_FAILURE_LIMIT`` (default 20: high enough
for an office behind one NAT address where several people mistype).
"""

from __future__ import annotations

import datetime as dt

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone


class AddressAwareAxesHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials: dict | None = None) -> int:  # type: ignore[no-untyped-def]
        failures = super().get_failures(request, credentials)
        limit = get_failure_limit(request, credentials)
        if failures >= limit:
            return failures
        address = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
        since = timezone.now() - dt.timedelta(hours=float(settings.AXES_COOLOFF_TIME))
        from_address = (
            AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since).aggregate(
                n=Sum("failures_since_start")
            )["n"]
            or 0
        )
        if from_address >= int(settings.AXES_IP_FAILURE_LIMIT):
            return max(failures, limit)
        return failures
