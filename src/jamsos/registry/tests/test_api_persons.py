"""REST API of the registry: the same scope as the UI, NIK always masked."""

from __future__ import annotations

import pytest

from jamsos.lib.nik import nik_mask
from jamsos.regions.models import Region
from jamsos.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db

URL = "/api/registry/persons"


@pytest.fixture
def people(personas):
    padang = Region.objects.filter(level="village", code__startswith="13.71.").first()
    return {
        "here": PersonFactory(full_name="Siti Rahmah", phone="+6281234567890"),
        "padang": PersonFactory(full_name="Rina Padang", village=padang),
    }


def test_list_is_scoped_and_masked(client, personas, people):
    client.force_login(personas.dinas_operator)
    body = client.get(URL).json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["full_name"] == "Siti Rahmah"
    assert item["nik_masked"] == nik_mask(people["here"].nik)
    assert people["here"].nik not in str(body)
    assert item["village_code"] == people["here"].village_id


def test_list_filters_and_pages(client, personas, people, django_assert_max_num_queries):
    PersonFactory.create_batch(5)
    client.force_login(personas.dinas_operator)
    with django_assert_max_num_queries(6):
        body = client.get(URL, {"page_size": 4, "page": 2}).json()
    assert body["count"] == 6 and len(body["items"]) == 2
    assert client.get(URL, {"q": "rahmah"}).json()["count"] == 1
    assert client.get(URL, {"occupation": "nelayan"}).json()["count"] == 0


def test_detail_masks_nik_and_phone(client, personas, people):
    client.force_login(personas.dinas_operator)
    body = client.get(f"{URL}/{people['here'].pk}").json()
    assert body["nik_masked"] == nik_mask(people["here"].nik)
    assert body["phone_masked"] == "+628********90"
    assert "+6281234567890" not in str(body)


def test_out_of_scope_person_is_404(client, personas, people):
    client.force_login(personas.dinas_operator)
    response = client.get(f"{URL}/{people['padang'].pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("role", ["dprd", "executive"])
def test_aggregate_roles_never_see_persons(client, personas, people, role):
    client.force_login(getattr(personas, role))
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}/{people['here'].pk}").status_code == 404


def test_anonymous_gets_401(client, people):
    assert client.get(URL).status_code == 401


def test_bad_query_gets_422(client, personas):
    client.force_login(personas.dinas_operator)
    assert client.get(URL, {"page": 0}).status_code == 422
