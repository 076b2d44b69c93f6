"""Services of the intake pipeline against the database: stage, validate (task),
fix, decide, submit, approve (maker-checker), apply (atomic, idempotent)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile

from jamsos.audit.models import AuditEvent, AuditObjectRange
from jamsos.audit.selectors import audit_events_for
from jamsos.intake import selectors, services
from jamsos.intake.models import EligibilityRule, ProposalBatch, ProposalRow
from jamsos.intake.tests import core_fixtures
from jamsos.intake.tests.core_fixtures import COVERAGE, person_dict, write_file
from jamsos.lib.errors import DomainError, InvalidTransition, PermissionDenied
from jamsos.lib.nik import nik_build
from jamsos.regions.models import Region
from jamsos.registry.models import Person

villages = core_fixtures.villages
people = core_fixtures.people


def stage(user, data, name="usulan.xlsx", region="13.03", **kwargs):
    return services.batch_stage_upload(
        upload=ContentFile(data, name=name),
        file_name=name,
        region=Region.objects.get(pk=region),
        acting_user=user,
        coverage_start=COVERAGE,
        **kwargs,
    )


@pytest.fixture
def staged(personas, people, django_capture_on_commit_callbacks):
    """Stage a file and run the queued task as the web request would (after commit)."""

    def make(rows, *, user=None, kind="xlsx", region="13.03"):
        with django_capture_on_commit_callbacks(execute=True):
            batch = stage(
                user or personas.dinas_operator,
                write_file(kind, rows),
                name=f"usulan.{kind}",
                region=region,
            )
        batch.refresh_from_db()
        return batch

    return make


def rows_of(batch):
    return {r.row_number: r for r in ProposalRow.objects.filter(batch=batch)}


def test_stage_refuses_other_file_types(personas):
    with pytest.raises(DomainError) as caught:
        stage(personas.dinas_operator, b"%PDF-1.4", name="usulan.pdf")
    assert caught.value.code == "file_type"
    assert not ProposalBatch.objects.exists()


@pytest.mark.parametrize(
    ("persona", "region"),
    [("outsider", "13.03"), ("agent", "13.03.03.2002"), ("kecamatan_operator", "13.03.04")],
)
def test_stage_refuses_a_region_outside_the_users_scope(personas, persona, region):
    with pytest.raises(PermissionDenied) as caught:
        stage(getattr(personas, persona), b"NIK;Nama\n", name="u.csv", region=region)
    assert caught.value.code == "region_out_of_scope"


def test_stage_refuses_users_who_may_not_propose(personas):
    with pytest.raises(PermissionDenied):
        stage(personas.dinas_head, b"NIK;Nama\n", name="u.csv")


def test_staged_file_is_validated_by_the_task_after_commit(staged, people):
    rows = [person_dict(p) for p in people(3)]
    rows[1]["birth_date"] = "31-02-1980"
    batch = staged(rows)
    assert batch.status == ProposalBatch.Status.VALIDATED
    assert batch.file_sha256 and len(batch.file_sha256) == 64
    assert (batch.rows_total, batch.rows_processed, batch.rows_valid, batch.rows_invalid) == (
        3,
        3,
        2,
        1,
    )
    assert batch.summary["errors"] == {"birth_date_invalid": 1}
    assert batch.header_row == 4
    assert batch.column_mapping["Tanggal Lahir"] == "birth_date"
    stored = rows_of(batch)
    assert sorted(stored) == [5, 6, 7]
    first = stored[5]
    assert first.raw["NIK"] == rows[0]["nik"]
    assert first.values["birth_date"] == rows[0]["birth_date"].isoformat()
    assert first.values["village"].startswith("13.03.")
    assert first.village_id == first.values["village"]
    assert stored[6].issue_codes == " birth_date_invalid "
    assert stored[6].values["birth_date"] == "31-02-1980"  # the typed text, to be fixed
    actions = list(
        AuditEvent.objects.filter(object_id=str(batch.pk)).values_list("action", flat=True)
    )
    assert set(actions) == {"intake.batch.staged", "intake.batch.validated"}


def test_progress_is_committed_every_chunk(staged, people, monkeypatch):
    seen = []
    real = services.rows_write

    def spy(**kwargs):
        progress = kwargs["progress"]

        def record(done):
            progress(done)
            seen.append(ProposalBatch.objects.get(pk=kwargs["batch_id"]).rows_processed)

        return real(**{**kwargs, "progress": record})

    monkeypatch.setattr(services, "PROGRESS_EVERY", 2)
    monkeypatch.setattr(services, "rows_write", spy)
    batch = staged([person_dict(p) for p in people(5)])
    assert seen == [2, 4, 5]
    assert batch.rows_processed == batch.rows_total == 5


def test_unreadable_file_ends_failed_with_the_reason(personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        batch = stage(personas.dinas_operator, b"a;b;c\n1;2;3\n", name="u.csv")
    batch.refresh_from_db()
    assert batch.status == ProposalBatch.Status.FAILED
    assert "judul kolom" in batch.failure_message
    assert AuditEvent.objects.filter(action="intake.batch.failed", object_id=str(batch.pk)).exists()


def test_validation_runs_once(staged, people):
    batch = staged([person_dict(p) for p in people(2)])
    again = services.batch_validate(batch=batch)
    assert again.status == ProposalBatch.Status.VALIDATED
    assert ProposalRow.objects.filter(batch=batch).count() == 2
    assert AuditEvent.objects.filter(action="intake.batch.validated").count() == 1


def test_age_rule_is_data(staged, people):
    row = person_dict(people(1)[0])
    born = dt.date(COVERAGE.year - 25, 3, 3)  # 25: fine under the seeded 18–<65 rule
    row.update(birth_date=born, nik=nik_build("13.03.03", born, row["sex"], 41))
    assert rows_of(staged([row]))[5].status == ProposalRow.Status.VALID
    EligibilityRule.objects.create(
        valid_from=dt.date(2026, 1, 1),
        min_age=30,
        max_age_exclusive=60,
        legal_basis="Perbup uji",
        confirmed=True,
    )
    checked = rows_of(staged([row]))[5]
    assert checked.status == ProposalRow.Status.INVALID
    assert checked.issue_codes == " age_below_minimum "
    assert (
        "berumur 25 tahun pada 01-12-2026; paling rendah 30 tahun (Perbup uji)"
        in (checked.issues[0]["message"])
    )


def test_row_fix_revalidates_and_recounts(staged, people, personas):
    rows = [person_dict(p) for p in people(2)]
    good_date = rows[1]["birth_date"]
    rows[1]["birth_date"] = "31-02-1980"
    batch = staged(rows)
    row = rows_of(batch)[6]
    fixed = services.row_fix(
        row=row,
        values={"birth_date": good_date.strftime("%d/%m/%Y")},
        acting_user=personas.dinas_operator,
    )
    assert fixed.status == ProposalRow.Status.VALID
    assert fixed.values["birth_date"] == good_date.isoformat()
    batch.refresh_from_db()
    assert (batch.rows_valid, batch.rows_invalid) == (2, 0)
    assert batch.summary["errors"] == {}
    event = AuditEvent.objects.get(action="intake.row.fixed")
    assert event.before["status"] == "invalid" and event.after["status"] == "valid"


def test_row_fix_finds_a_duplicate_nik_in_the_batch(staged, people, personas):
    rows = [person_dict(p) for p in people(2)]
    batch = staged(rows)
    row = rows_of(batch)[6]
    fixed = services.row_fix(
        row=row,
        values={k: rows[0][k] for k in ("nik", "sex")}
        | {"birth_date": rows[0]["birth_date"].isoformat()},
        acting_user=personas.dinas_operator,
    )
    assert fixed.status == ProposalRow.Status.DUPLICATE_IN_FILE
    assert "baris 5" in fixed.issues[-1]["message"]


def test_row_fix_finds_a_possible_duplicate_with_day_and_month_transposed(staged, people, personas):
    rows = [person_dict(p) for p in people(2)]
    born, swapped = dt.date(1984, 3, 7), dt.date(1984, 7, 3)
    district = Region.objects.get(name=rows[0]["village"], level="village").parent_id
    rows[0] |= {"birth_date": born, "nik": nik_build(district, born, rows[0]["sex"], 11)}
    batch = staged(rows)
    row = rows_of(batch)[6]
    fixed = services.row_fix(
        row=row,
        values={k: rows[0][k] for k in ("full_name", "sex", "district", "village")}
        | {
            "birth_date": swapped.isoformat(),
            "nik": nik_build(district, swapped, rows[0]["sex"], 12),
        },
        acting_user=personas.dinas_operator,
    )
    assert fixed.status == ProposalRow.Status.VALID
    assert "possible_duplicate" in fixed.issue_codes.split()
    assert [c["birth_date"] for c in fixed.duplicate_candidates] == [born.isoformat()]


def test_row_fix_needs_a_reviewer(staged, people, personas):
    batch = staged([person_dict(p) for p in people(1)])
    with pytest.raises(PermissionDenied):
        services.row_fix(row=rows_of(batch)[5], values={}, acting_user=personas.agent)


def test_row_decisions(staged, people, personas):
    rows = [person_dict(p) for p in people(2)]
    rows[1]["sex"] = "X"
    batch = staged(rows)
    valid, invalid = rows_of(batch)[5], rows_of(batch)[6]
    operator = personas.dinas_operator
    with pytest.raises(DomainError, match="Alasan") as caught:
        services.row_decide(row=valid, decision="rejected", acting_user=operator)
    assert caught.value.code == "reason_required"
    with pytest.raises(DomainError) as caught:
        services.row_decide(row=invalid, decision="accepted", acting_user=operator)
    assert caught.value.code == "row_not_valid"
    with pytest.raises(DomainError) as caught:
        services.row_decide(row=valid, decision="same_person", acting_user=operator)
    assert caught.value.code == "not_possible_duplicate"
    decided = services.row_decide(
        row=valid, decision="rejected", reason="Bukan pekerja rentan", acting_user=operator
    )
    assert decided.decision == "rejected" and decided.decided_by == operator
    assert AuditEvent.objects.filter(action="intake.row.decided").count() == 1


def _twin_rows(people):
    first = person_dict(people(1)[0])
    twin = dict(first)
    twin["nik"] = first["nik"][:12] + f"{int(first['nik'][12:]) % 9000 + 17:04d}"
    twin["full_name"] = " ".join(reversed(first["full_name"].split()))  # parts swapped
    return [first, twin]


@pytest.fixture
def approve(django_capture_on_commit_callbacks):
    """Approve as the web request would: the apply task runs after commit."""

    def run(batch, head):
        with django_capture_on_commit_callbacks(execute=True):
            returned = services.batch_approve(batch=batch, acting_user=head)
        assert returned.status == ProposalBatch.Status.APPLYING
        returned.refresh_from_db()
        return returned

    return run


def test_submit_waits_for_duplicate_decisions(staged, people, personas, approve):
    batch = staged(_twin_rows(people))
    twin = rows_of(batch)[6]
    assert twin.possible_duplicate and twin.duplicate_candidates[0]["row_number"] == 5
    operator = personas.dinas_operator
    with pytest.raises(DomainError) as caught:
        services.batch_submit(batch=batch, acting_user=operator)
    assert caught.value.code == "duplicates_unresolved"
    services.row_decide(row=twin, decision="same_person", acting_user=operator)
    batch = services.batch_submit(batch=batch, acting_user=operator)
    assert batch.status == ProposalBatch.Status.SUBMITTED and batch.submitted_by == operator
    created = approve(batch, personas.dinas_head)
    assert created.status == ProposalBatch.Status.APPLIED
    assert Person.objects.count() == 1  # the twin was the same person


def test_maker_checker(staged, people, personas):
    batch = staged([person_dict(p) for p in people(2)])
    head = personas.dinas_head
    services.batch_submit(batch=batch, acting_user=head)  # heads may review and submit
    with pytest.raises(PermissionDenied) as caught:
        services.batch_approve(batch=batch, acting_user=head)
    assert caught.value.code == "maker_checker"
    with pytest.raises(PermissionDenied):
        services.batch_approve(batch=batch, acting_user=personas.dinas_operator)
    assert Person.objects.count() == 0
    batch.refresh_from_db()
    assert batch.status == ProposalBatch.Status.SUBMITTED


def test_approve_applies_and_audits_every_person(
    staged, people, personas, django_capture_on_commit_callbacks
):
    rows = [person_dict(p) for p in people(3)]
    rows[2]["sex"] = "?"
    rows[1].update(declared_income="Rp 1.500.000", family_card_number="1303-0301-0108-0001")
    batch = staged(rows)
    services.batch_submit(batch=batch, acting_user=personas.dinas_operator)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        batch = services.batch_approve(batch=batch, acting_user=personas.dinas_head)
    # the apply task after the approval commits; the rows are linked after the apply's
    assert len(callbacks) == 2
    batch.refresh_from_db()
    assert batch.status == ProposalBatch.Status.APPLIED
    assert batch.rows_applied == 2
    persons = {p.nik: p for p in Person.objects.all()}
    assert set(persons) == {rows[0]["nik"], rows[1]["nik"]}
    person = persons[rows[0]["nik"]]
    assert person.birth_date == rows[0]["birth_date"]
    assert person.phone.startswith("+628")
    assert (person.family_card_number, person.declared_income) == ("", None)  # JSON nulls
    other = persons[rows[1]["nik"]]
    assert (other.family_card_number, other.declared_income) == ("1303030101080001", 1500000)
    assert person.occupation_id and person.village_id.startswith("13.03.")
    linked = rows_of(batch)
    assert linked[5].person == person and linked[7].person is None
    # one event for the batch's persons, not one each; it is in each person's history
    assert not AuditEvent.objects.filter(action="registry.person.created").exists()
    event = AuditEvent.objects.get(action="registry.person.batch_created")
    assert (event.data["batch"], event.data["count"]) == (batch.pk, 2)
    assert event.region_code and all(
        p.village_id.startswith(event.region_code) for p in persons.values()
    )
    for each in persons.values():
        assert list(audit_events_for(each, personas.dinas_head).filter(pk=event.pk)) == [event]
    assert AuditEvent.objects.filter(
        action="intake.batch.applied", object_id=str(batch.pk)
    ).exists()


def test_a_failure_mid_apply_leaves_the_registry_unchanged(
    staged, people, personas, monkeypatch, django_capture_on_commit_callbacks
):
    from jamsos.registry import services as registry_services

    batch = staged([person_dict(p) for p in people(3)])
    services.batch_submit(batch=batch, acting_user=personas.dinas_operator)
    real_record = registry_services.audit_record_about_many

    def persons_then_fail(**kwargs):  # persons are in; their audit event breaks
        assert Person.objects.count() == 3
        raise RuntimeError("disk full")

    monkeypatch.setattr(registry_services, "audit_record_about_many", persons_then_fail)
    with django_capture_on_commit_callbacks(execute=True):  # the task fails (and logs)
        services.batch_approve(batch=batch, acting_user=personas.dinas_head)
    assert Person.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="registry.person.").exists()
    assert not AuditObjectRange.objects.exists()
    batch.refresh_from_db()
    assert batch.status == ProposalBatch.Status.APPLY_FAILED
    assert "RuntimeError" in batch.failure_message and "registri tidak berubah" in (
        batch.failure_message
    )
    assert not ProposalRow.objects.filter(batch=batch, person__isnull=False).exists()
    assert AuditEvent.objects.filter(action="intake.batch.apply_failed").count() == 1
    # the proposer and submitter may not retry; another head may, and it applies
    with pytest.raises(PermissionDenied):
        services.batch_apply_retry(batch=batch, acting_user=personas.dinas_operator)
    monkeypatch.setattr(registry_services, "audit_record_about_many", real_record)
    with django_capture_on_commit_callbacks(execute=True):
        services.batch_apply_retry(batch=batch, acting_user=personas.dinas_head)
    batch.refresh_from_db()
    assert batch.status == ProposalBatch.Status.APPLIED and batch.failure_message == ""
    assert Person.objects.count() == 3
    event = AuditEvent.objects.get(action="registry.person.batch_created")
    assert event.data["count"] == 3
    with pytest.raises(InvalidTransition):  # nothing left to retry
        services.batch_apply_retry(batch=batch, acting_user=personas.dinas_head)


def test_apply_checks_villages_set_wise_and_fails_with_the_codes(
    staged, people, personas, approve_failing
):
    batch = staged([person_dict(p) for p in people(3)])
    services.batch_submit(batch=batch, acting_user=personas.dinas_operator)
    row = selectors.rows_to_apply(batch=batch).order_by("row_number").first()
    row.values = {**row.values, "village": "13.03.99.9999"}  # a village merged away
    row.save(update_fields=["values"])
    batch = approve_failing(batch, personas.dinas_head)
    assert batch.status == ProposalBatch.Status.APPLY_FAILED
    assert "13.03.99.9999" in batch.failure_message
    assert Person.objects.count() == 0
    event = AuditEvent.objects.get(action="intake.batch.apply_failed")
    assert event.data["code"] == "apply_reference_gone"


@pytest.fixture
def approve_failing(django_capture_on_commit_callbacks):
    def run(batch, head):
        with django_capture_on_commit_callbacks(execute=True):
            services.batch_approve(batch=batch, acting_user=head)
        batch.refresh_from_db()
        return batch

    return run


def test_the_same_file_twice_adds_nothing(staged, people, personas, approve):
    rows = [person_dict(p) for p in people(3)]
    # CSV: the same rows give the same bytes (an .xlsx carries its creation time)
    first = staged(rows, kind="csv")
    second = staged(rows, kind="csv")  # validated before the first is applied
    assert second.summary["same_file_as"] == [first.pk]
    services.batch_submit(batch=first, acting_user=personas.dinas_operator)
    approve(first, personas.dinas_head)
    services.batch_submit(batch=second, acting_user=personas.dinas_operator)
    second = approve(second, personas.dinas_head)
    assert Person.objects.count() == 3
    assert second.rows_applied == 0
    assert second.rows_already_registered == 3
    assert services.batch_apply(batch=second, acting_user=personas.dinas_head) == 0
    assert services.batch_apply(batch=first, acting_user=personas.dinas_head) == 0
    # the link task ran after the apply committed; running it again is harmless
    assert ProposalRow.objects.filter(batch=first, person__isnull=False).count() == 3
    assert services.batch_link_persons(batch=first) == 0  # idempotent
    third = staged(rows)  # after applying: every row is already registered
    assert third.rows_already_registered == 3
    with pytest.raises(DomainError) as caught:
        services.batch_submit(batch=third, acting_user=personas.dinas_operator)
    assert caught.value.code == "nothing_to_apply"


def test_reject(staged, people, personas):
    batch = staged([person_dict(p) for p in people(1)])
    with pytest.raises(InvalidTransition):
        services.batch_reject(batch=batch, reason="x", acting_user=personas.dinas_head)
    services.batch_submit(batch=batch, acting_user=personas.dinas_operator)
    with pytest.raises(DomainError):
        services.batch_reject(batch=batch, reason=" ", acting_user=personas.dinas_head)
    batch = services.batch_reject(
        batch=batch, reason="Data belum lengkap", acting_user=personas.dinas_head
    )
    assert batch.status == ProposalBatch.Status.REJECTED and batch.decision_note
    with pytest.raises(InvalidTransition):
        services.batch_approve(batch=batch, acting_user=personas.dinas_head)


def test_agent_proposes_one_person_in_their_nagari(personas, people, villages):
    nagari = next(v for v in villages if v.code == personas.agent.region_id)
    person = people(1, village=nagari)[0]
    values = {k: str(v) for k, v in person_dict(person).items() if k not in ("village", "district")}
    values["birth_date"] = person.birth_date.strftime("%d-%m-%Y")
    row = services.person_propose(values=values, acting_user=personas.agent)
    assert row.status == ProposalRow.Status.VALID
    assert row.village_id == nagari.code
    batch = row.batch
    assert (batch.source, batch.status, batch.region_id) == ("form", "validated", nagari.code)
    assert AuditEvent.objects.filter(action="intake.person.proposed").exists()


def test_propose_refuses_invalid_values_and_writes_nothing(personas):
    with pytest.raises(DomainError) as caught:
        services.person_propose(
            values={"nik": "123", "full_name": "Budi"}, acting_user=personas.agent
        )
    assert caught.value.code == "row_invalid"
    assert 'kolom "NIK"' in caught.value.message
    assert not ProposalBatch.objects.exists()


def test_row_check_values_reports_as_you_type(personas, people):
    person = people(1)[0]
    values = {k: str(v) for k, v in person_dict(person).items()}
    values["village"] = person.village.code
    check = services.row_check_values(
        values=values, region=Region.objects.get(pk="13.03"), acting_user=personas.dinas_operator
    )
    assert check.status == "valid" and not check.errors
    assert check.values["village"] == person.village.code
    values["phone"] = "0812"
    check = services.row_check_values(
        values=values, region=Region.objects.get(pk="13.03"), acting_user=personas.dinas_operator
    )
    assert [i["code"] for i in check.field_issues("phone")] == ["phone_invalid"]
    assert not ProposalBatch.objects.exists()


def test_system_actor_is_a_non_login_dinas_operator(personas):
    actor = services.system_actor(Region.objects.get(pk="13.03.03.2001"))
    assert actor.agency == personas.dinas_operator.agency
    assert not actor.has_usable_password()
    assert actor.has_perm("intake.propose")
    with pytest.raises(DomainError):
        services.system_actor(Region.objects.get(pk="12"))
