from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from jamsos.audit.forms import AuditFilterForm
from jamsos.audit.models import AuditEvent
from jamsos.audit.selectors import audit_event_list, audit_events_present, audit_object_types

PAGE_SIZE = 50


@require_GET
@login_required
@permission_required("audit.view_events", raise_exception=True)
def event_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        events = AuditEvent.objects.none()
    else:
        filters = form.filters() if form.is_bound else None
        events = audit_event_list(viewer=request.user, filters=filters)  # type: ignore[arg-type]
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = audit_events_present(page.object_list, request.user)  # type: ignore[arg-type]
    return render(
        request,
        "audit/event_list.html",
        {"form": form, "page": page, "object_types": audit_object_types()},
    )
