"""The BPJS registration file of a big decree is made in the background (issue 9), and
the cached file follows its viewer's current rights (issue 10)."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from jamsos.accounts.models import User
from jamsos.accounts.roles import Role
from jamsos.audit.models import AuditEvent, PersonalDataAccess
from jamsos.enrollment import exports as enrollment_exports
from jamsos.enrollment.models import DecreeLine
from jamsos.registry.models import Person
from jamsos.testing.factories import UserFactory
from jamsos.worker.models import GeneratedFile

pytestmark = pytest.mark.django_db


@pytest.fixture
def big(monkeypatch):
    monkeypatch.setattr(enrollment_exports, "BPJS_SYNC_MAX_LINES", 2)


def prepare(client, decree, capture, fmt="csv") -> GeneratedFile:
    with capture(execute=True):
        response = client.post(reverse("enrollment:bpjs_export_prepare", args=[decree.pk, fmt]))
    generated = GeneratedFile.objects.get(params__format=fmt)
    assert response.status_code == 302
    assert response["Location"] == reverse("worker:generated_file_detail", args=[generated.pk])
    return generated


def test_a_big_registration_file_is_offered_then_made_as_a_task(
    client, decree, personas, big, django_capture_on_commit_callbacks
):
    # a name that would run as a formula in Excel
    Person.objects.filter(pk=decree.lines.first().person_id).update(mother_name="=HYPERLINK(1)")
    client.force_login(personas.bpjs_officer)
    offer = client.get(reverse("enrollment:bpjs_export", args=[decree.pk, "csv"]))
    assert offer.status_code == 200 and offer["Content-Type"].startswith("text/html")
    assert b'data-testid="bpjs-export-prepare"' in offer.content
    assert not GeneratedFile.objects.exists() and not PersonalDataAccess.objects.exists()

    generated = prepare(client, decree, django_capture_on_commit_callbacks)
    generated.refresh_from_db()
    lines = DecreeLine.objects.filter(decree=decree)
    assert generated.status == GeneratedFile.Status.READY
    assert generated.rows_total == lines.count() and generated.content_type.startswith("text/csv")
    assert generated.region_code == decree.region_id
    event = AuditEvent.objects.get(action="enrollment.bpjs.exported")
    assert event.data["background"] is True
    assert not PersonalDataAccess.objects.exists()  # nothing has left the system yet

    page = client.get(reverse("worker:generated_file_detail", args=[generated.pk])).content
    assert b"export-download" in page
    response = client.get(reverse("worker:generated_file_download", args=[generated.pk]))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 1 + lines.count()
    assert {row[2] for row in rows[1:]} == set(lines.values_list("nik", flat=True))
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    (access,) = PersonalDataAccess.objects.all()
    assert access.viewer == personas.bpjs_officer
    assert access.person_count == lines.count()
    assert access.purpose.startswith("enrollment.bpjs_export")
    assert access.path == reverse("worker:generated_file_download", args=[generated.pk])

    # the same request again reuses the file
    prepare(client, decree, django_capture_on_commit_callbacks)
    assert GeneratedFile.objects.count() == 1


def test_a_small_registration_file_still_downloads_at_once(client, decree, personas):
    client.force_login(personas.bpjs_officer)
    response = client.get(reverse("enrollment:bpjs_export", args=[decree.pk, "xlsx"]))
    assert response["Content-Type"] == enrollment_exports.FORMATS["xlsx"]
    assert not GeneratedFile.objects.exists()


def urls(generated):
    return [
        reverse(f"worker:generated_file_{name}", args=[generated.pk])
        for name in ("detail", "progress", "download")
    ]


def test_a_cached_file_follows_its_viewers_current_rights(
    client, decree, personas, big, django_capture_on_commit_callbacks
):
    officer = personas.bpjs_officer
    client.force_login(officer)
    generated = prepare(client, decree, django_capture_on_commit_callbacks, fmt="xlsx")
    for url in urls(generated):
        response = client.get(url)
        assert response.status_code == 200
        if response.streaming:  # read it whole: the client then closes the file
            b"".join(response.streaming_content)
    assert PersonalDataAccess.objects.count() == 1

    # another user, even one who could make the same file, never gets this one
    other = UserFactory(
        username="bpjs2", role=Role.BPJS_OFFICER, agency=officer.agency, region=officer.region
    )
    client.force_login(other)
    assert [client.get(url).status_code for url in urls(generated)] == [404] * 3

    # the officer's role changes: the permission is gone, so is the file
    User.objects.filter(pk=officer.pk).update(role=Role.DPRD)
    client.force_login(User.objects.get(pk=officer.pk))
    assert [client.get(url).status_code for url in urls(generated)] == [404] * 3

    # back as an officer, but of another kabupaten: out of scope
    User.objects.filter(pk=officer.pk).update(
        role=Role.BPJS_OFFICER, agency=personas.outsider.agency, region=personas.outsider.region
    )
    moved = User.objects.get(pk=officer.pk)
    client.force_login(moved)
    assert [client.get(url).status_code for url in urls(generated)] == [404] * 3
    # only the download made while the officer still had the rights left the system
    assert PersonalDataAccess.objects.count() == 1
