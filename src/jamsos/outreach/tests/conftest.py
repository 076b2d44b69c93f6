"""Outreach fixtures: the claims app's memberships and claim walker, reused."""

from jamsos.claims.tests.conftest import apbd, make_membership, membership  # noqa: F401
