"""Every indicator's formula on hand-made data: bands at their edges, n below the minimum,
zero denominators, and an addendum replacing obligations in the middle of a quarter."""

from __future__ import annotations

import datetime as dt

import pytest

from jamsos.collaboration import services
from jamsos.collaboration.models import (
    ActionItem,
    Attendance,
    Decision,
    IndicatorDefinition,
    InterAgencyRequest,
    Meeting,
    Obligation,
    ObligationInstance,
)
from jamsos.collaboration.obligations import (
    obligation_instances_generate,
    obligation_instances_judge,
)
from jamsos.collaboration.quarters import Quarter
from jamsos.collaboration.scorecard import (
    FORMULAS,
    band_of,
    scorecard_compute,
    scorecard_json,
)
from jamsos.collaboration.tests.conftest import at, pdf
from jamsos.testing.factories import region

Q1 = Quarter(2023, 1)
TODAY = dt.date(2023, 12, 31)


def card(quarter: Quarter = Q1) -> dict:
    return scorecard_compute(region=region("13.03"), quarter=quarter, today=TODAY, trend=False)


def indicator(code: str, quarter: Quarter = Q1) -> dict:
    for element in card(quarter)["elements"]:
        for result in element["indicators"]:
            if result["id"] == code:
                return result
    raise KeyError(code)


def meeting(world, personas, day: dt.date, *, mode="tatap_muka", kind="rakor", convener=None):
    return services.meeting_record(
        forum=world.forum,
        kind=kind,
        mode=mode,
        title="Rakor",
        starts_at=at(day),
        place="Aula",
        convened_by=convener or world.dinas,
        acting_user=personas.dinas_operator,
    )


def test_band_edges_use_integer_arithmetic():
    cuts = [90, 75, 55]
    assert band_of(9, 10, cuts) == 4
    assert band_of(3, 4, cuts) == 3  # exactly 75 %
    assert band_of(74, 100, cuts) == 2
    assert band_of(55, 100, cuts) == 2
    assert band_of(54, 100, cuts) == 1
    assert band_of(0, 0, cuts) is None
    assert band_of(1, 2, []) is None  # descriptive


@pytest.mark.django_db
def test_every_catalogue_row_has_a_formula():
    codes = set(IndicatorDefinition.objects.values_list("code", flat=True))
    assert codes and codes <= set(FORMULAS)


@pytest.mark.django_db
def test_empty_quarter_has_null_values_and_insufficient(world):
    out = scorecard_json(card())
    assert out["definitions_version"] == "2026.1"
    assert [e["element"] for e in out["elements"]] == [
        "starting_conditions",
        "institutional_design",
        "facilitative_leadership",
        "face_to_face_dialogue",
        "trust_building",
        "commitment",
        "shared_understanding",
        "intermediate_outcomes",
    ]
    cp2 = next(i for e in out["elements"] for i in e["indicators"] if i["id"] == "CP-2")
    assert cp2 == {
        "id": "CP-2",
        "name": cp2["name"],
        "numerator": 0,
        "denominator": 0,
        "value": None,
        "band": None,
        "min_n": 3,
        "insufficient": True,
    }


def test_face_to_face_and_consensus(world, personas):
    m1 = meeting(world, personas, dt.date(2023, 1, 10))
    m2 = meeting(world, personas, dt.date(2023, 2, 10), mode="daring")
    meeting(world, personas, dt.date(2023, 4, 10))  # next quarter: not counted
    cp1 = indicator("CP-1")
    assert (cp1["numerator"], cp1["denominator"], cp1["insufficient"]) == (1, 2, False)
    assert cp1["band"] == 1  # 50 % < 55 %
    for kind in ("konsensus", "konsensus", "arahan"):
        services.decision_record(
            meeting=m1 if kind == "arahan" else m2,
            text="Keputusan",
            kind=kind,
            proposed_by=world.bpjs,
            acting_user=personas.dinas_operator,
        )
    cp2 = indicator("CP-2")
    assert (cp2["numerator"], cp2["denominator"]) == (2, 3)
    assert cp2["band"] == 2  # 66 %


def test_convening_regularity_and_gap(world, personas):
    meeting(world, personas, dt.date(2022, 12, 1))
    meeting(world, personas, dt.date(2023, 3, 1))
    fl1 = indicator("FL-1")
    # monthly cadence: 3 planned, 1 held; longest gap 1 Dec → 1 Mar = 90 days
    assert (fl1["numerator"], fl1["denominator"]) == (1, 3)
    assert fl1["detail"]["longest_gap_days"] == 90


def test_senior_presence_and_core_attendance(world, personas):
    op = personas.dinas_operator
    m1 = meeting(world, personas, dt.date(2023, 1, 10))
    m2 = meeting(world, personas, dt.date(2023, 2, 10))
    services.attendance_record(
        meeting=m1, agency=world.dinas, level="pimpinan", count=1, acting_user=op
    )
    services.attendance_record(
        meeting=m1, agency=world.bpjs, level="pimpinan", count=1, acting_user=op
    )
    services.attendance_record(
        meeting=m2, agency=world.dinas, level="pimpinan", count=5, acting_user=op
    )
    services.attendance_record(meeting=m2, agency=world.bpjs, level="staf", count=9, acting_user=op)
    fl2 = indicator("FL-2")
    assert (fl2["numerator"], fl2["denominator"]) == (1, 2)
    cp1b = indicator("CP-1b")
    # 3 core members (Dinas, BPJS, Bupati) per meeting; a big delegation counts once
    assert (cp1b["numerator"], cp1b["denominator"]) == (4, 6)
    id1 = indicator("ID-1")
    assert (id1["numerator"], id1["denominator"]) == (2, 4)


def test_empowerment_counts_non_convener_proposals(world, personas):
    op = personas.dinas_operator
    m = meeting(world, personas, dt.date(2023, 1, 10))
    services.agenda_item_add(meeting=m, title="Laporan", proposed_by=world.dinas, acting_user=op)
    services.agenda_item_add(meeting=m, title="Klaim", proposed_by=world.bpjs, acting_user=op)
    services.decision_record(
        meeting=m, text="x", kind="konsensus", proposed_by=world.bpjs, acting_user=op
    )
    fl3 = indicator("FL-3")
    assert (fl3["numerator"], fl3["denominator"], fl3["insufficient"]) == (2, 3, True)
    assert fl3["band"] is None  # below min n 5


def test_minutes_within_days_param(world, personas):
    op = personas.dinas_operator
    m1 = meeting(world, personas, dt.date(2023, 1, 10))
    m2 = meeting(world, personas, dt.date(2023, 2, 10))
    meeting(world, personas, dt.date(2023, 3, 10))
    services.minutes_publish(meeting=m1, upload=pdf(), acting_user=op, at=at(dt.date(2023, 1, 17)))
    services.minutes_publish(meeting=m2, upload=pdf(), acting_user=op, at=at(dt.date(2023, 2, 20)))
    id5 = indicator("ID-5")
    assert (id5["numerator"], id5["denominator"]) == (1, 3)


def _item(world, personas, due: dt.date, owner=None) -> ActionItem:
    return services.action_item_assign(
        forum=world.forum,
        title="Tindak lanjut",
        owner_agency=owner or world.bpjs,
        owner_name="Kepala Bidang",
        due_on=due,
        acting_user=personas.dinas_operator,
    )


def test_action_items_on_time_per_owner_and_follow_through(world, personas):
    bpjs = personas.bpjs_officer
    done = _item(world, personas, dt.date(2023, 2, 1))
    services.action_item_complete(
        item=done, upload=pdf(), note="", acting_user=bpjs, at=at(dt.date(2023, 1, 30))
    )
    late = _item(world, personas, dt.date(2023, 2, 1))
    services.action_item_complete(
        item=late, upload=None, note="selesai", acting_user=bpjs, at=at(dt.date(2023, 2, 5))
    )
    open_ = _item(world, personas, dt.date(2023, 3, 1), owner=world.dinas)
    services.action_item_escalate(
        item=open_, note="ingat", acting_user=personas.dinas_operator, at=at(dt.date(2023, 3, 3))
    )
    dropped = _item(world, personas, dt.date(2023, 3, 1))
    ActionItem.objects.filter(pk=dropped.pk).update(status=ActionItem.Status.DROPPED)
    _item(world, personas, dt.date(2023, 5, 1))  # due next quarter
    cp5 = indicator("CP-5")
    assert (cp5["numerator"], cp5["denominator"]) == (1, 3)
    assert cp5["detail"]["by_owner"] == {
        world.bpjs.name: [1, 2],
        world.dinas.name: [0, 1],
    } or cp5["detail"]["by_owner"] == {world.bpjs.name: (1, 2), world.dinas.name: (0, 1)}
    fl4 = indicator("FL-4")
    # overdue: "late" (not escalated) and "open_" (escalated in 2 days)
    assert (fl4["numerator"], fl4["denominator"]) == (1, 2)


def _request(world, personas, frm, to, sent: dt.date, resolved: dt.date | None, sla: int | None):
    sender = personas.bpjs_officer if frm == world.bpjs else personas.dinas_operator
    r = services.request_send(
        forum=world.forum,
        to_agency=to,
        kind="klaim",
        subject="Percepat",
        from_agency=frm,
        acting_user=sender,
        at=at(sent),
    )
    InterAgencyRequest.objects.filter(pk=r.pk).update(sla_days=sla)
    r.refresh_from_db()
    if resolved:
        answerer = personas.bpjs_officer if to == world.bpjs else personas.dinas_operator
        services.request_resolve(request=r, outcome="ok", acting_user=answerer, at=at(resolved))
    return r


def test_requests_per_direction_and_without_sla(world, personas):
    d, b = world.dinas, world.bpjs
    _request(world, personas, d, b, dt.date(2023, 1, 2), dt.date(2023, 1, 9), 7)  # on time
    _request(world, personas, d, b, dt.date(2023, 1, 2), dt.date(2023, 1, 20), 7)  # late
    _request(world, personas, d, b, dt.date(2023, 1, 2), dt.date(2023, 1, 3), None)  # no SLA
    _request(world, personas, d, b, dt.date(2023, 1, 2), None, 7)  # unresolved
    _request(world, personas, b, d, dt.date(2023, 2, 1), dt.date(2023, 2, 2), 5)
    a = indicator("CP-3a")
    assert (a["numerator"], a["denominator"], a["insufficient"]) == (1, 2, True)
    assert a["detail"]["without_sla"] == 1
    assert a["detail"]["n"] == 3 and a["detail"]["median_days"] == 7
    b_ = indicator("CP-3b")
    assert (b_["numerator"], b_["denominator"]) == (1, 1)
    c = indicator("CP-3c")
    assert (c["numerator"], c["denominator"], c["value"]) == (0, 0, None)
    id4 = indicator("ID-4")
    assert (id4["numerator"], id4["denominator"]) == (1, 1)


def _agreement(personas, world, start: dt.date, *, amends=None, number="560/1"):
    return services.agreement_record(
        region=region("13.03"),
        kind="adendum" if amends else "pks",
        title="PKS",
        effective_from=start,
        effective_to=None,
        signed_on=start,
        parties=[(world.dinas, number, "", ""), (world.bpjs, "PER/1", "", "")],
        amends=amends,
        acting_user=personas.dinas_operator,
    )


def test_addendum_mid_quarter_replaces_obligations(world, personas):
    op = personas.dinas_operator
    pks = _agreement(personas, world, dt.date(2022, 1, 1))
    old = services.obligation_add(
        agreement=pks,
        party=world.bpjs,
        code="B5",
        description="Koordinasi",
        kind="recurring",
        frequency="quarterly",
        evidence_rule="auto_attendance",
        acting_user=op,
    )
    addendum = _agreement(personas, world, dt.date(2023, 2, 15), amends=pks, number="560/316")
    new = services.obligation_add(
        agreement=addendum,
        party=world.bpjs,
        code="B5",
        description="Koordinasi",
        kind="recurring",
        frequency="quarterly",
        evidence_rule="auto_attendance",
        acting_user=op,
    )
    old.refresh_from_db()
    pks.refresh_from_db()
    assert old.effective_to == dt.date(2023, 2, 14)
    assert pks.status == "superseded" and addendum.version == 2
    obligation_instances_generate(region=region("13.03"), until=dt.date(2023, 3, 31))
    q1_old = ObligationInstance.objects.get(obligation=old, key="2023-Q1")
    q1_new = ObligationInstance.objects.get(obligation=new, key="2023-Q1")
    assert (q1_old.period_start, q1_old.period_end) == (dt.date(2023, 1, 1), dt.date(2023, 2, 14))
    assert (q1_new.period_start, q1_new.period_end) == (dt.date(2023, 2, 15), dt.date(2023, 3, 31))
    # BPJS attended once, after the addendum: the new version is kept, the old one missed
    m = meeting(world, personas, dt.date(2023, 3, 1))
    services.attendance_record(meeting=m, agency=world.bpjs, level="staf", count=1, acting_user=op)
    obligation_instances_judge(region=region("13.03"), today=dt.date(2023, 4, 1))
    q1_old.refresh_from_db()
    q1_new.refresh_from_db()
    assert q1_old.status == "missed" and q1_new.status == "fulfilled"
    cp6 = indicator("CP-6")
    assert (cp6["numerator"], cp6["denominator"]) == (1, 2)  # 2022 instances are other quarters
    assert cp6["detail"]["by_party"][world.bpjs.name] in ([1, 2], (1, 2))
    # re-running generates nothing new
    assert obligation_instances_generate(region=region("13.03"), until=dt.date(2023, 3, 31)) == 0


def test_waived_instances_leave_the_denominator(world, personas):
    op = personas.dinas_operator
    pks = _agreement(personas, world, dt.date(2023, 1, 1))
    ob = services.obligation_add(
        agreement=pks,
        party=world.dinas,
        code="D6",
        description="Evaluasi",
        kind="recurring",
        frequency="quarterly",
        evidence_rule="upload",
        acting_user=op,
    )
    obligation_instances_generate(region=region("13.03"), until=dt.date(2023, 3, 31))
    instance = ObligationInstance.objects.get(obligation=ob)
    services.obligation_waiver_request(instance=instance, reason="Bencana", acting_user=op)
    services.obligation_waiver_approve(instance=instance, acting_user=personas.dinas_head)
    cp6 = indicator("CP-6")
    assert cp6["denominator"] == 0 and cp6["value"] is None


def test_verification_clock_and_sla_from_agreement(world, personas, monkeypatch):
    """CP-10 takes its SLA from the B1 obligation; without one there is no denominator."""
    from jamsos.collaboration import scorecard

    monkeypatch.setattr(
        scorecard,
        "verification_clock",
        lambda ctx: [(1, "SK 1", 3), (2, "SK 2", 20), (3, "SK 3", 10)],
    )
    cp10 = indicator("CP-10")
    assert (cp10["denominator"], cp10["detail"]["sla_days"]) == (0, None)
    assert cp10["detail"]["median_days"] == 10 and cp10["detail"]["p90_days"] == 20
    pks = _agreement(personas, world, dt.date(2022, 1, 1))
    services.obligation_add(
        agreement=pks,
        party=world.bpjs,
        code="B1",
        description="Verifikasi",
        kind="per_event",
        frequency="per_decree",
        evidence_rule="auto_bpjs_result",
        sla_days=14,
        acting_user=personas.dinas_operator,
    )
    cp10 = indicator("CP-10")
    assert (cp10["numerator"], cp10["denominator"]) == (2, 3)


def test_trend_has_three_earlier_quarters(world, personas):
    meeting(world, personas, dt.date(2022, 11, 1))
    full = scorecard_compute(region=region("13.03"), quarter=Q1, today=TODAY)
    cp1 = next(i for e in full["elements"] for i in e["indicators"] if i["id"] == "CP-1")
    assert [t["period"] for t in cp1["trend"]] == ["2022-Q2", "2022-Q3", "2022-Q4"]
    assert cp1["trend"][2]["denominator"] == 1


def test_decisions_of_record_linked_to_forum(world, personas):
    from jamsos.collaboration.models import Agreement

    op = personas.dinas_operator
    pks = _agreement(personas, world, dt.date(2023, 1, 5))
    other = _agreement(personas, world, dt.date(2023, 1, 6), number="560/2")
    m = meeting(world, personas, dt.date(2023, 1, 4))
    services.decision_record(
        meeting=m,
        text="Tandatangani PKS",
        kind="konsensus",
        proposed_by=world.dinas,
        links=[("agreement", pks)],
        acting_user=op,
    )
    id3 = indicator("ID-3")
    assert (id3["numerator"], id3["denominator"]) == (1, 2)
    assert Agreement.objects.filter(pk=other.pk).exists()


def test_meeting_kinds_and_levels_are_choices():
    assert {"rakor", "fgd", "evaluasi", "bilateral"} == set(Meeting.Kind.values)
    assert {"tatap_muka", "daring", "hybrid"} == set(Meeting.Mode.values)
    assert {"pimpinan", "pejabat", "staf"} == set(Attendance.Level.values)
    assert {"konsensus", "arahan", "voting"} == set(Decision.Kind.values)
    assert "upload" not in Obligation.AUTO


def test_query_count_does_not_grow_with_meetings(world, personas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            scorecard_compute(region=region("13.03"), quarter=Q1, today=TODAY)
        return len(ctx.captured_queries)

    op = personas.dinas_operator
    m = meeting(world, personas, dt.date(2023, 1, 5))
    services.attendance_record(meeting=m, agency=world.bpjs, level="staf", count=1, acting_user=op)
    services.decision_record(
        meeting=m, text="x", kind="konsensus", proposed_by=world.bpjs, acting_user=op
    )
    services.agenda_item_add(meeting=m, title="a", proposed_by=world.bpjs, acting_user=op)
    one = queries()
    for day in range(6, 12):
        m = meeting(world, personas, dt.date(2023, 2, day))
        services.attendance_record(
            meeting=m, agency=world.dinas, level="pimpinan", count=1, acting_user=op
        )
        services.decision_record(
            meeting=m, text="y", kind="arahan", proposed_by=world.dinas, acting_user=op
        )
        services.agenda_item_add(meeting=m, title="b", proposed_by=world.dinas, acting_user=op)
    assert queries() == one
