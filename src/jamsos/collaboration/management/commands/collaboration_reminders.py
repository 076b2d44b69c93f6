"""``jamsos collaboration_reminders``: action items due soon and overdue, per owner agency.

The list a reminder goes out from: items due within ``--days`` (default
``settings.COLLABORATION_REMINDER_DAYS``) and open items past their due date. With
``--send`` each item's reminder is queued in the messaging outbox for the active users of
its owner agency (e-mail and WhatsApp/SMS; ``jamsos send_messages`` delivers them); a
reminder already queued for the item and due date is not queued again. A reminder is
never recorded as the forum's own follow-through (FL-4 counts a person's escalation, so
an automatic message must not inflate it). Examples::

    jamsos collaboration_reminders --region 13.03
    jamsos collaboration_reminders --region 13.03 --days 3 --json
    jamsos collaboration_reminders --region 13.03 --send

``--json`` prints ``[{"agency", "item", "title", "due_on", "overdue_days"}]``.
Exit codes: 0 success; 2 bad usage.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.conf import settings
from django.core.management.base import CommandParser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from jamsos.accounts.models import User
from jamsos.collaboration.models import ActionItem
from jamsos.regions.management.commands._usage import UsageExitMixin, usage_error
from jamsos.regions.models import Region


def reminders_due(*, region: Region, today: dt.date, days: int) -> list[dict[str, Any]]:
    items = (
        ActionItem.objects.filter(
            Q(forum__region__code=region.code)
            | Q(forum__region__code__startswith=region.code + "."),
            status=ActionItem.Status.OPEN,
            due_on__lte=today + dt.timedelta(days=days),
        )
        .select_related("owner_agency")
        .order_by("owner_agency__name", "due_on", "pk")
    )
    return [
        {
            "agency": i.owner_agency.code,
            "item": i.pk,
            "title": i.title,
            "due_on": i.due_on.isoformat(),
            "overdue_days": max(0, (today - i.due_on).days),
        }
        for i in items
    ]


@transaction.atomic
def reminders_queue(*, region: Region, today: dt.date, days: int) -> int:
    """Queue the reminders of ``reminders_due`` in the outbox; returns messages queued."""
    from jamsos.messaging.events import action_item_due_notify

    queued = 0
    items = ActionItem.objects.filter(
        pk__in=[row["item"] for row in reminders_due(region=region, today=today, days=days)]
    ).select_related("forum", "owner_agency")
    for item in items:
        queued += action_item_due_notify(
            key=f"action_item:{item.pk}",
            title=item.title,
            due_on=item.due_on,
            users=User.objects.filter(agency=item.owner_agency, is_active=True),
            region_code=item.forum.region_id,
            forum=item.forum.name,
            object_id=str(item.pk),
        )
    return queued


class Command(UsageExitMixin):
    help = "Daftar tindak lanjut yang segera jatuh tempo dan yang terlambat, per instansi."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--region", required=True, help="Kode kabupaten, mis. 13.03.")
        parser.add_argument("--days", type=int, default=None, help="Jatuh tempo dalam N hari.")
        parser.add_argument("--json", action="store_true", help="Keluaran JSON.")
        parser.add_argument(
            "--send", action="store_true", help="Antrekan pengingat di kotak keluar pesan."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        region = Region.objects.filter(pk=options["region"]).first()
        if region is None:
            raise usage_error(f"Wilayah {options['region']} tidak dikenal.")
        days = options["days"]
        if days is None:
            days = int(getattr(settings, "COLLABORATION_REMINDER_DAYS", 3))
        if days < 0:
            raise usage_error("--days tidak boleh negatif.")
        today = timezone.localdate()
        rows = reminders_due(region=region, today=today, days=days)
        queued = reminders_queue(region=region, today=today, days=days) if options["send"] else 0
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for row in rows:
            state = f"terlambat {row['overdue_days']} hari" if row["overdue_days"] else "segera"
            self.stdout.write(f"{row['agency']}: {row['title']} (tenggat {row['due_on']}, {state})")
        self.stdout.write(f"{len(rows)} tindak lanjut.")
        if options["send"]:
            self.stdout.write(f"{queued} pesan pengingat masuk antrean.")
