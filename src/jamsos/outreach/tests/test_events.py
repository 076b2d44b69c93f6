"""Sosialisasi events: recording, scope, reach, conversion, QR page, files, API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jamsos.accounts.models import Agency
from jamsos.audit.models import AuditEvent
from jamsos.lib.errors import DomainError, NotFoundOrForbidden, PermissionDenied
from jamsos.lib.qr import qr_matrix
from jamsos.outreach import access, selectors, services
from jamsos.outreach.models import OutreachEvent
from jamsos.testing.factories import region

pytestmark = pytest.mark.django_db

NAGARI = "13.03.03.2001"
OTHER_NAGARI = "13.03.04.2001"


def make_event(user, *, village=NAGARI, days_ago=10, **kwargs) -> OutreachEvent:
    defaults = {
        "title": "Sosialisasi JKK-JKM untuk petani",
        "kind": "sosialisasi",
        "held_on": timezone.localdate() - dt.timedelta(days=days_ago),
        "place": "Kantor Wali Nagari",
        "village": region(village),
        "organiser": Agency.objects.get(code="bpjs-solok"),
        "attendance_male": 30,
        "attendance_female": 25,
    }
    defaults.update(kwargs)
    return services.event_create(acting_user=user, **defaults)


def test_agent_records_an_event_in_its_nagari(personas):
    event = make_event(
        personas.agent,
        audience_segments=["petani", "imam"],
        obligation_code="b3",
        officials=[
            services.OfficialData(
                agency_id=Agency.objects.get(code="bpjs-solok").pk,
                level="pimpinan",
                position="Kepala Cabang",
            )
        ],
    )
    assert event.code == f"SOS-{event.pk:05d}"
    assert (event.attendance_total, event.obligation_code) == (55, "B3")
    assert event.officials.get().level == "pimpinan"
    assert AuditEvent.objects.filter(
        action="outreach.event.created", object_id=str(event.pk)
    ).exists()
    with pytest.raises(NotFoundOrForbidden):
        make_event(personas.agent, village=OTHER_NAGARI)
    with pytest.raises(PermissionDenied):
        make_event(personas.dprd)


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"days_ago": -2}, "date_future"),
        ({"attendance_total": 10}, "attendance_total"),
        ({"audience_segments": ["alien"]}, "segment_unknown"),
        ({"kind": "pesta"}, "kind_unknown"),
        ({"village": "13.03.03"}, "village_required"),
    ],
)
def test_bad_events_are_refused(personas, kwargs, code):
    with pytest.raises(DomainError) as caught:
        make_event(personas.dinas_operator, **kwargs)
    assert caught.value.code == code


def test_reach_lists_nagari_not_reached_in_twelve_months(personas):
    make_event(personas.dinas_operator, village=NAGARI)
    make_event(personas.dinas_operator, village=OTHER_NAGARI, days_ago=500)  # too long ago
    reach = selectors.village_reach(viewer=personas.dinas_operator)
    not_reached = {v.pk for v in reach.not_reached}
    assert NAGARI not in not_reached
    assert OTHER_NAGARI in not_reached
    assert reach.reached == 1 and reach.villages == len(not_reached) + 1
    agent_reach = selectors.village_reach(viewer=personas.agent)
    assert (agent_reach.villages, agent_reach.reached) == (1, 1)


def test_event_scope_and_personal_files(personas):
    event = make_event(personas.agent)
    services.material_upload(
        event=event,
        kind="daftar_hadir",
        title="Daftar hadir",
        upload=SimpleUploadedFile("hadir.pdf", b"%PDF-1.4\n%%EOF\n"),
        acting_user=personas.agent,
    )
    services.material_upload(
        event=event,
        kind="materi",
        title="Paparan",
        upload=SimpleUploadedFile("paparan.pdf", b"%PDF-1.4\n%%EOF\n"),
        acting_user=personas.agent,
    )
    with pytest.raises(DomainError):
        services.material_upload(
            event=event,
            kind="materi",
            title="x",
            upload=SimpleUploadedFile("x.exe", b"MZ"),
            acting_user=personas.agent,
        )
    sheet, slides = event.materials.order_by("kind")
    assert sheet.kind == "daftar_hadir"
    # DPRD sees the event and the slides, never the sign-in sheet.
    assert access.access_event(personas.dprd, event.pk) == event
    assert access.access_material(personas.dprd, slides.pk) == slides
    with pytest.raises(NotFoundOrForbidden):
        access.access_material(personas.dprd, sheet.pk)
    assert access.access_material(personas.dinas_operator, sheet.pk) == sheet
    with pytest.raises(NotFoundOrForbidden):
        access.access_event(personas.outsider, event.pk)


def test_pages(personas, client):
    event = make_event(personas.agent)
    client.force_login(personas.agent)
    listing = client.get("/sosialisasi/").content.decode()
    assert event.code in listing
    detail = client.get(f"/sosialisasi/{event.pk}/").content.decode()
    assert "bukan bukti" in detail
    qr = client.get(f"/sosialisasi/{event.pk}/qr/").content.decode()
    assert "<svg" in qr and f"kegiatan={event.code}" in qr
    response = client.post(
        "/sosialisasi/baru/",
        {
            "title": "Rakor nagari",
            "kind": "rakor_nagari",
            "held_on": timezone.localdate().isoformat(),
            "village": NAGARI,
            "place": "Balai",
            "organiser": personas.agent.agency_id,
            "attendance_male": "4",
            "attendance_female": "6",
            "officials": "bpjs-solok; pejabat; Penata",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert OutreachEvent.objects.count() == 2
    client.force_login(personas.dprd)
    assert client.get("/sosialisasi/").status_code == 200
    assert client.get("/sosialisasi/baru/").status_code == 403


def test_api(personas, client):
    client.force_login(personas.dinas_operator)
    payload = {
        "title": "Penyerahan santunan JKM",
        "kind": "penyerahan_santunan",
        "held_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "place": "Gedung Pancasila",
        "village": NAGARI,
        "organiser": Agency.objects.get(code="bpjs-solok").pk,
        "attendance_male": 40,
        "attendance_female": 35,
        "audience_segments": ["umum"],
    }
    created = client.post("/api/outreach/events", payload, content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["conversion"]["with_code"] == 0 and body["code"].startswith("SOS-")
    assert client.get("/api/outreach/events").json()["meta"]["count"] == 1
    reach = client.get("/api/outreach/reach").json()
    assert reach["reached"] == 1
    client.force_login(personas.outsider)
    assert client.get(f"/api/outreach/events/{body['id']}").status_code == 404


def test_qr_matrix_has_finder_patterns():
    matrix = qr_matrix("https://jamsos.example/usulan/orang/?kegiatan=SOS-00012")
    size = len(matrix)
    assert size >= 21 and (size - 17) % 4 == 0
    for top, left in ((0, 0), (0, size - 7), (size - 7, 0)):
        assert all(matrix[top][left + i] for i in range(7))  # the finder's top edge
        assert not matrix[top + 1][left + 1]  # its white ring
        assert matrix[top + 3][left + 3]  # its dark centre
