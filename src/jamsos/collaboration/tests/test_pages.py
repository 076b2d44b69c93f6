"""Pages end to end with the test client: every role that takes part, and scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from jamsos.collaboration import services
from jamsos.collaboration.models import ActionItem, InterAgencyRequest, Meeting
from jamsos.collaboration.tests.conftest import at, pdf


@pytest.fixture
def meeting(world, personas) -> Meeting:
    return services.meeting_record(
        forum=world.forum,
        kind="rakor",
        mode="tatap_muka",
        title="Rakor Januari",
        starts_at=at(dt.date(2023, 1, 10)),
        place="Aula Dinas",
        convened_by=world.dinas,
        acting_user=personas.dinas_operator,
    )


def test_operator_records_meeting_attendance_decision_and_item(client, world, personas):
    client.force_login(personas.dinas_operator)
    url = reverse("collaboration:forum_detail", args=[world.forum.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "kind": "rakor",
            "mode": "hybrid",
            "title": "Rakor Maret",
            "starts_at": "2023-03-02T09:00",
            "place": "Aula",
            "convened_by": world.dinas.pk,
            "chair_name": "Kadis",
        },
    )
    meeting = Meeting.objects.get(title="Rakor Maret")
    assert response.status_code == 302 and meeting.mode == "hybrid"
    add = lambda what, data: client.post(  # noqa: E731
        reverse("collaboration:meeting_add", args=[meeting.pk, what]), data
    )
    add("kehadiran", {"att-agency": world.bpjs.pk, "att-level": "pimpinan", "att-count": 2})
    add(
        "keputusan",
        {
            "dec-text": "Percepat verifikasi",
            "dec-kind": "konsensus",
            "dec-proposed_by": world.bpjs.pk,
        },
    )
    decision = meeting.decisions.get()
    add(
        "tindak-lanjut",
        {
            "item-title": "Kirim hasil verifikasi",
            "item-owner_agency": world.bpjs.pk,
            "item-owner_name": "Kabid Kepesertaan",
            "item-due_on": "2023-03-20",
            "item-decision": decision.pk,
        },
    )
    item = ActionItem.objects.get()
    assert item.decision == decision and item.original_due_on == dt.date(2023, 3, 20)
    assert meeting.attendances.get().count == 2
    page = client.get(reverse("collaboration:meeting_detail", args=[meeting.pk]))
    assert "Kirim hasil verifikasi" in page.content.decode()
    for kind in ("undangan", "notulen"):
        pdf_response = client.get(
            reverse("collaboration:meeting_document", args=[meeting.pk, kind])
        )
        assert pdf_response.status_code == 200
        assert b"".join(pdf_response.streaming_content).startswith(b"%PDF")
    ics = client.get(reverse("collaboration:forum_calendar", args=[world.forum.pk]))
    assert b"BEGIN:VEVENT" in ics.content and b"Rakor Maret" in ics.content


def test_bpjs_marks_its_item_done_with_evidence_and_dinas_may_not(client, world, personas, meeting):
    item = services.action_item_assign(
        forum=world.forum,
        title="Sosialisasi",
        owner_agency=world.bpjs,
        owner_name="",
        due_on=dt.date(2030, 1, 1),
        acting_user=personas.dinas_operator,
    )
    url = reverse("collaboration:action_item_detail", args=[item.pk])
    client.force_login(personas.dinas_operator)
    assert client.post(url, {"action": "selesai", "done-note": "x"}).status_code == 403
    client.force_login(personas.bpjs_officer)
    response = client.post(url, {"action": "selesai", "done-evidence": pdf(), "done-note": "Foto"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "done" and item.evidence_name == "bukti.pdf"
    evidence = client.get(reverse("collaboration:action_item_evidence", args=[item.pk]))
    assert evidence.status_code == 200 and evidence["X-Content-Type-Options"] == "nosniff"
    assert b"".join(evidence.streaming_content).startswith(b"%PDF")


def test_request_both_directions_only_the_addressee_answers(client, world, personas):
    client.force_login(personas.dinas_operator)
    url = reverse("collaboration:request_list")
    client.post(
        url, {"to_agency": world.bpjs.pk, "kind": "klaim", "subject": "Percepat pencairan klaim"}
    )
    req = InterAgencyRequest.objects.get()
    assert req.from_agency == world.dinas and req.sla_days is None
    assert "SLA belum disepakati" in client.get(url).content.decode()
    detail = reverse("collaboration:request_detail", args=[req.pk])
    assert client.post(detail, {"action": "terima"}).status_code == 403
    client.force_login(personas.bpjs_officer)
    client.post(detail, {"action": "terima"})
    client.post(detail, {"action": "selesai", "outcome": "Dibayar"})
    req.refresh_from_db()
    assert req.status == "resolved" and req.acknowledged_at and req.resolved_at


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("dinas_operator", 200),
        ("dinas_head", 200),
        ("bpjs_officer", 200),
        ("kecamatan_operator", 404),  # the kabupaten's forum is not its kecamatan's
        ("executive", 200),
        ("dprd", 200),
        ("agent", 403),
        ("admin", 403),
        ("outsider", 404),
    ],
)
def test_meeting_scope(client, personas, meeting, persona, status):
    client.force_login(getattr(personas, persona))
    response = client.get(reverse("collaboration:meeting_detail", args=[meeting.pk]))
    assert response.status_code == status


def test_camat_sees_its_kecamatan_forum(client, world, personas):
    from jamsos.collaboration.models import Forum
    from jamsos.testing.factories import region

    kec = services.forum_create(
        region=region("13.03.03"),
        name="Forum Kecamatan Tanjung Gadang",
        convening_agency=world.camat,
        cadence=Forum.Cadence.QUARTERLY,
        members=[(world.camat, "core")],
        valid_from=dt.date(2023, 1, 1),
        acting_user=personas.kecamatan_operator,
    )
    client.force_login(personas.kecamatan_operator)
    page = client.get(reverse("collaboration:index")).content.decode()
    assert "Forum Kecamatan Tanjung Gadang" in page and "Forum Komunikasi Jamsos" not in page
    assert client.get(reverse("collaboration:forum_detail", args=[kec.pk])).status_code == 200
    client.force_login(personas.dinas_operator)
    assert client.get(reverse("collaboration:forum_detail", args=[kec.pk])).status_code == 200


@pytest.mark.parametrize(
    "persona", ["dinas_operator", "bpjs_officer", "executive", "dprd", "dinas_head"]
)
def test_scorecard_pages_read(client, world, personas, meeting, persona):
    client.force_login(getattr(personas, persona))
    response = client.get(
        reverse("collaboration:scorecard"), {"region": "13.03", "period": "2023-Q1"}
    )
    body = response.content.decode()
    assert response.status_code == 200 and "CP-1" in body and "1 dari 1" in body
    rows = client.get(
        reverse("collaboration:scorecard_rows", args=["CP-1"]),
        {"region": "13.03", "period": "2023-Q1"},
    )
    assert "Rakor" in rows.content.decode()


def test_scorecard_closed_to_camat_and_outsider(client, world, personas):
    client.force_login(personas.kecamatan_operator)
    assert client.get(reverse("collaboration:scorecard")).status_code == 403
    client.force_login(personas.outsider)
    assert client.get(reverse("collaboration:index")).status_code == 200
    body = client.get(reverse("collaboration:index")).content.decode()
    assert "Forum Komunikasi Jamsos" not in body


def test_snapshot_draft_reply_publish_then_immutable(client, world, personas, meeting):
    client.force_login(personas.dinas_head)
    client.post(
        reverse("collaboration:scorecard") + "?region=13.03&period=2023-Q1", {"period": "2023-Q1"}
    )
    from jamsos.collaboration.models import ScorecardSnapshot

    snapshot = ScorecardSnapshot.objects.get()
    url = reverse("collaboration:snapshot_detail", args=[snapshot.pk])
    client.force_login(personas.dprd)
    assert client.get(url).status_code == 404  # drafts are not for DPRD
    client.force_login(personas.bpjs_officer)
    client.post(
        url, {"action": "tanggapan", "indicator": "CP-1", "text": "Rapat daring karena banjir"}
    )
    assert snapshot.replies.get().agency == world.bpjs
    assert client.post(url, {"action": "terbitkan"}).status_code == 403
    client.force_login(personas.dinas_head)
    client.post(url, {"action": "terbitkan"})
    snapshot.refresh_from_db()
    assert snapshot.status == "published"
    client.force_login(personas.dprd)
    page = client.get(url)
    assert page.status_code == 200 and "Rapat daring karena banjir" in page.content.decode()
    pdf_response = client.get(reverse("collaboration:snapshot_pdf", args=[snapshot.pk]))
    assert b"".join(pdf_response.streaming_content).startswith(b"%PDF")


def test_operator_records_agreement_addendum_and_obligation(client, world, personas):
    from jamsos.collaboration.models import Agreement, Obligation

    client.force_login(personas.dinas_operator)
    url = reverse("collaboration:agreement_create")
    base = {
        "kind": "pks",
        "title": "PKS awal",
        "effective_from": "2022-01-01",
        "party1": world.dinas.pk,
        "number1": "560/1",
        "party2": world.bpjs.pk,
        "number2": "PER/1",
    }
    assert (
        client.post(url, {**base, "party2": world.dinas.pk}).status_code == 200
    )  # same party twice
    assert client.post(url, base).status_code == 302
    pks = Agreement.objects.get()
    detail = reverse("collaboration:agreement_detail", args=[pks.pk])
    client.post(
        detail,
        {
            "action": "kewajiban",
            "ob-party": world.bpjs.pk,
            "ob-code": "B1",
            "ob-description": "Verifikasi",
            "ob-frequency": "per_decree",
            "ob-evidence_rule": "auto_bpjs_result",
            "ob-sla_days": "",
            "ob-request_kind": "verifikasi",
        },
    )
    b1 = Obligation.objects.get(code="B1")
    assert b1.kind == "per_event" and b1.sla_days is None
    response = client.post(
        url,
        {
            **base,
            "kind": "adendum",
            "title": "Adendum",
            "amends": pks.pk,
            "effective_from": "2023-03-15",
            "number1": "560/316/Nakertrans-2023",
            "number2": "PER/16/032023",
        },
    )
    assert response.status_code == 302
    b1.refresh_from_db()
    assert b1.effective_to == dt.date(2023, 3, 14)
    assert client.post(detail).status_code == 302  # refresh: generate and judge
    client.force_login(personas.dprd)
    assert client.get(detail).status_code == 200
    assert client.post(detail).status_code == 403
    assert client.get(url).status_code == 403


def test_decision_links_an_agreement(client, world, personas, meeting):
    pks = services.agreement_record(
        region=world.forum.region,
        kind="pks",
        title="PKS",
        effective_from=dt.date(2023, 1, 1),
        effective_to=None,
        signed_on=dt.date(2023, 1, 5),
        parties=[(world.dinas, "1", "", ""), (world.bpjs, "2", "", "")],
        acting_user=personas.dinas_operator,
    )
    client.force_login(personas.dinas_operator)
    client.post(
        reverse("collaboration:meeting_add", args=[meeting.pk, "keputusan"]),
        {
            "dec-text": "Tandatangani",
            "dec-kind": "konsensus",
            "dec-proposed_by": world.dinas.pk,
            "dec-agreement": pks.pk,
        },
    )
    assert meeting.decisions.get().links.get().agreement == pks


def test_camat_forms_its_kecamatan_forum_but_not_the_kabupatens(client, world, personas):
    from jamsos.collaboration.models import Forum

    client.force_login(personas.kecamatan_operator)
    url = reverse("collaboration:forum_create")
    data = {
        "name": "Forum Kecamatan",
        "region": "13.03.03",
        "convening_agency": world.camat.pk,
        "cadence": "quarterly",
        "core": [world.camat.pk],
        "invited": [world.dinas.pk],
        "valid_from": "2024-01-01",
    }
    assert client.post(url, {**data, "region": "13.03"}).status_code == 200  # not offered
    assert client.post(url, {**data, "invited": [world.camat.pk]}).status_code == 200  # both lists
    assert client.post(url, data).status_code == 302
    forum = Forum.objects.get(name="Forum Kecamatan")
    assert set(forum.memberships.values_list("agency_id", "role")) == {
        (world.camat.pk, "core"),
        (world.dinas.pk, "invited"),
    }
    client.force_login(personas.dprd)
    assert client.get(url).status_code == 403
