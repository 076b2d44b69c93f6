"""Property-based checks of every API operation against its own OpenAPI schema.

Schemathesis generates a small, fixed budget of requests (derandomized: the same ones on
every run) for every operation in ``/api/openapi.json`` and sends them, with a Dinas
operator's API token, to the real Django application over a small demo. It fails on any
answer 5xx and on any answer whose body does not match the schema the operation
documents for that status. Every request runs in a savepoint that is rolled back, so an
operation never sees what an earlier one wrote.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from jamsos.accounts.models import User
from jamsos.accounts.services import api_token_create
from jamsos.api.urls import api
from jamsos.demo.services import demo_load

pytestmark = pytest.mark.django_db

# Examples per operation; JAMSOS_SCHEMATHESIS_EXAMPLES raises it for a deeper local run.
MAX_EXAMPLES = int(os.environ.get("JAMSOS_SCHEMATHESIS_EXAMPLES", "5"))
CHECKS = [not_a_server_error, response_schema_conformance]


@pytest.fixture
def wsgi_app():
    # The test client does this too: a request's end must not close the test's connection
    # (it would end the transaction that holds the demo data).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _savepoint() -> transaction.Atomic:
    """A savepoint that is rolled back after each request. Marked as a test case's own
    block (as Django's TestCase marks its per-test atomic), so that a service's
    ``atomic(durable=True)`` inside it behaves as it does in every other test."""
    atomic = transaction.atomic()
    atomic._from_testcase = True
    return atomic


def _summary(exc: BaseException) -> str:
    """The failure's kind, its first lines and the request that reproduces it."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    notes = [n.strip() for n in getattr(exc, "__notes__", []) if "curl" in n]
    for sub in getattr(exc, "exceptions", ()):
        notes += [n.strip() for n in getattr(sub, "__notes__", []) if "curl" in n]
    curl = [line for note in notes for line in note.splitlines() if "curl" in line]
    return "\n    ".join([*lines[:6], *curl[:1]]) or type(exc).__name__


def test_every_operation_answers_within_its_schema(wsgi_app, settings):
    # Rate limits are tested on their own; here they would only hide operations behind 429.
    settings.API_THROTTLE_USER = settings.API_THROTTLE_IP = ""
    demo_load(people=20, seed=5, as_of=dt.date(2026, 5, 15))
    operator = User.objects.get(username="operator")
    _token, key = api_token_create(user=operator, name="schemathesis", acting_user=operator)
    auth = {"Authorization": f"Bearer {key}", "Host": "localhost"}
    schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api"))
    schema.app = wsgi_app

    failures: list[str] = []
    statuses: Counter[int] = Counter()
    answered: set[str] = set()  # operations that answered 2xx at least once
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @hypothesis_settings(
            max_examples=MAX_EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case):
            with _savepoint():
                response = case.call(headers=auth)
                transaction.set_rollback(True)
            statuses[response.status_code] += 1
            if response.status_code < 300:
                answered.add(case.operation.label)
            case.validate_response(response, checks=CHECKS, headers=auth)

        try:
            check()
        except (Exception, BaseExceptionGroup) as exc:  # every operation's failures count
            failures.append(f"{operation.label}: {_summary(exc)}")
    assert operations > 50
    # Most ids it makes up exist nowhere (404); the lists and reports must answer 2xx.
    assert len(answered) >= operations // 5 and 429 not in statuses, (len(answered), statuses)
    assert not failures, f"{len(failures)} of {operations} operations:\n" + "\n".join(failures)
