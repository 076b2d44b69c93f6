"""Correcting a recorded event: the fields that may change, scope, refusals that name
the field and the value and write nothing, the audit event, the page and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jamsos.accounts.models import Agency
from jamsos.audit.models import AuditEvent
from jamsos.lib.errors import DomainError, NotFoundOrForbidden, PermissionDenied
from jamsos.outreach import services
from jamsos.outreach.models import OutreachEvent
from jamsos.outreach.tests.test_events import NAGARI, OTHER_NAGARI, make_event
from jamsos.testing.factories import region

pytestmark = pytest.mark.django_db

SAME_KECAMATAN = "13.03.03.2002"


def _updates(event: OutreachEvent) -> int:
    return AuditEvent.objects.filter(
        action="outreach.event.updated", object_id=str(event.pk)
    ).count()


def _snapshot(event: OutreachEvent) -> tuple:
    event.refresh_from_db()
    return (
        event.code,
        event.title,
        event.held_on,
        event.place,
        event.village_id,
        event.organiser_id,
        sorted(event.co_organisers.values_list("pk", flat=True)),
        event.notes,
        event.attendance_total,
    )


def test_a_correction_changes_the_fields_and_records_what_changed(personas):
    event = make_event(personas.kecamatan_operator)
    kantor_camat = personas.kecamatan_operator.agency
    bpjs = Agency.objects.get(code="bpjs-solok")
    day = timezone.localdate() - dt.timedelta(days=12)
    services.event_update(
        event=event,
        acting_user=personas.kecamatan_operator,
        title="  Sosialisasi JKK-JKM untuk pekebun ",
        held_on=day,
        place="Masjid Raya",
        village=region(SAME_KECAMATAN),
        organiser=kantor_camat,
        co_organisers=[bpjs, kantor_camat],  # the organiser is not its own co-organiser
        notes="Tanggal salah ketik.",
    )
    event.refresh_from_db()
    assert (event.title, event.held_on, event.place, event.village_id) == (
        "Sosialisasi JKK-JKM untuk pekebun",
        day,
        "Masjid Raya",
        SAME_KECAMATAN,
    )
    assert list(event.co_organisers.all()) == [bpjs]
    audit = AuditEvent.objects.get(action="outreach.event.updated", object_id=str(event.pk))
    assert audit.before == {
        "title": "Sosialisasi JKK-JKM untuk petani",
        "held_on": (day + dt.timedelta(days=2)).isoformat(),
        "place": "Kantor Wali Nagari",
        "village": NAGARI,
        "organiser": bpjs.pk,
        "notes": "",
        "co_organisers": [],
    }
    assert audit.after == {
        "title": "Sosialisasi JKK-JKM untuk pekebun",
        "held_on": day.isoformat(),
        "place": "Masjid Raya",
        "village": SAME_KECAMATAN,
        "organiser": kantor_camat.pk,
        "notes": "Tanggal salah ketik.",
        "co_organisers": [bpjs.pk],
    }
    # The same values again: nothing changed, nothing written.
    services.event_update(event=event, acting_user=personas.kecamatan_operator, place="Masjid Raya")
    assert _updates(event) == 1


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"title": "   "}, "title", 'Kolom "Judul kegiatan" wajib diisi.'),
        ({"place": "x" * 201}, "place", 'Kolom "Tempat": paling banyak 200 huruf (diisi 201).'),
        ({"held_on": "kemarin"}, "held_on", 'Kolom "Tanggal": "kemarin" bukan tanggal.'),
        ({"held_on": "future"}, "held_on", "di masa depan"),
        ({"village": "13.03.03"}, "village", "Pilih nagari/desa, bukan kecamatan."),
        ({"code": "SOS-99999"}, "code", 'Kolom "kode kegiatan" tidak dapat diubah'),
        ({"attendance_total": 500}, "attendance_total", 'Kolom "jumlah hadir" tidak dapat'),
        ({"title": "Baru", "kind": "peluncuran"}, "kind", 'Kolom "jenis" tidak dapat diubah'),
    ],
)
def test_bad_input_names_the_field_and_the_value_and_writes_nothing(
    personas, changes, field, words
):
    event = make_event(personas.dinas_operator)
    before = _snapshot(event)
    if changes.get("held_on") == "future":
        changes = {"held_on": timezone.localdate() + dt.timedelta(days=1)}
    if changes.get("village"):
        changes = {"village": region(changes["village"])}
    with pytest.raises(DomainError) as caught:
        services.event_update(event=event, acting_user=personas.dinas_operator, **changes)
    assert words in caught.value.message
    assert caught.value.params["field"] == field
    assert _snapshot(event) == before
    assert _updates(event) == 0


def test_out_of_scope_and_unpermitted_are_refused(personas):
    event = make_event(personas.kecamatan_operator)
    before = _snapshot(event)
    # A nagari of another kecamatan: the same 404 as a missing one, naming the code.
    with pytest.raises(NotFoundOrForbidden) as caught:
        services.event_update(
            event=event, acting_user=personas.kecamatan_operator, village=region(OTHER_NAGARI)
        )
    assert (
        caught.value.message == f'Kolom "Nagari": "{OTHER_NAGARI}" tidak ditemukan di wilayah Anda.'
    )
    other = make_event(personas.dinas_operator, village=OTHER_NAGARI)
    with pytest.raises(NotFoundOrForbidden):
        services.event_update(event=other, acting_user=personas.kecamatan_operator, title="x")
    with pytest.raises(NotFoundOrForbidden):
        services.event_update(event=event, acting_user=personas.outsider, title="x")
    with pytest.raises(PermissionDenied):
        services.event_update(event=event, acting_user=personas.dprd, title="x")
    assert _snapshot(event) == before
    assert _updates(event) == 0 and _updates(other) == 0


def test_page(personas, client):
    event = make_event(personas.kecamatan_operator)
    client.force_login(personas.kecamatan_operator)
    detail = client.get(f"/sosialisasi/{event.pk}/").content.decode()
    assert f"/sosialisasi/{event.pk}/ubah/" in detail
    page = client.get(f"/sosialisasi/{event.pk}/ubah/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'value="Kantor Wali Nagari"' in body and "tidak dapat diubah" in body
    assert 'name="attendance_total"' not in body and 'name="kind"' not in body
    form = {
        "title": event.title,
        "held_on": event.held_on.isoformat(),
        "village": NAGARI,
        "place": "",
        "organiser": event.organiser_id,
        "notes": "",
    }
    refused = client.post(f"/sosialisasi/{event.pk}/ubah/", form)
    assert refused.status_code == 200
    assert refused.context["form"].errors["place"] == ['Kolom "Tempat" wajib diisi.']
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    refused = client.post(
        f"/sosialisasi/{event.pk}/ubah/",
        {**form, "place": "Balai", "held_on": tomorrow.isoformat()},
    )
    (error,) = refused.context["form"].errors["held_on"]
    assert error.startswith('Kolom "Tanggal": ') and "di masa depan" in error
    assert _updates(event) == 0
    saved = client.post(f"/sosialisasi/{event.pk}/ubah/", {**form, "place": "Balai Adat"})
    assert saved.status_code == 302
    event.refresh_from_db()
    assert event.place == "Balai Adat" and _updates(event) == 1
    # Another kecamatan's event: 404; a role that may not record events: 403.
    other = make_event(personas.dinas_operator, village=OTHER_NAGARI)
    assert client.get(f"/sosialisasi/{other.pk}/ubah/").status_code == 404
    assert client.post(f"/sosialisasi/{other.pk}/ubah/", form).status_code == 404
    client.force_login(personas.dprd)
    assert client.get(f"/sosialisasi/{event.pk}/ubah/").status_code == 403
    assert (
        f"/sosialisasi/{event.pk}/ubah/"
        not in client.get(f"/sosialisasi/{event.pk}/").content.decode()
    )


def test_a_long_co_organiser_list_folds_away_keeping_the_ticked_in_view(personas, client):
    event = make_event(personas.kecamatan_operator)
    bpjs = Agency.objects.get(code="bpjs-solok")
    event.co_organisers.set([bpjs])
    agencies = Agency.objects.filter(is_active=True).count()
    for n in range(max(0, 13 - agencies)):
        Agency.objects.create(
            code=f"kua-{n}", name=f"KUA {n}", kind=bpjs.kind, region_id=bpjs.region_id
        )
    client.force_login(personas.kecamatan_operator)
    body = client.get(f"/sosialisasi/{event.pk}/ubah/").content.decode()
    fieldset = body[body.index('data-testid="choices-co_organisers"') :]
    fieldset = fieldset[: fieldset.index("</fieldset>")]
    ticked, folded = fieldset.split("<details", 1)
    assert f'value="{bpjs.pk}"' in ticked and "checked" in ticked
    assert f'value="{bpjs.pk}"' not in folded and "checked" not in folded
    assert folded.count('type="checkbox"') == Agency.objects.filter(is_active=True).count() - 1


def test_api(personas, client):
    event = make_event(personas.dinas_operator)
    url = f"/api/outreach/events/{event.pk}"
    client.force_login(personas.dinas_operator)
    changed = client.patch(
        url,
        {"place": "Gedung Pancasila", "notes": "Pindah tempat"},
        content_type="application/json",
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["place"] == "Gedung Pancasila"
    assert changed.json()["title"] == event.title  # not sent, not changed
    assert _updates(event) == 1
    before = _snapshot(event)
    for payload, status, words in [
        ({"code": "SOS-00001"}, 400, 'Kolom "kode kegiatan" tidak dapat diubah'),
        ({"attendance_male": 99}, 400, 'Kolom "hadir laki-laki" tidak dapat diubah'),
        ({"title": " "}, 400, 'Kolom "Judul kegiatan" wajib diisi.'),
        ({"village": "99.99.99.9999"}, 404, '"99.99.99.9999" tidak ditemukan di wilayah Anda'),
        ({"village": OTHER_NAGARI}, 200, None),
        ({"organiser": 987654}, 400, 'Kolom "organiser": instansi 987654 tidak dikenal.'),
        ({"co_organisers": [987654]}, 400, "instansi 987654 tidak dikenal"),
    ]:
        response = client.patch(url, payload, content_type="application/json")
        if words is None:  # the Dinas sees the whole kabupaten: another kecamatan is fine
            assert response.status_code == 200
            client.patch(url, {"village": NAGARI}, content_type="application/json")
            continue
        assert response.status_code == status, (payload, response.content)
        assert words in response.json()["message"], response.json()
    assert _snapshot(event) == before
    assert _updates(event) == 3
    client.force_login(personas.outsider)
    assert client.patch(url, {"title": "x"}, content_type="application/json").status_code == 404
    client.force_login(personas.dprd)
    assert client.patch(url, {"title": "x"}, content_type="application/json").status_code == 403
    assert _snapshot(event) == before and _updates(event) == 3
