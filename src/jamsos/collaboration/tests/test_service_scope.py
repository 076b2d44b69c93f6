"""Review: the agreement's waivers, evidence and scorecard replies check the acting user's
region in the service itself, and a waiver cannot be re-asked by someone else (which
would let the first asker approve its own request)."""

from __future__ import annotations

import datetime as dt

import pytest

from jamsos.accounts.models import Agency
from jamsos.accounts.roles import Role
from jamsos.collaboration import services
from jamsos.collaboration.models import ObligationInstance, ScorecardReply
from jamsos.collaboration.obligations import obligation_instances_generate
from jamsos.collaboration.quarters import Quarter
from jamsos.collaboration.tests.conftest import pdf
from jamsos.collaboration.tests.test_services import _pks
from jamsos.lib.errors import InvalidTransition, NotFoundOrForbidden
from jamsos.testing.factories import AgencyFactory, UserFactory, region
from jamsos.testing.personas import OUTSIDER_REGENCY

pytestmark = pytest.mark.django_db


@pytest.fixture
def outside_head(db):
    padang = AgencyFactory(
        code="disnaker-padang-3", kind=Agency.Kind.DINAS, region=region(OUTSIDER_REGENCY)
    )
    return UserFactory(username="p_padang_head3", role=Role.DINAS_HEAD, agency=padang)


@pytest.fixture
def instance(world, personas) -> ObligationInstance:
    ob = services.obligation_add(
        agreement=_pks(world, personas),
        party=world.dinas,
        code="D5",
        description="Lapor Bupati",
        kind="recurring",
        frequency="quarterly",
        evidence_rule="upload",
        acting_user=personas.dinas_operator,
    )
    obligation_instances_generate(region=region("13.03"), until=dt.date(2023, 3, 31))
    return ObligationInstance.objects.get(obligation=ob, key="2023-Q1")


def test_outsider_cannot_ask_or_approve_a_waiver(personas, instance, outside_head):
    with pytest.raises(NotFoundOrForbidden):
        services.obligation_waiver_request(
            instance=instance, reason="Banjir", acting_user=personas.outsider
        )
    services.obligation_waiver_request(
        instance=instance, reason="Banjir", acting_user=personas.dinas_operator
    )
    with pytest.raises(NotFoundOrForbidden):
        services.obligation_waiver_approve(instance=instance, acting_user=outside_head)
    instance.refresh_from_db()
    assert instance.status != ObligationInstance.Status.WAIVED


def test_a_pending_waiver_is_not_re_asked_by_someone_else(world, personas, instance):
    """Else a second operator re-asks the first one's request (becoming its maker), and the
    first one, if it also approves, approves its own request."""
    second = UserFactory(username="p_operator2", role=Role.DINAS_OPERATOR, agency=world.dinas)
    services.obligation_waiver_request(
        instance=instance, reason="Banjir", acting_user=personas.dinas_operator
    )
    with pytest.raises(InvalidTransition):
        services.obligation_waiver_request(
            instance=instance, reason="Banjir juga", acting_user=second
        )
    instance.refresh_from_db()
    assert instance.waiver_requested_by == personas.dinas_operator


def test_outsider_cannot_record_evidence_as_manager(personas, instance):
    with pytest.raises(NotFoundOrForbidden):
        services.obligation_evidence_record(
            instance=instance, upload=pdf(), note="x", acting_user=personas.outsider
        )
    instance.refresh_from_db()
    assert instance.fulfilled_at is None


def test_scorecard_reply_only_from_inside_the_region(world, personas):
    snapshot = services.snapshot_draft(
        region=region("13.03"), quarter=Quarter(2023, 1), acting_user=personas.dinas_head
    )
    with pytest.raises(NotFoundOrForbidden):
        services.snapshot_reply(
            snapshot=snapshot, indicator="", text="Dari Padang", acting_user=personas.outsider
        )
    # a Camat operator works inside the kabupaten and may answer its scorecard
    services.snapshot_reply(
        snapshot=snapshot,
        indicator="",
        text="Catatan kecamatan",
        acting_user=personas.kecamatan_operator,
    )
    assert list(ScorecardReply.objects.values_list("text", flat=True)) == ["Catatan kecamatan"]


def test_adding_a_clause_is_audited(world, personas):
    from jamsos.audit.models import AuditEvent

    clause = services.clause_add(
        agreement=_pks(world, personas),
        number="5",
        heading="Pendanaan",
        category=_clause_category(),
        acting_user=personas.dinas_operator,
    )
    event = AuditEvent.objects.get(action="collaboration.clause.added")
    assert event.object_id == str(clause.pk)


def _clause_category() -> str:
    from jamsos.collaboration.models import Clause

    return Clause._meta.get_field("category").choices[0][0]
