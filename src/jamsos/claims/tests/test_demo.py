"""The claims demo step: nothing without memberships; with them, every stage."""

from __future__ import annotations

import pytest

from jamsos.claims.demo import demo_step_claims
from jamsos.claims.models import Claim, ClaimDocument, ClaimTransition
from jamsos.demo import services as demo
from jamsos.enrollment.models import Membership
from jamsos.lib.periods import Month

pytestmark = pytest.mark.django_db


def _memberships(ctx: demo.DemoContext) -> int:
    """Stand-in for the enrollment step: an APBD membership for every demo person."""
    from jamsos.budget import services as budget_services

    source = budget_services.funding_source_create(
        region=ctx.regency, kind="apbd", name="APBD Sijunjung (demo)", acting_user=None
    )
    first = Month.current() - 40
    rows = [
        Membership(
            person=person,
            segment="bpu",
            programmes=["jkk", "jkm"],
            funding_source=source,
            village_id=person.village_id,
            kpj_number=f"25{person.pk:09d}",
            first_month=first.first_day(),
            last_month=(Month.current() + 2).first_day(),
            status=Membership.Status.ACTIVE,
        )
        for person in ctx.persons
    ]
    return len(Membership.objects.bulk_create(rows))


def steps_with(extra):
    base = [(n, s) for n, s in demo.DEMO_STEPS if n in ("agencies", "users", "persons")]
    return [*base, *extra]


def test_without_memberships_the_step_adds_nothing(monkeypatch):
    monkeypatch.setattr(demo, "DEMO_STEPS", steps_with([("claims", demo_step_claims)]))
    summary = demo.demo_load(people=20, seed=3)
    assert summary.counts["claims"] == 0
    assert not Claim.objects.exists()


def test_claims_in_every_stage_with_history(monkeypatch):
    monkeypatch.setattr(
        demo,
        "DEMO_STEPS",
        steps_with([("memberships", _memberships), ("claims", demo_step_claims)]),
    )
    summary = demo.demo_load(people=120, seed=5)
    assert summary.counts["claims"] == 13
    statuses = set(Claim.objects.values_list("status", flat=True))
    assert statuses == set(Claim.Status.values)
    # Claims in the agent's nagari were reported by the agent.
    agent_claims = Claim.objects.filter(village_id="13.03.03.2001")
    assert all(c.reported_by.username == "agen" for c in agent_claims)
    paid = Claim.objects.filter(status="paid")
    assert all(c.payout_amount and c.payout_date for c in paid)
    assert all(c.payout_method and c.payout_payee_name for c in paid)
    # The paid death claims ended their members' cover (issue 9: the demo shows it).
    deaths = paid.filter(claim_type__in=["jkm", "jkk_death"])
    assert deaths.exists()
    for claim in deaths:
        claim.membership.refresh_from_db()
        assert claim.membership.status == Membership.Status.DECEASED
        assert claim.membership.last_month == Month.from_date(claim.event_date).first_day()
        assert claim.person.is_deceased
    assert ClaimDocument.objects.filter(claim__status="paid").exists()
    # History is spread over days, in order, never after the payout record.
    for claim in Claim.objects.all():
        moments = list(
            ClaimTransition.objects.filter(claim=claim).order_by("pk").values_list("at", flat=True)
        )
        assert moments == sorted(moments)
    slow = [
        c
        for c in Claim.objects.filter(status="paid")
        if (c.paid_at - c.reported_at).total_seconds() > 86400
    ]
    assert slow
