"""REST API of the intake: same permissions and scope as the pages, NIK masked."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jamsos.intake import services
from jamsos.intake.models import ProposalBatch, ProposalRow
from jamsos.intake.tests.test_ui_batches import (
    CSV_HEADER,
    csv_line,
    csv_upload,
    issue,
    make_batch,
    make_row,
    other_agent,
    person_values,
)
from jamsos.lib.nik import nik_mask
from jamsos.registry.models import Person
from jamsos.testing.factories import UserFactory
from jamsos.testing.personas import AGENT_NAGARI

pytestmark = pytest.mark.django_db

API = "/api/intake"
Status = ProposalBatch.Status


def as_user(client, user):
    client.force_login(user)
    return client


def post_json(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


@pytest.fixture
def batch(personas):
    batch = make_batch(
        personas.agent,
        rows_total=2,
        rows_processed=2,
        rows_valid=1,
        rows_invalid=1,
        summary={"errors": {"nik_format": 1}, "warnings": {}},
    )
    make_row(batch, 1)
    make_row(
        batch,
        2,
        status=ProposalRow.Status.INVALID,
        values=person_values(2, nik="12345"),
        issues=[issue("nik_format", "nik", "NIK harus 16 angka.")],
    )
    return batch


def test_upload_multipart_stages_and_validates(
    client, personas, django_capture_on_commit_callbacks
):
    as_user(client, personas.kecamatan_operator)
    lines = [CSV_HEADER, csv_line(person_values(1)), csv_line(person_values(2))]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{API}/batches", {"file": csv_upload(lines), "region": "13.03.03", "title": "API"}
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == Status.QUEUED and body["source"] == "api"
    detail = client.get(f"{API}/batches/{body['id']}").json()
    assert detail["status"] == Status.VALIDATED
    assert detail["counts"]["valid"] == 2
    assert detail["progress"] == {"rows_total": 2, "rows_processed": 2, "percent": 100}


def test_upload_wrong_type_is_400_and_writes_nothing(client, personas):
    as_user(client, personas.kecamatan_operator)
    response = client.post(
        f"{API}/batches",
        {"file": SimpleUploadedFile("x.docx", b"PK\x03\x04"), "region": "13.03.03"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "file_type"
    assert ProposalBatch.objects.count() == 0


def test_upload_region_out_of_scope_is_404(client, personas):
    as_user(client, personas.kecamatan_operator)
    response = client.post(
        f"{API}/batches", {"file": csv_upload([CSV_HEADER]), "region": "13.03.04"}
    )
    assert response.status_code == 404
    assert ProposalBatch.objects.count() == 0


def test_upload_needs_propose_permission(client, personas):
    as_user(client, personas.dinas_head)
    response = client.post(f"{API}/batches", {"file": csv_upload([CSV_HEADER]), "region": "13.03"})
    assert response.status_code == 403


def test_list_is_scoped(client, personas, batch, django_assert_max_num_queries):
    make_batch(other_agent(), title="lain")
    as_user(client, personas.agent)
    with django_assert_max_num_queries(6):
        body = client.get(f"{API}/batches").json()
    assert [b["id"] for b in body["items"]] == [batch.pk]
    as_user(client, personas.dinas_operator)
    assert client.get(f"{API}/batches").json()["count"] == 2
    assert client.get(f"{API}/batches", {"status": "applied"}).json()["count"] == 0


def test_detail_has_code_counts(client, personas, batch):
    body = as_user(client, personas.dinas_operator).get(f"{API}/batches/{batch.pk}").json()
    assert body["errors"] == {"nik_format": 1}
    assert body["status_counts"]["invalid"] == 1


def test_rows_filtered_paginated_and_masked(client, personas, batch, django_assert_max_num_queries):
    as_user(client, personas.dinas_operator)
    # 8, plus 4-5 for the access log: the chain's head (and PostgreSQL's advisory lock),
    # the read, its persons, a savepoint.
    with django_assert_max_num_queries(13):
        body = client.get(f"{API}/batches/{batch.pk}/rows", {"status": "invalid"}).json()
    assert body["count"] == 1
    row = body["items"][0]
    assert row["row_number"] == 2 and row["issues"][0]["code"] == "nik_format"
    everything = client.get(f"{API}/batches/{batch.pk}/rows", {"page_size": 1}).json()
    assert everything["count"] == 2 and len(everything["items"]) == 1
    first = everything["items"][0]
    nik = person_values(1)["nik"]
    assert first["nik_masked"] == nik_mask(nik)
    assert nik not in str(everything)


def test_outsider_and_other_agent_get_404(client, personas, batch):
    row = batch.rows.first()
    for user in (personas.outsider, other_agent()):
        as_user(client, user)
        assert client.get(f"{API}/batches/{batch.pk}").status_code == 404
        assert client.get(f"{API}/batches/{batch.pk}/rows").status_code == 404
        assert post_json(
            client, f"{API}/rows/{row.pk}/decision", {"decision": "accepted"}
        ).status_code in (403, 404)


def test_agent_cannot_review_and_operator_cannot_approve(client, personas, batch):
    row = batch.rows.get(row_number=1)
    as_user(client, personas.agent)
    assert (
        post_json(client, f"{API}/rows/{row.pk}/decision", {"decision": "accepted"}).status_code
        == 403
    )
    assert post_json(client, f"{API}/batches/{batch.pk}/submit").status_code == 403
    as_user(client, personas.dinas_operator)
    assert post_json(client, f"{API}/batches/{batch.pk}/approve").status_code == 403


def test_decide_and_fix_rows(client, personas, batch):
    as_user(client, personas.dinas_operator)
    good = batch.rows.get(row_number=1)
    bad = batch.rows.get(row_number=2)
    response = post_json(client, f"{API}/rows/{good.pk}/decision", {"decision": "rejected"})
    assert response.status_code == 400 and response.json()["code"] == "reason_required"
    response = post_json(
        client, f"{API}/rows/{good.pk}/decision", {"decision": "rejected", "reason": "pindah"}
    )
    assert response.json()["decision"] == "rejected"
    assert (
        post_json(client, f"{API}/rows/{good.pk}/decision", {"decision": "maybe"}).status_code
        == 422
    )
    response = post_json(
        client, f"{API}/rows/{bad.pk}/fix", {"values": {"nik": person_values(2)["nik"]}}
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "valid"


def test_submit_approve_flow_and_maker_checker(
    client, personas, django_capture_on_commit_callbacks
):
    row = services.person_propose(values=person_values(1), acting_user=personas.agent)
    batch_id = row.batch_id
    as_user(client, personas.dinas_head)
    assert post_json(client, f"{API}/batches/{batch_id}/submit").json()["status"] == "submitted"
    refused = post_json(client, f"{API}/batches/{batch_id}/approve")
    assert refused.status_code == 403 and refused.json()["code"] == "maker_checker"
    # a second head approves
    other_head = UserFactory(username="head2", role="dinas_head", agency=personas.dinas_head.agency)
    before = Person.objects.count()
    as_user(client, other_head)
    with django_capture_on_commit_callbacks() as callbacks:
        accepted = post_json(client, f"{API}/batches/{batch_id}/approve")
    # returns at once: the apply task is queued on commit, nothing written yet
    assert accepted.status_code == 202, accepted.content
    body = accepted.json()
    assert body["status"] == "applying" and body["apply"]["persons_total"] == 1
    assert accepted["Location"] == body["status_url"] == f"{API}/batches/{batch_id}"
    assert Person.objects.count() == before
    for callback in callbacks:  # the commit: the apply task runs (immediate backend)
        callback()
    body = client.get(body["status_url"]).json()
    assert body["status"] == "applied" and body["counts"]["applied"] == 1
    assert body["apply"] is None
    assert Person.objects.count() == before + 1
    again = post_json(client, f"{API}/batches/{batch_id}/approve")
    assert again.status_code == 409


def test_reject_batch(client, personas):
    row = services.person_propose(values=person_values(1), acting_user=personas.agent)
    as_user(client, personas.dinas_operator)
    post_json(client, f"{API}/batches/{row.batch_id}/submit")
    as_user(client, personas.dinas_head)
    assert (
        post_json(client, f"{API}/batches/{row.batch_id}/reject", {"reason": ""}).status_code == 422
    )
    body = post_json(client, f"{API}/batches/{row.batch_id}/reject", {"reason": "ganda"}).json()
    assert body["status"] == "rejected" and body["decision_note"] == "ganda"


def test_template_and_rejection_report_downloads(client, personas, batch):
    as_user(client, personas.agent)
    template = client.get(f"{API}/template.xlsx")
    assert template.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(template.content))["Usulan"]
    assert client.get(f"{API}/template.xlsx", {"region": "13.03.04"}).status_code == 404
    report = client.get(f"{API}/batches/{batch.pk}/rejection-report.xlsx")
    assert report.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(report.content))
    assert book["Masalah"]["D2"].value == "nik_format"


def test_check_and_propose_one_person(client, personas):
    as_user(client, personas.agent)
    check = post_json(client, f"{API}/check", {"values": person_values(1, nik="123")}).json()
    assert check["status"] == "invalid"
    assert any(i["code"] == "nik_format" for i in check["issues"])
    response = post_json(client, f"{API}/persons", {"values": person_values(1)})
    assert response.status_code == 201
    assert response.json()["village_code"] == AGENT_NAGARI
    invalid = post_json(client, f"{API}/persons", {"values": person_values(2, sex="P")})
    assert invalid.status_code == 400 and invalid.json()["code"] == "row_invalid"


def test_anonymous_gets_401(client, batch):
    assert client.get(f"{API}/batches").status_code == 401
    assert client.get(f"{API}/batches/{batch.pk}").status_code == 401
