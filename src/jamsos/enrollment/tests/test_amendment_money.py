"""An amending decree that strikes a person BPJS already accepted returns the remaining
months' money to the pagu (issue 9); a person never accepted returns the whole period."""

from __future__ import annotations

import datetime as dt

import pytest

from jamsos.audit.models import AuditEvent
from jamsos.budget import selectors as budget_selectors
from jamsos.budget import services as budget
from jamsos.enrollment import services
from jamsos.enrollment.models import DecreeLine, Membership
from jamsos.lib.periods import Month

pytestmark = pytest.mark.django_db

RATE = 16_800  # JKK Rp 10.000 + JKM Rp 6.800 per person per month (facts.md §1.3)


def accept(person):
    return services.BpjsResult(
        nik=person.nik,
        status=DecreeLine.BpjsStatus.ACCEPTED,
        kpj_number=f"13{person.pk:09d}",
        coverage_start=dt.date(2022, 3, 1),
    )


def test_striking_an_accepted_person_returns_the_months_after_the_amendment(
    decree, personas, persons, django_capture_on_commit_callbacks
):
    reservation = decree.reservation
    allocation = reservation.allocation
    # 6 persons × Mar–Nov 2022 (9 months) × Rp 16.800.
    assert reservation.amount == 6 * 9 * RATE == 907_200
    reserved_before = budget_selectors.allocation_reserved(allocation_id=allocation.pk)
    services.bpjs_results_record(
        decree=decree,
        results=[accept(p) for p in persons[:5]],  # persons[5] stays unanswered
        acting_user=personas.bpjs_officer,
        as_of=Month(2022, 4),
    )
    leaver, unanswered = persons[0], persons[5]
    amendment = services.decree_amend(
        decree=decree,
        remove_persons=[leaver, unanswered],
        note="Pindah domisili; tidak dijawab BPJS",
        acting_user=personas.dinas_operator,
    )
    services.decree_approve(decree=amendment, acting_user=personas.dinas_head)
    with django_capture_on_commit_callbacks(execute=True):
        services.decree_issue(
            decree=amendment,
            number="188.45/200/KPTS-BPT-2022",
            decree_date=dt.date(2022, 6, 15),
            acting_user=personas.dinas_operator,
        )
    membership = Membership.objects.get(person=leaver)
    assert membership.last_month == dt.date(2022, 6, 1)  # covered March–June
    reservation.refresh_from_db()
    # The unanswered person: the whole 9 months (Rp 151.200); the leaver: July–November,
    # 5 months (Rp 84.000). 907.200 − 151.200 − 84.000 = 672.000.
    assert reservation.amount == 907_200 - 9 * RATE - 5 * RATE == 672_000
    assert reservation.persons == 5
    assert reservation.lines.filter(person=leaver).exists()  # it paid March–June
    assert reservation.estimate["returns"] == [
        {"person": leaver.pk, "first_month": "2022-07", "last_month": "2022-11", "amount": 84_000}
    ]
    reserved_after = budget_selectors.allocation_reserved(allocation_id=allocation.pk)
    assert reserved_before - reserved_after == 235_200
    line = DecreeLine.objects.get(decree=decree, person=leaver)
    assert line.budget_return_ref.startswith("sisa:") and line.budget_returned_at is not None
    event = AuditEvent.objects.filter(action="budget.reservation.reduced").latest("pk")
    assert event.data["returned"] == 84_000
    # Run again (the monthly retry): nothing is returned twice.
    assert services.decree_budget_returns_flush() == 0
    reservation.refresh_from_db()
    assert reservation.amount == 672_000


def test_months_returned_stay_returned_when_the_reservation_is_reduced_later(
    decree, personas, persons
):
    reservation = decree.reservation
    budget.reservation_return_months(
        reservation=reservation,
        returns={persons[0].pk: Month(2022, 10)},  # October and November back
        reason="uji",
        acting_user=None,
    )
    reservation.refresh_from_db()
    assert reservation.amount == 907_200 - 2 * RATE
    # Repeating the same person's return changes nothing.
    budget.reservation_return_months(
        reservation=reservation, returns={persons[0].pk: Month(2022, 4)}, reason="uji",
        acting_user=None,
    )  # fmt: skip
    reservation.refresh_from_db()
    assert reservation.amount == 907_200 - 2 * RATE
    budget.reservation_reduce(
        reservation=reservation, remove_person_ids=[persons[5].pk], reason="uji", acting_user=None
    )
    reservation.refresh_from_db()
    assert reservation.amount == 5 * 9 * RATE - 2 * RATE
