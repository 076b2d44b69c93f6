"""Bad input, as each role would type it: a clear Indonesian message naming the field or
value, never a 500, and nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jamsos.audit.models import AuditEvent
from jamsos.collaboration import services
from jamsos.collaboration.models import (
    ActionItem,
    Agreement,
    Decision,
    Forum,
    ForumMembership,
    InterAgencyRequest,
    Meeting,
    Obligation,
    ObligationInstance,
    ScorecardReply,
    ScorecardSnapshot,
)
from jamsos.collaboration.obligations import obligation_instances_generate
from jamsos.collaboration.quarters import Quarter
from jamsos.collaboration.tests.conftest import at
from jamsos.lib.errors import DomainError
from jamsos.testing.factories import region

API = "/api/collaboration"


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _pks(world, personas, start=dt.date(2023, 1, 1), **kwargs) -> Agreement:
    return services.agreement_record(
        region=world.forum.region,
        kind=kwargs.pop("kind", "pks"),
        title=kwargs.pop("title", "PKS Jamsos"),
        effective_from=start,
        effective_to=None,
        signed_on=None,
        parties=[(world.dinas, "560/1", "", ""), (world.bpjs, "PER/1", "", "")],
        acting_user=personas.dinas_operator,
        **kwargs,
    )


def test_dinas_adding_an_obligation_code_twice_is_told_which_code(client, world, personas):
    agreement = _pks(world, personas)
    client.force_login(personas.dinas_operator)
    url = reverse("collaboration:agreement_detail", args=[agreement.pk])
    data = {
        "action": "kewajiban",
        "ob-party": world.bpjs.pk,
        "ob-code": "B1",
        "ob-description": "Verifikasi usulan",
        "ob-frequency": "per_decree",
        "ob-evidence_rule": "auto_bpjs_result",
    }
    assert client.post(url, data).status_code == 302
    response = client.post(url, {**data, "ob-description": "Yang lain"})
    assert response.status_code == 302  # was a 500 (the unique constraint, unworded)
    assert 'Kolom "Kode": "B1" sudah dipakai kewajiban lain di perjanjian ini.' in said(response)
    assert list(Obligation.objects.values_list("description", flat=True)) == ["Verifikasi usulan"]
    assert AuditEvent.objects.filter(action="collaboration.obligation.added").count() == 1


def test_head_drafting_a_scorecard_for_a_bad_quarter_is_told_the_format(client, world, personas):
    client.force_login(personas.dinas_head)
    response = client.post(reverse("collaboration:scorecard"), {"period": "2023-Q9"})
    assert response.status_code == 200  # was a 500
    assert '"2023-Q9" bukan triwulan yang sah (format TTTT-Qn, contoh 2023-Q2).' in said(response)
    assert not ScorecardSnapshot.objects.exists()


@pytest.fixture
def instance(world, personas) -> ObligationInstance:
    agreement = _pks(world, personas)
    services.obligation_add(
        agreement=agreement,
        party=world.bpjs,
        code="B3",
        description="Laporan sosialisasi",
        kind="recurring",
        frequency="quarterly",
        evidence_rule="upload",
        acting_user=personas.dinas_operator,
    )
    obligation_instances_generate(
        region=world.forum.region, until=dt.date(2023, 6, 30), acting_user=personas.dinas_operator
    )
    return ObligationInstance.objects.order_by("due_on").first()


def test_invalid_evidence_waiver_and_reply_forms_say_why(client, world, personas, instance):
    url = reverse("collaboration:instance_detail", args=[instance.pk])
    client.force_login(personas.bpjs_officer)
    empty = SimpleUploadedFile("laporan.pdf", b"")
    response = client.post(url, {"action": "bukti", "ev-evidence": empty, "ev-note": ""})
    assert "Berkas bukti: Berkas yang dikirimkan kosong." in said(response)  # was silent

    client.force_login(personas.dinas_operator)
    response = client.post(url, {"action": "kecualikan", "wv-reason": "   "})
    assert "Alasan pengecualian: Bidang ini tidak boleh kosong." in said(response)  # was silent
    instance.refresh_from_db()
    assert instance.status == "pending" and not instance.waiver_pending
    assert not instance.evidence_name

    snapshot = services.snapshot_draft(
        region=region("13.03"), quarter=Quarter(2023, 1), acting_user=personas.dinas_head
    )
    client.force_login(personas.bpjs_officer)
    response = client.post(
        reverse("collaboration:snapshot_detail", args=[snapshot.pk]),
        {"action": "tanggapan", "indicator": "", "text": " "},
    )
    assert "Tanggapan: Bidang ini tidak boleh kosong." in said(response)  # was silent
    assert not ScorecardReply.objects.exists()


def test_bpjs_evidence_reference_too_long_is_refused_not_cut(client, world, personas, instance):
    client.force_login(personas.bpjs_officer)
    response = client.post(
        reverse("collaboration:instance_detail", args=[instance.pk]),
        {"action": "bukti", "ev-note": "x" * 301},
    )
    assert (
        'Kolom "Keterangan": paling banyak 300 karakter (sekarang 301); tulis rujukannya '
        "saja, bukan isinya."
    ) in said(response)
    instance.refresh_from_db()
    assert (instance.status, instance.evidence_ref) == ("pending", "")  # was cut to 300, kept
    assert not AuditEvent.objects.filter(
        action="collaboration.obligation.evidence_recorded"
    ).exists()


def test_blank_texts_via_the_api_name_the_field_for_each_role(client, world, personas):
    meeting = services.meeting_record(
        forum=world.forum,
        kind="rakor",
        mode="tatap_muka",
        title="Rakor Januari",
        starts_at=at(dt.date(2023, 1, 10)),
        place="Aula",
        convened_by=world.dinas,
        acting_user=personas.dinas_operator,
    )

    def post(url: str, data: dict) -> dict:
        response = client.post(url, data, content_type="application/json")
        assert response.status_code == 400, response.content
        return response.json()

    client.force_login(personas.dinas_operator)
    decision = {"text": "   ", "kind": "konsensus", "proposed_by": world.dinas.pk}
    body = post(f"{API}/meetings/{meeting.pk}/decisions", decision)
    assert (body["message"], body["params"]) == (
        'Kolom "Keputusan" wajib diisi.',
        {"field": "text"},
    )
    item = {"title": " ", "owner_agency": world.bpjs.pk, "due_on": "2030-01-01"}
    body = post(f"{API}/meetings/{meeting.pk}/action-items", item)
    assert body["message"] == 'Kolom "Tindak lanjut" wajib diisi.'

    client.force_login(personas.bpjs_officer)
    sent = {"forum": world.forum.pk, "to_agency": world.dinas.pk, "kind": "data", "subject": "  "}
    assert post(f"{API}/requests", sent)["message"] == 'Kolom "Perihal" wajib diisi.'

    kecamatan = services.forum_create(
        region=region("13.03.03"),
        name="Forum Kecamatan",
        convening_agency=world.camat,
        cadence=Forum.Cadence.QUARTERLY,
        members=[(world.camat, ForumMembership.Role.CORE)],
        valid_from=dt.date(2023, 1, 1),
        acting_user=personas.kecamatan_operator,
    )
    client.force_login(personas.kecamatan_operator)
    meeting_in = {
        "forum": kecamatan.pk,
        "kind": "rakor",
        "mode": "tatap_muka",
        "title": "\t ",
        "starts_at": "2023-02-08T09:00:00+07:00",
        "convened_by": world.camat.pk,
    }
    assert post(f"{API}/meetings", meeting_in)["message"] == 'Kolom "Acara" wajib diisi.'

    assert not Decision.objects.exists() and not ActionItem.objects.exists()
    assert not InterAgencyRequest.objects.exists()
    assert Meeting.objects.count() == 1


def test_request_to_ones_own_agency_names_the_field(client, world, personas):
    client.force_login(personas.bpjs_officer)
    response = client.post(
        f"{API}/requests",
        {"forum": world.forum.pk, "to_agency": world.bpjs.pk, "kind": "klaim", "subject": "Uji"},
        content_type="application/json",
    )
    # was 422 "Batasan “collab_request_two_agencies” dilanggar."
    assert response.status_code == 400
    assert response.json()["message"] == (
        f'Kolom "Kepada": kirim ke instansi lain, bukan ke {world.bpjs.name} sendiri.'
    )
    assert not InterAgencyRequest.objects.exists()


def test_addendum_rules_are_checked_before_anything_is_written(world, personas):
    parent = _pks(world, personas)
    with pytest.raises(DomainError) as caught:
        _pks(world, personas, start=dt.date(2022, 6, 1), kind="adendum", amends=parent)
    assert caught.value.message == (
        'Kolom "Berlaku sejak": 1 Juni 2022. Adendum harus berlaku setelah perjanjian yang '
        "diubahnya (berlaku sejak 1 Januari 2023)."
    )
    assert Agreement.objects.count() == 1

    _pks(world, personas, start=dt.date(2023, 6, 1), kind="adendum", amends=parent)
    parent.refresh_from_db()
    assert parent.effective_to == dt.date(2023, 5, 31)
    # A second addendum to the superseded parent would have moved the parent's end.
    with pytest.raises(DomainError) as caught:
        _pks(world, personas, start=dt.date(2024, 1, 1), kind="adendum", amends=parent)
    assert caught.value.message == (
        'Kolom "Mengubah perjanjian": "PKS Jamsos" sudah diubah oleh adendum lain; ubahlah '
        "adendum yang terakhir."
    )
    parent.refresh_from_db()
    assert parent.effective_to == dt.date(2023, 5, 31)
    assert Agreement.objects.count() == 2

    with pytest.raises(DomainError) as caught:
        services.agreement_record(
            region=world.forum.region,
            kind="pks",
            title="Dua kali",
            effective_from=dt.date(2024, 1, 1),
            effective_to=None,
            signed_on=None,
            parties=[(world.dinas, "1", "", ""), (world.dinas, "2", "", "")],
            acting_user=personas.dinas_operator,
        )
    assert caught.value.message == "Para pihak harus dua instansi yang berbeda."  # IntegrityError
    assert Agreement.objects.count() == 2
