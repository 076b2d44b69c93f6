"""An agent's death report becomes proof only when a second person (Dinas) confirms it:
then the person is recorded deceased and the cover ends through the death path."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from jamsos.audit.models import AuditEvent
from jamsos.enrollment.models import Membership
from jamsos.lib.errors import DomainError, InvalidTransition, PermissionDenied
from jamsos.outreach import services
from jamsos.outreach.models import FollowUp

pytestmark = pytest.mark.django_db


def _report(membership, personas) -> FollowUp:
    died = timezone.localdate() - dt.timedelta(days=5)
    return services.death_report(person=membership.person, died_on=died, acting_user=personas.agent)


def test_second_person_confirms_and_the_cover_ends(membership, personas, client):
    followup = _report(membership, personas)
    client.force_login(personas.dinas_operator)
    page = client.get("/sosialisasi/tindak-lanjut/").content.decode()
    assert 'data-testid="death-confirm"' in page
    response = client.post(
        f"/sosialisasi/tindak-lanjut/{followup.pk}/konfirmasi/",
        {"note": "Surat keterangan kematian wali nagari no. 12/2026"},
    )
    assert response.status_code == 302
    followup.refresh_from_db()
    assert followup.death_confirmed_by == personas.dinas_operator
    person = membership.person
    person.refresh_from_db()
    assert (person.is_deceased, person.deceased_on) == (True, followup.died_on)
    membership.refresh_from_db()
    assert membership.status == Membership.Status.DECEASED
    assert AuditEvent.objects.filter(action="outreach.death.confirmed").count() == 1
    assert AuditEvent.objects.filter(action="enrollment.membership.ended_by_death").exists()
    with pytest.raises(InvalidTransition):  # once only
        services.death_report_confirm(
            followup=followup, note="lagi", acting_user=personas.dinas_head
        )


def test_the_reporter_cannot_confirm_and_a_note_is_required(membership, personas):
    operator_report = services.death_report(
        person=membership.person,
        died_on=timezone.localdate() - dt.timedelta(days=2),
        acting_user=personas.dinas_operator,
    )
    with pytest.raises(DomainError, match="sendiri"):
        services.death_report_confirm(
            followup=operator_report, note="saya lihat", acting_user=personas.dinas_operator
        )
    with pytest.raises(DomainError, match="dasar"):
        services.death_report_confirm(
            followup=operator_report, note="  ", acting_user=personas.dinas_head
        )
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE
    # the database refuses it too
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUp.objects.filter(pk=operator_report.pk).update(
            death_confirmed_by=personas.dinas_operator, death_confirmed_at=timezone.now()
        )


def test_agents_bpjs_and_outsiders_cannot_confirm(membership, personas):
    followup = _report(membership, personas)
    for user in (personas.agent, personas.bpjs_officer, personas.kecamatan_operator):
        with pytest.raises(PermissionDenied):
            services.death_report_confirm(followup=followup, note="x", acting_user=user)
    from jamsos.lib.errors import NotFoundOrForbidden

    with pytest.raises(NotFoundOrForbidden):
        services.death_report_confirm(followup=followup, note="x", acting_user=personas.outsider)
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE


def test_a_wrong_report_closed_as_such_cannot_be_confirmed(membership, personas):
    followup = _report(membership, personas)
    services.followup_close(
        followup=followup,
        reason=FollowUp.Reason.WRONG_PERSON,
        note="masih hidup",
        acting_user=personas.agent,
    )
    with pytest.raises(InvalidTransition):
        services.death_report_confirm(
            followup=followup, note="SKK", acting_user=personas.dinas_operator
        )
