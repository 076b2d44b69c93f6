"""Outreach pages: events (list, record, detail, printable QR) and the JKM follow-ups.
Thin: parse the form, fetch through ``access_*``, call one service."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jamsos.audit.services import audit_record, personal_data_access_log
from jamsos.lib.errors import DomainError, NotFoundOrForbidden
from jamsos.lib.nik import nik_clean, nik_mask
from jamsos.lib.qr import qr_svg
from jamsos.outreach import access, selectors, services
from jamsos.outreach.forms import (
    DeathImportForm,
    DeathReportForm,
    EventEditForm,
    EventForm,
    FollowUpCloseForm,
    MaterialForm,
)
from jamsos.outreach.models import AudienceSegment, FollowUp
from jamsos.regions.models import Region
from jamsos.registry.models import Person

# Sign-in sheets and photos are personal data: served as downloads, never rendered inline.
MATERIAL_CSP = "sandbox; default-src 'none'"


def _get(fetch: Any, user: Any, pk: int) -> Any:
    try:
        return fetch(user, pk)
    except NotFoundOrForbidden as exc:
        raise Http404(exc.message) from exc


# --- Events ----------------------------------------------------------------------------------


@login_required
@permission_required("outreach.view_events", raise_exception=True)
def event_list(request: HttpRequest) -> HttpResponse:
    events = list(
        selectors.event_list(viewer=request.user, kind=request.GET.get("jenis", ""))[:200]
    )
    reach = selectors.village_reach(viewer=request.user)
    return render(
        request,
        "outreach/event_list.html",
        {
            "events": events,
            "reach": reach,
            "per_quarter": selectors.events_per_quarter(
                viewer=request.user, year=timezone.localdate().year
            ),
            "reach_months": settings.OUTREACH_REACH_MONTHS,
        },
    )


@login_required
@permission_required("outreach.manage_events", raise_exception=True)
def event_create(request: HttpRequest) -> HttpResponse:
    form = EventForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            event = services.event_create(
                acting_user=request.user,
                title=data["title"],
                kind=data["kind"],
                held_on=data["held_on"],
                place=data["place"],
                village=Region.objects.get(pk=data["village"]),
                organiser=data["organiser"],
                co_organisers=list(data["co_organisers"]),
                obligation_code=data["obligation_code"],
                audience_segments=data["audience_segments"],
                attendance_male=data["attendance_male"] or 0,
                attendance_female=data["attendance_female"] or 0,
                attendance_total=data["attendance_total"] or None,
                notes=data["notes"],
                officials=[
                    services.OfficialData(agency_id=int(a), level=level, position=position)
                    for a, level, position in data["officials"]
                ],
            )
        except NotFoundOrForbidden as exc:
            raise Http404(exc.message) from exc
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Kegiatan %(code)s dicatat.") % {"code": event.code})
            return redirect("outreach:event_detail", pk=event.pk)
    return render(request, "outreach/event_form.html", {"form": form})


@login_required
@permission_required("outreach.manage_events", raise_exception=True)
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a recorded event (``services.event_update``: what may change and why)."""
    event = _get(access.access_event, request.user, pk)
    form = EventEditForm(request.POST or None, user=request.user, event=event)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.event_update(
                event=event,
                acting_user=request.user,
                title=data["title"],
                held_on=data["held_on"],
                place=data["place"],
                village=Region.objects.get(pk=data["village"]),
                organiser=data["organiser"],
                co_organisers=list(data["co_organisers"]),
                notes=data["notes"],
            )
        except NotFoundOrForbidden as exc:
            raise Http404(exc.message) from exc
        except DomainError as exc:
            field = exc.params.get("field")
            form.add_error(field if field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Kegiatan %(code)s diubah.") % {"code": event.code})
            return redirect("outreach:event_detail", pk=event.pk)
    return render(request, "outreach/event_edit.html", {"form": form, "event": event})


@login_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = _get(access.access_event, request.user, pk)
    may_manage = request.user.has_perm("outreach.manage_events")
    personal_ok = access.may_open_personal_material(request.user)
    materials = [m for m in event.materials.all() if personal_ok or not m.is_personal]
    segments = dict(AudienceSegment.choices)
    return render(
        request,
        "outreach/event_detail.html",
        {
            "event": event,
            "conversion": selectors.event_conversion(event),
            "materials": materials,
            "hidden_materials": len(event.materials.all()) - len(materials),
            "segments": [segments.get(s, s) for s in event.audience_segments],
            "material_form": MaterialForm() if may_manage else None,
            "may_edit": may_manage,
        },
    )


@login_required
@require_POST
def material_upload(request: HttpRequest, pk: int) -> HttpResponse:
    event = _get(access.access_event, request.user, pk)
    form = MaterialForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Pilih jenis dan berkas."))
        return redirect("outreach:event_detail", pk=event.pk)
    try:
        services.material_upload(
            event=event,
            kind=form.cleaned_data["kind"],
            title=form.cleaned_data["title"],
            upload=form.cleaned_data["file"],
            acting_user=request.user,
        )
    except NotFoundOrForbidden as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Berkas diunggah."))
    return redirect("outreach:event_detail", pk=event.pk)


@login_required
def material_download(request: HttpRequest, pk: int) -> FileResponse:
    material = _get(access.access_material, request.user, pk)
    if material.is_personal:
        audit_record(
            action="outreach.material.downloaded",
            acting_user=request.user,
            obj=material.event,
            data={"material": material.pk, "kind": material.kind},
        )
    response = FileResponse(
        material.file.open("rb"),
        as_attachment=True,
        filename=material.file_name,
        content_type=material.content_type,
    )
    response["Content-Security-Policy"] = MATERIAL_CSP
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def event_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable page: the event's code as a QR that opens the proposal form with the
    code filled in, to stick on the proposal sheets and show at the event."""
    event = _get(access.access_event, request.user, pk)
    link = request.build_absolute_uri(f"{reverse('intake:person_propose')}?kegiatan={event.code}")
    return render(
        request,
        "outreach/event_qr.html",
        {
            "event": event,
            "link": link,
            # Built from the code and our own URL only, escaped in qr_svg: safe markup.
            "qr": mark_safe(qr_svg(link, size_mm=60, title=event.code)),  # noqa: S308
        },
    )


# --- Follow-ups ----------------------------------------------------------------------------


@login_required
@permission_required("outreach.view_followups", raise_exception=True)
def followup_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", FollowUp.Status.OPEN)
    if status not in FollowUp.Status.values and status != "semua":
        status = FollowUp.Status.OPEN
    followups = list(
        selectors.followup_list(viewer=request.user, status="" if status == "semua" else status)[
            :200
        ]
    )
    personal_data_access_log(
        viewer=request.user,
        persons=[(f.person_id, f.person.nik) for f in followups],
        purpose="Daftar tindak lanjut klaim JKM",
        fields=("full_name", "nik", "village", "deceased_on"),
        path=request.path,
    )
    return render(
        request,
        "outreach/followup_list.html",
        {
            "followups": followups,
            "status": status,
            "statuses": FollowUp.Status.choices,
            "close_form": FollowUpCloseForm(),
            "may_close": request.user.has_perm("outreach.report_death"),
            "may_confirm": request.user.has_perm("outreach.confirm_death"),
            "may_report_claim": request.user.has_perm("claims.report_claim"),
        },
    )


@login_required
@require_POST
def followup_close(request: HttpRequest, pk: int) -> HttpResponse:
    followup = _get(access.access_followup, request.user, pk)
    form = FollowUpCloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Pilih alasan."))
        return redirect("outreach:followup_list")
    try:
        services.followup_close(
            followup=followup,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            acting_user=request.user,
        )
    except NotFoundOrForbidden as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Tindak lanjut ditutup."))
    return redirect("outreach:followup_list")


@login_required
@permission_required("outreach.confirm_death", raise_exception=True)
@require_POST
def death_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """A second person confirms an agent's death report: the person is recorded deceased
    and their cover ends."""
    followup = _get(access.access_followup, request.user, pk)
    try:
        services.death_report_confirm(
            followup=followup, note=request.POST.get("note", ""), acting_user=request.user
        )
    except NotFoundOrForbidden as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Kematian dikonfirmasi; kepesertaan diakhiri."))
    return redirect("outreach:followup_list")


@login_required
@permission_required("outreach.report_death", raise_exception=True)
def death_report(request: HttpRequest) -> HttpResponse:
    form = DeathReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        nik = nik_clean(form.cleaned_data["nik"])
        person = Person.objects.filter(nik=nik).first()
        try:
            if person is None:
                raise NotFoundOrForbidden(_("Peserta tidak ditemukan."))
            followup = services.death_report(
                person=person,
                died_on=form.cleaned_data["died_on"],
                acting_user=request.user,
                note=form.cleaned_data["note"],
            )
        except NotFoundOrForbidden:
            form.add_error(
                "nik",
                _("Peserta dengan NIK %(nik)s tidak ditemukan di wilayah Anda.")
                % {"nik": nik_mask(nik)},
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Kematian %(name)s dicatat; tindak lanjut klaim JKM: %(status)s.")
                % {"name": followup.person.full_name, "status": followup.get_status_display()},
            )
            return redirect("outreach:followup_list")
    return render(request, "outreach/death_report.html", {"form": form})


@login_required
@permission_required("outreach.import_deaths", raise_exception=True)
def death_import(request: HttpRequest) -> HttpResponse:
    form = DeathImportForm(request.POST or None, request.FILES or None)
    summary = None
    errors: list[Any] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            summary = services.deaths_import(
                data=upload,
                file_name=upload.name,
                acting_user=request.user,
                dry_run=form.cleaned_data["dry_run"],
            )
        except services.DeathListInvalid as exc:
            errors = exc.errors
        except DomainError as exc:
            form.add_error("file", exc.message)
    return render(
        request,
        "outreach/death_import.html",
        {"form": form, "summary": summary, "errors": errors[:200], "error_count": len(errors)},
    )
