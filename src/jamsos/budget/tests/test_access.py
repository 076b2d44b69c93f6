"""Every branch of budget/access.py (STYLE.md 17) and query counts of the overview."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jamsos.budget import access, selectors, services
from jamsos.lib.errors import NotFoundOrForbidden
from jamsos.lib.periods import Month
from jamsos.testing.factories import region

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects(year_2025, pagu_2025):
    phase = services.phase_create(
        fiscal_year=year_2025,
        number=1,
        name="Tahap I",
        first_month=Month(2025, 3),
        months=9,
        acting_user=None,
    )
    quota = services.nagari_quota_set(
        fiscal_year=year_2025, nagari=region("13.03.03.2001"), persons=100, acting_user=None
    )
    reservation = services.reservation_create(
        allocation=pagu_2025, persons=1, first_month=Month(2025, 1), acting_user=None
    )
    return {
        access.access_fiscal_year: year_2025.pk,
        access.access_funding_source: pagu_2025.source_id,
        access.access_allocation: pagu_2025.pk,
        access.access_phase: phase.pk,
        access.access_nagari_quota: quota.pk,
        access.access_reservation: reservation.pk,
    }


def test_in_scope_viewer_gets_every_object_also_for_write(personas, objects):
    for fetch, pk in objects.items():
        assert fetch(personas.dprd, pk).pk == pk
        assert fetch(personas.dinas_operator, pk, for_write=True).pk == pk


@pytest.mark.parametrize("who", ["outsider", "agent", "admin"])
def test_out_of_scope_or_without_permission_is_not_found(personas, objects, who):
    for fetch, pk in objects.items():
        with pytest.raises(NotFoundOrForbidden):
            fetch(getattr(personas, who), pk)


def test_missing_is_not_found(personas, objects):
    for fetch in objects:
        with pytest.raises(NotFoundOrForbidden):
            fetch(personas.dinas_operator, 987_654)


def test_inactive_user_sees_nothing(personas, objects):
    personas.dinas_head.is_active = False
    with pytest.raises(NotFoundOrForbidden):
        access.access_allocation(personas.dinas_head, objects[access.access_allocation])


def test_year_overview_queries_do_not_grow_with_allocations(year_2025, pagu_2025, apbd):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            overview = selectors.fiscal_year_overview(fiscal_year=year_2025, as_of=Month(2025, 3))
            overview.totals  # noqa: B018 - computed lazily
        return len(queries.captured_queries)

    services.reservation_create(
        allocation=pagu_2025, persons=10, first_month=Month(2025, 1), acting_user=None
    )
    before = count()
    for i in range(5):
        allocation = services.allocation_approve(
            allocation=services.allocation_create(
                fiscal_year=year_2025, source=apbd, name=f"P{i}", pagu=10**9, acting_user=None
            ),
            acting_user=None,
        )
        services.reservation_create(
            allocation=allocation, persons=2, first_month=Month(2025, 1), acting_user=None
        )
    assert count() == before
    assert before <= 6
