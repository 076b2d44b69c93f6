"""The public membership check: two factors, uniform answers, layered limits, a log
without the NIK, and nothing personal beyond the masked name."""

from __future__ import annotations

import re
import time

import pytest
from django.test import Client
from django.urls import reverse

from jamsos.audit.pseudonyms import nik_digest
from jamsos.portal.lookup import mask_name, match_key, names_match
from jamsos.portal.models import LookupLog
from jamsos.portal.tests.conftest import client_from

pytestmark = pytest.mark.django_db

URL = "/cek-kepesertaan/"
UNKNOWN_NIK = "1303035505900001"


def _post(client: Client, nik: str, name: str):
    client.get(URL)  # sets the CSRF cookie, as a browser would
    token = client.cookies["csrftoken"].value
    return client.post(URL, {"nik": nik, "full_name": name, "csrfmiddlewaretoken": token})


def _without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_url_is_the_public_one():
    assert reverse("portal:lookup") == URL


@pytest.mark.parametrize(
    ("given", "registered"),
    [
        ("siti nurhaliza", "Siti Nurhaliza"),
        ("  SITI   NURHALIZA ", "Siti Nurhaliza"),
        ("Hj. Siti Nurhaliza, S.Pd", "Siti Nurhaliza"),
        ("Dr. Siti Nurhaliza S.Pd.I", "Siti Nurhaliza"),
        ("Siti Nurhalisa", "Siti Nurhaliza"),  # one typo
        ("Siti Nur Haliza", "Siti Nurhaliza"),  # spaces
        ("H. Ma'ruf bin Amin", "Maruf Amin"),
    ],
)
def test_names_match_forgivingly(given, registered):
    assert names_match(given, registered)


@pytest.mark.parametrize(
    ("given", "registered"),
    [
        ("Siti Nurhasanah", "Siti Nurhaliza"),  # two edits and more
        ("Budi", "Bude"),  # a short name forgives no typo
        ("", "Siti Nurhaliza"),
        ("Hj.", "Siti Nurhaliza"),
    ],
)
def test_names_do_not_match(given, registered):
    assert not names_match(given, registered)


def test_match_key_drops_titles_and_degrees():
    assert match_key("Prof. Dr. Ir. Budi Santoso, M.Si") == "budi santoso"


def test_mask_name_shows_initials_only():
    assert mask_name("Siti Nurhaliza") == "S*** N***"


def test_a_match_shows_only_the_masked_name_and_programme_status(member):
    person = member.person
    response = _post(Client(), person.nik, "Hj. SITI NURHALIZA")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="lookup-answer"' in html
    assert "S*** N***" in html
    assert "Aktif" in html
    assert "APBD Sijunjung" in html
    assert member.village.name in html
    # Nothing else of the person.
    for secret in (
        person.nik,
        person.full_name,
        "Nurhaliza",
        member.kpj_number,
        person.birth_date.isoformat(),
        person.birth_date.strftime("%d-%m-%Y"),
    ):
        assert secret not in html, secret
    assert LookupLog.objects.get().outcome == "match"


def test_wrong_name_and_unknown_nik_get_the_same_page(member):
    wrong = _post(client_from("10.0.0.1"), member.person.nik, "Budi Santoso")
    unknown = _post(client_from("10.0.0.2"), UNKNOWN_NIK, "Siti Nurhaliza")
    assert wrong.status_code == unknown.status_code == 200
    assert _without_csrf(wrong.content.decode()) == _without_csrf(unknown.content.decode())
    html = wrong.content.decode()
    assert "Data tidak ditemukan atau tidak cocok" in html
    # The NIK and the name typed are not echoed back.
    assert member.person.nik not in html and "Budi Santoso" not in html


def test_every_lookup_is_logged_without_the_nik(member):
    _post(client_from("203.0.113.77"), member.person.nik, "Budi Santoso")
    log = LookupLog.objects.get()
    assert log.outcome == "no_match"
    assert log.nik_digest == nik_digest(member.person.nik)
    assert member.person.nik not in log.nik_digest
    assert log.ip_prefix == "203.0.113.0/24"


def test_ip_limit_answers_429_with_retry_after(settings, member):
    settings.PORTAL_LOOKUP_IP_PER_MINUTE = 2
    client = client_from("198.51.100.5")
    for _ in range(2):
        assert _post(client, UNKNOWN_NIK, "Siti").status_code == 200
    blocked = _post(client, member.person.nik, "Siti Nurhaliza")
    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) > 0
    assert LookupLog.objects.filter(outcome="limited_ip").count() == 1
    # Another address is not blocked.
    assert (
        _post(client_from("198.51.100.6"), member.person.nik, "Siti Nurhaliza").status_code == 200
    )


def test_nik_limit_counts_failures_across_addresses(settings, member):
    settings.PORTAL_LOOKUP_NIK_FAILED_PER_HOUR = 3
    nik = member.person.nik
    for n in range(3):
        assert _post(client_from(f"192.0.2.{n}"), nik, "Nama Salah").status_code == 200
    # A fourth address, even with the right name: that NIK rests.
    blocked = _post(client_from("192.0.2.99"), nik, "Siti Nurhaliza")
    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) > 0
    assert LookupLog.objects.filter(outcome="limited_nik").count() == 1
    # Other NIKs go on.
    assert _post(client_from("192.0.2.100"), UNKNOWN_NIK, "X").status_code == 200


def test_nik_limit_is_the_same_for_unknown_and_known_niks(settings, member):
    settings.PORTAL_LOOKUP_NIK_FAILED_PER_HOUR = 1
    for nik in (member.person.nik, UNKNOWN_NIK):
        assert _post(client_from("192.0.2.1"), nik, "Nama Salah").status_code == 200
        assert _post(client_from("192.0.2.2"), nik, "Nama Salah").status_code == 429


def test_global_failure_breaker(settings, member):
    settings.PORTAL_LOOKUP_GLOBAL_FAILED_PER_HOUR = 2
    _post(client_from("192.0.2.1"), "1303035505900002", "A B")
    _post(client_from("192.0.2.2"), "1303035505900003", "A B")
    blocked = _post(client_from("192.0.2.3"), member.person.nik, "Siti Nurhaliza")
    assert blocked.status_code == 429
    assert "Retry-After" in blocked
    assert LookupLog.objects.filter(outcome="limited_global").count() == 1


def test_successful_lookups_do_not_count_against_the_nik(settings, member):
    settings.PORTAL_LOOKUP_NIK_FAILED_PER_HOUR = 1
    for n in range(3):
        response = _post(client_from(f"192.0.2.{n}"), member.person.nik, "Siti Nurhaliza")
        assert response.status_code == 200
        assert "S*** N***" in response.content.decode()


def test_no_json_and_no_get_lookup(member):
    response = Client().get(URL, {"nik": member.person.nik, "full_name": "Siti Nurhaliza"})
    assert "S*** N***" not in response.content.decode()
    assert response["Content-Type"].startswith("text/html")


def test_post_without_csrf_is_refused(member):
    client = Client(enforce_csrf_checks=True)
    response = client.post(URL, {"nik": member.person.nik, "full_name": "Siti Nurhaliza"})
    assert response.status_code == 403


def test_invalid_nik_is_a_form_error_and_not_looked_up():
    response = _post(Client(), "12345", "Siti")
    assert response.status_code == 200
    assert "16 angka" in response.content.decode()
    assert not LookupLog.objects.exists()


def test_answers_are_held_to_the_timing_floor(settings, member):
    settings.PORTAL_LOOKUP_MIN_MS = 120
    for nik, name in ((member.person.nik, "Budi Santoso"), (UNKNOWN_NIK, "Budi Santoso")):
        started = time.monotonic()
        response = _post(client_from("10.7.7.7"), nik, name)
        assert response.status_code == 200
        assert time.monotonic() - started >= 0.12
    durations = list(LookupLog.objects.values_list("duration_ms", flat=True))
    assert len(durations) == 2 and min(durations) >= 120


@pytest.mark.parametrize(
    ("status", "label"),
    [
        ("active", "aktif"),
        ("pending", "ditetapkan"),
        ("lapsed", "tidak_aktif"),
        ("ended", "tidak_aktif"),
    ],
)
def test_programme_status_from_the_membership(member, status, label):
    from jamsos.portal.lookup import membership_check

    member.status = status
    member.save()
    answer = membership_check(nik=member.person.nik, full_name="Siti Nurhaliza")
    assert answer is not None
    assert answer.status == label
    assert answer.funder == "APBD Sijunjung"
    assert answer.months  # "Januari 2026 – Desember 2026"


def test_a_registered_person_without_decree_is_proposed(db):
    from jamsos.portal.lookup import membership_check
    from jamsos.testing.factories import PersonFactory

    person = PersonFactory(full_name="Rahmi Yulia")
    answer = membership_check(nik=person.nik, full_name="RAHMI YULIA")
    assert answer is not None
    assert answer.status == "diusulkan"
    assert answer.months == "" and answer.funder == ""
