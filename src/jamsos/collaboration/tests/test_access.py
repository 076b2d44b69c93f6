"""Every ``access_*`` branch: permission, scope, and missing look the same (404)."""

from __future__ import annotations

import datetime as dt

import pytest

from jamsos.collaboration import access, services
from jamsos.collaboration.quarters import Quarter
from jamsos.collaboration.tests.conftest import at
from jamsos.lib.errors import NotFoundOrForbidden
from jamsos.testing.factories import region


@pytest.fixture
def records(world, personas):
    op = personas.dinas_operator
    meeting = services.meeting_record(
        forum=world.forum,
        kind="rakor",
        mode="daring",
        title="R",
        starts_at=at(dt.date(2023, 1, 2)),
        place="",
        convened_by=world.dinas,
        acting_user=op,
    )
    item = services.action_item_assign(
        forum=world.forum,
        title="T",
        owner_agency=world.bpjs,
        owner_name="",
        due_on=dt.date(2023, 2, 1),
        acting_user=op,
    )
    req = services.request_send(
        forum=world.forum, to_agency=world.bpjs, kind="data", subject="S", acting_user=op
    )
    pks = services.agreement_record(
        region=region("13.03"),
        kind="pks",
        title="PKS",
        effective_from=dt.date(2023, 1, 1),
        effective_to=None,
        signed_on=None,
        parties=[(world.dinas, "1", "", ""), (world.bpjs, "2", "", "")],
        acting_user=op,
    )
    services.obligation_add(
        agreement=pks,
        party=world.bpjs,
        code="B3",
        description="S",
        kind="recurring",
        frequency="quarterly",
        evidence_rule="upload",
        acting_user=op,
    )
    from jamsos.collaboration.obligations import obligation_instances_generate

    obligation_instances_generate(region=region("13.03"), until=dt.date(2023, 3, 31))
    instance = pks.obligations.get().instances.get()
    snapshot = services.snapshot_draft(
        region=region("13.03"),
        quarter=Quarter(2023, 1),
        acting_user=personas.dinas_head,
    )
    return {
        access.access_forum: world.forum.pk,
        access.access_meeting: meeting.pk,
        access.access_action_item: item.pk,
        access.access_request: req.pk,
        access.access_agreement: pks.pk,
        access.access_obligation_instance: instance.pk,
        access.access_snapshot: snapshot.pk,
    }


def test_in_scope_readers_get_every_record(records, personas):
    for fetch, pk in records.items():
        assert fetch(personas.dinas_operator, pk).pk == pk
        assert fetch(personas.dprd, pk).pk == pk


def test_outsider_missing_and_unpermitted_all_404(records, personas):
    for fetch, pk in records.items():
        with pytest.raises(NotFoundOrForbidden):
            fetch(personas.outsider, pk)
        with pytest.raises(NotFoundOrForbidden):
            fetch(personas.dinas_operator, pk + 10_000)
        with pytest.raises(NotFoundOrForbidden):
            fetch(personas.agent, pk)  # no collaboration permission at all


def test_camat_reads_forum_records_but_not_agreements_or_scorecards(records, personas):
    camat = personas.kecamatan_operator
    for fetch in (
        access.access_agreement,
        access.access_obligation_instance,
        access.access_snapshot,
    ):
        with pytest.raises(NotFoundOrForbidden):
            fetch(camat, records[fetch])
    with pytest.raises(NotFoundOrForbidden):  # the kabupaten's forum is not in its scope
        access.access_meeting(camat, records[access.access_meeting])


def test_for_write_locks_and_returns(records, personas):
    from django.db import transaction

    with transaction.atomic():
        item = access.access_action_item(
            personas.bpjs_officer, records[access.access_action_item], for_write=True
        )
    assert item.pk == records[access.access_action_item]


def test_acts_for(world, personas):
    assert access.acts_for(personas.bpjs_officer, world.bpjs.pk)
    assert not access.acts_for(personas.dinas_operator, world.bpjs.pk)
    from jamsos.accounts.models import User

    assert access.acts_for(User(is_superuser=True), world.bpjs.pk)
