"""The demo's enrollment history: seed figures from the estimate, scaled persons."""

from __future__ import annotations

import datetime as dt

import pytest

from jamsos.accounts.models import User
from jamsos.budget.models import Allocation, Phase
from jamsos.demo.services import demo_load
from jamsos.enrollment.demo import _split
from jamsos.enrollment.models import Decree, DecreeLine, Membership, RenewalProposal
from jamsos.enrollment.selectors import nagari_minimum_progress
from jamsos.lib.periods import Month

pytestmark = pytest.mark.django_db


def test_split_keeps_the_seed_when_there_are_enough_persons():
    assert _split(20_000) == (1_333, 9_416, 800)
    assert _split(500) == (320, 160, 20)
    assert _split(30) == (19, 10, 1)
    assert _split(0) == (0, 0, 0)


def test_demo_history_2022_to_the_demo_year():
    demo_load(people=60, as_of=dt.date(2026, 6, 15))
    phase_1 = Phase.objects.get(fiscal_year__year=2022, number=1)
    # The seed's phase I figure comes out of the cost estimate, whatever --people is.
    assert phase_1.allocation.pagu == 201_549_600
    assert (phase_1.planned_persons, phase_1.months) == (1_333, 9)
    assert Allocation.objects.get(fiscal_year__year=2025, source__kind="apbd").pagu == 3_053_299_200
    issued = Decree.objects.filter(status=Decree.Status.ISSUED)
    assert issued.filter(
        number="188.45/131/KPTS-BPT-2022", decree_date=dt.date(2022, 3, 15)
    ).exists()
    assert set(issued.values_list("fiscal_year__year", flat=True)) == {2022, 2023, 2024, 2025, 2026}
    assert Decree.objects.filter(status=Decree.Status.DRAFT).count() == 1
    rejected = DecreeLine.objects.filter(bpjs_status=DecreeLine.BpjsStatus.REJECTED)
    assert rejected.exists() and all(rejected.values_list("bpjs_reason", flat=True))
    assert Membership.objects.filter(
        status=Membership.Status.ACTIVE, first_month__year=2026
    ).exists()
    assert not Membership.objects.filter(
        status=Membership.Status.ACTIVE, last_month__year=2022
    ).exists()
    in_nagari = Membership.objects.filter(
        village_id__in=["13.03.08.2002", "13.03.10.2004"], first_month__year=2026
    )
    if in_nagari.exists():  # "1 Nagari 100 orang": these nagari pay for their own
        assert not in_nagari.exclude(funding_source__kind="apb_nagari").exists()
    assert RenewalProposal.objects.filter(fiscal_year__year=2026).exists()
    # "1 Nagari 100 orang" is a minimum (issue 9): Palaluar above it, Desa Kampung Baru
    # below it, both from their own APB Nagari.
    operator = User.objects.get(username="operator")
    report = nagari_minimum_progress(viewer=operator, month=Month(2026, 6))
    rows = {row.code: row for row in report.rows}
    above, below = rows["13.03.08.2002"], rows["13.03.10.2004"]
    assert above.members > 100 and not above.below and above.budget_lines
    assert below.members < 100 and below.below and below.budget_lines
    assert "13.03.08.2002" not in {row.code for row in report.below}
    # Each person's coverage periods never overlap.
    seen: dict[int, list[tuple[dt.date, dt.date]]] = {}
    for person, a, b in Membership.objects.values_list("person_id", "first_month", "last_month"):
        for x, y in seen.get(person, []):
            assert b < x or a > y
        seen.setdefault(person, []).append((a, b))
