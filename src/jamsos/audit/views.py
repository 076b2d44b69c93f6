from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jamsos.audit.selectors import audit_event_list


@login_required
@permission_required("audit.view_events", raise_exception=True)
def event_list(request: HttpRequest) -> HttpResponse:
    events = audit_event_list(viewer=request.user)[:200]
    return render(request, "audit/event_list.html", {"events": events})
