"""Review: target imports and report publications check the acting user's permission and
region in the service (a caller other than the page cannot skip them)."""

from __future__ import annotations

import datetime as dt

import pytest

from jamsos.lib.errors import NotFoundOrForbidden, PermissionDenied
from jamsos.reports.models import EligibleTarget, Publication
from jamsos.reports.services import TargetRow, publication_create, targets_save
from jamsos.testing.factories import region
from jamsos.testing.personas import OUTSIDER_REGENCY

pytestmark = pytest.mark.django_db


def _row(code: str) -> TargetRow:
    return TargetRow(
        row=2,
        region=region(code),
        year=2025,
        count=10,
        basis=EligibleTarget.Basis.OTHER,
        source="BPS",
        source_date=dt.date(2025, 1, 1),
        is_fictitious=False,
    )


def test_targets_save_refuses_another_kabupaten_and_the_unpermitted(personas):
    with pytest.raises(NotFoundOrForbidden):
        targets_save(rows=[_row("13.03.03.2001")], acting_user=personas.outsider)
    with pytest.raises(PermissionDenied):
        targets_save(rows=[_row("13.03.03.2001")], acting_user=personas.kecamatan_operator)
    assert not EligibleTarget.objects.exists()
    targets_save(rows=[_row("13.03.03.2001")], acting_user=personas.dinas_operator)
    assert EligibleTarget.objects.count() == 1


def _publish(user, code: str) -> Publication:
    return publication_create(
        kind=Publication.Kind.values[0],
        fmt="pdf",
        region=region(code),
        period="2025-06",
        due_date=dt.date(2025, 7, 10),
        content=b"%PDF-1.4 test",
        file_name="x.pdf",
        acting_user=user,
    )


def test_publication_needs_the_permission_and_the_region(personas):
    with pytest.raises(NotFoundOrForbidden):
        _publish(personas.dinas_operator, OUTSIDER_REGENCY)
    with pytest.raises(PermissionDenied):
        _publish(personas.dprd, "13.03")
    assert not Publication.objects.exists()
    assert _publish(personas.dinas_operator, "13.03").pk
    assert _publish(None, OUTSIDER_REGENCY).pk  # the scheduled publication has no user
