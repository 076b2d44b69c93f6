"""Decree services: draft from a reservation, maker-checker, issue, immutability,
amendments, and the guard on releasing a used reservation."""

from __future__ import annotations

import datetime as dt

import pytest

from jamsos.audit.models import AuditEvent
from jamsos.budget import services as budget
from jamsos.budget.models import Reservation
from jamsos.enrollment import services
from jamsos.enrollment.models import Decree, DecreeLine, Membership
from jamsos.enrollment.tests.conftest import issued_decree, make_persons, reserve
from jamsos.lib.errors import DomainError, InvalidTransition, PermissionDenied
from jamsos.lib.periods import Month
from jamsos.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_draft_takes_the_reservations_named_persons_with_a_snapshot(named_reservation, personas):
    decree = services.decree_draft_from_reservation(
        reservation=named_reservation, acting_user=personas.dinas_operator
    )
    lines = list(decree.lines.all())
    assert len(lines) == 6
    assert [line.line_no for line in lines] == [1, 2, 3, 4, 5, 6]
    # The lampiran is ordered by village, then name.
    assert [line.village_id for line in lines] == sorted(line.village_id for line in lines)
    first = lines[0]
    assert first.nik == first.person.nik and first.full_name == first.person.full_name
    assert first.occupation == first.person.occupation.name
    assert first.funding_source == named_reservation.allocation.source
    assert (first.first_month, first.last_month) == (dt.date(2022, 3, 1), dt.date(2022, 11, 1))
    assert decree.status == Decree.Status.DRAFT
    assert decree.created_by == personas.dinas_operator
    event = AuditEvent.objects.get(action="enrollment.decree.drafted")
    assert event.after["persons"] == 6 and event.data["reservation"] == named_reservation.pk


def test_snapshot_keeps_the_name_the_decree_was_made_with(named_reservation, personas):
    decree = services.decree_draft_from_reservation(
        reservation=named_reservation, acting_user=personas.dinas_operator
    )
    line = decree.lines.first()
    old = line.full_name
    line.person.full_name = "Nama Baru"
    line.person.save()
    line.refresh_from_db()
    assert line.full_name == old


def test_draft_texts_are_prefilled_from_data_and_legal_basis(named_reservation, personas):
    decree = services.decree_draft_from_reservation(
        reservation=named_reservation, acting_user=personas.dinas_operator
    )
    assert "Tahap I" in decree.title and "2022" in decree.title
    assert decree.signer_title == "BUPATI SIJUNJUNG"
    assert any("Undang-Undang Nomor 40 Tahun 2004" in text for text in decree.legal_bases)
    # The rate tables' notes are not legal bases (issue 9): they go to the lampiran.
    for basis in named_reservation.estimate["legal_basis"]:
        assert basis not in decree.legal_bases
    assert "sebanyak 6 orang" in decree.decisions[0]
    assert "Maret 2022 sampai dengan November 2022 (9 bulan)" in decree.decisions[1]
    assert "Rp 16.800 per orang per bulan" in decree.decisions[2]
    assert "Kabupaten Sijunjung" in decree.considerations[0]


def test_the_kabupatens_perbup_joins_the_legal_bases(named_reservation, personas, sijunjung):
    services.decree_setting_save(
        region=sijunjung,
        perbup="Peraturan Bupati Sijunjung Nomor 12 Tahun 2022 tentang Jaminan Sosial",
        place="Muaro Sijunjung",
        acting_user=personas.dinas_operator,
    )
    decree = services.decree_draft_from_reservation(
        reservation=named_reservation, acting_user=personas.dinas_operator
    )
    assert decree.legal_bases[-1].startswith("Peraturan Bupati Sijunjung Nomor 12")
    assert decree.place == "Muaro Sijunjung"


def test_draft_texts_can_be_edited_until_approved(named_reservation, personas):
    decree = services.decree_draft_from_reservation(
        reservation=named_reservation, acting_user=personas.dinas_operator
    )
    decree = services.decree_texts_update(
        decree=decree,
        legal_bases=[*decree.legal_bases, "Peraturan Bupati Sijunjung Nomor 1 Tahun 2022"],
        acting_user=personas.dinas_operator,
    )
    assert decree.legal_bases[-1] == "Peraturan Bupati Sijunjung Nomor 1 Tahun 2022"
    services.decree_approve(decree=decree, acting_user=personas.dinas_head)
    with pytest.raises(InvalidTransition):
        services.decree_texts_update(
            decree=decree, title="Lain", acting_user=personas.dinas_operator
        )


def test_count_only_reservation_needs_persons_and_caps_them(pagu_2022, phase_1, personas):
    reservation = reserve(pagu_2022, count=3, phase=phase_1)
    with pytest.raises(DomainError) as excinfo:
        services.decree_draft_from_reservation(
            reservation=reservation, acting_user=personas.dinas_operator
        )
    assert excinfo.value.code == "persons_required"
    people = make_persons(4)
    with pytest.raises(services.DecreeOverQuota) as excinfo:
        services.decree_draft_from_reservation(
            reservation=reservation, persons=people, acting_user=personas.dinas_operator
        )
    assert "Reservasi #" in excinfo.value.message and "untuk 3 orang" in excinfo.value.message
    assert "menyebut 4 orang" in excinfo.value.message
    decree = services.decree_draft_from_reservation(
        reservation=reservation, persons=people[:3], acting_user=personas.dinas_operator
    )
    assert decree.lines.count() == 3
    # A second decree on the same reservation only gets what is left: nothing.
    with pytest.raises(services.DecreeOverQuota):
        services.decree_draft_from_reservation(
            reservation=reservation, persons=people[3:], acting_user=personas.dinas_operator
        )


def test_named_reservation_allows_only_its_persons(named_reservation, personas):
    stranger = PersonFactory()
    with pytest.raises(DomainError) as excinfo:
        services.decree_draft_from_reservation(
            reservation=named_reservation,
            persons=[stranger],
            acting_user=personas.dinas_operator,
        )
    assert excinfo.value.code == "not_in_reservation"
    assert stranger.full_name in excinfo.value.message


def test_persons_already_covered_are_refused(named_reservation, pagu_2022, personas, persons):
    decree = issued_decree(named_reservation, personas)
    # Another reservation of a different pagu cannot put the same person in a second SK.
    other = budget.allocation_create(
        fiscal_year=pagu_2022.fiscal_year,
        source=pagu_2022.source,
        name="APBD-P 2022",
        pagu=100_000_000,
        acting_user=None,
    )
    other = budget.allocation_approve(allocation=other, acting_user=None)
    second = reserve(other, count=1)
    with pytest.raises(services.AlreadyCovered) as excinfo:
        services.decree_draft_from_reservation(
            reservation=second, persons=[persons[0]], acting_user=personas.dinas_operator
        )
    assert decree.number in excinfo.value.message
    assert persons[0].full_name in excinfo.value.message
    assert persons[0].nik not in excinfo.value.message  # masked


def test_persons_outside_the_drafters_scope_or_deceased_are_refused(pagu_2022, personas):
    reservation = reserve(pagu_2022, count=5)
    dead = PersonFactory(is_deceased=True, deceased_on=dt.date(2021, 1, 1))
    with pytest.raises(DomainError) as excinfo:
        services.decree_draft_from_reservation(
            reservation=reservation, persons=[dead], acting_user=personas.dinas_operator
        )
    assert "sudah meninggal" in excinfo.value.message
    with pytest.raises(PermissionDenied):
        services.decree_draft_from_reservation(
            reservation=reservation, persons=[PersonFactory()], acting_user=personas.outsider
        )


def test_only_an_operator_drafts_and_only_another_person_approves(named_reservation, personas):
    with pytest.raises(PermissionDenied):
        services.decree_draft_from_reservation(
            reservation=named_reservation, acting_user=personas.bpjs_officer
        )
    decree = services.decree_draft_from_reservation(
        reservation=named_reservation, acting_user=personas.dinas_operator
    )
    with pytest.raises(PermissionDenied):
        services.decree_approve(decree=decree, acting_user=personas.dinas_operator)
    with pytest.raises(PermissionDenied):
        services.decree_approve(decree=decree, acting_user=personas.bpjs_officer)
    # The head approves; a head who drafted would be refused (maker-checker).
    decree.created_by = personas.dinas_head
    Decree.objects.filter(pk=decree.pk).update(created_by=personas.dinas_head)
    with pytest.raises(PermissionDenied) as excinfo:
        services.decree_approve(decree=decree, acting_user=personas.dinas_head)
    assert excinfo.value.code == "maker_checker"


def test_issue_needs_approval_number_and_date(named_reservation, personas):
    decree = services.decree_draft_from_reservation(
        reservation=named_reservation, acting_user=personas.dinas_operator
    )
    with pytest.raises(InvalidTransition):
        services.decree_issue(
            decree=decree,
            number="188.45/1/KPTS-BPT-2022",
            decree_date=dt.date(2022, 3, 15),
            acting_user=personas.dinas_operator,
        )
    services.decree_approve(decree=decree, acting_user=personas.dinas_head)
    with pytest.raises(DomainError) as excinfo:
        services.decree_issue(
            decree=decree, number="  ", decree_date=dt.date(2022, 3, 15), acting_user=None
        )
    assert excinfo.value.code == "number_required"
    with pytest.raises(DomainError) as excinfo:
        services.decree_issue(
            decree=decree, number="X", decree_date=dt.date(2999, 1, 1), acting_user=None
        )
    assert excinfo.value.code == "invalid_date"
    issued = services.decree_issue(
        decree=decree,
        number=" 188.45/131/KPTS-BPT-2022 ",
        decree_date=dt.date(2022, 3, 15),
        acting_user=personas.dinas_head,
    )
    assert (issued.status, issued.number) == (Decree.Status.ISSUED, "188.45/131/KPTS-BPT-2022")
    assert issued.issued_by == personas.dinas_head


def test_a_decree_number_is_used_once(named_reservation, pagu_2022, personas):
    issued_decree(named_reservation, personas, number="188.45/131/KPTS-BPT-2022")
    other = reserve(pagu_2022, count=1)
    second = services.decree_draft_from_reservation(
        reservation=other, persons=make_persons(1), acting_user=personas.dinas_operator
    )
    services.decree_approve(decree=second, acting_user=personas.dinas_head)
    with pytest.raises(DomainError) as excinfo:
        services.decree_issue(
            decree=second,
            number="188.45/131/KPTS-BPT-2022",
            decree_date=dt.date(2022, 4, 1),
            acting_user=personas.dinas_operator,
        )
    assert excinfo.value.code == "number_taken"


def test_an_issued_decree_and_its_lines_refuse_change(decree, personas):
    with pytest.raises(InvalidTransition) as excinfo:
        services.decree_texts_update(
            decree=decree, title="Baru", acting_user=personas.dinas_operator
        )
    decree.refresh_from_db()
    decree.title = "Diubah diam-diam"
    with pytest.raises(InvalidTransition) as excinfo:
        decree.save()
    assert excinfo.value.code == "decree_issued_immutable"
    line = decree.lines.first()
    line.full_name = "Orang Lain"
    with pytest.raises(InvalidTransition):
        line.save()
    with pytest.raises(InvalidTransition):
        line.save(update_fields=["full_name"])
    with pytest.raises(InvalidTransition):
        DecreeLine.objects.get(pk=line.pk).delete()
    with pytest.raises(InvalidTransition):
        services.decree_cancel(decree=decree, reason="salah", acting_user=personas.dinas_operator)
    # The BPJS bookkeeping is not the decree's content and may be written.
    line.refresh_from_db()
    line.kpj_number = "12345678901"
    line.save(update_fields=["kpj_number"])


def test_releasing_a_reservation_used_by_an_issued_decree_is_refused(decree, named_reservation):
    with pytest.raises(InvalidTransition) as excinfo:
        budget.reservation_release(reservation=named_reservation, acting_user=None)
    assert excinfo.value.code == "reservation_in_use"
    assert decree.number in excinfo.value.message
    named_reservation.refresh_from_db()
    assert named_reservation.status == Reservation.Status.ACTIVE


def test_a_reservation_used_only_by_a_draft_may_be_released(named_reservation, personas):
    services.decree_draft_from_reservation(
        reservation=named_reservation, acting_user=personas.dinas_operator
    )
    budget.reservation_release(reservation=named_reservation, acting_user=None)
    named_reservation.refresh_from_db()
    assert named_reservation.status == Reservation.Status.RELEASED


def test_amendment_names_what_it_changes_and_takes_effect_when_issued(pagu_2022, phase_1, personas):
    people = make_persons(5)
    reservation = reserve(pagu_2022, count=5, phase=phase_1)
    decree = issued_decree(reservation, personas, persons=people[:4])
    newcomer, leaver = people[4], people[0]
    amendment = services.decree_amend(
        decree=decree,
        add_persons=[newcomer],
        remove_persons=[leaver],
        note="Pindah domisili dan pengganti",
        acting_user=personas.dinas_operator,
    )
    assert amendment.amends == decree and amendment.status == Decree.Status.DRAFT
    assert "menambah 1 orang" in amendment.amendment_note
    assert newcomer.full_name in amendment.amendment_note
    assert (
        "mencoret 1 orang" in amendment.amendment_note
        and leaver.full_name in amendment.amendment_note
    )
    assert decree.number in amendment.title
    assert any(decree.number in basis for basis in amendment.legal_bases)
    actions = dict(amendment.lines.values_list("person_id", "action"))
    assert actions == {newcomer.pk: DecreeLine.Action.ADD, leaver.pk: DecreeLine.Action.REMOVE}
    # Nothing changes in the original until the amendment is issued.
    original_line = decree.lines.get(person=leaver)
    assert original_line.removed_by_line is None
    services.decree_approve(decree=amendment, acting_user=personas.dinas_head)
    services.decree_issue(
        decree=amendment,
        number="188.45/200/KPTS-BPT-2022",
        decree_date=dt.date(2022, 6, 1),
        acting_user=personas.dinas_operator,
    )
    original_line.refresh_from_db()
    assert original_line.removed_by_line == amendment.lines.get(person=leaver)
    # The original decree itself is untouched.
    decree.refresh_from_db()
    assert decree.lines.count() == 4 and decree.status == Decree.Status.ISSUED


def test_amendment_refuses_non_recipients_and_empty_changes(decree, personas):
    with pytest.raises(DomainError) as excinfo:
        services.decree_amend(decree=decree, note="x", acting_user=personas.dinas_operator)
    assert excinfo.value.code == "no_changes"
    with pytest.raises(DomainError) as excinfo:
        services.decree_amend(
            decree=decree,
            remove_persons=[PersonFactory()],
            note="x",
            acting_user=personas.dinas_operator,
        )
    assert excinfo.value.code == "not_recipient"
    with pytest.raises(DomainError) as excinfo:
        services.decree_amend(
            decree=decree, remove_persons=[decree.lines.first().person], note="", acting_user=None
        )
    assert excinfo.value.code == "note_required"


def test_amendment_cannot_exceed_the_reservation(pagu_2022, personas):
    reservation = reserve(pagu_2022, count=1)
    decree = issued_decree(reservation, personas, persons=make_persons(1))
    with pytest.raises(services.DecreeOverQuota):
        services.decree_amend(
            decree=decree,
            add_persons=make_persons(1),
            note="Tambahan",
            acting_user=personas.dinas_operator,
        )


def test_a_draft_can_be_cancelled_with_a_reason(named_reservation, personas):
    decree = services.decree_draft_from_reservation(
        reservation=named_reservation, acting_user=personas.dinas_operator
    )
    with pytest.raises(DomainError):
        services.decree_cancel(decree=decree, reason=" ", acting_user=personas.dinas_operator)
    services.decree_cancel(decree=decree, reason="Salah tahap", acting_user=personas.dinas_operator)
    decree.refresh_from_db()
    assert decree.status == Decree.Status.CANCELLED
    # Its persons are free again for another decree.
    again = services.decree_draft_from_reservation(
        reservation=named_reservation, acting_user=personas.dinas_operator
    )
    assert again.lines.count() == 6


def test_memberships_of_struck_persons_end(pagu_2022, phase_1, personas):
    people = make_persons(2)
    reservation = reserve(pagu_2022, count=2, phase=phase_1)
    decree = issued_decree(reservation, personas, persons=people)
    services.bpjs_results_record(
        decree=decree,
        results=[
            services.BpjsResult(
                nik=p.nik,
                status=DecreeLine.BpjsStatus.ACCEPTED,
                kpj_number=f"2200000000{i}",
                coverage_start=dt.date(2022, 3, 1),
            )
            for i, p in enumerate(people)
        ],
        acting_user=personas.bpjs_officer,
        as_of=Month(2022, 4),
    )
    amendment = services.decree_amend(
        decree=decree,
        remove_persons=[people[0]],
        note="Pindah",
        acting_user=personas.dinas_operator,
    )
    services.decree_approve(decree=amendment, acting_user=personas.dinas_head)
    services.decree_issue(
        decree=amendment,
        number="188.45/300/KPTS-BPT-2022",
        decree_date=dt.date(2022, 6, 10),
        acting_user=personas.dinas_operator,
    )
    ended = Membership.objects.get(person=people[0])
    assert ended.last_month == dt.date(2022, 6, 1)
    assert ended.status == Membership.Status.ENDED  # June 2022 is long past
    assert "188.45/300/KPTS-BPT-2022" in ended.status_reason
    assert Membership.objects.get(person=people[1]).last_month == dt.date(2022, 11, 1)
