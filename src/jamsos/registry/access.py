"""Permission-checked fetches of registry objects (STYLE.md 15, 17)."""

from __future__ import annotations

from django.utils.translation import gettext

from jamsos.accounts.access import may_see_persons, scope_queryset
from jamsos.accounts.models import User
from jamsos.lib.errors import NotFoundOrForbidden
from jamsos.registry.models import Person


def access_person(viewer: User, pk: int, *, for_write: bool = False) -> Person:
    """A person in the viewer's scope; out of scope and missing look the same (404).

    DPRD and the executive never see a person, so for them every person is "not found".
    """
    if not may_see_persons(viewer):
        raise NotFoundOrForbidden(gettext("Peserta tidak ditemukan."))
    queryset = scope_queryset(
        viewer,
        Person.objects.select_related("village", "village__parent", "occupation"),
        "village",
    )
    if for_write:
        queryset = queryset.select_for_update(of=("self",))
    person = queryset.filter(pk=pk).first()
    if person is None:
        raise NotFoundOrForbidden(gettext("Peserta tidak ditemukan."))
    return person
