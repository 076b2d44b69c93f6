"""Fee statements: lines stamp the contributions they pay on, so nothing is paid twice;
self-paid only by default; rule data, not literals; maker-checker."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from jamsos.agents import services
from jamsos.agents.models import AgentStatement, AgentStatementLine, FeeRule
from jamsos.contributions.models import Bill
from jamsos.lib.errors import InvalidTransition, PermissionDenied
from jamsos.lib.periods import Month

pytestmark = pytest.mark.django_db


def test_seeded_rule_is_data_with_its_source():
    rule = FeeRule.objects.get(region__isnull=True)
    assert rule.percent_of_contributions == Decimal("7.50")
    assert rule.acquisition_bonus == 500_000
    assert rule.eligible_payer_types == ["mandiri"]
    assert "kompas.com" in rule.note and "2018" in rule.legal_basis
    assert rule.confirmed is False


def test_statement_pays_reconciled_self_paid_contributions_once(
    personas, agent, mandiri, apbd, make_members, make_bill
):
    own = make_members(3, mandiri, agent=agent)
    publicly_paid = make_members(2, apbd, agent=agent)
    make_bill(mandiri, "2025-03", own)
    make_bill(apbd, "2025-03", publicly_paid)  # APBD dues: no fee by default
    make_bill(mandiri, "2025-04", own, status=Bill.Status.ISSUED)  # not paid yet

    march = services.statement_draft(
        agent=agent, month=Month(2025, 3), acting_user=personas.dinas_operator
    )
    assert march.lines.filter(kind="contribution").count() == 3
    assert march.contributions_total == 3 * 16_800
    assert march.contribution_fee == 3780  # 7.5 % of 50,400
    assert march.total == march.institution_amount + march.agent_amount

    # April's statement finds March's contributions already stamped: nothing twice.
    april = services.statement_draft(
        agent=agent, month=Month(2025, 4), acting_user=personas.dinas_operator
    )
    assert april.lines.count() == 0
    assert april.total == 0
    # Once April's bill is reconciled, April pays only April.
    Bill.objects.filter(first_month=Month(2025, 4).first_day()).update(
        status=Bill.Status.RECONCILED
    )
    april = services.statement_draft(
        agent=agent, month=Month(2025, 4), acting_user=personas.dinas_operator
    )
    assert april.lines.count() == 3
    assert set(april.lines.values_list("month", flat=True)) == {Month(2025, 4).first_day()}


def test_redrafting_a_draft_does_not_double_lines(
    personas, agent, mandiri, make_members, make_bill
):
    own = make_members(2, mandiri, agent=agent)
    make_bill(mandiri, "2025-03", own)
    for _ in range(3):
        statement = services.statement_draft(
            agent=agent, month=Month(2025, 3), acting_user=personas.dinas_operator
        )
    assert AgentStatement.objects.count() == 1
    assert AgentStatementLine.objects.count() == 2
    assert statement.contributions_total == 2 * 16_800


def test_the_database_refuses_a_second_fee_on_one_contribution(
    personas, agent, mandiri, make_members, make_bill
):
    own = make_members(1, mandiri, agent=agent)
    make_bill(mandiri, "2025-03", own)
    march = services.statement_draft(
        agent=agent, month=Month(2025, 3), acting_user=personas.dinas_operator
    )
    other = AgentStatement.objects.create(
        agent=agent, month=Month(2025, 5).first_day(), rule=march.rule
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        AgentStatementLine.objects.create(
            statement=other,
            kind="contribution",
            membership=own[0],
            month=Month(2025, 3).first_day(),
            amount=16_800,
        )


def test_other_agents_recruits_earn_this_agent_nothing(
    personas, agent, other_agent, mandiri, make_members, make_bill
):
    theirs = make_members(2, mandiri, agent=other_agent)
    make_bill(mandiri, "2025-03", theirs)
    statement = services.statement_draft(
        agent=agent, month=Month(2025, 3), acting_user=personas.dinas_operator
    )
    assert statement.lines.count() == 0


def test_bonus_and_institution_share_follow_the_rule_rows(
    personas, agent, mandiri, make_members, make_bill, sijunjung
):
    institution = services.institution_create(
        name="Koperasi Uji", kind="koperasi", region=sijunjung, acting_user=personas.dinas_operator
    )
    services.agent_update(agent=agent, institution=institution, acting_user=personas.dinas_operator)
    # A kabupaten rule of its own: 10 %, Rp 100,000 for at least 2 new members, 20 % share.
    FeeRule.objects.create(
        region=sijunjung,
        valid_from=Month(2025, 1).first_day(),
        percent_of_contributions=Decimal("10"),
        acquisition_bonus=100_000,
        bonus_min_new=2,
        eligible_payer_types=["mandiri"],
        institution_share_percent=Decimal("20"),
        legal_basis="Uji",
    )
    own = make_members(2, mandiri, agent=agent, first="2025-03")
    make_bill(mandiri, "2025-03", own)
    statement = services.statement_draft(
        agent=agent, month=Month(2025, 3), acting_user=personas.dinas_operator
    )
    assert statement.contribution_fee == 3360
    assert statement.new_members == 2
    assert statement.bonus == 100_000
    assert statement.total == 103_360
    assert statement.institution_amount == 20_672
    assert statement.agent_amount == 82_688
    assert statement.lines.filter(kind="bonus").count() == 1


def test_approval_is_maker_checker_and_final(personas, agent, mandiri, make_members, make_bill):
    make_bill(mandiri, "2025-03", make_members(1, mandiri, agent=agent))
    statement = services.statement_draft(
        agent=agent, month=Month(2025, 3), acting_user=personas.dinas_operator
    )
    with pytest.raises(PermissionDenied):  # the operator may not approve at all
        services.statement_approve(statement=statement, acting_user=personas.dinas_operator)
    services.statement_approve(statement=statement, acting_user=personas.dinas_head)
    with pytest.raises(InvalidTransition):
        services.statement_draft(
            agent=agent, month=Month(2025, 3), acting_user=personas.bpjs_officer
        )
    with pytest.raises(InvalidTransition):
        services.statement_approve(statement=statement, acting_user=personas.dinas_head)


def test_cli_agent_statement_json(personas, agent, mandiri, make_members, make_bill, capsys):
    import json

    from django.core.management import call_command

    make_bill(mandiri, "2025-03", make_members(2, mandiri, agent=agent))
    call_command("agent_statement", "--month", "2025-03", "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["month"] == "2025-03"
    [row] = [s for s in out["statements"] if s["agent"] == agent.pk]
    assert row["lines"] == 2
    assert row["contribution_fee"] == 2520
    # Run again: the same statement, no line paid twice.
    call_command("agent_statement", "--month", "2025-03", "--json")
    assert AgentStatementLine.objects.count() == 2


def test_statement_pdf_renders(personas, agent, mandiri, make_members, make_bill):
    from jamsos.agents.documents import statement_pdf

    make_bill(mandiri, "2025-03", make_members(2, mandiri, agent=agent))
    statement = services.statement_draft(
        agent=agent, month=Month(2025, 3), acting_user=personas.dinas_operator
    )
    data = statement_pdf(statement)
    assert data.startswith(b"%PDF")
