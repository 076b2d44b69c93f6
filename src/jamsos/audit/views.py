from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from jamsos.audit.exports import access_log_xlsx
from jamsos.audit.forms import AccessLogSearchForm, AuditFilterForm
from jamsos.audit.models import AuditEvent
from jamsos.audit.selectors import (
    audit_event_list,
    audit_events_present,
    audit_object_types,
    personal_data_access_for_nik,
)
from jamsos.audit.services import personal_data_access_search_record
from jamsos.lib.errors import DomainError

PAGE_SIZE = 50
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


@login_required
@permission_required("audit.view_access_log", raise_exception=True)
def access_log(request: HttpRequest) -> HttpResponse:
    """A citizen's "who looked at my data", answered by NIK on the page or as xlsx."""
    form = AccessLogSearchForm(request.POST or None)
    answer, error = None, ""
    if request.method == "POST" and form.is_valid():
        viewer = request.user
        try:
            answer = personal_data_access_for_nik(viewer=viewer, nik=form.cleaned_data["nik"])  # type: ignore[arg-type]
        except DomainError as exc:
            error = exc.message
        else:
            personal_data_access_search_record(
                viewer=viewer,  # type: ignore[arg-type]
                nik=answer.nik,
                found=len(answer.accesses),
            )
            if request.POST.get("format") == "xlsx":
                response = HttpResponse(access_log_xlsx(answer), content_type=XLSX_CONTENT_TYPE)
                response["Content-Disposition"] = 'attachment; filename="akses-data-pribadi.xlsx"'
                return response
    return render(
        request, "audit/access_log.html", {"form": form, "answer": answer, "error": error}
    )
