"""What a viewer reads of rows and checks (issue 10): a NIK registered outside the
viewer's region answers "already registered" and nothing more; NIKs inside messages are
masked for viewers without ``registry.view_full_nik``; checks are rate-limited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse

from jamsos.intake.models import ProposalBatch, ProposalRow
from jamsos.intake.tests.test_ui_batches import CSV_HEADER, csv_line, csv_upload, person_values
from jamsos.lib.nik import nik_build, nik_mask
from jamsos.regions.models import Region
from jamsos.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db

API_CHECK = "/api/intake/check"
BORN = dt.date(1985, 5, 17)
NAME = "Afrida Putri"


@pytest.fixture(autouse=True)
def fresh_rate_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def elsewhere():
    """A person registered in another kecamatan of the kabupaten than the agent's."""
    village = (
        Region.objects.filter(level="village", code__startswith="13.03.")
        .exclude(code__startswith="13.03.03.")
        .order_by("code")
        .first()
    )
    return PersonFactory(full_name=NAME, birth_date=BORN, sex="P", village=village)


def afrida_values(nik: str, name: str = "Rina Marlina") -> dict[str, str]:
    """What an agent types: a NIK, and a name (not the registered one: whatever the
    agent types is theirs to read; what the registry holds is not)."""
    return person_values(
        1, nik=nik, full_name=name, sex="P", birth_date=BORN.isoformat(), mother_name="Rosna"
    )


TYPO = "Afrida Putry"  # close enough to the registered name to be a possible duplicate


def check(client, user, values):
    client.force_login(user)
    return client.post(API_CHECK, {"values": values}, content_type="application/json")


def test_api_check_of_a_nik_registered_elsewhere_says_registered_and_nothing_more(
    client, personas, elsewhere
):
    response = check(client, personas.agent, afrida_values(elsewhere.nik))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "already_registered"
    text = str(body)
    assert NAME not in text
    assert elsewhere.village.name not in text and elsewhere.village_id not in text
    registered = next(i for i in body["issues"] if i["code"] == "already_registered")
    assert registered["message"].endswith("NIK ini sudah terdaftar sebagai peserta.")


def test_api_check_inside_scope_still_names_the_person(client, personas, elsewhere):
    values = afrida_values(elsewhere.nik)
    values["village"] = elsewhere.village_id
    body = check(client, personas.dinas_operator, values).json()
    registered = next(i for i in body["issues"] if i["code"] == "already_registered")
    assert f"({NAME})" in registered["message"]


def test_api_check_hides_duplicate_candidates_registered_elsewhere(client, personas, elsewhere):
    other_nik = nik_build("13.03.03", BORN, "P", 77)
    body = check(client, personas.agent, afrida_values(other_nik, TYPO)).json()
    assert body["status"] == "valid"
    assert body["candidates"] == []
    assert "possible_duplicate" not in {i["code"] for i in body["issues"]}
    assert NAME not in str(body) and elsewhere.village_id not in str(body)

    values = afrida_values(other_nik, TYPO)
    body = check(client, personas.dinas_operator, values).json()
    (candidate,) = body["candidates"]
    assert candidate["name"] == NAME
    assert candidate["birth_date"] == BORN.isoformat()
    assert candidate["village"] == elsewhere.village_id


def test_form_check_of_a_nik_registered_elsewhere_shows_no_name(client, personas, elsewhere):
    client.force_login(personas.agent)
    values = afrida_values(elsewhere.nik)
    values.pop("village")
    values["birth_date"] = BORN.strftime("%d-%m-%Y")
    response = client.post(reverse("intake:person_check"), values)
    html = response.content.decode()
    assert "sudah terdaftar" in html
    assert NAME not in html and elsewhere.village.name not in html

    other = {**values, "nik": nik_build("13.03.03", BORN, "P", 77), "full_name": TYPO}
    html = client.post(reverse("intake:person_check"), other).content.decode()
    assert NAME not in html and 'data-testid="check-candidate"' not in html


def upload_as_agent(client, personas, capture, lines):
    client.force_login(personas.agent)
    with capture(execute=True):
        response = client.post(
            reverse("intake:batch_upload"),
            {"region": personas.agent.region_id, "file": csv_upload([CSV_HEADER, *lines])},
        )
    assert response.status_code == 302
    return ProposalBatch.objects.get()


def test_a_20_row_upload_reads_registered_elsewhere_without_a_name(
    client, personas, elsewhere, django_capture_on_commit_callbacks
):
    lines = [csv_line(person_values(n)) for n in range(2, 21)]
    lines.insert(4, csv_line(afrida_values(elsewhere.nik)))
    batch = upload_as_agent(client, personas, django_capture_on_commit_callbacks, lines)
    assert batch.rows_total == 20 and batch.rows_already_registered == 1
    row = ProposalRow.objects.get(batch=batch, status="already_registered")
    assert NAME in str(row.issues)  # stored whole: the Dinas reviewer sees it

    page = client.get(reverse("intake:batch_detail", args=[batch.pk])).content.decode()
    detail = client.get(reverse("intake:row_detail", args=[row.pk])).content.decode()
    api = client.get(f"/api/intake/batches/{batch.pk}/rows?page_size=50").content.decode()
    for text in (page, detail, api):
        assert "sudah terdaftar sebagai peserta" in text
        assert NAME not in text

    client.force_login(personas.dinas_operator)
    page = client.get(reverse("intake:batch_detail", args=[batch.pk])).content.decode()
    assert f"({NAME})" in page


def test_full_niks_in_messages_are_masked_for_a_camat_operator(
    client, personas, django_capture_on_commit_callbacks
):
    wrong = person_values(3, birth_date="1985-05-18")  # the NIK says 17 May
    batch = upload_as_agent(client, personas, django_capture_on_commit_callbacks, [csv_line(wrong)])
    row = ProposalRow.objects.get(batch=batch)
    assert row.status == "invalid" and wrong["nik"] in str(row.issues)

    client.force_login(personas.kecamatan_operator)
    assert not personas.kecamatan_operator.has_perm("registry.view_full_nik")
    page = client.get(reverse("intake:batch_detail", args=[batch.pk])).content.decode()
    detail = client.get(reverse("intake:row_detail", args=[row.pk])).content.decode()
    api = client.get(f"/api/intake/batches/{batch.pk}/rows").json()
    issues = api["items"][0]["issues"]
    for text in (page, detail, str(issues)):
        assert wrong["nik"] not in text
        assert nik_mask(wrong["nik"]) in text
    assert row.issues == ProposalRow.objects.get(pk=row.pk).issues  # stored unchanged

    client.force_login(personas.dinas_operator)
    page = client.get(reverse("intake:batch_detail", args=[batch.pk])).content.decode()
    assert wrong["nik"] in page


def test_checks_are_rate_limited_per_user(client, personas, settings):
    settings.INTAKE_CHECKS_PER_MINUTE = 2
    values = person_values(4)
    for serial in (4, 5):
        assert check(client, personas.agent, person_values(serial)).status_code == 200
    refused = check(client, personas.agent, person_values(6))
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["code"] == "rate_limited"
    # another user has their own allowance
    assert check(client, personas.dinas_operator, values).status_code == 200

    client.force_login(personas.agent)
    html = client.post(reverse("intake:person_check"), values).content.decode()
    assert "Terlalu banyak pemeriksaan" in html
    response = client.post(reverse("intake:person_propose"), values, follow=True)
    assert "Terlalu banyak pemeriksaan" in response.content.decode()
    assert not ProposalBatch.objects.exists()


def test_rechecking_the_nik_being_typed_is_free(client, personas, settings):
    """The phone form checks as the agent types: the same NIK again and again costs one
    check; a new NIK costs one more (issue 10: distinct NIKs per user and minute)."""
    settings.INTAKE_CHECKS_PER_MINUTE = 2
    values = person_values(7)
    for name in ("Ahmad", "Ahmad Ya", "Ahmad Yani", "Ahmad Yani Putra"):
        assert check(client, personas.agent, {**values, "full_name": name}).status_code == 200
    assert check(client, personas.agent, person_values(8)).status_code == 200
    assert check(client, personas.agent, person_values(9)).status_code == 429
    assert check(client, personas.agent, values).status_code == 429  # over: all wait


def _upload_and_validate(user, name, lines):
    from django.core.files.base import ContentFile

    from jamsos.intake import services

    batch = services.batch_stage_upload(
        upload=ContentFile("\n".join(lines).encode()),
        file_name=name,
        region=user.region,
        acting_user=user,
        enqueue=False,
    )
    return services.batch_validate(batch=batch)


def test_uploaded_niks_count_against_the_daily_budget(client, personas, settings):
    """A file of NIKs is no faster way to learn who is registered: its distinct NIKs
    count against the uploader's daily budget, shared with the live check."""
    from jamsos.intake.tests.test_ui_batches import CSV_HEADER, csv_line

    settings.INTAKE_CHECKED_NIKS_PER_DAY = 3
    lines = [CSV_HEADER] + [csv_line(person_values(n)) for n in range(1, 6)]
    batch = _upload_and_validate(personas.agent, "tebak.csv", lines)
    assert batch.status == "failed"
    assert "paling banyak 3 NIK" in batch.failure_message
    assert not batch.rows.exists()
    # Two NIKs checked live, then a file with them and one more: 3 distinct, allowed.
    settings.INTAKE_CHECKED_NIKS_PER_DAY = 3
    for serial in (10, 11):
        assert check(client, personas.agent, person_values(serial)).status_code == 200
    lines = [CSV_HEADER] + [csv_line(person_values(n)) for n in (10, 11, 12)]
    ok = _upload_and_validate(personas.agent, "tiga.csv", lines)
    assert ok.status == "validated", ok.failure_message
    # The budget is spent: a fourth NIK checked live is refused for the day.
    refused = check(client, personas.agent, person_values(13))
    assert refused.status_code == 429
    assert "hari ini" in refused.json()["message"]
    # The Dinas sees every NIK anyway: no daily budget.
    assert check(client, personas.dinas_operator, person_values(14)).status_code == 200
