from __future__ import annotations

import pytest

from jamsos.accounts.models import Agency
from jamsos.accounts.roles import Role
from jamsos.audit.services import audit_record
from jamsos.testing.factories import UserFactory


@pytest.fixture
def padang_auditors(personas):
    """An admin and a Dinas head of Kota Padang: auditors outside Sijunjung."""
    padang = Agency.objects.get(code="disnaker-padang")
    return (
        UserFactory(username="padang_admin", role=Role.ADMIN, agency=padang),
        UserFactory(username="padang_head", role=Role.DINAS_HEAD, agency=padang),
    )


@pytest.fixture
def trail(personas, padang_auditors):
    """One event about every persona (each lands in that persona's region), plus
    a region-less one (a failed login under an unknown name)."""
    events = {
        name: audit_record(action="accounts.user.updated", acting_user=None, obj=user)
        for name, user in personas.all().items()
    }
    events["unknown_login"] = audit_record(
        action="accounts.user.login_failed", acting_user=None, data={"username": "siapa"}
    )
    return events


@pytest.fixture(scope="module")
def reference_data_after(django_db_blocker):
    """After a module's transactional tests: reload what the data migrations loaded
    (regions, occupations, rates), which their flush emptied, for the tests that follow."""
    yield
    from jamsos.budget.tests.reference_data import migration_data_reload
    from jamsos.regions.models import Region

    with django_db_blocker.unblock():
        if not Region.objects.exists():
            migration_data_reload()


@pytest.fixture
def reference_data(reference_data_after, transactional_db):
    """The migrations' reference rows, present in a transactional test (a previous one
    in the module emptied them)."""
    from jamsos.budget.tests.reference_data import migration_data_reload
    from jamsos.regions.models import Region

    if not Region.objects.exists():
        migration_data_reload()
