"""The outbox pages: every message and its fate (failed ones first to the eye), retry and
cancel; the recipients' consent. Thin: fetch through ``access_*``, call one service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jamsos.lib.errors import DomainError, NotFoundOrForbidden
from jamsos.messaging import access, selectors, services
from jamsos.messaging.forms import CancelForm, ConsentForm
from jamsos.messaging.models import Channel, Message


@login_required
@permission_required("messaging.view_messages", raise_exception=True)
def message_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in Message.Status.values:
        status = ""
    channel = request.GET.get("saluran", "")
    if channel not in Channel.values:
        channel = ""
    rows = list(selectors.message_list(viewer=request.user, status=status, channel=channel)[:200])
    counts = selectors.message_counts(viewer=request.user)
    return render(
        request,
        "messaging/message_list.html",
        {
            "rows": rows,
            "status": status,
            "statuses": [
                (value, label, counts.get(value, 0)) for value, label in Message.Status.choices
            ],
            "may_manage": request.user.has_perm("messaging.manage_messages"),
        },
    )


def _staff_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    try:
        message = access.access_message(request.user, pk)
        if action == "retry":
            services.message_retry(message=message, acting_user=request.user)
            messages.success(request, _("Pesan masuk antrean lagi."))
        else:
            form = CancelForm(request.POST)
            reason = form.data.get("reason", "")
            services.message_cancel(message=message, reason=str(reason), acting_user=request.user)
            messages.success(request, _("Pesan dibatalkan."))
    except NotFoundOrForbidden as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("messaging:message_list")


@login_required
@permission_required("messaging.manage_messages", raise_exception=True)
@require_POST
def message_retry(request: HttpRequest, pk: int) -> HttpResponse:
    return _staff_action(request, pk, "retry")


@login_required
@permission_required("messaging.manage_messages", raise_exception=True)
@require_POST
def message_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _staff_action(request, pk, "cancel")


@login_required
@permission_required("messaging.manage_consent", raise_exception=True)
def consent_list(request: HttpRequest) -> HttpResponse:
    form = ConsentForm(request.POST or None, initial={"given_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_record(acting_user=request.user, **form.cleaned_data)
        except NotFoundOrForbidden as exc:
            raise Http404(exc.message) from exc
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Persetujuan dicatat."))
            return redirect("messaging:consent_list")
    return render(
        request,
        "messaging/consent_list.html",
        {"form": form, "rows": list(selectors.consent_list(viewer=request.user)[:200])},
    )
