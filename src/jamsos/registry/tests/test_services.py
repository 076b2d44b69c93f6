"""Registry writes: explicit, permission-checked, audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from jamsos.audit.models import AuditEvent
from jamsos.lib.errors import DomainError, PermissionDenied
from jamsos.lib.nik import nik_build
from jamsos.registry import services
from jamsos.registry.models import Heir, Person
from jamsos.registry.selectors import person_identity_frame, person_niks_existing
from jamsos.testing.factories import PersonFactory


def data(serial=1, **overrides):
    born = overrides.pop("birth_date", dt.date(1980, 3, 15))
    values = {
        "nik": nik_build("13.03.03", born, "P", serial),
        "full_name": "Siti Rahmah",
        "birth_date": born,
        "sex": "P",
        "village": "13.03.03.2001",
        "occupation": "petani",
        "phone": "+6281234567890",
    }
    values.update(overrides)
    return services.PersonData(**values)


def test_person_create_and_duplicate_nik(personas):
    person = services.person_create(data=data(), acting_user=personas.dinas_operator)
    assert person.pk and person.village_id == "13.03.03.2001"
    event = AuditEvent.objects.get(action="registry.person.created")
    assert event.object_id == str(person.pk) and event.region_code == "13.03.03.2001"
    with pytest.raises(DomainError) as caught:
        services.person_create(data=data(), acting_user=personas.dinas_operator)
    assert caught.value.code == "nik_registered"


def test_person_create_needs_permission(personas):
    with pytest.raises(PermissionDenied):
        services.person_create(data=data(), acting_user=personas.dinas_head)


def test_person_update_is_explicit_with_a_reason(personas):
    person = PersonFactory(full_name="Budi", phone="")
    operator = personas.dinas_operator
    with pytest.raises(DomainError) as caught:
        services.person_update(
            person=person, changes={"full_name": "X"}, reason="", acting_user=operator
        )
    assert caught.value.code == "reason_required"
    with pytest.raises(DomainError) as caught:
        services.person_update(
            person=person, changes={"is_deceased": True}, reason="x", acting_user=operator
        )
    assert caught.value.code == "field_not_updatable"
    updated = services.person_update(
        person=person,
        changes={"full_name": "Budi Santoso", "village": "13.03.03.2002"},
        reason="Salah ketik di usulan",
        acting_user=operator,
    )
    assert updated.full_name == "Budi Santoso" and updated.village_id == "13.03.03.2002"
    event = AuditEvent.objects.get(action="registry.person.updated")
    assert event.before == {"full_name": "Budi", "village": "13.03.03.2001"}
    assert event.after["full_name"] == "Budi Santoso"
    assert event.data == {"reason": "Salah ketik di usulan"}


def test_mark_deceased_and_heirs(personas):
    person = PersonFactory()
    operator = personas.dinas_operator
    with pytest.raises(DomainError):
        services.person_mark_deceased(
            person=person, deceased_on=dt.date.today() + dt.timedelta(days=1), acting_user=operator
        )
    services.person_mark_deceased(
        person=person, deceased_on=dt.date(2026, 1, 2), acting_user=operator
    )
    with pytest.raises(DomainError) as caught:
        services.person_mark_deceased(
            person=person, deceased_on=dt.date(2026, 1, 2), acting_user=operator
        )
    assert caught.value.code == "already_deceased"
    heir = services.heir_add(
        person=person, full_name="  Rina   Sari ", relationship="child", acting_user=operator
    )
    assert heir.full_name == "Rina Sari"
    services.heir_remove(heir=heir, reason="Salah orang", acting_user=operator)
    assert not Heir.objects.exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"registry.person.deceased", "registry.heir.added", "registry.heir.removed"} <= actions


def test_bulk_create_writes_persons_and_one_event_each(personas):
    batch = [data(serial=n, full_name=f"Orang {n}", source_row=n + 4) for n in range(1, 4)]
    with transaction.atomic():
        ids = services.person_bulk_create_prevalidated(
            persons=batch, acting_user=personas.dinas_head, data={"batch": 9}
        )
    assert set(ids) == {p.nik for p in batch}
    person = Person.objects.get(pk=ids[batch[0].nik])
    assert (person.full_name, person.birth_date, person.is_deceased) == (
        "Orang 1",
        dt.date(1980, 3, 15),
        False,
    )
    events = AuditEvent.objects.filter(action="registry.person.created").order_by("object_id")
    assert [e.data for e in events] == [{"batch": 9, "row": n + 4} for n in range(1, 4)]
    assert {e.actor for e in events} == {personas.dinas_head}


def test_bulk_create_with_one_event_finds_each_person(personas):
    """An intake apply: one event for the batch, whose id ranges (per village) put it in
    each person's history and in the audit list's search by id, scoped by village."""
    from jamsos.audit.models import AuditObjectRange
    from jamsos.audit.selectors import AuditEventFilters, audit_event_list, audit_events_for

    villages = ["13.03.04.2001", "13.03.03.2001", "13.03.03.2002"]
    batch = [
        data(serial=n, full_name=f"Orang {n}", village=villages[n % 3], source_row=n)
        for n in range(1, 8)
    ]
    with transaction.atomic():
        ids = services.person_bulk_create_prevalidated(
            persons=batch, acting_user=personas.dinas_head, data={"batch": 9}, one_event=True
        )
    assert Person.objects.count() == 7
    event = AuditEvent.objects.get()
    assert (event.action, event.object_type, event.region_code) == (
        "registry.person.batch_created",
        "registry.person",
        "13.03",
    )
    assert (event.data["batch"], event.data["count"]) == (9, 7)
    ranges = [(r.first_id, r.last_id, r.region_code) for r in AuditObjectRange.objects.all()]
    assert sorted(ranges) == sorted(tuple(r) for r in event.data["ranges"])
    covered = {pk: village for first, last, village in ranges for pk in range(first, last + 1)}
    assert covered == {ids[p.nik]: p.village for p in batch}
    assert len(ranges) == 3  # each village's persons got consecutive ids

    for person in Person.objects.all():
        assert list(audit_events_for(person, personas.dinas_head)) == [event]
        # the kecamatan officer of 13.03.03 sees it for the persons of its villages only
        in_kecamatan = person.village_id.startswith("13.03.03.")
        assert list(audit_events_for(person, personas.kecamatan_operator)) == (
            [event] if in_kecamatan else []
        )
        assert list(audit_events_for(person, personas.outsider)) == []
    by_id = AuditEventFilters(object_text=str(ids[batch[0].nik]))
    assert list(audit_event_list(viewer=personas.dinas_head, filters=by_id)) == [event]
    typed = AuditEventFilters(object_type="registry.person", object_text=str(max(ids.values()) + 1))
    assert list(audit_event_list(viewer=personas.dinas_head, filters=typed)) == []
    for text in ("9" * 25, "-1", "Orang 99"):  # no such id or name: no range, no error
        found = audit_event_list(
            viewer=personas.dinas_head, filters=AuditEventFilters(object_text=text)
        )
        assert event not in found
    # A name finds the batch event through the person's range, for a viewer who may
    # read names; an admin (no names) finds it by id only.
    by_name = AuditEventFilters(object_text="orang 1")
    assert list(audit_event_list(viewer=personas.dinas_head, filters=by_name)) == [event]
    assert list(audit_event_list(viewer=personas.admin, filters=by_name)) == []
    typed_name = AuditEventFilters(object_type="enrollment.membership", object_text="Orang 1")
    assert list(audit_event_list(viewer=personas.dinas_head, filters=typed_name)) == []


def test_bulk_lookups(db):
    person = PersonFactory(birth_date=dt.date(1975, 5, 5))
    assert person_niks_existing(niks=[person.nik, "1" * 16]) == {
        person.nik: (person.pk, person.full_name)
    }
    frame = person_identity_frame(birth_dates=[dt.date(1975, 5, 5), dt.date(1990, 1, 1)])
    assert frame.rows() == [
        (person.pk, person.nik, person.full_name, person.birth_date, person.sex, person.village_id)
    ]
    assert person_identity_frame(birth_dates=[]).height == 0
    assert person_niks_existing(niks=[]) == {}
