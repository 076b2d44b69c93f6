from __future__ import annotations

from django.db.models import QuerySet

from jamsos.accounts.access import require_perm
from jamsos.accounts.models import User
from jamsos.audit.models import AuditEvent


def audit_event_list(*, viewer: User) -> QuerySet[AuditEvent]:
    """Events the viewer may read: those whose object lies in the viewer's scope.

    Events with no region (logins, system events) are shown only to superusers and admins.
    """
    require_perm(viewer, "audit.view_events")
    queryset = AuditEvent.objects.select_related("actor")
    if viewer.is_superuser:
        return queryset
    return queryset.visible_to(viewer.region_id or "")
