"""Pages of generated files, for every export kind: status (polled), download, retry."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jamsos.lib.errors import DomainError, NotFoundOrForbidden
from jamsos.worker import files, services


def _not_found_as_404(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFoundOrForbidden as exc:
            raise Http404(exc.message) from exc

    return wrapper


@login_required
@require_GET
@_not_found_as_404
def generated_file_detail(request: HttpRequest, pk: int) -> HttpResponse:
    generated = files.access_generated_file(request.user, pk)  # type: ignore[arg-type]
    return render(request, "worker/generated_file.html", {"generated": generated})


@login_required
@require_GET
@_not_found_as_404
def generated_file_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The status partial: polls itself every second while the file is being built;
    once ready it renders the download link without the trigger (polling stops)."""
    generated = files.access_generated_file(request.user, pk)  # type: ignore[arg-type]
    return render(request, "worker/_generated_file_progress.html", {"generated": generated})


@login_required
@require_GET
@_not_found_as_404
def generated_file_download(request: HttpRequest, pk: int) -> HttpResponse:
    generated = files.access_generated_file(request.user, pk)  # type: ignore[arg-type]
    path = files.generated_file_path(generated)
    if generated.status != generated.Status.READY or not path.is_file():
        raise Http404
    files.generated_file_download_record(
        generated=generated,
        viewer=request.user,  # type: ignore[arg-type]
        path=request.path,
    )
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=generated.file_name,
        content_type=generated.content_type,
    )


@login_required
@require_POST
@_not_found_as_404
def generated_file_retry(request: HttpRequest, pk: int) -> HttpResponse:
    generated = files.access_generated_file(request.user, pk)  # type: ignore[arg-type]
    try:
        services.generated_file_retry(generated=generated, acting_user=request.user)  # type: ignore[arg-type]
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.info(request, _("Berkas sedang disiapkan lagi."))
    return redirect("worker:generated_file_detail", pk=pk)
