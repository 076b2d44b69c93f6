from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jamsos.accounts.models import User
from jamsos.accounts.roles import Role
from jamsos.audit.models import AuditEvent
from jamsos.audit.selectors import (
    AuditEventFilters,
    audit_event_list,
    audit_events_for,
    audit_object_types,
)
from jamsos.audit.services import audit_record
from jamsos.lib.errors import DomainError, PermissionDenied

pytestmark = pytest.mark.django_db

SIJUNJUNG_PERSONAS = {
    "dinas_operator",
    "dinas_head",
    "bpjs_officer",
    "kecamatan_operator",
    "agent",
    "executive",
    "dprd",
    "admin",
}


def visible(viewer, **filters) -> set[int]:
    return set(
        audit_event_list(viewer=viewer, filters=AuditEventFilters(**filters)).values_list(
            "pk", flat=True
        )
    )


def test_sijunjung_admin_sees_its_region_and_region_less_events(personas, trail):
    expected = {trail[name].pk for name in SIJUNJUNG_PERSONAS} | {trail["unknown_login"].pk}
    assert visible(personas.admin) == expected


def test_dinas_head_sees_its_region_but_not_region_less_events(personas, trail):
    assert visible(personas.dinas_head) == {trail[name].pk for name in SIJUNJUNG_PERSONAS}


def test_padang_auditors_see_nothing_of_sijunjung(trail, padang_auditors):
    admin, head = padang_auditors
    assert visible(head) == {trail["outsider"].pk}
    # The admin also gets the region-less login failure, which belongs to no kabupaten.
    assert visible(admin) == {trail["outsider"].pk, trail["unknown_login"].pk}
    sijunjung = {trail[name].pk for name in SIJUNJUNG_PERSONAS}
    assert not visible(admin) & sijunjung


def test_superuser_sees_everything(trail):
    root = User.objects.create_superuser("root", "root@example.test", "x" * 12, role=Role.ADMIN)
    assert visible(root) >= {event.pk for event in trail.values()}


@pytest.mark.parametrize(
    "name", ["dinas_operator", "bpjs_officer", "kecamatan_operator", "agent", "executive", "dprd"]
)
def test_roles_without_audit_permission_are_refused(personas, name):
    with pytest.raises(PermissionDenied):
        audit_event_list(viewer=getattr(personas, name))


def test_inactive_auditor_sees_nothing(personas, trail):
    personas.dinas_head.is_active = False
    with pytest.raises(PermissionDenied):
        audit_event_list(viewer=personas.dinas_head)


def test_filters_by_action_actor_object_type_and_text(personas, trail):
    mine = audit_record(
        action="accounts.agency.created", acting_user=personas.admin, obj=personas.admin.agency
    )
    assert visible(personas.admin, action="accounts.agency.created") == {mine.pk}
    assert visible(personas.admin, actor="p_admin") == {mine.pk}
    assert mine.pk in visible(personas.admin, actor=personas.admin.full_name[:5].lower())
    assert visible(personas.admin, object_type="accounts.agency") == {mine.pk}
    assert visible(personas.admin, object_text="diskominfo") == {mine.pk}
    assert visible(personas.admin, object_text=str(personas.agent.pk)) == {trail["agent"].pk}


def test_date_filters_use_local_days(personas, trail):
    # 23:30 on 1 March in Jakarta is 16:30 UTC: it belongs to 1 March, not 2 March.
    late = timezone.make_aware(dt.datetime(2026, 3, 1, 23, 30))
    event = audit_record(action="accounts.user.updated", acting_user=None, obj=personas.agent)
    event.pk = None
    event.occurred_at = late
    event.save(force_insert=True)
    march_1 = dt.date(2026, 3, 1)
    assert visible(personas.admin, date_from=march_1, date_to=march_1) == {event.pk}
    assert (
        visible(personas.admin, date_from=dt.date(2026, 3, 2), date_to=dt.date(2026, 3, 31))
        == set()
    )
    assert event.pk not in visible(personas.admin, date_to=dt.date(2026, 2, 28))


def test_unknown_action_and_reversed_dates_are_errors(personas):
    with pytest.raises(DomainError) as exc:
        audit_event_list(viewer=personas.admin, filters=AuditEventFilters(action="nope"))
    assert exc.value.code == "unknown_action"
    with pytest.raises(DomainError) as exc:
        audit_event_list(
            viewer=personas.admin,
            filters=AuditEventFilters(date_from=dt.date(2026, 2, 2), date_to=dt.date(2026, 2, 1)),
        )
    assert exc.value.code == "date_range_reversed"


def test_object_history_is_scoped_and_hides_access_log_from_non_auditors(personas, trail):
    viewed = audit_record(
        action="registry.person.nik_viewed",
        acting_user=personas.dinas_operator,
        obj=personas.agent,
    )
    history = set(
        audit_events_for(personas.agent, personas.dinas_head).values_list("pk", flat=True)
    )
    assert history == {trail["agent"].pk, viewed.pk}
    # An operator reading a detail page sees changes, not who looked at personal data.
    operator_view = audit_events_for(personas.agent, personas.dinas_operator)
    assert set(operator_view.values_list("pk", flat=True)) == {trail["agent"].pk}
    assert not audit_events_for(personas.agent, personas.outsider).exists()


def test_object_types_come_from_the_registry():
    types = audit_object_types()
    assert "accounts.user" in types
    assert "registry.person" in types
    assert AuditEvent.objects.count() == 0  # no table scan needed
