from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from jamsos.lib.nik import SEX_LABELS
from jamsos.regions import selectors
from jamsos.regions.forms import NikCheckForm


@login_required
@permission_required("intake.propose", raise_exception=True)
@require_http_methods(["GET", "POST"])
def nik_check(request: HttpRequest) -> HttpResponse:
    """Cek NIK: the form, and the answer as the operator types (htmx swaps the partial).

    POST, not GET, so that NIKs stay out of URLs, browser history and access logs.
    """
    form = NikCheckForm(request.POST if request.method == "POST" else None)
    context: dict[str, object] = {"form": form, "result": None}
    if form.is_valid() and form.cleaned_data["nik"].strip():
        result = selectors.nik_check(
            form.cleaned_data["nik"],
            birth_date=form.cleaned_data["birth_date"],
            sex=form.cleaned_data["sex"] or None,
        )
        context.update(
            result=result,
            nik_grouped=" ".join(result.nik[i : i + 4] for i in range(0, len(result.nik), 4)),
            sex_label=gettext(SEX_LABELS[result.sex]) if result.sex else "",
            errors=[(code, result.message(code, translate=gettext)) for code in result.errors],
            warnings=[(code, result.message(code, translate=gettext)) for code in result.warnings],
        )
    template = "regions/_nik_result.html" if request.htmx else "regions/nik_check.html"
    return render(request, template, context)
