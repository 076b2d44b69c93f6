"""The membership list at scale (issue 15): pages read one start month at a time give
the same rows in the same order as the plain ordered query; the one-pass totals equal
the three grouped counts they replace; the API reads no row twice."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db.models import Count
from django.urls import reverse

from jamsos.budget import services as budget
from jamsos.budget.models import FundingSource
from jamsos.enrollment import selectors
from jamsos.enrollment.models import Membership
from jamsos.lib.pagination import list_page
from jamsos.testing.factories import PersonFactory, region

pytestmark = pytest.mark.django_db

NAMES = ["Nurhayati", "Nur Hayati", "Yusuf Datuak", "Same", "Same", "Same", "Zainal", "Ali"]
VILLAGES = ["13.03.03.2001", "13.03.04.2001", "13.03.05.2001"]


@pytest.fixture
def memberships(personas):
    sij = region("13.03")
    sources = [
        budget.funding_source_create(
            region=sij, kind=FundingSource.Kind.APBD, name="APBD Sijunjung", acting_user=None
        ),
        budget.funding_source_create(
            region=sij,
            kind=FundingSource.Kind.APB_NAGARI,
            name="APB Nagari Timbulun",
            nagari=region(VILLAGES[0]),
            acting_user=None,
        ),
    ]
    rng = random.Random(15)
    rows = []
    for _ in range(40):
        village = region(rng.choice(VILLAGES))
        start = dt.date(2025, rng.choice([1, 1, 1, 3, 6]), 1)
        rows.append(
            Membership(
                person=PersonFactory(full_name=rng.choice(NAMES), village=village),
                segment="bpu",
                programmes=["jkk", "jkm"],
                funding_source=rng.choice(sources),
                village=village,
                first_month=start,
                last_month=dt.date(2025, 12, 1),
                status=rng.choice(["active", "active", "pending", "lapsed"]),
            )
        )
    return Membership.objects.bulk_create(rows)


def _walk(queryset, size: int) -> list[Membership]:
    walked, after = [], ""
    while True:
        page = list_page(
            queryset, order=selectors.MEMBERSHIP_ORDER, page_size=size, after=after, grouped=True
        )
        walked += page.object_list
        if not page.has_next:
            return walked
        after = page.next_cursor


@pytest.mark.parametrize("size", [1, 4, 7, 50])
def test_grouped_pages_walk_the_ordered_list(personas, memberships, size):
    queryset = selectors.membership_list(viewer=personas.dinas_operator)
    assert len(queryset) == 40
    assert _walk(queryset, size) == list(queryset)


def test_grouped_pages_with_a_search_and_a_narrow_scope(personas, memberships):
    for viewer, term in [(personas.dinas_operator, "hayati"), (personas.kecamatan_operator, "")]:
        queryset = selectors.membership_list(
            viewer=viewer, filters=selectors.MembershipFilters(search=term)
        )
        assert _walk(queryset, 3) == list(queryset)
        assert len(queryset) > 0


def test_numbered_pages_still_work(personas, memberships):
    queryset = selectors.membership_list(viewer=personas.dinas_operator)
    second = list_page(
        queryset, order=selectors.MEMBERSHIP_ORDER, page_size=10, page=2, grouped=True
    )
    assert second.object_list == list(queryset)[10:20]


def test_totals_equal_the_grouped_counts(personas, memberships):
    for viewer in (personas.dinas_operator, personas.dprd, personas.kecamatan_operator):
        for year in (None, 2025, 2024):
            totals = selectors.membership_totals(viewer=viewer, year=year)
            scoped = Membership.objects.filter(
                village__code__startswith=viewer.region_id + "."
            ) | Membership.objects.filter(village__code=viewer.region_id)
            if year == 2024:
                scoped = scoped.none()
            assert totals.by_status == dict(
                scoped.order_by().values_list("status").annotate(n=Count("pk"))
            )
            assert totals.by_district == sorted(
                scoped.order_by()
                .values_list("village__parent_id", "village__parent__name")
                .annotate(n=Count("pk")),
                key=lambda row: row[0] or "",
            )
            assert totals.by_source == sorted(
                scoped.order_by()
                .values_list("funding_source__name")
                .annotate(n=Count("pk"))
                .values_list("funding_source__name", "n")
            )


def test_page_and_api_walk(client, personas, memberships, django_assert_max_num_queries):
    client.force_login(personas.dinas_operator)
    response = client.get(reverse("enrollment:membership_list"))
    assert list(response.context["page"]) == list(
        selectors.membership_list(viewer=personas.dinas_operator)
    )
    seen, after = [], ""
    while True:
        with django_assert_max_num_queries(12):  # not one per membership
            body = client.get(
                "/api/enrollment/memberships", {"page_size": 15, "after": after}
            ).json()
        seen += [item["id"] for item in body["items"]]
        assert body["count"] == 40
        if not body["next_cursor"]:
            break
        after = body["next_cursor"]
    assert seen == [m.pk for m in selectors.membership_list(viewer=personas.dinas_operator)]


@pytest.mark.parametrize("cap", [selectors.NAME_MATCHES_LISTED_UP_TO, 1])
def test_name_search_finds_what_the_join_finds(personas, memberships, monkeypatch, cap):
    """The persons listed first (or, over the cap, the join kept) give the same memberships
    in the same order as the plain join on the person's name, in the viewer's scope."""
    from jamsos.registry.selectors import person_name_q

    # Persons outside the viewer's scope with the same name are not listed.
    PersonFactory(full_name="Nurhayati", village=region("13.71.01.1001"))
    monkeypatch.setattr(selectors, "NAME_MATCHES_LISTED_UP_TO", cap)
    for viewer, term in [
        (personas.dinas_operator, "hayati"),
        (personas.dinas_operator, "SAME"),
        (personas.kecamatan_operator, "hayati"),
        (personas.dinas_operator, "nobody"),
    ]:
        found = selectors.membership_list(
            viewer=viewer, filters=selectors.MembershipFilters(search=term)
        )
        joined = (
            selectors.memberships_visible_to(viewer)
            .filter(person_name_q(term, field="person__full_name", person="person_id"))
            .order_by(*selectors.MEMBERSHIP_ORDER)
        )
        expected = list(joined)
        assert list(found) == expected
        assert _walk(found, 3) == expected
        if term != "nobody":
            assert expected
