"""PostgreSQL applies a batch with one server-side ``INSERT … SELECT`` (issue 15): the
same persons, ids, audit ranges and refusals as the Python path SQLite keeps, and a
failure between the checks and the commit leaves nothing behind.

PostgreSQL only: SQLite has no such path. The last two tests commit for real (another
connection deletes or inserts while the apply runs), so they empty every table; the
fixture puts the migration-loaded reference data back.
"""

from __future__ import annotations

import threading

import pytest
from django.core.cache import cache
from django.db import connection, connections, transaction

from jamsos.audit.models import AuditEvent, AuditObjectRange
from jamsos.budget.tests.reference_data import migration_data_reload
from jamsos.intake import selectors, services
from jamsos.intake.models import ProposalBatch, ProposalRow
from jamsos.intake.tests.test_apply_task import approved_not_applied
from jamsos.intake.tests.test_ui_validation_recovery import ROWS
from jamsos.regions.models import Region
from jamsos.registry.models import Occupation, Person
from jamsos.registry.services import PersonData, person_bulk_create_prevalidated

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the server-side apply is PostgreSQL's; SQLite keeps the Python path",
    ),
]

Status = ProposalBatch.Status
FIELDS = [
    "nik",
    "full_name",
    "birth_place",
    "birth_date",
    "sex",
    "mother_name",
    "address",
    "village_id",
    "phone",
    "occupation_id",
    "declared_income",
    "family_card_number",
    "is_deceased",
    "deceased_on",
]
# What a row's normalised values may hold that the conversions must treat as Python does
ODD_VALUES = [
    {"full_name": "Ñurul 'Aini' Siti Zulaikhā — 李小龍 😀", "declared_income": 1500000},
    {
        "birth_place": None,
        "mother_name": "",
        "phone": None,
        "family_card_number": None,
        "declared_income": None,
    },
    {"address": "DELETE", "declared_income": ""},  # DELETE: the key is missing
    {"declared_income": "2500000", "family_card_number": "1303030101080001"},
    {"declared_income": 0, "mother_name": "Siti Ümmü Gülsüm", "address": "Jl. Ki Hajar № 7"},
]


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def odd_rows(batch: ProposalBatch) -> None:
    """Put ODD_VALUES into the first rows to apply, as if validation had left them."""
    rows = list(selectors.rows_to_apply(batch=batch)[: len(ODD_VALUES)])
    for row, changes in zip(rows, ODD_VALUES, strict=True):
        values = dict(row.values)
        for key, value in changes.items():
            if value == "DELETE":
                values.pop(key, None)
            else:
                values[key] = value
        ProposalRow.objects.filter(pk=row.pk).update(values=values)


def registry_snapshot() -> tuple[list[dict], list[list]]:
    """The persons in id order (ids as their rank, so two runs compare) and the batch
    event's ranges in ranks."""
    persons = list(Person.objects.order_by("pk").values("pk", *FIELDS))
    rank = {p.pop("pk"): n for n, p in enumerate(persons)}
    event = AuditEvent.objects.get(action="registry.person.batch_created")
    ranges = [[rank[first], rank[last], village] for first, last, village in event.data["ranges"]]
    stored = [
        [rank[r.first_id], rank[r.last_id], r.region_code]
        for r in AuditObjectRange.objects.filter(event=event).order_by("first_id")
    ]
    assert stored == ranges
    return persons, ranges


class Rollback(Exception):
    pass


def test_the_database_creates_exactly_the_persons_python_would(personas):
    batch = approved_not_applied(personas)
    odd_rows(batch)
    rows = list(selectors.rows_to_apply(batch=batch))
    # one NIK is registered already, one row was rejected: neither becomes a person
    registered = PersonData.from_values({**rows[-1].values, "nik": rows[-1].nik})
    with transaction.atomic():
        person_bulk_create_prevalidated(persons=[registered], acting_user=None, data={})
    ProposalRow.objects.filter(pk=rows[-2].pk).update(decision=ProposalRow.Decision.REJECTED)
    found: list = []

    def run(create):  # each path in a transaction rolled back: both start from here
        with pytest.raises(Rollback), transaction.atomic():
            created, skipped = create(batch, personas.dinas_head)
            statuses = dict(ProposalRow.objects.filter(batch=batch).values_list("pk", "status"))
            found.append((created, skipped, statuses, registry_snapshot()))
            raise Rollback

    run(services._persons_create_from_python)
    run(services._persons_create_in_database)
    python, database = found
    assert python[:2] == database[:2] == (ROWS - 2, 1)
    assert python[2] == database[2]
    assert python[3] == database[3]  # every field, in the same id order, same ranges
    persons, ranges = database[3]
    assert len(persons) == 1 + ROWS - 2 and len(ranges) >= 2
    by_name = {p["full_name"]: p for p in persons}
    assert by_name[ODD_VALUES[0]["full_name"]]["declared_income"] == 1500000
    incomes = sorted((p["declared_income"] for p in persons), key=lambda i: (i is None, i))
    assert incomes[:3] == [0, 1500000, 2500000] and incomes[-1] is None
    empty = [p for p in persons if p["birth_place"] == "" and p["phone"] == ""]
    assert empty and empty[0]["mother_name"] == "" and empty[0]["family_card_number"] == ""
    assert any(p["address"] == "" for p in persons)
    assert persons[0]["nik"] == registered.nik  # registered before: the lowest id


def test_the_audit_ranges_find_every_person_the_database_created(personas):
    batch = approved_not_applied(personas)
    odd_rows(batch)
    assert not Person.objects.exists()
    batch = services.batch_apply_run(batch=batch)
    assert batch.status == Status.APPLIED and batch.rows_applied == ROWS
    assert services.apply_progress(batch) == (ROWS, ROWS)
    event = AuditEvent.objects.get(action="registry.person.batch_created")
    assert (event.data["batch"], event.data["count"]) == (batch.pk, ROWS)
    created = dict(Person.objects.values_list("pk", "village_id"))
    assert len(created) == ROWS
    covered: dict[int, str] = {}
    for each in AuditObjectRange.objects.filter(event=event):
        for pk in range(each.first_id, each.last_id + 1):
            assert pk not in covered
            covered[pk] = each.region_code
    assert covered == created  # every id once, with its village, and nothing else
    # by village, then NIK: one village's ids are consecutive
    ordered = list(Person.objects.order_by("pk").values_list("village_id", "nik"))
    assert ordered == sorted(ordered)
    assert len(event.data["ranges"]) == len(set(created.values()))
    for person in Person.objects.all():
        assert event in AuditEvent.objects.for_object(person)


# --- a failure between the checks and the commit ----------------------------------------


@pytest.fixture
def committing(restore_reference_data, transactional_db):
    """A test that commits: the reference data the migrations loaded is there."""
    if not Region.objects.exists():
        migration_data_reload()


def approved_held(personas, monkeypatch) -> ProposalBatch:
    """Approved (committed), its apply task not run: the test runs it."""
    with monkeypatch.context() as patched:
        patched.setattr(services, "_enqueue_apply", lambda batch_id: None)
        batch = approved_not_applied(personas)
    assert batch.status == Status.APPLYING
    return batch


def meanwhile(action) -> None:
    """Run ``action`` in another connection (a thread) and commit it, as another
    process would while the apply runs."""
    failed: list[BaseException] = []

    def work():
        try:
            with transaction.atomic():
                action()
        except BaseException as exc:  # reported to the test
            failed.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert not failed, failed


def after_the_checks(monkeypatch, action) -> None:
    """``action`` runs (and commits) once the apply checked its references."""
    real = selectors.rows_to_apply_references_missing

    def checked(**kwargs):
        missing = real(**kwargs)
        meanwhile(action)
        return missing

    monkeypatch.setattr(selectors, "rows_to_apply_references_missing", checked)


def nothing_left_behind(batch: ProposalBatch, registered: int) -> ProposalBatch:
    assert Person.objects.count() == registered
    assert not AuditEvent.objects.filter(action="registry.person.batch_created").exists()
    assert not AuditObjectRange.objects.exists()
    assert not ProposalRow.objects.filter(batch=batch, status="already_registered").exists()
    batch.refresh_from_db()
    assert batch.status == Status.APPLY_FAILED
    assert AuditEvent.objects.filter(action="intake.batch.apply_failed").count() == 1
    return batch


def test_an_occupation_deleted_after_the_check_leaves_nothing_behind(
    committing, personas, monkeypatch
):
    batch = approved_held(personas, monkeypatch)
    row = selectors.rows_to_apply(batch=batch).first()
    gone = Occupation.objects.create(code="pawang-hujan", name="Pawang hujan")
    ProposalRow.objects.filter(pk=row.pk).update(values={**row.values, "occupation": gone.pk})
    after_the_checks(monkeypatch, lambda: Occupation.objects.filter(pk=gone.pk).delete())
    # the foreign key is checked at commit (deferred): the whole apply rolls back, and
    # the batch says why in the user's words, not as a system fault
    batch = services.batch_apply_run(batch=batch)
    batch = nothing_left_behind(batch, registered=0)
    assert "dihapus saat penerapan berjalan" in batch.failure_message
    event = AuditEvent.objects.get(action="intake.batch.apply_failed")
    assert event.data["code"] == "apply_reference_gone"


def test_a_nik_registered_meanwhile_is_a_conflict_and_leaves_nothing_behind(
    committing, personas, monkeypatch
):
    batch = approved_held(personas, monkeypatch)
    row = selectors.rows_to_apply(batch=batch).order_by("-row_number").first()
    twin = PersonData.from_values({**row.values, "nik": row.nik})

    def register():
        person_bulk_create_prevalidated(persons=[twin], acting_user=None, data={})

    after_the_checks(monkeypatch, register)
    batch = services.batch_apply_run(batch=batch)
    batch = nothing_left_behind(batch, registered=1)
    event = AuditEvent.objects.get(action="intake.batch.apply_failed")
    assert event.data["code"] == "apply_conflict"
    # retried, the registered NIK's row is skipped and the others apply
    monkeypatch.undo()
    ProposalBatch.objects.filter(pk=batch.pk).update(status=Status.APPLYING)
    batch = services.batch_apply_run(batch=batch)
    assert batch.status == Status.APPLIED and batch.rows_applied == ROWS - 1
    assert batch.rows_already_registered == 1
