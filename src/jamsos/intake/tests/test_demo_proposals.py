"""The demo shows proposal batches in every state a reviewer meets (issue 3)."""

import datetime as dt

import pytest

from jamsos.demo.services import demo_load
from jamsos.intake.models import ProposalBatch, ProposalRow

pytestmark = pytest.mark.django_db


def test_demo_has_batches_in_every_kept_state_and_every_row_status():
    demo_load(people=40, seed=3, as_of=dt.date(2026, 6, 1))
    Status = ProposalBatch.Status
    states = set(ProposalBatch.objects.values_list("status", flat=True))
    assert {
        Status.QUEUED,
        Status.VALIDATED,
        Status.SUBMITTED,
        Status.APPLIED,
        Status.REJECTED,
        Status.FAILED,
    } <= states
    assert ProposalBatch.objects.filter(source=ProposalBatch.Source.FORM).exists()

    review = ProposalBatch.objects.get(title="Usulan KUA Tanjung Gadang")
    statuses = set(review.rows.values_list("status", flat=True))
    assert statuses == set(ProposalRow.Status.values)
    assert review.rows.filter(possible_duplicate=True).exists()

    applied = ProposalBatch.objects.get(status=Status.APPLIED)
    assert applied.rows_applied == applied.rows_valid > 0
    assert ProposalBatch.objects.get(status=Status.FAILED).failure_message
