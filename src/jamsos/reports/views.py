"""Report pages: coverage maps and charts per area, targets, publications.

Aggregates only: every figure comes from ``selectors``/``charts`` (the summary table),
never a person, so DPRD and the Bupati can open every page here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from jamsos.lib.csvio import csv_bytes
from jamsos.lib.errors import DomainError, NotFoundOrForbidden
from jamsos.regions.models import Region
from jamsos.reports import access, selectors
from jamsos.reports.charts import chart_by_key, charts_cached
from jamsos.reports.forms import PeriodForm, PublishForm, TargetUploadForm
from jamsos.reports.maps import coverage_map_svg
from jamsos.reports.models import EligibleTarget, Publication
from jamsos.reports.services import TargetImportError
from jamsos.reports.targets import targets_import

PERM = "reports.view_aggregates"


def _region(request: HttpRequest, code: str) -> Region:
    try:
        return access.access_report_region(request.user, code)
    except NotFoundOrForbidden as exc:
        raise Http404 from exc


def _period(request: HttpRequest) -> tuple[int, int]:
    form = PeriodForm(request.GET or None)
    today = timezone.localdate()
    if request.GET and form.is_valid():
        year = form.cleaned_data["year"] or today.year
        month = form.cleaned_data["month"] or selectors.default_month(year)
        return year, int(month)
    return today.year, today.month


def area_href(area: Any) -> str:
    return reverse("reports:area", args=[area.code])


def area_context(region: Region, year: int, month: int, viewer: Any) -> dict[str, Any]:
    """What the area page and the Bupati's home show: coverage, maps, the four
    transparency figures and the charts."""
    coverage = selectors.coverage_areas(region=region, year=year, month=month, viewer=viewer)
    context: dict[str, Any] = {
        "region": region,
        "year": year,
        "month": month,
        "coverage": coverage,
        "figures": selectors.transparency_figures(region=region, year=year, month=month),
        "charts": charts_cached(region=region, year=year),
        "map_kecamatan": "",
        "map_nagari": "",
        "nagari": None,
    }
    if region.level == Region.Level.REGENCY:
        context["map_kecamatan"] = coverage_map_svg(
            coverage,
            level=Region.Level.DISTRICT,
            title=gettext("Cakupan per kecamatan"),
            href=area_href,
        )
        nagari = selectors.coverage_areas(
            region=region, year=year, month=month, viewer=viewer, by="villages"
        )
        context["nagari"] = nagari
        context["map_nagari"] = coverage_map_svg(
            nagari, level=Region.Level.VILLAGE, title=gettext("Cakupan per nagari"), href=area_href
        )
    elif region.level == Region.Level.DISTRICT:
        context["map_nagari"] = coverage_map_svg(
            coverage,
            level=Region.Level.VILLAGE,
            title=gettext("Cakupan per nagari"),
            href=area_href,
        )
    return context


@login_required
@permission_required(PERM, raise_exception=True)
def index(request: HttpRequest) -> HttpResponse:
    region = access.home_region(request.user)
    if region is None:
        raise DjangoPermissionDenied
    return redirect("reports:area", code=region.code)


@login_required
@permission_required(PERM, raise_exception=True)
def area(request: HttpRequest, code: str) -> HttpResponse:
    region = _region(request, code)
    year, month = _period(request)
    context = area_context(region, year, month, request.user)
    context["period_form"] = PeriodForm(initial={"year": year, "month": month})
    context["publications"] = Publication.objects.filter(region_id=region.code[:5])[:10]
    context["may_publish"] = request.user.has_perm("reports.publish")
    context["publish_form"] = PublishForm(initial={"period": f"{year}-{month:02d}"})
    return render(request, "reports/area.html", context)


@login_required
@permission_required(PERM, raise_exception=True)
def chart_csv(request: HttpRequest, code: str, key: str) -> HttpResponse:
    region = _region(request, code)
    year, _month = _period(request)
    chart = chart_by_key(region=region, year=year, key=key)
    if chart is None:
        raise Http404
    response = HttpResponse(csv_bytes(chart.csv_rows()), content_type="text/csv; charset=utf-8")
    name = f"jamsos-{key}-{region.code}-{year}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@permission_required(PERM, raise_exception=True)
def coverage_csv(request: HttpRequest, code: str) -> HttpResponse:
    region = _region(request, code)
    year, month = _period(request)
    by = "villages" if request.GET.get("by") == "villages" else "children"
    coverage = selectors.coverage_areas(
        region=region, year=year, month=month, viewer=request.user, by=by
    )
    rows: list[list[Any]] = [
        ["kode", "nama", "aktif", "sasaran", "cakupan", "minimum_nagari", "dibiayai_apb_nagari"]
    ]
    rows += [
        [
            a.code,
            a.name,
            a.active,
            a.eligible,
            a.coverage,
            a.nagari_minimum,
            a.nagari_funded_active,
        ]
        for a in coverage.areas
    ]
    rows.append(
        [region.code, region.name, coverage.active, coverage.eligible, coverage.coverage, "", ""]
    )
    rows.append([gettext("Rumus"), str(selectors.FORMULA), "", "", "", "", ""])
    rows.append([gettext("Sumber"), coverage.source, "", "", "", "", ""])
    response = HttpResponse(csv_bytes(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="jamsos-cakupan-{region.code}-{year}-{month:02d}.csv"'
    )
    return response


@login_required
@permission_required(PERM, raise_exception=True)
def targets(request: HttpRequest) -> HttpResponse:
    region = access.home_region(request.user)
    year, _month = _period(request)
    rows = EligibleTarget.objects.select_related("region").filter(year=year).order_by("region_id")
    if region is not None:
        rows = rows.filter(region__code__startswith=region.code[:5])
    form = TargetUploadForm()
    errors: list[str] = []
    if request.method == "POST":
        if not request.user.has_perm("reports.manage_targets"):
            raise DjangoPermissionDenied
        form = TargetUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                # The upload itself: size-checked again before it is read.
                result = targets_import(upload, file_name=upload.name, acting_user=request.user)
            except TargetImportError as exc:
                errors = exc.errors
                messages.error(request, exc.message)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    gettext("%(c)s sasaran baru, %(u)s diganti.")
                    % {"c": result.created, "u": result.updated},
                )
                return redirect("reports:targets")
    context = {
        "targets": rows[:500],
        "form": form if request.user.has_perm("reports.manage_targets") else None,
        "errors": errors,
        "formula": selectors.FORMULA,
        "year": year,
        "years": sorted(set(EligibleTarget.objects.values_list("year", flat=True)), reverse=True),
    }
    return render(request, "reports/targets.html", context)


@login_required
@permission_required("reports.publish", raise_exception=True)
@require_POST
def publish(request: HttpRequest, code: str) -> HttpResponse:
    from jamsos.reports.tasks import publication_generate_task

    region = _region(request, code)
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Periode atau jenis laporan tidak sah."))
        return redirect("reports:area", code=region.code)
    data = form.cleaned_data
    publication_generate_task.enqueue(
        data["kind"], data["format"], region.code[:5], data["period"], request.user.pk
    )
    messages.success(
        request, gettext("Laporan sedang dibuat; muncul di daftar publikasi setelah selesai.")
    )
    return redirect("reports:area", code=region.code)


@login_required
@permission_required(PERM, raise_exception=True)
def publication_download(request: HttpRequest, pk: int) -> FileResponse:
    try:
        publication = access.access_publication(request.user, pk)
    except NotFoundOrForbidden as exc:
        raise Http404 from exc
    name = f"jamsos-{publication.kind}-{publication.period}.{publication.format}"
    return FileResponse(publication.file.open("rb"), as_attachment=True, filename=name)
