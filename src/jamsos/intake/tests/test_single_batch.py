"""One person, one batch (issue 9): a proposer's one-person proposals of a day gather in
one open batch that is reviewed and submitted as one; submitting closes it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from jamsos.audit.models import AuditEvent
from jamsos.intake import services
from jamsos.intake.models import ProposalBatch, ProposalRow
from jamsos.intake.tests import core_fixtures
from jamsos.intake.tests.core_fixtures import person_dict

villages = core_fixtures.villages
people = core_fixtures.people


@pytest.fixture
def propose(personas, people, villages):
    nagari = next(v for v in villages if v.code == personas.agent.region_id)

    def make(user=None, person=None):
        person = person or people(1, village=nagari)[0]
        values = {
            k: str(v) for k, v in person_dict(person).items() if k not in ("village", "district")
        }
        values["birth_date"] = person.birth_date.strftime("%d-%m-%Y")
        if user is not None:  # a kecamatan operator names the nagari
            values["village"] = person.village.code
        return services.person_propose(values=values, acting_user=user or personas.agent)

    return make


def test_single_proposals_of_one_day_gather_in_one_batch(personas, propose):
    rows = [propose() for _ in range(3)]
    batches = {row.batch_id for row in rows}
    assert len(batches) == 1
    batch = ProposalBatch.objects.get()
    assert batch.gather_day == timezone.localdate()
    assert [r.row_number for r in rows] == [1, 2, 3]
    assert (batch.rows_total, batch.rows_valid, batch.status) == (3, 3, "validated")
    opened = [
        e.data["batch_opened"]
        for e in AuditEvent.objects.filter(action="intake.person.proposed").order_by("id")
    ]
    assert opened == [True, False, False]


def test_submitting_closes_the_batch_and_the_next_proposal_opens_another(personas, propose):
    first = propose().batch
    propose()
    services.batch_submit(batch=first, acting_user=personas.dinas_operator)
    first.refresh_from_db()
    assert first.status == "submitted" and first.gather_day is None
    assert first.rows_total == 2
    later = propose()
    assert later.batch_id != first.pk
    assert later.row_number == 1
    assert later.batch.gather_day == timezone.localdate()


def test_a_new_day_opens_a_new_batch(personas, propose):
    yesterday = propose().batch
    ProposalBatch.objects.filter(pk=yesterday.pk).update(
        gather_day=timezone.localdate() - dt.timedelta(days=1)
    )
    today = propose()
    assert today.batch_id != yesterday.pk


def test_each_proposer_has_their_own_batch(personas, propose, people, villages):
    mine = propose()
    camat_village = next(v for v in villages if v.code.startswith("13.03.03."))
    theirs = propose(user=personas.kecamatan_operator, person=people(1, village=camat_village)[0])
    assert mine.batch_id != theirs.batch_id


def test_the_same_person_twice_in_the_day_is_a_duplicate_in_the_batch(personas, propose, people):
    person = people(
        1,
        village=next(
            v for v in core_fixtures.sijunjung_villages() if v.code == personas.agent.region_id
        ),
    )[0]
    first = propose(person=person)
    second = propose(person=person)
    assert first.batch_id == second.batch_id
    assert second.status == ProposalRow.Status.DUPLICATE_IN_FILE
    assert "baris 1" in " ".join(i["message"] for i in second.issues)


def test_the_database_refuses_a_second_open_batch(personas, propose):
    batch = propose().batch
    twin = ProposalBatch(
        source="form",
        status="validated",
        proposer=batch.proposer,
        agency=batch.agency,
        region=batch.region,
        gather_day=batch.gather_day,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
