"""The API end to end (session auth) and the ``jamsos scorecard`` command's JSON shape."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command

from jamsos.collaboration import services
from jamsos.collaboration.tests.conftest import at, pdf

API = "/api/collaboration"


def test_meeting_decision_item_and_completion_via_api(client, world, personas):
    client.force_login(personas.dinas_operator)
    response = client.post(
        f"{API}/meetings",
        {
            "forum": world.forum.pk,
            "kind": "rakor",
            "mode": "tatap_muka",
            "title": "Rakor API",
            "starts_at": "2023-01-10T09:00:00+07:00",
            "convened_by": world.dinas.pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    meeting_id = response.json()["id"]
    r = client.post(
        f"{API}/meetings/{meeting_id}/attendance",
        {"agency": world.bpjs.pk, "level": "pimpinan", "count": 3},
        content_type="application/json",
    )
    assert r.json()["attendance"] == [{"agency": "bpjs-solok", "level": "pimpinan", "count": 3}]
    r = client.post(
        f"{API}/meetings/{meeting_id}/decisions",
        {"text": "Sosialisasi berkala", "kind": "konsensus", "proposed_by": world.dinas.pk},
        content_type="application/json",
    )
    decision_id = r.json()["decisions"][0]["id"]
    r = client.post(
        f"{API}/meetings/{meeting_id}/action-items",
        {
            "title": "Jadwal sosialisasi",
            "owner_agency": world.bpjs.pk,
            "due_on": "2030-02-01",
            "decision": decision_id,
        },
        content_type="application/json",
    )
    assert r.status_code == 201
    item_id = r.json()["id"]
    # the Dinas may not close BPJS's item; BPJS may, with evidence
    assert client.post(f"{API}/action-items/{item_id}/complete", {"note": "x"}).status_code == 403
    client.force_login(personas.bpjs_officer)
    r = client.post(f"{API}/action-items/{item_id}/complete", {"note": "", "evidence": pdf()})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "done" and r.json()["on_time"]
    mine = client.get(f"{API}/action-items", {"mine": True}).json()
    assert [i["id"] for i in mine["items"]] == [item_id]


def test_outsider_gets_404_for_meeting_and_agency_outside_scope(client, world, personas):
    meeting = services.meeting_record(
        forum=world.forum,
        kind="rakor",
        mode="daring",
        title="R",
        starts_at=at(dt.date(2023, 1, 1)),
        place="",
        convened_by=world.dinas,
        acting_user=personas.dinas_operator,
    )
    client.force_login(personas.outsider)
    assert client.get(f"{API}/meetings/{meeting.pk}").status_code == 404
    assert client.get(f"{API}/meetings").json()["meta"]["count"] == 0


def test_requests_via_api_with_sla(client, world, personas):
    client.force_login(personas.dinas_operator)
    r = client.post(
        f"{API}/requests",
        {
            "forum": world.forum.pk,
            "to_agency": world.bpjs.pk,
            "kind": "sosialisasi",
            "subject": "Sosialisasi berkala",
        },
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["sla_days"] is None
    req_id = r.json()["id"]
    assert client.post(f"{API}/requests/{req_id}/acknowledge").status_code == 403
    client.force_login(personas.bpjs_officer)
    assert client.post(f"{API}/requests/{req_id}/acknowledge").json()["status"] == "acknowledged"
    r = client.post(
        f"{API}/requests/{req_id}/resolve",
        {"outcome": "Dijadwalkan"},
        content_type="application/json",
    )
    assert r.json()["status"] == "resolved"
    assert client.get(f"{API}/requests", {"box": "masuk"}).json()["meta"]["count"] == 1


def test_scorecard_api_shape_and_scope(client, world, personas):
    client.force_login(personas.dprd)
    r = client.get(f"{API}/scorecard", {"region": "13.03", "period": "2023-Q1"})
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"region", "period", "definitions_version", "elements"}
    assert len(body["elements"]) == 8
    client.force_login(personas.outsider)
    assert (
        client.get(f"{API}/scorecard", {"region": "13.03", "period": "2023-Q1"}).status_code == 404
    )
    client.force_login(personas.kecamatan_operator)
    assert (
        client.get(f"{API}/scorecard", {"region": "13.03", "period": "2023-Q1"}).status_code == 403
    )
    client.force_login(personas.dinas_operator)
    assert (
        client.get(f"{API}/scorecard", {"region": "13.71", "period": "2023-Q1"}).status_code == 404
    )
    assert (
        client.get(f"{API}/scorecard", {"region": "13.03", "period": "2023-Q5"}).status_code == 422
    )


def test_cli_json_shape(world, personas):
    services.meeting_record(
        forum=world.forum,
        kind="rakor",
        mode="tatap_muka",
        title="R",
        starts_at=at(dt.date(2023, 4, 3)),
        place="",
        convened_by=world.dinas,
        acting_user=personas.dinas_operator,
    )
    out = io.StringIO()
    call_command("scorecard", "--region", "13.03", "--period", "2023-Q2", "--json", stdout=out)
    body = json.loads(out.getvalue())
    assert list(body) == ["region", "period", "definitions_version", "elements"]
    assert body["region"] == "13.03" and body["period"] == "2023-Q2"
    for element in body["elements"]:
        for i in element["indicators"]:
            assert list(i) == [
                "id",
                "name",
                "numerator",
                "denominator",
                "value",
                "band",
                "min_n",
                "insufficient",
            ]
            assert i["insufficient"] == (i["denominator"] < i["min_n"])
            assert (i["value"] is None) == (i["denominator"] == 0)
            assert i["band"] is None or 1 <= i["band"] <= 4
    cp1 = next(i for e in body["elements"] for i in e["indicators"] if i["id"] == "CP-1")
    assert (cp1["numerator"], cp1["denominator"], cp1["value"], cp1["band"]) == (1, 1, 1.0, None)
    text = io.StringIO()
    call_command("scorecard", "--region", "13.03", "--period", "2023-Q2", stdout=text)
    assert "CP-1" in text.getvalue() and "1 dari 1" in text.getvalue()


@pytest.mark.parametrize(
    "args",
    [["--region", "99.99", "--period", "2023-Q1"], ["--region", "13.03", "--period", "2023-5"]],
)
def test_cli_bad_usage_exits_2(db, args):
    with pytest.raises(CommandError) as exc:
        call_command("scorecard", *args)
    assert exc.value.returncode == 2


def test_obligations_command_and_reminders(world, personas):
    from jamsos.collaboration.models import ObligationInstance
    from jamsos.testing.factories import region

    op = personas.dinas_operator
    pks = services.agreement_record(
        region=region("13.03"),
        kind="pks",
        title="PKS",
        effective_from=dt.date(2023, 1, 1),
        effective_to=None,
        signed_on=None,
        parties=[(world.dinas, "1", "", ""), (world.bpjs, "2", "", "")],
        acting_user=op,
    )
    services.obligation_add(
        agreement=pks,
        party=world.dinas,
        code="D6",
        description="Evaluasi",
        kind="recurring",
        frequency="yearly",
        evidence_rule="auto_evaluation",
        acting_user=op,
    )
    services.meeting_record(
        forum=world.forum,
        kind="evaluasi",
        mode="tatap_muka",
        title="Evaluasi",
        starts_at=at(dt.date(2023, 12, 10)),
        place="",
        convened_by=world.dinas,
        acting_user=op,
    )
    out = io.StringIO()
    call_command(
        "collaboration_obligations", "--region", "13.03", "--today", "2024-01-05", stdout=out
    )
    assert "2 kewajiban jatuh tempo baru" in out.getvalue()  # 2023 and 2024
    assert ObligationInstance.objects.get(key="2023").status == "fulfilled"
    assert ObligationInstance.objects.get(key="2024").status == "pending"
    services.action_item_assign(
        forum=world.forum,
        title="Lama",
        owner_agency=world.bpjs,
        owner_name="",
        due_on=dt.date(2020, 1, 1),
        acting_user=op,
    )
    out = io.StringIO()
    call_command("collaboration_reminders", "--region", "13.03", "--json", stdout=out)
    rows = json.loads(out.getvalue())
    assert [r["title"] for r in rows] == ["Lama"] and rows[0]["overdue_days"] > 0
    with pytest.raises(CommandError):
        call_command("collaboration_obligations", "--region", "13.03", "--today", "2024-13-01")


def test_reminders_send_queues_one_message_per_owner_and_channel_once(world, personas):
    from jamsos.messaging.models import Message

    officer = personas.bpjs_officer
    officer.phone = "081234567890"
    officer.save()
    services.action_item_assign(
        forum=world.forum,
        title="Kirim hasil verifikasi",
        owner_agency=world.bpjs,
        owner_name="",
        due_on=dt.date(2020, 1, 1),
        acting_user=personas.dinas_operator,
    )
    out = io.StringIO()
    call_command("collaboration_reminders", "--region", "13.03", "--send", stdout=out)
    queued = Message.objects.filter(event="collaboration.action_item.due")
    from jamsos.accounts.models import User

    owners = {m.recipient_user_id for m in queued}
    bpjs_users = set(User.objects.filter(agency=world.bpjs).values_list("pk", flat=True))
    assert queued.count() >= 1 and officer.pk in owners and owners <= bpjs_users
    assert f"{queued.count()} pesan pengingat masuk antrean" in out.getvalue()
    # the same item and due date again: nothing new
    call_command("collaboration_reminders", "--region", "13.03", "--send", stdout=io.StringIO())
    assert Message.objects.filter(event="collaboration.action_item.due").count() == queued.count()
