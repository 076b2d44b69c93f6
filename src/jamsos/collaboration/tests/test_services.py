"""Services: audit events on every write, kept original due dates, SLA from the agreement,
maker-checker waivers, snapshot immutability, and who may act on what."""

from __future__ import annotations

import datetime as dt

import pytest

from jamsos.audit.models import AuditEvent
from jamsos.collaboration import services
from jamsos.collaboration.models import ObligationInstance, ScorecardReply, ScorecardSnapshot
from jamsos.collaboration.obligations import obligation_instances_generate
from jamsos.collaboration.quarters import Quarter
from jamsos.collaboration.tests.conftest import at, pdf
from jamsos.lib.errors import DomainError, InvalidTransition, NotFoundOrForbidden, PermissionDenied
from jamsos.testing.factories import region


def _actions() -> list[str]:
    return list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))


def test_every_write_is_audited(world, personas):
    op = personas.dinas_operator
    m = services.meeting_record(
        forum=world.forum,
        kind="fgd",
        mode="hybrid",
        title="FGD",
        starts_at=at(dt.date(2023, 1, 5)),
        place="",
        convened_by=world.dinas,
        acting_user=op,
    )
    services.agenda_item_add(meeting=m, title="A", proposed_by=world.bpjs, acting_user=op)
    services.attendance_record(meeting=m, agency=world.bpjs, level="staf", count=2, acting_user=op)
    services.minutes_publish(meeting=m, upload=pdf(), acting_user=op)
    d = services.decision_record(
        meeting=m, text="D", kind="voting", proposed_by=world.dinas, acting_user=op
    )
    item = services.action_item_assign(
        forum=world.forum,
        decision=d,
        title="T",
        owner_agency=world.bpjs,
        owner_name="",
        due_on=dt.date(2023, 2, 1),
        acting_user=op,
    )
    services.action_item_change_due(
        item=item, due_on=dt.date(2023, 3, 1), reason="Libur", acting_user=op
    )
    services.action_item_complete(
        item=item, upload=pdf(), note="", acting_user=personas.bpjs_officer
    )
    actions = _actions()
    for code in (
        "collaboration.forum.created",
        "collaboration.meeting.recorded",
        "collaboration.meeting.agenda_added",
        "collaboration.meeting.attendance_recorded",
        "collaboration.meeting.minutes_published",
        "collaboration.decision.recorded",
        "collaboration.action_item.assigned",
        "collaboration.action_item.due_changed",
        "collaboration.action_item.completed",
    ):
        assert code in actions
    item.refresh_from_db()
    assert item.original_due_on == dt.date(2023, 2, 1) and item.due_on == dt.date(2023, 3, 1)
    moved = AuditEvent.objects.get(action="collaboration.action_item.due_changed")
    assert moved.before == {"due_on": "2023-02-01"} and moved.after == {"due_on": "2023-03-01"}
    assert moved.region_code == "13.03"


def test_due_change_needs_reason_and_open_item(world, personas):
    op = personas.dinas_operator
    item = services.action_item_assign(
        forum=world.forum,
        title="T",
        owner_agency=world.dinas,
        owner_name="",
        due_on=dt.date(2023, 2, 1),
        acting_user=op,
    )
    with pytest.raises(DomainError):
        services.action_item_change_due(
            item=item, due_on=dt.date(2023, 3, 1), reason=" ", acting_user=op
        )
    services.action_item_complete(item=item, upload=None, note="ok", acting_user=op)
    with pytest.raises(InvalidTransition):
        services.action_item_change_due(
            item=item, due_on=dt.date(2023, 3, 1), reason="x", acting_user=op
        )
    with pytest.raises(InvalidTransition):
        services.action_item_complete(item=item, upload=None, note="again", acting_user=op)


def test_only_the_owner_completes_and_evidence_is_required(world, personas):
    item = services.action_item_assign(
        forum=world.forum,
        title="T",
        owner_agency=world.bpjs,
        owner_name="",
        due_on=dt.date(2023, 2, 1),
        acting_user=personas.dinas_operator,
    )
    with pytest.raises(PermissionDenied):
        services.action_item_complete(
            item=item, upload=None, note="x", acting_user=personas.dinas_head
        )
    with pytest.raises(DomainError):
        services.action_item_complete(
            item=item, upload=None, note="", acting_user=personas.bpjs_officer
        )


def test_outsider_and_readers_cannot_record(world, personas):
    for user in (personas.outsider, personas.executive, personas.dprd, personas.bpjs_officer):
        with pytest.raises((NotFoundOrForbidden, PermissionDenied)):
            services.meeting_record(
                forum=world.forum,
                kind="rakor",
                mode="daring",
                title="x",
                starts_at=at(dt.date(2023, 1, 1)),
                place="",
                convened_by=world.dinas,
                acting_user=user,
            )


def _pks(world, personas, start=dt.date(2023, 1, 1)):
    return services.agreement_record(
        region=region("13.03"),
        kind="pks",
        title="PKS",
        effective_from=start,
        effective_to=None,
        signed_on=start,
        parties=[(world.dinas, "560/1", "", ""), (world.bpjs, "PER/1", "", "")],
        acting_user=personas.dinas_operator,
    )


def test_request_takes_sla_from_the_obligation_in_force(world, personas):
    op = personas.dinas_operator
    before = services.request_send(
        forum=world.forum,
        to_agency=world.bpjs,
        kind="klaim",
        subject="Klaim",
        acting_user=op,
        at=at(dt.date(2022, 12, 1)),
    )
    assert before.sla_days is None and before.within_sla() is None
    pks = _pks(world, personas)
    services.obligation_add(
        agreement=pks,
        party=world.bpjs,
        code="B4",
        description="Bayar klaim",
        kind="per_event",
        frequency="per_claim",
        evidence_rule="auto_claim_paid",
        sla_days=7,
        request_kind="klaim",
        acting_user=op,
    )
    after = services.request_send(
        forum=world.forum,
        to_agency=world.bpjs,
        kind="klaim",
        subject="Klaim",
        acting_user=op,
        at=at(dt.date(2023, 2, 1)),
    )
    assert after.sla_days == 7 and after.sla_obligation.code == "B4"
    # to the Dinas, or of another kind: still no SLA
    other = services.request_send(
        forum=world.forum,
        to_agency=world.bpjs,
        kind="sosialisasi",
        subject="S",
        acting_user=op,
        at=at(dt.date(2023, 2, 1)),
    )
    assert other.sla_days is None
    with pytest.raises(PermissionDenied):
        services.request_acknowledge(request=after, acting_user=op)  # not the addressee
    services.request_resolve(
        request=after,
        outcome="Dibayar",
        acting_user=personas.bpjs_officer,
        at=at(dt.date(2023, 2, 9)),
    )
    assert after.days_to_resolve == 8 and after.within_sla() is False
    assert after.acknowledged_at == after.resolved_at  # resolving acknowledges


def test_sender_speaks_only_for_its_agency(world, personas):
    with pytest.raises(PermissionDenied):
        services.request_send(
            forum=world.forum,
            to_agency=world.dinas,
            kind="data",
            subject="x",
            from_agency=world.bupati,
            acting_user=personas.bpjs_officer,
        )


def test_waiver_needs_reason_and_a_second_person(world, personas):
    op, head = personas.dinas_operator, personas.dinas_head
    pks = _pks(world, personas)
    ob = services.obligation_add(
        agreement=pks,
        party=world.dinas,
        code="D5",
        description="Lapor Bupati",
        kind="recurring",
        frequency="quarterly",
        evidence_rule="upload",
        acting_user=op,
    )
    obligation_instances_generate(region=region("13.03"), until=dt.date(2023, 3, 31))
    instance = ObligationInstance.objects.get(obligation=ob, key="2023-Q1")
    with pytest.raises(DomainError):
        services.obligation_waiver_request(instance=instance, reason="", acting_user=op)
    with pytest.raises(InvalidTransition):
        services.obligation_waiver_approve(instance=instance, acting_user=head)  # nothing asked
    services.obligation_waiver_request(instance=instance, reason="Banjir", acting_user=op)
    with pytest.raises(PermissionDenied):
        services.obligation_waiver_approve(
            instance=instance, acting_user=op
        )  # not the approver role
    head_request = ObligationInstance.objects.get(pk=instance.pk)
    head_request.waiver_requested_by = head
    head_request.save()
    with pytest.raises(PermissionDenied):
        services.obligation_waiver_approve(
            instance=head_request, acting_user=head
        )  # maker = checker
    instance.refresh_from_db()
    instance.waiver_requested_by = op
    instance.save()
    services.obligation_waiver_approve(instance=instance, acting_user=head)
    instance.refresh_from_db()
    assert instance.status == "waived" and instance.waiver_approved_by == head
    assert "collaboration.obligation.waived" in _actions()


def test_evidence_by_the_obliged_party_only_and_late_is_late(world, personas):
    op = personas.dinas_operator
    pks = _pks(world, personas)
    ob = services.obligation_add(
        agreement=pks,
        party=world.bpjs,
        code="B3",
        description="Sosialisasi",
        kind="recurring",
        frequency="quarterly",
        evidence_rule="upload",
        acting_user=op,
    )
    obligation_instances_generate(region=region("13.03"), until=dt.date(2023, 6, 30))
    q1, q2 = ObligationInstance.objects.filter(obligation=ob).order_by("due_on")
    with pytest.raises(PermissionDenied):
        services.obligation_evidence_record(
            instance=q1, upload=pdf(), note="", acting_user=personas.dinas_head
        )
    services.obligation_evidence_record(
        instance=q1,
        upload=pdf(),
        note="Laporan",
        acting_user=personas.bpjs_officer,
        at=at(dt.date(2023, 3, 30)),
    )
    services.obligation_evidence_record(
        instance=q2,
        upload=None,
        note="Laporan",
        acting_user=personas.bpjs_officer,
        at=at(dt.date(2023, 7, 10)),
    )
    q1.refresh_from_db()
    q2.refresh_from_db()
    assert (q1.status, q2.status) == ("fulfilled", "late")


def test_addendum_must_follow_its_parent(world, personas):
    pks = _pks(world, personas)
    with pytest.raises(DomainError):
        services.agreement_record(
            region=region("13.03"),
            kind="adendum",
            title="A",
            effective_from=dt.date(2022, 6, 1),
            effective_to=None,
            signed_on=None,
            parties=[(world.dinas, "x", "", "")],
            amends=pks,
            acting_user=personas.dinas_operator,
        )


def test_snapshot_is_immutable_once_published(world, personas):
    head = personas.dinas_head
    snapshot = services.snapshot_draft(
        region=region("13.03"), quarter=Quarter(2023, 1), acting_user=head
    )
    assert snapshot.definitions_version == "2026.1" and snapshot.data["period"] == "2023-Q1"
    services.snapshot_reply(
        snapshot=snapshot, indicator="CP-5", text="Catatan BPJS", acting_user=personas.bpjs_officer
    )
    with pytest.raises(DomainError):
        services.snapshot_reply(
            snapshot=snapshot, indicator="XX-9", text="?", acting_user=personas.bpjs_officer
        )
    services.snapshot_publish(snapshot=snapshot, acting_user=head)
    frozen = dict(snapshot.data)
    # new records after publication do not change it
    services.meeting_record(
        forum=world.forum,
        kind="rakor",
        mode="daring",
        title="x",
        starts_at=at(dt.date(2023, 2, 1)),
        place="",
        convened_by=world.dinas,
        acting_user=personas.dinas_operator,
    )
    snapshot.refresh_from_db()
    assert snapshot.data == frozen
    snapshot.data = {"elements": []}
    with pytest.raises(InvalidTransition):
        snapshot.save()
    with pytest.raises(InvalidTransition):
        ScorecardSnapshot.objects.get(pk=snapshot.pk).delete()
    with pytest.raises(InvalidTransition):
        services.snapshot_reply(
            snapshot=snapshot, indicator="", text="late", acting_user=personas.bpjs_officer
        )
    with pytest.raises(InvalidTransition):
        ScorecardReply(snapshot=snapshot, agency=world.bpjs, text="x").save()
    with pytest.raises(InvalidTransition):
        services.snapshot_publish(snapshot=snapshot, acting_user=head)
    # a second draft of the same quarter may be made, but not published over the first
    second = services.snapshot_draft(
        region=region("13.03"), quarter=Quarter(2023, 1), acting_user=head
    )
    with pytest.raises(InvalidTransition):
        services.snapshot_publish(snapshot=second, acting_user=head)
    with pytest.raises(PermissionDenied):
        services.snapshot_draft(
            region=region("13.03"), quarter=Quarter(2023, 1), acting_user=personas.dinas_operator
        )


def test_quarter_parsing():
    assert Quarter.parse("2023-Q2") == Quarter(2023, 2)
    assert (Quarter(2023, 4).start, Quarter(2023, 4).end) == (
        dt.date(2023, 10, 1),
        dt.date(2023, 12, 31),
    )
    assert Quarter(2023, 1).previous() == Quarter(2022, 4)
    with pytest.raises(DomainError):
        Quarter.parse("2023-Q5")
