"""Scope: who sees which batches and rows (every branch of intake.access)."""

from __future__ import annotations

import pytest

from jamsos.intake import selectors
from jamsos.intake.access import access_batch, access_row, batches_visible_to
from jamsos.intake.models import ProposalBatch, ProposalRow
from jamsos.lib.errors import NotFoundOrForbidden
from jamsos.regions.models import Region
from jamsos.testing.factories import AgencyFactory, UserFactory


def make_batch(user, region, *, rows=0, status=ProposalBatch.Status.VALIDATED):
    batch = ProposalBatch.objects.create(
        source=ProposalBatch.Source.FORM,
        status=status,
        proposer=user,
        agency=user.agency,
        region=Region.objects.get(pk=region),
    )
    for n in range(1, rows + 1):
        ProposalRow.objects.create(
            batch=batch,
            row_number=n,
            status=ProposalRow.Status.VALID if n % 2 else ProposalRow.Status.INVALID,
            nik=f"130303010180{n:04d}",
            full_name=f"Orang {n}",
            issues=[] if n % 2 else [{"code": "sex_invalid", "severity": "error"}],
            issue_codes="" if n % 2 else " sex_invalid ",
            possible_duplicate=n == 3,
        )
    return batch


@pytest.fixture
def world(personas):
    """Batches from every corner: the agent's own, another agent's in the same nagari,
    the kecamatan's, a neighbouring kecamatan's, the Dinas's, Padang's."""
    other_agent = UserFactory(username="p_agent2", role="agent", agency=personas.agent.agency)
    neighbour_camat = UserFactory(
        username="p_camat2",
        role="kecamatan_operator",
        agency=AgencyFactory(code="camat-sijunjung", region=Region.objects.get(pk="13.03.04")),
    )
    return {
        "agent": make_batch(personas.agent, "13.03.03.2001", rows=3),
        "other_agent": make_batch(other_agent, "13.03.03.2001"),
        "camat": make_batch(personas.kecamatan_operator, "13.03.03", rows=1),
        "neighbour": make_batch(neighbour_camat, "13.03.04"),
        "dinas": make_batch(personas.dinas_operator, "13.03"),
        "padang": make_batch(personas.outsider, "13.71"),
    }


EXPECTED = {
    "agent": {"agent"},
    "kecamatan_operator": {"agent", "other_agent", "camat"},
    "dinas_operator": {"agent", "other_agent", "camat", "neighbour", "dinas"},
    "dinas_head": {"agent", "other_agent", "camat", "neighbour", "dinas"},
    "bpjs_officer": {"agent", "other_agent", "camat", "neighbour", "dinas"},
    "outsider": {"padang"},
    "executive": set(),
    "dprd": set(),
    "admin": set(),
}


@pytest.mark.parametrize(("persona", "visible"), sorted(EXPECTED.items()))
def test_who_sees_which_batch(personas, world, persona, visible):
    user = getattr(personas, persona)
    names = {name for name, batch in world.items() if batch in batches_visible_to(user)}
    assert names == visible
    assert {b.pk for b in selectors.batch_list(viewer=user)} == {world[n].pk for n in visible}
    for name, batch in world.items():
        if name in visible:
            assert access_batch(user, batch.pk) == batch
            assert access_batch(user, batch.pk, for_write=True) == batch
        else:
            with pytest.raises(NotFoundOrForbidden):
                access_batch(user, batch.pk)


def test_an_agent_never_sees_another_nagaris_rows(personas, world):
    agent = personas.agent
    foreign = ProposalRow.objects.filter(batch=world["camat"]).get()
    with pytest.raises(NotFoundOrForbidden):
        access_row(agent, foreign.pk)
    with pytest.raises(NotFoundOrForbidden):
        selectors.batch_rows(batch=world["camat"], viewer=agent)
    own = selectors.batch_rows(batch=world["agent"], viewer=agent)
    assert [r.row_number for r in own] == [1, 2, 3]
    assert access_row(agent, own[0].pk, for_write=True).batch == world["agent"]


def test_inactive_and_superusers(personas, world):
    personas.dinas_operator.is_active = False
    assert not batches_visible_to(personas.dinas_operator).exists()
    root = UserFactory(username="root", is_superuser=True, agency=None, region=None)
    assert batches_visible_to(root).count() == len(world)


def test_row_filters_and_counts(personas, world):
    batch, viewer = world["agent"], personas.dinas_operator

    def numbers(**filters):
        return [r.row_number for r in selectors.batch_rows(batch=batch, viewer=viewer, **filters)]

    assert numbers(status="invalid") == [2]
    assert numbers(code="sex_invalid") == [2]
    assert numbers(code="sex") == []  # whole codes only
    assert numbers(possible_duplicate=True) == [3]
    assert numbers(decision="pending") == [1, 2, 3]
    assert numbers(search="orang 2") == [2]
    assert numbers(search="1303 0301") == [1, 2, 3]  # NIK prefix with separators
    counts = selectors.batch_code_counts(batch=batch)
    assert counts["status"]["valid"] == 2 and counts["status"]["invalid"] == 1
    assert counts["decision"]["pending"] == 3
    assert selectors.batch_list(viewer=viewer, status="queued").count() == 0
