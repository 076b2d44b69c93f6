"""Registry pages: the scoped, masked person list and the person detail."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jamsos.lib.nik import nik_mask
from jamsos.regions.models import Region
from jamsos.registry.models import Occupation
from jamsos.testing.factories import PersonFactory
from jamsos.testing.personas import AGENT_NAGARI

pytestmark = pytest.mark.django_db

LIST = reverse("registry:person_list")


def _other_kecamatan_village() -> Region:
    return Region.objects.filter(level="village", code__startswith="13.03.04.").first()


def _padang_village() -> Region:
    return Region.objects.filter(level="village", code__startswith="13.71.").first()


@pytest.fixture
def people(personas):
    return {
        "here": PersonFactory(full_name="Siti Rahmah"),  # agent's nagari, Tanjung Gadang
        "kec": PersonFactory(full_name="Budi Santoso", village=_other_kecamatan_village()),
        "padang": PersonFactory(full_name="Rina Padang", village=_padang_village()),
    }


def _login(client, user):
    client.force_login(user)
    return client


def test_operator_sees_regency_persons_with_masked_nik(client, personas, people):
    response = _login(client, personas.dinas_operator).get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Siti Rahmah" in html and "Budi Santoso" in html
    assert "Rina Padang" not in html
    nik = people["here"].nik
    assert nik_mask(nik) in html
    assert nik not in html
    assert response.context["page"].paginator.count == 2


def test_kecamatan_operator_sees_only_own_kecamatan(client, personas, people):
    response = _login(client, personas.kecamatan_operator).get(LIST)
    names = [p.full_name for p in response.context["page"]]
    assert names == ["Siti Rahmah"]


def test_outsider_sees_only_own_region(client, personas, people):
    response = _login(client, personas.outsider).get(LIST)
    assert [p.full_name for p in response.context["page"]] == ["Rina Padang"]
    detail = client.get(reverse("registry:person_detail", args=[people["here"].pk]))
    assert detail.status_code == 404


@pytest.mark.parametrize("role", ["dprd", "executive", "agent"])
def test_roles_without_person_access_get_404(client, personas, people, role):
    _login(client, getattr(personas, role))
    assert client.get(LIST).status_code == 404
    detail = client.get(reverse("registry:person_detail", args=[people["here"].pk]))
    assert detail.status_code == 404


def test_anonymous_is_sent_to_login(client, people):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


def test_search_by_name_and_by_nik(client, personas, people):
    _login(client, personas.dinas_operator)
    by_name = client.get(LIST, {"q": "rahmah"})
    assert [p.full_name for p in by_name.context["page"]] == ["Siti Rahmah"]
    nik = people["kec"].nik
    spaced = f"{nik[:6]} {nik[6:12]} {nik[12:]}"
    by_nik = client.get(LIST, {"q": spaced})
    assert [p.full_name for p in by_nik.context["page"]] == ["Budi Santoso"]
    by_prefix = client.get(LIST, {"q": nik[:6]})
    assert "Budi Santoso" in [p.full_name for p in by_prefix.context["page"]]
    # searching a NIK outside the scope finds nothing
    outside = client.get(LIST, {"q": people["padang"].nik})
    assert list(outside.context["page"]) == []


def test_filter_by_village_and_occupation(client, personas, people):
    nelayan = Occupation.objects.get(code="nelayan")
    PersonFactory(full_name="Ali Nelayan", occupation=nelayan)
    _login(client, personas.dinas_operator)
    by_village = client.get(LIST, {"village": AGENT_NAGARI})
    assert {p.full_name for p in by_village.context["page"]} == {"Siti Rahmah", "Ali Nelayan"}
    by_district = client.get(LIST, {"village": "13.03.04"})
    assert [p.full_name for p in by_district.context["page"]] == ["Budi Santoso"]
    by_job = client.get(LIST, {"occupation": "nelayan"})
    assert [p.full_name for p in by_job.context["page"]] == ["Ali Nelayan"]
    html = by_job.content.decode()
    assert 'value="nelayan" selected' in html


def test_list_is_paginated_with_bounded_queries(client, personas, django_assert_max_num_queries):
    PersonFactory.create_batch(30)
    _login(client, personas.dinas_operator)
    with django_assert_max_num_queries(8):
        first = client.get(LIST)
    assert len(first.context["page"]) == 25
    assert first.context["page"].paginator.count == 30
    second = client.get(LIST, {"page": 2})
    assert len(second.context["page"]) == 5
    assert "page=1" in second.content.decode()


def test_detail_shows_person_and_masks_nik_for_kecamatan_operator(client, personas, people):
    person = people["here"]
    response = _login(client, personas.kecamatan_operator).get(
        reverse("registry:person_detail", args=[person.pk])
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Siti Rahmah" in html and person.village.name in html
    assert nik_mask(person.nik) in html and person.nik not in html


def test_detail_of_other_kecamatan_is_404_for_kecamatan_operator(client, personas, people):
    _login(client, personas.kecamatan_operator)
    response = client.get(reverse("registry:person_detail", args=[people["kec"].pk]))
    assert response.status_code == 404


def test_menu_shows_registry_only_to_roles_that_see_persons(client, personas):
    url = LIST
    assert url in _login(client, personas.dinas_operator).get("/").content.decode()
    assert url not in _login(client, personas.dprd).get("/").content.decode()


def test_detail_shows_full_nik_to_operator_and_logs_it(client, personas, people):
    from jamsos.audit.models import AuditEvent

    person = people["here"]
    url = reverse("registry:person_detail", args=[person.pk])
    response = _login(client, personas.dinas_operator).get(url)
    assert person.nik in response.content.decode()
    events = AuditEvent.objects.filter(
        action="registry.person.nik_viewed", object_id=str(person.pk)
    )
    assert events.count() == 1
    assert events.get().actor == personas.dinas_operator
