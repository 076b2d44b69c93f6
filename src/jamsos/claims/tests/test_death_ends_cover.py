"""A paid death claim ends cover (issue 9): the person is recorded deceased, the
membership ends in the month of death, later months are not billed, and months billed
after the death are credited back to the funding source — through each app's service."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from jamsos.audit.models import AuditEvent
from jamsos.claims import services
from jamsos.claims.models import Claim
from jamsos.claims.tests.conftest import day_in, months_ago, walk
from jamsos.contributions import services as contributions
from jamsos.contributions.models import Bill, BillAdjustment, BillLine, Credit
from jamsos.enrollment.models import Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_for(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def _bill_and_issue(personas, regency, month, *, pay: bool) -> Bill:
    result = contributions.billing_run(
        regency=regency, month=month, acting_user=personas.dinas_operator
    )
    bill = result.bills[0].bill
    bill = contributions.bill_issue(bill=bill, acting_user=personas.bpjs_officer)
    if pay:
        contributions.payment_record(
            bill=bill,
            sp2d_number=f"SP2D-{month}",
            paid_on=timezone.localdate(),
            amount=bill.due,
            treasury_account="Kas Daerah",
            acting_user=personas.dinas_operator,
        )
    return Bill.objects.get(pk=bill.pk)


def test_a_paid_death_claim_ends_cover_and_credits_later_months(
    personas, client_for, make_membership
):
    dead = make_membership(first=months_ago(12))
    alive = make_membership(first=months_ago(12))
    regency = dead.funding_source.region
    death_month, later, latest, now = months_ago(3), months_ago(2), months_ago(1), months_ago(0)
    for month in (months_ago(5), months_ago(4), death_month, later):
        _bill_and_issue(personas, regency, month, pay=True)
    unpaid = _bill_and_issue(personas, regency, latest, pay=False)
    draft = (
        contributions.billing_run(regency=regency, month=now, acting_user=personas.dinas_operator)
        .bills[0]
        .bill
    )
    assert BillLine.objects.filter(membership=dead).count() == 6

    claim = services.claim_report(
        membership=dead,
        claim_type="jkm",
        event_date=day_in(death_month),
        acting_user=personas.dinas_operator,
        heirs=[
            services.HeirData(
                full_name="Rosmaniar",
                relationship="spouse",
                bank_name="Bank Nagari",
                bank_account="1234567890",
                is_payee=True,
            )
        ],
    )
    claim = walk(claim, personas, Claim.Status.PAID)

    # 1. The registry records the death.
    person = dead.person
    person.refresh_from_db()
    assert (person.is_deceased, person.deceased_on) == (True, claim.event_date)
    # 2. The membership ends in the month of death; the other member's is untouched.
    dead.refresh_from_db()
    assert (dead.status, dead.last_month) == (Membership.Status.DECEASED, death_month.first_day())
    alive.refresh_from_db()
    assert alive.status == Membership.Status.ACTIVE
    # 3. The draft bill lost the later month; sent bills keep their lines, credited back.
    assert not BillLine.objects.filter(membership=dead, month=now.first_day()).exists()
    draft.refresh_from_db()
    assert (draft.members, draft.total) == (1, 16_800)
    credited = BillAdjustment.objects.filter(membership=dead).order_by("month")
    assert [(a.month, a.amount) for a in credited] == [
        (later.first_day(), 16_800),
        (latest.first_day(), 16_800),
    ]
    later_bill = Bill.objects.get(first_month=later.first_day())
    assert later_bill.adjusted_amount == 16_800
    assert Credit.objects.filter(kind="adjustment").count() == 2
    # The credit is spent on the open bill: 33,600 billed, 33,600 credited in all.
    unpaid.refresh_from_db()
    assert (unpaid.adjusted_amount, unpaid.credit_applied, unpaid.status) == (
        16_800,
        33_600,
        Bill.Status.PAID,
    )
    # A later billing run bills the living member only.
    rerun = contributions.billing_run(
        regency=regency, month=now, acting_user=personas.dinas_operator
    )
    assert rerun.lines_added == 0
    # Every app audited its part; the payout's event says what the death ended.
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "registry.person.deceased",
        "enrollment.membership.ended_by_death",
        "contributions.bill.adjusted",
    } <= actions
    paid = AuditEvent.objects.get(action="claims.claim.paid")
    assert paid.data["memberships_ended"] == [dead.pk]
    assert paid.data["months_credited"] == 33_600
    # The bill list shows the credit in the row and in the totals.
    page = client_for(personas.dinas_operator).get(
        reverse("contributions:bill_list"), {"regency": regency.code}
    )
    assert page.status_code == 200
    assert 'data-testid="bill-totals-adjusted">−Rp 33.600' in page.text
    detail = client_for(personas.dinas_operator).get(
        reverse("contributions:bill_detail", args=[later_bill.pk])
    )
    assert 'data-testid="bill-adjustments"' in detail.text


def test_a_non_death_payout_leaves_cover_alone(personas, make_membership):
    membership = make_membership()
    claim = services.claim_report(
        membership=membership,
        claim_type="jkk_medical",
        event_date=day_in(months_ago(1)),
        medical_costs=1_000_000,
        acting_user=personas.dinas_operator,
    )
    walk(claim, personas, Claim.Status.PAID)
    membership.refresh_from_db()
    membership.person.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE
    assert not membership.person.is_deceased


def test_an_agent_sees_neither_the_death_nor_the_payout(personas, client_for, make_membership):
    """Privacy (issue 10): the nagari's agent follows the claim and sees its nagari's APB
    Nagari bill, but not the date of death in the credit note nor the money paid."""
    from jamsos.budget import services as budget_services
    from jamsos.budget.models import FundingSource
    from jamsos.claims.tests.conftest import AGENT_NAGARI
    from jamsos.testing.factories import region

    dead = make_membership(first=months_ago(12))
    regency = dead.funding_source.region
    nagari_source = budget_services.funding_source_create(
        region=regency,
        kind=FundingSource.Kind.APB_NAGARI,
        name="APB Nagari agen",
        nagari=region(AGENT_NAGARI),
        acting_user=None,
    )
    Membership.objects.filter(pk=dead.pk).update(funding_source=nagari_source)
    death_month, later = months_ago(3), months_ago(2)
    for month in (death_month, later):
        _bill_and_issue(personas, regency, month, pay=True)
    claim = services.claim_report(
        membership=Membership.objects.get(pk=dead.pk),
        claim_type="jkm",
        event_date=day_in(death_month),
        acting_user=personas.dinas_operator,
        heirs=[
            services.HeirData(
                full_name="Rosmaniar",
                relationship="spouse",
                bank_name="Bank Nagari",
                bank_account="1234567890",
                is_payee=True,
            )
        ],
    )
    claim = walk(claim, personas, Claim.Status.PAID)
    adjustment = BillAdjustment.objects.get(membership=dead)
    from jamsos.lib.formats import tanggal

    died = tanggal(claim.event_date)
    assert died in adjustment.reason
    url = reverse("contributions:bill_detail", args=[adjustment.bill_id])

    operator = client_for(personas.dinas_operator).get(url).content.decode()
    assert died in operator

    agent_client = client_for(personas.agent)
    page = agent_client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-testid="bill-adjustments"' in text
    assert died not in text
    assert claim.reference not in text
    assert "Kepesertaan berakhir sebelum bulan ini" in text

    detail = agent_client.get(reverse("claims:claim_detail", args=[claim.pk])).content.decode()
    assert 'data-testid="payout"' not in detail
    assert "TRF-0001" not in detail
    listing = agent_client.get(reverse("claims:claim_list")).content.decode()
    assert claim.reference in listing
    api = agent_client.get(f"/api/claims/claims/{claim.pk}").json()
    assert (api["payout_amount"], api["approved_amount"], api["payout_reference"]) == (
        None,
        None,
        "",
    )
    # BPJS, who paid, still sees it.
    full = client_for(personas.bpjs_officer).get(f"/api/claims/claims/{claim.pk}").json()
    assert full["payout_amount"] == claim.payout_amount > 0
