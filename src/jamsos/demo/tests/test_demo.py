from __future__ import annotations

import datetime as dt
import io
import json
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse

from jamsos.accounts.models import Agency, User
from jamsos.accounts.roles import Role
from jamsos.audit.models import AuditEvent
from jamsos.demo.catalogue import DEMO_PASSWORD, DEMO_USERS
from jamsos.demo.persons import VillageRef, demo_person_rows
from jamsos.demo.services import demo_load
from jamsos.intake.models import ProposalBatch, ProposalRow
from jamsos.lib.errors import DomainError
from jamsos.lib.nik import nik_parse
from jamsos.regions.models import Region
from jamsos.regions.selectors import region_codebook
from jamsos.registry.models import Person

AS_OF = dt.date(2025, 6, 1)
SIJUNJUNG_DISTRICTS = {f"1303{n:02d}" for n in range(3, 11)}
VILLAGES = [
    VillageRef("13.03.03.2001", "Timbulun", "nagari"),
    VillageRef("13.03.04.2009", "Sijunjung", "nagari"),
    VillageRef("13.03.10.2004", "Desa Kampung Baru", "desa"),
]


def _rows(seed: int, count: int = 300):
    return demo_person_rows(count=count, seed=seed, villages=VILLAGES, year=2025)


def test_same_seed_same_persons_other_seed_others():
    assert _rows(7) == _rows(7)
    other = _rows(8)
    assert {r.nik for r in other} != {r.nik for r in _rows(7)}


def test_rows_have_unique_niks_ages_18_to_64_all_year_and_cover_every_village():
    rows = _rows(3, count=2000)
    assert len({r.nik for r in rows}) == len(rows)
    assert {r.village_code for r in rows} == {v.code for v in VILLAGES}
    for row in rows:
        # Youngest on 31 December, oldest on 1 January of the demo year.
        assert dt.date(2025 - 65, 12, 31) < row.birth_date <= dt.date(2025 - 18, 1, 1)
        assert row.phone == "" or (row.phone.startswith("+628") and len(row.phone) <= 16)
    desa = [r for r in rows if r.village_code == "13.03.10.2004"]
    assert desa and all(r.address.startswith("Dusun ") for r in desa)
    assert all(r.address.endswith(", Desa Kampung Baru") for r in desa)


def test_religious_posts_are_held_by_men_and_petani_is_the_commonest_work():
    rows = _rows(5, count=3000)
    by_occupation = Counter(r.occupation_code for r in rows)
    assert by_occupation.most_common(1)[0][0] == "petani"
    assert {r.sex for r in rows if r.occupation_code in {"imam", "khatib", "garin"}} == {"L"}


@pytest.fixture
def loaded(db):
    return demo_load(people=200, seed=11, as_of=AS_OF)


def proposed_niks() -> set[str]:
    """NIKs that joined the registry through the demo's applied proposal batch."""
    return set(
        ProposalRow.objects.filter(batch__status=ProposalBatch.Status.APPLIED).values_list(
            "nik", flat=True
        )
    )


def nagari_newcomer_ids() -> set[int]:
    """Persons the enrollment step registers for Palaluar's APB Nagari (issue 9)."""
    return {
        int(pk)
        for pk in AuditEvent.objects.filter(
            action="registry.person.created", data__programme="1 Nagari 100 orang"
        ).values_list("object_id", flat=True)
    }


def step_persons():
    """The persons made by the persons step (the proposals step adds a few more, and the
    enrollment step Palaluar's newcomers, the agents step the Agen Perisai themselves)."""
    return (
        Person.objects.exclude(nik__in=proposed_niks())
        .exclude(pk__in=nagari_newcomer_ids())
        .exclude(agent__isnull=False)
    )


def test_every_nik_is_valid_consistent_and_in_sijunjung(loaded):
    codebook = region_codebook()
    persons = list(Person.objects.all())
    assert len(step_persons()) == 200
    agents = Person.objects.filter(agent__isnull=False).count()
    assert len(persons) == 200 + len(proposed_niks()) + len(nagari_newcomer_ids()) + agents
    for person in persons:
        result = nik_parse(
            person.nik, codebook=codebook, birth_date=person.birth_date, sex=person.sex
        )
        assert result.valid, (person.nik, result.errors)
        assert result.warnings == []
        assert result.district_digits in SIJUNJUNG_DISTRICTS
        # The NIK was issued in the kecamatan the person lives in.
        assert result.district_digits == person.village_id[:8].replace(".", "")


def test_persons_are_spread_over_all_62_villages(db):
    demo_load(people=100, seed=2, as_of=AS_OF)
    villages = Region.objects.filter(code__startswith="13.03.", level="village")
    assert villages.count() == 62
    assert set(Person.objects.values_list("village_id", flat=True)) == set(
        villages.values_list("code", flat=True)
    )


def test_database_holds_exactly_the_pure_rows(loaded):
    villages = [
        VillageRef(code, name, kind)
        for code, name, kind in Region.objects.filter(
            code__startswith="13.03.", level="village"
        ).values_list("code", "name", "kind")
    ]
    rows = demo_person_rows(count=200, seed=11, villages=villages, year=AS_OF.year)
    stored = set(step_persons().values_list("nik", "full_name", "birth_date", "occupation_id"))
    assert stored == {(r.nik, r.full_name, r.birth_date, r.occupation_code) for r in rows}


def test_loading_twice_into_an_emptied_database_gives_the_same_data(db):
    def snapshot():
        return list(Person.objects.order_by("nik").values_list("nik", "full_name", "village_id"))

    with transaction.atomic():
        demo_load(people=120, seed=4, as_of=AS_OF)
        first = snapshot()
        transaction.set_rollback(True)
    assert not Person.objects.exists()
    demo_load(people=120, seed=4, as_of=AS_OF)
    assert snapshot() == first


def test_agencies_cover_the_regency_its_kecamatan_and_every_village(loaded):
    kinds = Counter(Agency.objects.values_list("kind", flat=True))
    assert kinds[Agency.Kind.KECAMATAN_OFFICE] == 8
    assert kinds[Agency.Kind.NAGARI] == 62
    for kind in ("dinas", "bpjs_branch", "dprd", "executive_office", "it_office"):
        assert kinds[kind] == 1, kind
    assert Agency.objects.get(region_id="13.03.10.2004").name == "Pemerintah Desa Kampung Baru"
    assert Agency.objects.get(region_id="13.03.03.2001").name == "Pemerintah Nagari Timbulun"


@pytest.mark.parametrize("username", [u.username for u in DEMO_USERS])
def test_every_demo_user_logs_in_through_the_login_page(loaded, client, username):
    response = client.post(reverse("web:login"), {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.content[:500]
    user = User.objects.get(username=username)
    assert client.session["_auth_user_id"] == str(user.pk)


def test_one_user_per_role_none_a_django_superuser(loaded):
    users = {u.username: u for u in User.objects.select_related("agency", "region")}
    assert {u.role for u in users.values()} == set(Role.values)
    for demo_user in DEMO_USERS:
        user = users[demo_user.username]
        assert (user.role, user.region_id) == (demo_user.role, demo_user.region_code)
        assert not user.is_superuser and not user.is_staff
        assert user.agency.region.contains(user.region_id)
    assert users["admin"].has_perm("accounts.manage_users")


def test_audit_events_are_written_without_niks(loaded):
    events = Counter(AuditEvent.objects.values_list("action", flat=True))
    assert events["demo.data.loaded"] == 1
    agents = Person.objects.filter(agent__isnull=False).count()
    assert events["registry.person.created"] == 200 + len(nagari_newcomer_ids()) + agents
    # the applied proposal batch: one event for its persons, their ids as ranges
    (applied,) = AuditEvent.objects.filter(action="registry.person.batch_created")
    proposed = Person.objects.filter(nik__in=proposed_niks())
    assert applied.data["count"] == proposed.count() == len(proposed_niks())
    for person in proposed:
        assert applied in AuditEvent.objects.for_object(person)
    assert events["accounts.agency.created"] == 75
    assert events["accounts.user.created"] == 8
    assert loaded.counts["audit_events"] == sum(events.values())
    person = Person.objects.first()
    event = AuditEvent.objects.get(action="registry.person.created", object_id=str(person.pk))
    assert event.region_code == person.village_id
    assert person.nik not in json.dumps([event.before, event.after, event.data])


def test_a_database_with_data_is_refused(loaded):
    with pytest.raises(DomainError) as exc:
        demo_load(people=10, seed=1)
    assert exc.value.code == "demo_not_empty"


def test_people_out_of_range_is_refused(db):
    with pytest.raises(DomainError) as exc:
        demo_load(people=-1, seed=1)
    assert exc.value.code == "demo_people_out_of_range"


def _call(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def test_command_loads_then_if_empty_adds_nothing_and_prints_logins(db):
    first = _call("--people", "40", "--seed", "3")
    assert "40 peserta" in first
    counts = (Person.objects.count(), User.objects.count(), AuditEvent.objects.count())
    again = _call("--if-empty", "--people", "40")
    assert (Person.objects.count(), User.objects.count(), AuditEvent.objects.count()) == counts
    assert "tidak dimuat ulang" in again
    for demo_user in DEMO_USERS:
        assert demo_user.username in again
    assert DEMO_PASSWORD in again
    assert "Nagari Timbulun" in again


def test_command_refuses_a_non_empty_database_with_status_2(loaded):
    with pytest.raises(CommandError) as exc:
        _call("--people", "10")
    assert exc.value.returncode == 2
    assert "--if-empty" in str(exc.value)


def test_command_json_summary(db):
    data = json.loads(_call("--people", "25", "--json"))
    assert data["loaded"] is True
    assert data["counts"]["persons"] == 25
    assert data["counts"]["users"] == 8
    assert [login["username"] for login in data["logins"]] == [u.username for u in DEMO_USERS]
    skipped = json.loads(_call("--if-empty", "--json"))
    assert skipped["loaded"] is False
    assert len(skipped["logins"]) == 8


def test_if_empty_on_a_database_without_demo_users_shows_no_password(personas):
    out = _call("--if-empty")
    assert "Tidak ada akun demo" in out
    assert DEMO_PASSWORD not in out
