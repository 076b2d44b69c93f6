"""Memberships over time (status refresh) and renewal into next year's budget."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from jamsos.audit.models import AuditEvent
from jamsos.budget import services as budget
from jamsos.budget.models import Reservation
from jamsos.enrollment import services
from jamsos.enrollment.models import DecreeLine, Membership, RenewalProposal
from jamsos.enrollment.tests.conftest import issued_decree, make_persons, reserve
from jamsos.lib.errors import DomainError, PermissionDenied
from jamsos.lib.periods import Month

pytestmark = pytest.mark.django_db


def accept(decree, person, kpj, start=dt.date(2022, 3, 1), personas=None, as_of=None):
    return services.bpjs_results_record(
        decree=decree,
        results=[
            services.BpjsResult(
                nik=person.nik,
                status=DecreeLine.BpjsStatus.ACCEPTED,
                kpj_number=kpj,
                coverage_start=start,
            )
        ],
        acting_user=personas.bpjs_officer,
        as_of=as_of,
    )


def test_status_refresh_moves_pending_to_active_to_ended(decree, personas, persons):
    accept(decree, persons[0], "13000000001", dt.date(2022, 5, 1), personas, Month(2022, 3))
    membership = Membership.objects.get()
    assert membership.status == Membership.Status.PENDING
    assert services.membership_statuses_refresh(as_of=Month(2022, 4)) == {"ended": 0, "active": 0}
    assert services.membership_statuses_refresh(as_of=Month(2022, 5)) == {"ended": 0, "active": 1}
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE
    assert services.membership_statuses_refresh(as_of=Month(2022, 12)) == {"ended": 1, "active": 0}
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ENDED
    assert AuditEvent.objects.filter(action="enrollment.membership.status_changed").count() == 2
    # Re-running changes nothing.
    assert services.membership_statuses_refresh(as_of=Month(2022, 12)) == {"ended": 0, "active": 0}


def test_refresh_command_also_settles_money_due(decree, personas, persons, capsys):
    services.bpjs_results_record(
        decree=decree,
        results=[
            services.BpjsResult(
                nik=persons[0].nik, status=DecreeLine.BpjsStatus.REJECTED, reason="Usia"
            )
        ],
        acting_user=personas.bpjs_officer,
    )  # on_commit is not run in this test: the money is still due
    call_command("membership_refresh", "--month", "2022-04", "--json")
    out = capsys.readouterr().out
    assert '"budget_returned_lines": 1' in out
    assert Reservation.objects.get(pk=decree.reservation_id).persons == 5


def test_renewal_carries_the_years_members_into_next_year(decree, personas, persons, sijunjung):
    for i, person in enumerate(persons[:4]):
        accept(decree, person, f"1300000000{i}", personas=personas)
    services.bpjs_results_record(
        decree=decree,
        results=[
            services.BpjsResult(
                nik=persons[4].nik, status=DecreeLine.BpjsStatus.REJECTED, reason="Usia"
            )
        ],
        acting_user=personas.bpjs_officer,
    )
    persons[3].is_deceased = True
    persons[3].deceased_on = dt.date(2022, 8, 1)
    persons[3].save()
    year = budget.fiscal_year_create(region=sijunjung, year=2023, acting_user=None)
    proposal = services.membership_renewal_propose(
        fiscal_year=year, acting_user=personas.dinas_operator
    )
    named = set(proposal.lines.values_list("person_id", flat=True))
    assert named == {p.pk for p in persons[:3]}  # not the rejected, not the deceased
    assert proposal.estimate["total"] == 3 * 12 * 16_800
    assert proposal.estimate["by_source"][0]["source_name"] == "APBD Sijunjung"
    # Running it again adds nobody twice.
    again = services.membership_renewal_propose(
        fiscal_year=year, acting_user=personas.dinas_operator
    )
    assert again.pk == proposal.pk and again.persons == 3
    assert AuditEvent.objects.filter(action="enrollment.renewal.proposed").count() == 2


def test_renewal_is_reserved_and_becomes_a_decree(decree, personas, persons, sijunjung):
    for i, person in enumerate(persons[:2]):
        accept(decree, person, f"1300000000{i}", personas=personas)
    year = budget.fiscal_year_create(region=sijunjung, year=2023, acting_user=None)
    proposal = services.membership_renewal_propose(
        fiscal_year=year, acting_user=personas.dinas_operator
    )
    pagu = budget.allocation_create(
        fiscal_year=year,
        source=decree.reservation.allocation.source,
        name="Iuran 2023",
        pagu=100_000_000,
        acting_user=None,
    )
    pagu = budget.allocation_approve(allocation=pagu, acting_user=None)
    # Reserving needs budget.reserve: the Dinas operator.
    with pytest.raises(PermissionDenied):
        services.renewal_reserve(
            proposal=proposal, allocation=pagu, acting_user=personas.dinas_head
        )
    reservation = services.renewal_reserve(
        proposal=proposal, allocation=pagu, acting_user=personas.dinas_operator
    )
    assert (reservation.persons, reservation.months) == (2, 12)
    assert reservation.first_month == dt.date(2023, 1, 1)
    proposal.refresh_from_db()
    assert proposal.status == RenewalProposal.Status.RESERVED
    with pytest.raises(DomainError):
        services.renewal_reserve(
            proposal=proposal, allocation=pagu, acting_user=personas.dinas_operator
        )
    renewal = services.decree_draft_from_reservation(
        reservation=reservation, acting_user=personas.dinas_operator
    )
    assert set(renewal.lines.values_list("person_id", flat=True)) == {persons[0].pk, persons[1].pk}


def test_persons_already_covered_next_year_are_not_proposed(pagu_2022, personas, sijunjung):
    people = make_persons(1)
    december = reserve(pagu_2022, count=1)
    decree = issued_decree(december, personas, persons=people)
    accept(decree, people[0], "13000000001", personas=personas)
    year = budget.fiscal_year_create(region=sijunjung, year=2023, acting_user=None)
    source = pagu_2022.source
    pagu_2023 = budget.allocation_approve(
        allocation=budget.allocation_create(
            fiscal_year=year, source=source, name="2023", pagu=10_000_000, acting_user=None
        ),
        acting_user=None,
    )
    early = budget.reservation_create(
        allocation=pagu_2023, persons=1, first_month=Month(2023, 1), months=3, acting_user=None
    )
    covered = issued_decree(early, personas, persons=people, number="188.45/1/KPTS-2023")
    accept(covered, people[0], "13000000001", dt.date(2023, 1, 1), personas)
    proposal = services.membership_renewal_propose(
        fiscal_year=year, acting_user=personas.dinas_operator
    )
    assert proposal.persons == 0
