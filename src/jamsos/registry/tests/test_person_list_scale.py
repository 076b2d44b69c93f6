"""The person list at scale (issue 15): seek pages, bounded counts, indexed name search.

The same answers as the plain queries they replace: every page walk equals the ordered
list, the indexed name search equals ``icontains``, counts are exact when small.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from jamsos.lib import pagination
from jamsos.lib.pagination import count_bounded, cursor_encode, list_page
from jamsos.registry import selectors
from jamsos.registry.models import Person
from jamsos.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db

LIST = reverse("registry:person_list")
NAMES = [
    "Nurhayati", "Nur Hayati", "NURHAYATI CHANIAGO", "Siti Nurhayati", "Muhammad Yusuf",
    "M. Yusuf", "Muh. Yusuf Datuak Rajo", "Sutan Malin", "Rahmat Piliang", "Yusuf 50%",
    "Ali_Akbar", "Élvi Koto",
]  # fmt: skip


@pytest.fixture
def named(personas):
    persons = [PersonFactory(full_name=name) for name in NAMES]
    # Equal names: the order's tie-break (pk) must hold across pages.
    persons += [PersonFactory(full_name="Same Name") for _ in range(7)]
    return persons


def _plain(term: str) -> set[int]:
    return set(Person.objects.filter(full_name__icontains=term).values_list("pk", flat=True))


@pytest.mark.parametrize(
    "term",
    ["hayati", "Nur Hayati", "NURHAYATI", "yusuf", "M. Yusuf", "datuak rajo", "Sutan Malin",
     "ya", "50%", "_", "Ali_", "xyz", "lvi", "same name"],
)  # fmt: skip
def test_name_search_finds_what_icontains_finds(named, term):
    found = set(Person.objects.filter(selectors.person_name_q(term)).values_list("pk", flat=True))
    assert found == _plain(term)


def test_name_search_follows_inserts_renames_and_deletes(named):
    person = PersonFactory(full_name="Zulkifli Sikumbang")
    assert Person.objects.filter(selectors.person_name_q("sikumbang")).get() == person
    person.full_name = "Zulkifli Jambak"
    person.save()
    assert not Person.objects.filter(selectors.person_name_q("sikumbang")).exists()
    assert Person.objects.filter(selectors.person_name_q("jambak")).get() == person
    person.delete()
    assert not Person.objects.filter(selectors.person_name_q("jambak")).exists()


def test_sqlite_search_asks_the_trigram_table(named):
    q = str(Person.objects.filter(selectors.person_name_q("hayati")).query)
    if connection.vendor == "sqlite":
        assert "registry_person_name_fts" in q
    else:
        assert "UPPER" in q and "LIKE" in q  # the expression the trigram GIN index holds


def test_cursor_walk_equals_the_ordered_list(named):
    everyone = list(Person.objects.order_by(*selectors.PERSON_ORDER))
    walked, after, number = [], "", 1
    while True:
        page = list_page(
            Person.objects.order_by(*selectors.PERSON_ORDER),
            order=selectors.PERSON_ORDER,
            page_size=4,
            page=number,
            after=after,
        )
        walked += page.object_list
        if not page.has_next:
            break
        after, number = page.next_cursor, page.next_page_number()
    assert walked == everyone
    assert page.number == page.num_pages == 5  # 19 persons, 4 a page


def test_page_numbers_still_work_and_clamp(named):
    queryset = Person.objects.order_by(*selectors.PERSON_ORDER)
    everyone = list(queryset)
    second = list_page(queryset, order=selectors.PERSON_ORDER, page_size=5, page="2")
    assert second.object_list == everyone[5:10]
    assert second.has_previous() and second.has_next
    past = list_page(queryset, order=selectors.PERSON_ORDER, page_size=5, page=99)
    assert past.number == 4 and past.object_list == everyone[15:]
    empty = list_page(queryset, order=selectors.PERSON_ORDER, page_size=5, page=99, clamp=False)
    assert empty.object_list == [] and not empty.has_next
    junk = list_page(queryset, order=selectors.PERSON_ORDER, page_size=5, page="x")
    assert junk.number == 1


@pytest.mark.parametrize(
    "cursor", ["!!", "bm90IGpzb24", cursor_encode(["a"]), cursor_encode([1, 2])]
)
def test_a_forged_cursor_starts_from_the_top(named, cursor):
    queryset = Person.objects.order_by(*selectors.PERSON_ORDER)
    page = list_page(queryset, order=selectors.PERSON_ORDER, page_size=5, after=cursor)
    assert page.object_list == list(queryset[:5])


def test_descending_and_related_order_keys(named):
    queryset = Person.objects.select_related("village").order_by(
        "-birth_date", "village__name", "pk"
    )
    order = ("-birth_date", "village__name", "pk")
    walked, after = [], ""
    while True:
        page = list_page(queryset, order=order, page_size=3, after=after)
        walked += page.object_list
        if not page.has_next:
            break
        after = page.next_cursor
    assert walked == list(queryset)


def test_count_is_exact_when_small_and_estimated_above_the_bound(named, monkeypatch):
    assert count_bounded(Person.objects.all()) == (19, False)
    monkeypatch.setattr(pagination, "EXACT_COUNT_UP_TO", 5)
    count, estimated = count_bounded(Person.objects.all())
    if connection.vendor == "postgresql":
        assert estimated and count >= 6  # at least what was counted
    else:
        assert (count, estimated) == (19, False)  # SQLite: no planner estimate, it counts
    assert count_bounded(Person.objects.all(), exact=True) == (19, False)


def test_page_offers_an_exact_count_when_estimated(client, personas, named, monkeypatch):
    monkeypatch.setattr(pagination, "EXACT_COUNT_UP_TO", 5)
    client.force_login(personas.dinas_operator)
    response = client.get(LIST)
    page = response.context["page"]
    html = response.content.decode()
    if connection.vendor == "postgresql":
        assert page.estimated and "count=exact" in html and "sekitar" in html
    exact = client.get(LIST, {"count": "exact"})
    assert exact.context["page"].count == 19 and not exact.context["page"].estimated


def test_next_link_carries_the_cursor(client, personas, named):
    PersonFactory.create_batch(30, full_name="Zainal Abidin")
    client.force_login(personas.dinas_operator)
    first = client.get(LIST)
    assert "after=" in first.content.decode()
    second = client.get(LIST, {"page": 2, "after": first.context["page"].next_cursor})
    assert second.context["page"].object_list == list(
        Person.objects.order_by(*selectors.PERSON_ORDER)[25:50]
    )
    assert second.context["page"].number == 2


def test_search_page_uses_the_index_path(client, personas, named):
    client.force_login(personas.dinas_operator)
    response = client.get(LIST, {"q": "hayati"})
    assert {p.full_name for p in response.context["page"]} == {
        "Nurhayati", "Nur Hayati", "NURHAYATI CHANIAGO", "Siti Nurhayati"
    }  # fmt: skip


def test_api_cursor_walk(client, personas, named):
    client.force_login(personas.dinas_operator)
    seen, after = [], ""
    while True:
        body = client.get("/api/registry/persons", {"page_size": 6, "after": after}).json()
        seen += [item["id"] for item in body["items"]]
        assert body["count"] == 19 and body["count_estimated"] is False
        if not body["next_cursor"]:
            break
        after = body["next_cursor"]
    assert seen == list(
        Person.objects.order_by(*selectors.PERSON_ORDER).values_list("pk", flat=True)
    )


def test_identity_frame_keeps_names_with_commas_and_quotes(personas):
    import datetime as dt

    from jamsos.registry.selectors import person_identity_frame

    born = dt.date(1971, 2, 3)
    odd = [
        PersonFactory(full_name='Rahmat, "Datuak" Sutan', birth_date=born),
        PersonFactory(full_name="Siti\tNur", birth_date=born),
    ]
    PersonFactory(full_name="Other Day", birth_date=dt.date(1971, 2, 4))
    frame = person_identity_frame(birth_dates=[born])
    assert sorted(frame.rows()) == sorted(
        (p.pk, p.nik, p.full_name, born, p.sex, p.village_id) for p in odd
    )


def test_far_pages_read_ids_first_and_keep_the_order(named, monkeypatch):
    monkeypatch.setattr(pagination, "DEFERRED_JOIN_FROM", 0)
    queryset = Person.objects.select_related("village").order_by(*selectors.PERSON_ORDER)
    everyone = list(queryset)
    for number in (1, 2, 4):
        page = list_page(queryset, order=selectors.PERSON_ORDER, page_size=5, page=number)
        assert page.object_list == everyone[(number - 1) * 5 : number * 5]


def test_numbered_pages_stop_at_the_offset_cap_and_cursors_go_on(
    client, personas, named, monkeypatch
):
    """Beyond ``MAX_OFFSET`` rows a page number is not read (each would scan all the
    rows before it): the list says to go on with "Berikutnya" and links the deepest
    numbered page; the API refuses it naming ``after``; a cursor walks past it."""
    monkeypatch.setattr(pagination, "MAX_OFFSET", 10)
    client.force_login(personas.dinas_operator)
    everyone = list(Person.objects.order_by(*selectors.PERSON_ORDER))
    # 19 persons, 5 a page in the API: page 3 starts 10 rows in (served), page 4 at 15.
    served = client.get("/api/registry/persons", {"page_size": 5, "page": 3})
    assert [p["id"] for p in served.json()["items"]] == [p.pk for p in everyone[10:15]]
    refused = client.get("/api/registry/persons", {"page_size": 5, "page": 4})
    assert refused.status_code == 400
    assert refused.json()["code"] == "page_too_deep" and "after" in refused.json()["message"]
    # The page (25 a page, more persons so page 2 is 25 rows in).
    PersonFactory.create_batch(30, full_name="Zainal Abidin")
    response = client.get(LIST, {"page": 2})
    page = response.context["page"]
    assert page.too_deep and page.object_list == [] and page.deepest == 1
    assert 'data-testid="list-too-deep"' in response.content.decode()
    first = client.get(LIST).context["page"]
    by_cursor = client.get(LIST, {"page": 2, "after": first.next_cursor}).context["page"]
    assert not by_cursor.too_deep
    assert by_cursor.object_list == list(Person.objects.order_by(*selectors.PERSON_ORDER)[25:50])
