"""Every branch of ``contributions/access.py`` (STYLE.md 17): missing and forbidden look
the same, scope follows the bill's region (kabupaten, or nagari for APB Nagari)."""

from __future__ import annotations

import pytest

from jamsos.contributions import access, services
from jamsos.contributions.models import Bill, Discrepancy
from jamsos.lib.errors import NotFoundOrForbidden
from jamsos.lib.periods import Month

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects(sijunjung, apbd, apb_nagari, make_members):
    (member,) = make_members(1, apbd)
    make_members(1, apb_nagari)
    result = services.billing_run(regency=sijunjung, month=Month(2025, 1), acting_user=None)
    for outcome in result.bills:
        services.bill_issue(bill=outcome.bill, acting_user=None)
    statement = services.statement_import(
        regency=sijunjung,
        file_name="r.csv",
        data=b"KPJ;Bulan;Jumlah\n88888888888;2025-01;16800\n",
        acting_user=None,
    ).statement
    return {
        "apbd_bill": Bill.objects.get(funding_source=apbd),
        "nagari_bill": Bill.objects.get(funding_source=apb_nagari),
        "statement": statement,
        "discrepancy": Discrepancy.objects.filter(statement=statement).first(),
        "member": member,
    }


def test_access_bill(personas, objects):
    bill = objects["apbd_bill"]
    assert access.access_bill(personas.dinas_operator, bill.pk) == bill
    assert access.access_bill(personas.dinas_operator, bill.pk, for_write=True) == bill
    assert access.access_bill(personas.agent, objects["nagari_bill"].pk)
    for user in (personas.agent, personas.outsider, personas.dprd):
        with pytest.raises(NotFoundOrForbidden):
            access.access_bill(user, bill.pk)
    with pytest.raises(NotFoundOrForbidden):
        access.access_bill(personas.dinas_operator, 999_999)


def test_access_statement_and_discrepancy(personas, objects):
    statement, discrepancy = objects["statement"], objects["discrepancy"]
    assert access.access_statement(personas.bpjs_officer, statement.pk) == statement
    assert access.access_discrepancy(personas.bpjs_officer, discrepancy.pk, for_write=True)
    for user in (personas.dprd, personas.executive):  # no bills permission
        with pytest.raises(NotFoundOrForbidden):
            access.access_statement(user, statement.pk)
        with pytest.raises(NotFoundOrForbidden):
            access.access_discrepancy(user, discrepancy.pk)
    # the agent holds view_bills but may not see persons
    with pytest.raises(NotFoundOrForbidden):
        access.access_statement(personas.agent, statement.pk)
    with pytest.raises(NotFoundOrForbidden):
        access.access_discrepancy(personas.agent, discrepancy.pk)
    with pytest.raises(NotFoundOrForbidden):
        access.access_statement(personas.outsider, statement.pk)


def test_access_membership(personas, objects):
    member = objects["member"]
    assert access.access_membership(personas.dinas_operator, member.pk) == member
    assert access.access_membership(personas.bpjs_officer, member.pk, for_write=True) == member
    for user in (personas.dinas_head, personas.outsider):
        with pytest.raises(NotFoundOrForbidden):
            access.access_membership(user, member.pk)
