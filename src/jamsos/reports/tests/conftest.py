"""Reports fixtures: the contributions app's funding sources and members made directly,
and the claims app's claim walked to payout."""

from __future__ import annotations

from jamsos.claims.tests.conftest import jkm_claim, make_membership, membership  # noqa: F401
from jamsos.contributions.tests.conftest import (  # noqa: F401
    apb_nagari,
    apbd,
    make_members,
    sijunjung,
)
