"""Every branch of enrollment/access.py (STYLE.md 17), and query counts of the lists."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jamsos.accounts.models import User
from jamsos.budget import services as budget
from jamsos.enrollment import access, selectors, services
from jamsos.enrollment.models import DecreeDocument, DecreeLine, Membership
from jamsos.lib.errors import NotFoundOrForbidden
from jamsos.lib.periods import Month

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(decree, personas, persons, sijunjung):
    services.bpjs_results_record(
        decree=decree,
        results=[
            services.BpjsResult(
                nik=p.nik,
                status=DecreeLine.BpjsStatus.ACCEPTED,
                kpj_number=f"1300000000{i}",
                coverage_start=dt.date(2022, 3, 1),
            )
            for i, p in enumerate(persons)
        ],
        acting_user=personas.bpjs_officer,
        as_of=Month(2022, 4),
    )
    year = budget.fiscal_year_create(region=sijunjung, year=2023, acting_user=None)
    renewal = services.membership_renewal_propose(fiscal_year=year, acting_user=None)
    document = DecreeDocument.objects.create(decree=decree, kind="official_pdf", fingerprint="x")
    return {
        "decree": decree,
        "here": decree.lines.get(person=persons[0]),  # Tanjung Gadang
        "there": decree.lines.get(person=persons[4]),  # Kecamatan Sijunjung
        "member_here": Membership.objects.get(person=persons[0]),
        "member_there": Membership.objects.get(person=persons[4]),
        "document": document,
        "renewal": renewal,
    }


def test_dinas_sees_everything_of_its_kabupaten(personas, world):
    user = personas.dinas_operator
    assert access.access_decree(user, world["decree"].pk, for_write=True) == world["decree"]
    assert access.access_line(user, world["there"].pk) == world["there"]
    assert access.access_membership(user, world["member_there"].pk) == world["member_there"]
    assert access.access_document(user, world["document"].pk) == world["document"]
    assert access.access_renewal(user, world["renewal"].pk) == world["renewal"]
    assert access.may_see_whole_decree(user, world["decree"])


def test_camat_sees_the_decree_but_only_its_kecamatans_lines(personas, world):
    user = personas.kecamatan_operator
    assert access.access_decree(user, world["decree"].pk) == world["decree"]
    assert access.access_line(user, world["here"].pk) == world["here"]
    with pytest.raises(NotFoundOrForbidden):
        access.access_line(user, world["there"].pk)
    assert access.access_membership(user, world["member_here"].pk) == world["member_here"]
    with pytest.raises(NotFoundOrForbidden):
        access.access_membership(user, world["member_there"].pk)
    assert not access.may_see_whole_decree(user, world["decree"])
    assert set(access.lines_visible_to(user, world["decree"])) == set(
        world["decree"].lines.filter(village__code__startswith="13.03.03.")
    )


def test_dprd_sees_the_decree_but_no_line_or_membership(personas, world):
    user = personas.dprd
    assert access.access_decree(user, world["decree"].pk) == world["decree"]
    assert not access.lines_visible_to(user, world["decree"]).exists()
    assert not access.may_see_whole_decree(user, world["decree"])
    with pytest.raises(NotFoundOrForbidden):
        access.access_line(user, world["here"].pk)
    assert not access.memberships_visible_to(user).exists()
    with pytest.raises(NotFoundOrForbidden):
        access.access_membership(user, world["member_here"].pk)
    assert access.access_renewal(user, world["renewal"].pk) == world["renewal"]


@pytest.mark.parametrize("who", ["outsider", "agent", "admin"])
def test_others_find_nothing(personas, world, who):
    user = getattr(personas, who)
    for fetch, key in (
        (access.access_decree, "decree"),
        (access.access_line, "here"),
        (access.access_membership, "member_here"),
        (access.access_document, "document"),
        (access.access_renewal, "renewal"),
    ):
        with pytest.raises(NotFoundOrForbidden):
            fetch(user, world[key].pk)


def test_inactive_or_unscoped_users_see_nothing_and_superusers_everything(personas, world):
    inactive = personas.dinas_operator
    inactive.is_active = False
    assert not access.decrees_visible_to(inactive).exists()
    unscoped = User(username="x", role="dinas_operator", is_active=True)
    assert not access.decrees_visible_to(unscoped).exists()
    root = User(username="root", is_superuser=True, is_active=True)
    assert access.decrees_visible_to(root).count() == 1
    assert access.may_see_whole_decree(root, world["decree"])


def test_list_pages_take_a_bounded_number_of_queries(client, personas, world, named_reservation):
    client.force_login(personas.dinas_operator)
    for url in (reverse("enrollment:decree_list"), reverse("enrollment:membership_list")):
        client.get(url)  # warm caches (sessions, content types)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        assert len(queries) <= 14, (url, len(queries))
    with CaptureQueriesContext(connection) as queries:
        selectors.decree_counts(decree=world["decree"], viewer=personas.kecamatan_operator)
    assert len(queries) == 1
