"""Reservations against a pagu, capacity, nagari quotas and absorption (single-threaded)."""

from __future__ import annotations

import re

import pytest

from jamsos.audit.models import AuditEvent
from jamsos.budget import selectors, services
from jamsos.budget.models import Allocation, FundingSource, Reservation, ReservationPerson
from jamsos.budget.tests.conftest import PAGU_2025
from jamsos.lib.errors import DomainError, InvalidTransition, PermissionDenied
from jamsos.lib.formats import persen
from jamsos.lib.periods import Month
from jamsos.testing.factories import PersonFactory, region

pytestmark = pytest.mark.django_db

NAGARI = "13.03.03.2001"


def test_capacity_from_may_2025_is_22718_persons_with_nothing_left(pagu_2025):
    capacity = selectors.allocation_capacity(allocation=pagu_2025, start=Month(2025, 5))
    assert (capacity.months, capacity.per_person) == (8, 134_400)
    assert capacity.persons == 22_718
    assert capacity.leftover == 0
    january = selectors.allocation_capacity(allocation=pagu_2025, start=Month(2025, 1))
    assert (january.persons, january.leftover) == (15_145, PAGU_2025 - 15_145 * 201_600)


def test_capacity_outside_the_year_is_refused(pagu_2025):
    with pytest.raises(DomainError, match="di luar tahun anggaran 2025"):
        selectors.allocation_capacity(allocation=pagu_2025, start=Month(2026, 1))


def test_reserve_the_whole_pagu_then_one_more_is_refused_with_a_clear_message(pagu_2025):
    reservation = services.reservation_create(
        allocation=pagu_2025, persons=22_718, first_month=Month(2025, 5), acting_user=None
    )
    assert reservation.amount == PAGU_2025
    assert reservation.months == 8
    assert reservation.per_person_month == 16_800
    assert reservation.estimate["legal_basis"]
    assert selectors.allocation_reserved(allocation_id=pagu_2025.pk) == PAGU_2025
    with pytest.raises(services.BudgetExhausted) as excinfo:
        services.reservation_create(
            allocation=pagu_2025, persons=1, first_month=Month(2025, 12), acting_user=None
        )
    assert excinfo.value.code == "budget_exhausted"
    assert "sisa Rp 0" in excinfo.value.message
    assert "Paling banyak 0 orang" in excinfo.value.message
    assert Reservation.objects.count() == 1


def test_exhausted_message_says_how_many_would_fit(pagu_2025):
    services.reservation_create(
        allocation=pagu_2025, persons=22_700, first_month=Month(2025, 5), acting_user=None
    )
    with pytest.raises(services.BudgetExhausted) as excinfo:
        services.reservation_create(
            allocation=pagu_2025, persons=20, first_month=Month(2025, 5), acting_user=None
        )
    assert "sisa Rp 2.419.200" in excinfo.value.message  # 18 × 134,400
    assert "Paling banyak 18 orang" in excinfo.value.message


def test_reservation_defaults_to_the_phase_period(year_2025, pagu_2025):
    phase = services.phase_create(
        fiscal_year=year_2025,
        number=1,
        name="Tahap I",
        first_month=Month(2025, 3),
        months=9,
        allocation=pagu_2025,
        acting_user=None,
    )
    reservation = services.reservation_create(
        allocation=pagu_2025, persons=1_333, phase=phase, acting_user=None
    )
    assert (str(Month.from_date(reservation.first_month)), reservation.months) == ("2025-03", 9)
    assert reservation.amount == 201_549_600


def test_period_must_lie_inside_the_fiscal_year(year_2025, pagu_2025):
    with pytest.raises(DomainError, match="harus di dalam tahun anggaran 2025"):
        services.reservation_create(
            allocation=pagu_2025, persons=1, first_month=Month(2025, 6), months=9, acting_user=None
        )
    with pytest.raises(DomainError, match="tahun anggaran"):
        services.phase_create(
            fiscal_year=year_2025,
            number=1,
            name="",
            first_month=Month(2024, 12),
            months=2,
            acting_user=None,
        )


def test_draft_pagu_cannot_be_reserved_and_the_maker_cannot_approve(personas, year_2025, apbd):
    allocation = services.allocation_create(
        fiscal_year=year_2025,
        source=apbd,
        name="Draf",
        pagu=1_000_000,
        acting_user=personas.dinas_operator,
    )
    with pytest.raises(InvalidTransition, match="belum ditetapkan"):
        services.reservation_create(
            allocation=allocation,
            persons=1,
            first_month=Month(2025, 1),
            acting_user=personas.dinas_operator,
        )
    with pytest.raises(PermissionDenied):  # the operator lacks budget.approve
        services.allocation_approve(allocation=allocation, acting_user=personas.dinas_operator)
    approved = services.allocation_approve(allocation=allocation, acting_user=personas.dinas_head)
    assert approved.status == Allocation.Status.APPROVED
    assert approved.approved_by == personas.dinas_head


def test_named_persons_are_checked_and_cannot_be_reserved_twice(personas, pagu_2025):
    persons = PersonFactory.create_batch(3)
    reservation = services.reservation_create(
        allocation=pagu_2025,
        person_ids=[p.pk for p in persons],
        first_month=Month(2025, 3),
        acting_user=personas.dinas_operator,
    )
    assert reservation.persons == 3
    assert set(reservation.lines.values_list("person_id", flat=True)) == {p.pk for p in persons}
    with pytest.raises(DomainError) as excinfo:
        services.reservation_create(
            allocation=pagu_2025,
            person_ids=[persons[0].pk],
            first_month=Month(2025, 6),
            months=2,
            acting_user=personas.dinas_operator,
        )
    assert excinfo.value.code == "already_reserved"
    assert persons[0].full_name in excinfo.value.message
    # After a release the person is free again.
    services.reservation_release(reservation=reservation, acting_user=personas.dinas_operator)
    services.reservation_create(
        allocation=pagu_2025,
        person_ids=[persons[0].pk],
        first_month=Month(2025, 6),
        months=2,
        acting_user=personas.dinas_operator,
    )


def test_unknown_deceased_and_out_of_scope_persons_are_named(personas, pagu_2025):
    dead = PersonFactory(is_deceased=True, deceased_on="2024-01-01")
    padang = PersonFactory(village=region("13.71.01.1001"))
    with pytest.raises(DomainError) as excinfo:
        services.reservation_create(
            allocation=pagu_2025,
            person_ids=[dead.pk, padang.pk, 999_999_999],
            first_month=Month(2025, 1),
            acting_user=personas.dinas_operator,
        )
    message = excinfo.value.message
    assert "sudah meninggal" in message
    assert f"ID {padang.pk}: di luar cakupan" in message
    assert "ID 999999999: tidak ada di registri" in message
    assert ReservationPerson.objects.count() == 0


def test_a_nagari_target_is_not_a_cap(year_2025, pagu_2025):
    """ "1 Nagari 100 orang" is a minimum: the 101st person is welcome (issue 9)."""
    nagari = region(NAGARI)
    services.nagari_quota_set(fiscal_year=year_2025, nagari=nagari, persons=100, acting_user=None)
    for persons in (80, 30):
        services.reservation_create(
            allocation=pagu_2025,
            persons=persons,
            nagari=nagari,
            first_month=Month(2025, 1),
            acting_user=None,
        )
    [progress] = selectors.nagari_quota_progress(fiscal_year=year_2025)
    assert (progress.reserved_persons, progress.remaining, progress.reached) == (110, 0, True)
    assert str(progress.percent) == "110.0" and progress.bar_percent == 100
    # A target may be set below what is already reserved.
    services.nagari_quota_set(fiscal_year=year_2025, nagari=nagari, persons=50, acting_user=None)


def test_apb_nagari_pagu_reserves_for_its_own_nagari(sijunjung, year_2025):
    nagari = region(NAGARI)
    source = services.funding_source_create(
        region=sijunjung,
        kind=FundingSource.Kind.APB_NAGARI,
        name="APB Nagari",
        nagari=nagari,
        acting_user=None,
    )
    allocation = services.allocation_approve(
        allocation=services.allocation_create(
            fiscal_year=year_2025,
            source=source,
            name="1 Nagari 100 orang",
            pagu=100 * 12 * 16_800,
            acting_user=None,
        ),
        acting_user=None,
    )
    reservation = services.reservation_create(
        allocation=allocation, persons=100, first_month=Month(2025, 1), acting_user=None
    )
    assert reservation.nagari_id == NAGARI
    assert reservation.payer == "apb_nagari"
    with pytest.raises(DomainError, match="hanya untuk warga nagari itu"):
        services.reservation_create(
            allocation=allocation,
            persons=1,
            nagari=region("13.03.03.2002"),
            first_month=Month(2025, 1),
            acting_user=None,
        )


def test_funding_source_kinds_require_their_details(sijunjung):
    with pytest.raises(DomainError, match="anggota"):
        services.funding_source_create(
            region=sijunjung, kind=FundingSource.Kind.POKIR, name="Pokir", acting_user=None
        )
    with pytest.raises(DomainError, match="perusahaan"):
        services.funding_source_create(
            region=sijunjung, kind=FundingSource.Kind.CSR, name="CSR", acting_user=None
        )
    with pytest.raises(DomainError, match="nagari"):
        services.funding_source_create(
            region=sijunjung, kind=FundingSource.Kind.APB_NAGARI, name="APBN", acting_user=None
        )
    pokir = services.funding_source_create(
        region=sijunjung,
        kind=FundingSource.Kind.POKIR,
        name="Pokir H. Fulan",
        dprd_member="H. Fulan",
        acting_user=None,
    )
    assert pokir.payer == "apbd"  # pokir money is APBD money: no PP 50/2025 discount


def test_reduce_and_release_give_money_back(pagu_2025):
    reservation = services.reservation_create(
        allocation=pagu_2025, persons=10, first_month=Month(2025, 1), acting_user=None
    )
    reduced = services.reservation_reduce(
        reservation=reservation, persons=7, reason="3 ditolak BPJS", acting_user=None
    )
    assert (reduced.persons, reduced.amount) == (7, 7 * 12 * 16_800)
    assert selectors.allocation_reserved(allocation_id=pagu_2025.pk) == 7 * 12 * 16_800
    released = services.reservation_release(reservation=reduced, acting_user=None)
    assert released.status == Reservation.Status.RELEASED
    assert selectors.allocation_reserved(allocation_id=pagu_2025.pk) == 0
    with pytest.raises(InvalidTransition):
        services.reservation_release(reservation=released, acting_user=None)


def test_pagu_revision_cannot_go_below_reserved(pagu_2025):
    services.reservation_create(
        allocation=pagu_2025, persons=100, first_month=Month(2025, 1), acting_user=None
    )
    with pytest.raises(services.BudgetExhausted, match="lebih kecil"):
        services.allocation_revise(
            allocation=pagu_2025, pagu=1_000_000, reason="refocusing", acting_user=None
        )
    revised = services.allocation_revise(
        allocation=pagu_2025, pagu=100 * 12 * 16_800, reason="refocusing", acting_user=None
    )
    assert revised.pagu == 20_160_000


def test_every_write_is_audited(pagu_2025):
    reservation = services.reservation_create(
        allocation=pagu_2025, persons=5, first_month=Month(2025, 2), acting_user=None
    )
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))
    assert actions == [
        "budget.fiscal_year.created",
        "budget.funding_source.created",
        "budget.allocation.created",
        "budget.allocation.approved",
        "budget.reservation.created",
    ]
    event = AuditEvent.objects.get(action="budget.reservation.created")
    assert event.object_id == str(reservation.pk)
    assert event.region_code == "13.03"
    assert event.data["amount"] == 5 * 11 * 16_800


class TestAbsorption:
    def test_no_billing_forecast_is_reserved_and_warns_when_much_is_left(self, pagu_2025):
        services.reservation_create(
            allocation=pagu_2025, persons=10_000, first_month=Month(2025, 5), acting_user=None
        )
        absorption = selectors.allocation_absorption(allocation=pagu_2025, as_of=Month(2025, 6))
        assert absorption.reserved == 10_000 * 8 * 16_800
        assert absorption.forecast == absorption.reserved
        assert absorption.warning
        # From July: 6 months × 16,800 = 100,800 per person.
        assert absorption.capacity_persons == (PAGU_2025 - absorption.reserved) // 100_800
        assert "tidak terserap" in absorption.warning_message
        assert "Juli 2025" in absorption.warning_message

    def test_december_is_still_in_the_year_and_january_after_is_not(self, pagu_2025):
        services.reservation_create(
            allocation=pagu_2025, persons=10_000, first_month=Month(2025, 5), acting_user=None
        )
        december = selectors.allocation_absorption(allocation=pagu_2025, as_of=Month(2025, 12))
        assert december.warning and december.capacity_start is None
        assert "sudah berakhir" not in december.warning_message
        assert "tidak terserap" in december.warning_message
        overview = selectors.fiscal_year_overview(
            fiscal_year=pagu_2025.fiscal_year, as_of=Month(2025, 12)
        )
        assert "sudah berakhir" not in overview.totals.warning_message
        after = selectors.allocation_absorption(allocation=pagu_2025, as_of=Month(2026, 1))
        assert "Tahun anggaran sudah berakhir." in after.warning_message

    def test_warning_writes_the_percentage_the_indonesian_way(self, pagu_2025):
        services.reservation_create(
            allocation=pagu_2025, persons=10_000, first_month=Month(2025, 5), acting_user=None
        )
        absorption = selectors.allocation_absorption(allocation=pagu_2025, as_of=Month(2025, 6))
        assert f"({persen(absorption.unspent_percent)})" in absorption.warning_message
        assert re.search(r"\(\d+(,\d+)? %\) tidak terserap", absorption.warning_message)

    def test_fully_reserved_pagu_has_no_warning(self, pagu_2025):
        services.reservation_create(
            allocation=pagu_2025, persons=22_718, first_month=Month(2025, 5), acting_user=None
        )
        absorption = selectors.allocation_absorption(allocation=pagu_2025, as_of=Month(2025, 6))
        assert absorption.remaining == 0
        assert not absorption.warning
        assert str(absorption.reserved_percent) == "100.0"

    def test_billing_shortfall_lowers_the_forecast(self, pagu_2025):
        services.reservation_create(
            allocation=pagu_2025, persons=22_718, first_month=Month(2025, 5), acting_user=None
        )
        # Billing May–June should be 2 × 22,718 × 16,800; only 80 % was billed.
        expected = 2 * 22_718 * 16_800
        services.allocation_absorption_record(
            allocation=pagu_2025,
            billed=expected * 8 // 10,
            paid=expected * 7 // 10,
            through=Month(2025, 6),
            acting_user=None,
        )
        pagu_2025.refresh_from_db()
        absorption = selectors.allocation_absorption(allocation=pagu_2025, as_of=Month(2025, 7))
        assert absorption.forecast == PAGU_2025 * 8 // 10
        assert absorption.warning  # 20 % forecast unspent > 5 %
        assert str(absorption.unspent_percent) == "20.0"

    def test_year_overview_sums_allocations(self, year_2025, pagu_2025, apbd):
        second = services.allocation_approve(
            allocation=services.allocation_create(
                fiscal_year=year_2025, source=apbd, name="APBD-P", pagu=201_600, acting_user=None
            ),
            acting_user=None,
        )
        services.reservation_create(
            allocation=second, persons=1, first_month=Month(2025, 1), acting_user=None
        )
        overview = selectors.fiscal_year_overview(fiscal_year=year_2025, as_of=Month(2025, 1))
        totals = overview.totals
        assert totals.pagu == PAGU_2025 + 201_600
        assert totals.reserved == 201_600
        assert [a.warning for _, a in overview.rows] == [True, False]
