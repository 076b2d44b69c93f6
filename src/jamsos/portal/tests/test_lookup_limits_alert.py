"""§4.3 gaps: the per-session limit, the admin alert when the global failed-lookup
limit trips, and the "ditetapkan" status of a person in an issued decree with no
membership yet."""

from __future__ import annotations

import datetime as dt

import pytest

from jamsos.accounts.roles import Role
from jamsos.audit.models import AuditEvent
from jamsos.messaging.models import Message
from jamsos.portal.models import LookupLog
from jamsos.portal.tests.conftest import client_from
from jamsos.portal.tests.test_lookup import UNKNOWN_NIK, _post
from jamsos.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_session_limit_counts_every_check_of_one_session(settings, member):
    settings.PORTAL_LOOKUP_SESSION_PER_HOUR = 3
    settings.PORTAL_LOOKUP_IP_PER_MINUTE = 100
    settings.PORTAL_LOOKUP_NIK_FAILED_PER_HOUR = 100
    browser = client_from("198.51.100.20")
    # successes count too: the session limit is on attempts, not failures
    assert _post(browser, member.person.nik, "Siti Nurhaliza").status_code == 200
    assert _post(browser, UNKNOWN_NIK, "A B").status_code == 200
    assert _post(browser, member.person.nik, "Siti Nurhaliza").status_code == 200
    blocked = _post(browser, member.person.nik, "Siti Nurhaliza")
    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) > 0
    assert LookupLog.objects.filter(outcome="limited_session").count() == 1
    # the same address with a fresh session (another browser behind the same NAT) goes on
    assert _post(client_from("198.51.100.20"), member.person.nik, "Siti").status_code == 200
    # the session id is not the NIK nor the session key
    assert "portal_lookup_sid" in browser.session
    assert browser.session["portal_lookup_sid"] != browser.session.session_key


def test_global_trip_alerts_the_admins_once(settings, member):
    settings.PORTAL_LOOKUP_GLOBAL_FAILED_PER_HOUR = 2
    admin = UserFactory(role=Role.ADMIN, email="admin@pemda.example.go.id", phone="")
    UserFactory(role=Role.DINAS_OPERATOR, email="op@pemda.example.go.id")
    _post(client_from("192.0.2.1"), "1303035505900002", "A B")
    assert not AuditEvent.objects.filter(action="portal.lookup.global_limit_tripped").exists()
    _post(client_from("192.0.2.2"), "1303035505900003", "A B")  # the limit trips here
    events = AuditEvent.objects.filter(action="portal.lookup.global_limit_tripped")
    assert events.count() == 1
    assert events.get().data["limit_per_hour"] == 2
    mail = Message.objects.filter(event="portal.lookup.global_limit_tripped")
    assert list(mail.values_list("recipient_user_id", flat=True)) == [admin.pk]
    message = mail.get()
    assert message.channel == "email" and "batas global" in message.body
    assert "1303035505900002" not in message.body  # no NIK in the alert
    # refused checks while it is tripped raise no new alert
    for n in range(3):
        assert _post(client_from(f"192.0.2.{10 + n}"), UNKNOWN_NIK, "A B").status_code == 429
    assert events.count() == 1 and mail.count() == 1


def test_no_alert_below_the_limit(settings, member):
    settings.PORTAL_LOOKUP_GLOBAL_FAILED_PER_HOUR = 5
    UserFactory(role=Role.ADMIN, email="admin@pemda.example.go.id")
    for n in range(4):
        _post(client_from(f"192.0.2.{n}"), f"130303550590001{n}", "A B")
    assert not AuditEvent.objects.filter(action="portal.lookup.global_limit_tripped").exists()
    assert not Message.objects.filter(event="portal.lookup.global_limit_tripped").exists()


def test_a_person_in_an_issued_decree_without_membership_is_ditetapkan(personas, apbd):
    from jamsos.budget import services as budget
    from jamsos.enrollment import services as enrollment
    from jamsos.lib.periods import Month
    from jamsos.portal.lookup import membership_check
    from jamsos.testing.factories import PersonFactory, region

    from .conftest import NAGARI

    year = budget.fiscal_year_create(region=region("13.03"), year=2026, acting_user=None)
    pagu = budget.allocation_approve(
        allocation=budget.allocation_create(
            fiscal_year=year, source=apbd, name="Iuran 2026", pagu=50_000_000, acting_user=None
        ),
        acting_user=None,
    )
    person = PersonFactory(full_name="Rahmi Yulia", village=region(NAGARI))
    other = PersonFactory(village=region(NAGARI))
    reservation = budget.reservation_create(
        allocation=pagu,
        person_ids=[person.pk, other.pk],
        first_month=Month(2026, 1),
        months=12,
        acting_user=None,
    )
    decree = enrollment.decree_draft_from_reservation(
        reservation=reservation, acting_user=personas.dinas_operator
    )
    # a draft decree is not yet "ditetapkan"
    assert membership_check(nik=person.nik, full_name="Rahmi Yulia").status == "diusulkan"
    decree = enrollment.decree_approve(decree=decree, acting_user=personas.dinas_head)
    decree = enrollment.decree_issue(
        decree=decree,
        number="188.45/12/KPTS-BPT-2026",
        decree_date=dt.date(2026, 1, 6),
        acting_user=personas.dinas_operator,
    )
    answer = membership_check(nik=person.nik, full_name="rahmi  yulia")
    assert answer is not None
    assert answer.status == "ditetapkan"
    assert answer.data_date == dt.date(2026, 1, 6)
    assert answer.funder == "APBD Sijunjung" and answer.months
    assert answer.masked_name == "R*** Y***"
    # rejected by BPJS: no longer "ditetapkan"
    enrollment.bpjs_results_record(
        decree=decree,
        results=[
            enrollment.BpjsResult(
                nik=person.nik, status="rejected", reason="NIK tidak dikenal di Dukcapil"
            )
        ],
        acting_user=personas.bpjs_officer,
    )
    assert membership_check(nik=person.nik, full_name="Rahmi Yulia").status == "diusulkan"
    assert membership_check(nik=other.nik, full_name=other.full_name).status == "ditetapkan"
