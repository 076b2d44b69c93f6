from __future__ import annotations

from importlib.util import find_spec

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from jamsos.accounts.access import may_see_persons
from jamsos.accounts.models import User
from jamsos.audit.services import PERSON_DETAIL_FIELDS, personal_data_access_log
from jamsos.lib.errors import NotFoundOrForbidden
from jamsos.lib.pagination import list_page
from jamsos.registry import selectors
from jamsos.registry.access import access_person
from jamsos.registry.forms import PersonFilterForm

PAGE_SIZE = 25
NIK_FULL_TAGS = "jamsos.audit.templatetags.nik"


def _nik_partial(user: User) -> str:
    """The full-NIK partial only for roles allowed to see it and only when the audit app's
    ``nik_full`` tag (which logs an access event) exists; otherwise the masked NIK."""
    if user.has_perm("registry.view_full_nik") and find_spec(NIK_FULL_TAGS) is not None:
        return "registry/_nik_full.html"
    return "registry/_nik_masked.html"


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    if not may_see_persons(request.user):
        raise Http404
    form = PersonFilterForm(request.GET or None, viewer=request.user)
    filters = form.filters()
    persons = selectors.person_list(viewer=request.user, filters=filters)
    page = list_page(
        persons,
        order=selectors.PERSON_ORDER,
        page_size=PAGE_SIZE,
        page=request.GET.get("page"),
        after=request.GET.get("after", ""),
        exact_count=request.GET.get("count") == "exact",
    )
    context = {"page": page, "filters": filters, "form": form}
    return render(request, "registry/person_list.html", context)


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        person = access_person(request.user, pk)
    except NotFoundOrForbidden as exc:
        raise Http404(exc.message) from exc
    personal_data_access_log(
        viewer=request.user,  # type: ignore[arg-type]
        persons=[(person.pk, person.nik)],
        purpose="registry:person_detail",
        fields=PERSON_DETAIL_FIELDS,
        path=request.path,
    )
    context = {
        "person": person,
        "nik_partial": _nik_partial(request.user),
        "heirs": person.heirs.all(),
        "proposals": selectors.person_proposal_rows(person=person),
    }
    return render(request, "registry/person_detail.html", context)
