"""Reads of the outbox, scoped by the viewer's region (a message's region is the nagari
or kabupaten it is about)."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from jamsos.accounts.access import region_q
from jamsos.accounts.models import User
from jamsos.messaging.models import Consent, Message


def message_list(*, viewer: User, status: str = "", channel: str = "") -> QuerySet[Message]:
    queryset = Message.objects.filter(region_q(viewer, "region")).select_related("region")
    if status:
        queryset = queryset.filter(status=status)
    if channel:
        queryset = queryset.filter(channel=channel)
    return queryset.order_by("-created_at", "-pk")


def message_counts(*, viewer: User) -> dict[str, int]:
    rows = (
        Message.objects.filter(region_q(viewer, "region"))
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["status"]: row["n"] for row in rows}


def consent_list(*, viewer: User) -> QuerySet[Consent]:
    return Consent.objects.filter(region_q(viewer, "region")).select_related("region")
