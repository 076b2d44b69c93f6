from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from jamsos.audit.models import AuditEvent
from jamsos.audit.services import nik_access_log
from jamsos.lib.errors import NotFoundOrForbidden, PermissionDenied
from jamsos.lib.nik import nik_mask
from jamsos.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db

TEMPLATE = Template("{% load nik %}[{% nik_full person %}][{% nik_full person purpose='x' %}]")


def render(user, person) -> str:
    request = RequestFactory().get("/peserta/1/")
    request.user = user
    return TEMPLATE.render(Context({"request": request, "person": person}))


def viewed() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="registry.person.nik_viewed"))


@pytest.fixture
def person(personas):
    return PersonFactory()


def test_access_log_records_viewer_person_and_purpose_without_the_nik(personas, person):
    event = nik_access_log(viewer=personas.dinas_operator, person=person, purpose="verifikasi")
    assert event.actor == personas.dinas_operator
    assert (event.object_type, event.object_id) == ("registry.person", str(person.pk))
    assert event.region_code == person.village_id
    assert event.data == {"purpose": "verifikasi"}
    assert person.nik not in str(event.data) + str(event.before) + str(event.after)


def test_access_log_refuses_viewers_who_may_not_see_the_nik(personas, person):
    with pytest.raises(PermissionDenied):
        nik_access_log(viewer=personas.kecamatan_operator, person=person, purpose="x")
    with pytest.raises(NotFoundOrForbidden):
        nik_access_log(viewer=personas.outsider, person=person, purpose="x")
    assert viewed() == []


@pytest.mark.parametrize("name", ["dinas_operator", "dinas_head", "bpjs_officer"])
def test_tag_reveals_and_logs_once_per_request(personas, person, name):
    user = getattr(personas, name)
    assert render(user, person) == f"[{person.nik}][{person.nik}]"
    events = viewed()
    assert len(events) == 1
    assert events[0].actor == user
    assert events[0].data == {"purpose": "/peserta/1/"}


@pytest.mark.parametrize(
    "name", ["kecamatan_operator", "agent", "executive", "dprd", "admin", "outsider"]
)
def test_tag_masks_for_everyone_else_and_logs_nothing(personas, person, name):
    assert render(getattr(personas, name), person) == f"[{nik_mask(person.nik)}]" * 2
    assert viewed() == []


def test_tag_masks_for_anonymous_visitors(person):
    from django.contrib.auth.models import AnonymousUser

    assert render(AnonymousUser(), person) == f"[{nik_mask(person.nik)}]" * 2
    assert viewed() == []
