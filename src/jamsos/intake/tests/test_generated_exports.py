"""Long work leaves the request (issue 9): a big rejection report is built by the task
worker with progress, and its page offers the file when it is ready."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from jamsos.audit.models import AuditEvent, PersonalDataAccess
from jamsos.intake import exports
from jamsos.intake.models import ProposalRow
from jamsos.intake.tests.test_ui_batches import issue, make_batch, make_row
from jamsos.worker.models import GeneratedFile

pytestmark = pytest.mark.django_db

ROWS = 12


@pytest.fixture
def big_batch(personas, monkeypatch):
    """A batch whose report is "big": more invalid rows than the in-request limit."""
    monkeypatch.setattr(exports, "REPORT_SYNC_MAX_ROWS", 5)
    batch = make_batch(personas.agent, rows_total=ROWS, rows_processed=ROWS, rows_invalid=ROWS)
    for n in range(1, ROWS + 1):
        make_row(
            batch,
            n,
            status=ProposalRow.Status.INVALID,
            issues=[issue("sex_invalid", "sex", f"Baris {n}: jenis kelamin salah.")],
        )
    return batch


def test_a_big_report_is_offered_not_built_in_the_request(client, personas, big_batch):
    client.force_login(personas.dinas_operator)
    page = client.get(reverse("intake:batch_detail", args=[big_batch.pk])).content.decode()
    assert 'data-testid="rejection-report-prepare"' in page
    response = client.get(reverse("intake:rejection_report", args=[big_batch.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")  # an offer, not the file
    assert not GeneratedFile.objects.exists()  # a GET changes nothing


def test_the_report_is_built_as_a_task_and_offered_when_ready(
    client, personas, big_batch, django_capture_on_commit_callbacks
):
    client.force_login(personas.dinas_operator)
    prepare = reverse("intake:rejection_report_prepare", args=[big_batch.pk])
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(prepare)
    export = GeneratedFile.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("worker:generated_file_detail", args=[export.pk])
    # queued: the status partial polls itself and offers nothing yet
    status_url = reverse("worker:generated_file_progress", args=[export.pk])
    partial = client.get(status_url).content.decode()
    assert 'hx-trigger="every 1s"' in partial and "export-download" not in partial
    assert "<script" not in partial

    for callback in queued:  # after commit: the task runs (ImmediateBackend in tests)
        callback()
    export.refresh_from_db()
    assert export.status == "ready"
    assert export.rows_done == export.rows_total == ROWS
    partial = client.get(status_url).content.decode()
    assert "hx-trigger" not in partial  # polling stops
    assert reverse("worker:generated_file_download", args=[export.pk]) in partial
    detail = client.get(reverse("worker:generated_file_detail", args=[export.pk])).content.decode()
    assert 'data-testid="export-download"' in detail

    response = client.get(reverse("worker:generated_file_download", args=[export.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book["Perbaiki"]
    assert sheet.max_row == 4 + ROWS  # title, note, blank, header, then the rows
    assert AuditEvent.objects.filter(action="worker.generated_file.requested").count() == 1

    # the same request again reuses the file
    with django_capture_on_commit_callbacks(execute=True):
        client.post(prepare)
    assert GeneratedFile.objects.count() == 1


def test_an_export_is_its_requesters_only(
    client, personas, big_batch, django_capture_on_commit_callbacks
):
    client.force_login(personas.dinas_operator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("intake:rejection_report_prepare", args=[big_batch.pk]))
    export = GeneratedFile.objects.get()
    for other in (personas.dinas_head, personas.outsider):
        client.force_login(other)
        for name in ("detail", "progress", "download"):
            url = reverse(f"worker:generated_file_{name}", args=[export.pk])
            assert client.get(url).status_code == 404


def test_a_small_report_is_still_downloaded_at_once(client, personas):
    batch = make_batch(personas.agent, rows_total=1, rows_processed=1, rows_invalid=1)
    make_row(batch, 1, status="invalid", issues=[issue("sex_invalid", "sex", "salah")])
    client.force_login(personas.dinas_operator)
    response = client.get(reverse("intake:rejection_report", args=[batch.pk]))
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    # the file names the proposed person: its download is in the access log
    (access,) = PersonalDataAccess.objects.all()
    assert access.viewer == personas.dinas_operator and access.person_count == 1
    assert access.purpose == f"intake.rejection_report ({batch.pk})"


def test_the_api_builds_a_big_report_in_the_background(
    client, personas, big_batch, django_capture_on_commit_callbacks
):
    client.force_login(personas.dinas_operator)
    url = f"/api/intake/batches/{big_batch.pk}/rejection-report"
    refused = client.get(url + ".xlsx")
    assert refused.status_code == 409 and refused.json()["code"] == "export_in_background"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 202
    export_id = response.json()["id"]
    status = client.get(f"/api/intake/exports/{export_id}").json()
    assert status["status"] == "ready" and status["rows_done"] == ROWS
    response = client.get(status["file_url"])
    assert response.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    client.force_login(personas.dinas_head)
    assert client.get(f"/api/intake/exports/{export_id}").status_code == 404
