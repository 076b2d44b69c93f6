"""Self-nomination: spam guard, the lead reaching the right queue, follow-up with audit."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jamsos.audit.chain import audit_chain_verify, object_ranges_verify
from jamsos.audit.models import AuditEvent
from jamsos.audit.selectors import AuditEventFilters, audit_event_list, audit_events_for
from jamsos.portal import services
from jamsos.portal.forms import lead_form_token
from jamsos.portal.models import Lead
from jamsos.portal.tests.conftest import NAGARI, OTHER_NAGARI, client_from
from jamsos.testing.factories import UserFactory, region

pytestmark = pytest.mark.django_db

URL = "/daftarkan-diri/"


@pytest.fixture(autouse=True)
def _no_wait(settings):
    settings.PORTAL_LEAD_MIN_FILL_SECONDS = 0


def _form(**extra):
    data = {
        "full_name": "Rahmat Hidayat",
        "village": NAGARI,
        "occupation": "Petani karet",
        "phone": "0812-3456-7890",
        "consent": "on",
        "website": "",
        "token": lead_form_token(),
    }
    data.update(extra)
    return data


def test_a_citizen_nominates_a_neighbour():
    response = client_from("10.1.1.1").post(URL, _form(for_someone_else="on"))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:lead_thanks")
    lead = Lead.objects.get()
    assert lead.village_id == NAGARI
    assert lead.phone == "+6281234567890"
    assert lead.for_someone_else
    assert lead.status == Lead.Status.NEW
    assert AuditEvent.objects.filter(action="portal.lead.created", region_code=NAGARI).exists()


def test_consent_is_required():
    response = Client().post(URL, _form(consent=""))
    assert response.status_code == 200
    assert not Lead.objects.exists()


def test_a_village_outside_the_kabupaten_is_refused():
    response = Client().post(URL, _form(village="13.71.01.1001"))
    assert response.status_code == 200
    assert not Lead.objects.exists()


def test_the_form_asks_no_nik():
    html = Client().get(URL).content.decode()
    assert 'name="nik"' not in html


def test_honeypot_is_answered_as_success_but_stores_nothing():
    response = Client().post(URL, _form(website="http://spam.example"))
    assert response.status_code == 302
    assert not Lead.objects.exists()


def test_a_form_posted_too_fast_is_spam(settings):
    settings.PORTAL_LEAD_MIN_FILL_SECONDS = 30
    response = Client().post(URL, _form())
    assert response.status_code == 302
    assert not Lead.objects.exists()


def test_a_forged_token_is_spam():
    response = Client().post(URL, _form(token="forged"))
    assert response.status_code == 302
    assert not Lead.objects.exists()


def test_per_address_limit(settings):
    settings.PORTAL_LEAD_IP_PER_HOUR = 2
    client = client_from("10.9.9.9")
    for _ in range(2):
        assert client.post(URL, _form()).status_code == 302
    blocked = client.post(URL, _form())
    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) > 0
    assert Lead.objects.count() == 2


def _lead(village: str = NAGARI) -> Lead:
    return services.lead_create(
        full_name="Rahmat Hidayat",
        village=region(village),
        occupation="Petani",
        phone="+6281234567890",
        for_someone_else=False,
    )


def test_the_lead_reaches_that_nagaris_agent_and_camat_only(personas):
    mine = _lead(NAGARI)
    other = _lead(OTHER_NAGARI)
    other_agent = UserFactory(
        username="agent_other",
        role="agent",
        agency=personas.agent.agency,
        region=region(OTHER_NAGARI),
    )
    seen = {}
    for name, user in {
        "agent": personas.agent,
        "camat": personas.kecamatan_operator,
        "other_agent": other_agent,
        "operator": personas.dinas_operator,
        "dprd": personas.dprd,
        "outsider": personas.outsider,
    }.items():
        client = Client()
        client.force_login(user)
        response = client.get(reverse("portal:lead_list"))
        html = response.content.decode() if response.status_code == 200 else ""
        seen[name] = (
            reverse("portal:lead_detail", args=[mine.pk]) in html,
            reverse("portal:lead_detail", args=[other.pk]) in html,
            response.status_code,
        )
    assert seen["agent"] == (True, False, 200)
    assert seen["camat"] == (True, False, 200)  # the other nagari is in another kecamatan
    assert seen["other_agent"] == (False, True, 200)
    assert seen["operator"] == (True, True, 200)
    assert seen["dprd"][2] == 403
    assert seen["outsider"] == (False, False, 200)


def test_agent_of_another_nagari_gets_404_on_the_lead(personas):
    lead = _lead(OTHER_NAGARI)
    client = Client()
    client.force_login(personas.agent)
    assert client.get(reverse("portal:lead_detail", args=[lead.pk])).status_code == 404
    response = client.post(
        reverse("portal:lead_detail", args=[lead.pk]), {"status": "proposed", "note": ""}
    )
    assert response.status_code == 404
    lead.refresh_from_db()
    assert lead.status == Lead.Status.NEW


def test_agent_follows_up_and_marks_proposed(personas):
    lead = _lead()
    client = Client()
    client.force_login(personas.agent)
    url = reverse("portal:lead_detail", args=[lead.pk])
    assert (
        client.post(url, {"status": "contacted", "note": "Ditelepon, minta datang"}).status_code
        == 302
    )
    assert client.post(url, {"status": "proposed", "note": ""}).status_code == 302
    lead.refresh_from_db()
    assert lead.status == Lead.Status.PROPOSED
    assert lead.handled_by == personas.agent
    assert "Ditelepon" in lead.note
    actions = list(
        AuditEvent.objects.filter(action__startswith="portal.lead.").values_list(
            "action", flat=True
        )
    )
    assert "portal.lead.followed_up" in actions and "portal.lead.proposed" in actions
    # Closed: no more follow-up.
    client.post(url, {"status": "unreachable", "note": ""})
    lead.refresh_from_db()
    assert lead.status == Lead.Status.PROPOSED


def test_api_lists_and_follows_up_in_scope(personas):
    mine = _lead(NAGARI)
    other = _lead(OTHER_NAGARI)
    client = Client()
    client.force_login(personas.agent)
    listing = client.get("/api/portal/leads").json()
    assert [item["id"] for item in listing["items"]] == [mine.pk]
    assert client.get(f"/api/portal/leads/{other.pk}").status_code == 404
    response = client.post(
        f"/api/portal/leads/{mine.pk}/follow-up",
        {"status": "unreachable", "note": "Nomor tidak aktif"},
        "application/json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "unreachable"
    dprd = Client()
    dprd.force_login(personas.dprd)
    assert dprd.get("/api/portal/leads").status_code == 403


def test_who_was_shown_a_lead_is_on_the_audit_trail(personas):
    mine, second = _lead(NAGARI), _lead(NAGARI)
    other = _lead(OTHER_NAGARI)
    client = Client()
    client.force_login(personas.agent)

    def viewed() -> list[AuditEvent]:
        return list(AuditEvent.objects.filter(action="portal.lead.viewed").order_by("id"))

    def shown(event: AuditEvent) -> set[int]:
        return {pk for first, last, _r in event.data["ranges"] for pk in range(first, last + 1)}

    client.get(reverse("portal:lead_list"))
    (page,) = viewed()
    assert page.actor == personas.agent and page.data["count"] == 2
    assert shown(page) == {mine.pk, second.pk}  # out of scope: not shown, not recorded
    client.get(reverse("portal:lead_detail", args=[mine.pk]))
    one = viewed()[-1]
    assert (one.object_type, one.object_id) == ("portal.lead", str(mine.pk))
    client.get(f"/api/portal/leads/{second.pk}")
    client.get("/api/portal/leads")
    api_one, api_page = viewed()[-2:]
    assert api_one.object_id == str(second.pk) and api_one.data["where"].startswith("/api/")
    assert shown(api_page) == {mine.pk, second.pk}
    # A lead refused (another nagari) is not shown, so nothing is recorded.
    before = len(viewed())
    assert client.get(reverse("portal:lead_detail", args=[other.pk])).status_code == 404
    assert len(viewed()) == before
    # "Who saw this lead?": the lead's history and the audit list's search by its id find
    # every page that showed it, the list pages too.
    expected = {page.pk, one.pk, api_page.pk}
    assert {e.pk for e in audit_events_for(mine, personas.dinas_head)} >= expected
    search = AuditEventFilters(action="portal.lead.viewed", object_text=str(mine.pk))
    found = audit_event_list(viewer=personas.dinas_head, filters=search)
    assert {e.pk for e in found} >= expected  # (the text also matches names and codes)
    assert audit_chain_verify().ok and object_ranges_verify().ok


def test_purge_keeps_recent_rows(settings):
    import datetime as dt

    from django.utils import timezone

    from jamsos.portal.models import LookupLog

    old = _lead()
    Lead.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=400))
    recent = _lead()
    LookupLog.objects.create(outcome="no_match", created_at=timezone.now() - dt.timedelta(days=91))
    LookupLog.objects.create(outcome="no_match")
    assert services.lead_purge() == 1
    assert services.lookup_log_purge() == 1
    assert list(Lead.objects.values_list("pk", flat=True)) == [recent.pk]
    assert LookupLog.objects.count() == 1
