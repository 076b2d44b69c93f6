"""The contributions REST API end to end: schemas, scope, permissions, domain errors."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jamsos.contributions import services
from jamsos.lib.periods import Month

pytestmark = pytest.mark.django_db

API = "/api/contributions"


@pytest.fixture
def api(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


def test_billing_issue_pay_over_the_api(api, personas, sijunjung, apbd, make_members):
    make_members(3, apbd)
    bpjs = api(personas.bpjs_officer)
    run = bpjs.post(
        f"{API}/billing-runs", {"regency": "13.03", "month": "2025-03"}, "application/json"
    )
    assert run.status_code == 200, run.content
    body = run.json()
    assert (body["members"], body["total"], body["created"]) == (3, 50_400, 1)
    (bill,) = bpjs.get(f"{API}/bills", {"regency": "13.03", "month": "2025-03"}).json()
    bill_id = bill["id"]
    assert bill["status"] == "draft"
    issued = bpjs.post(f"{API}/bills/{bill_id}/issue")
    assert issued.json()["status"] == "issued"
    again = bpjs.post(f"{API}/bills/{bill_id}/issue")
    assert again.status_code == 409
    operator = api(personas.dinas_operator)
    payment = {
        "sp2d_number": "900/1/2025",
        "paid_on": "2025-03-25",
        "amount": 60_000,
        "treasury_account": "RKUD",
    }
    paid = operator.post(f"{API}/bills/{bill_id}/payments", payment, "application/json")
    assert paid.status_code == 201, paid.content
    assert paid.json()["payment"]["credited_amount"] == 9_600
    assert paid.json()["bill"]["status"] == "paid"
    duplicate = operator.post(f"{API}/bills/{bill_id}/payments", payment, "application/json")
    assert duplicate.status_code == 409
    detail = operator.get(f"{API}/bills/{bill_id}").json()
    assert detail["credit_balance"] == 9_600
    assert detail["months"][0]["per_person_month"] == 16_800
    assert detail["months"][0]["legal_basis"]


def test_permissions_and_scope(api, personas, sijunjung, apbd, apb_nagari, make_members):
    make_members(1, apbd)
    make_members(1, apb_nagari)
    denied = api(personas.agent).post(
        f"{API}/billing-runs", {"regency": "13.03", "month": "2025-03"}, "application/json"
    )
    assert denied.status_code == 403
    outsider = api(personas.outsider).post(
        f"{API}/billing-runs", {"regency": "13.03", "month": "2025-03"}, "application/json"
    )
    assert outsider.status_code == 404
    services.billing_run(regency=sijunjung, month=Month(2025, 3), acting_user=None)
    agent_bills = api(personas.agent).get(f"{API}/bills").json()
    assert [b["source"] for b in agent_bills] == ["APB Nagari Timbulun"]
    apbd_bill = next(
        b
        for b in api(personas.dinas_operator).get(f"{API}/bills").json()
        if b["source_kind"] == "apbd"
    )
    assert api(personas.agent).get(f"{API}/bills/{apbd_bill['id']}").status_code == 404
    assert api(personas.dprd).get(f"{API}/bills").status_code == 403
    bad = api(personas.bpjs_officer).post(
        f"{API}/billing-runs",
        {"regency": "13.03", "month": "2025-03", "months": 5},
        "application/json",
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "prepayment_months"


def test_transparency_for_dprd(api, personas, sijunjung, apbd, make_members):
    make_members(2, apbd)
    result = services.billing_run(regency=sijunjung, month=Month(2025, 1), acting_user=None)
    services.bill_issue(bill=result.bills[0].bill, acting_user=None)
    response = api(personas.dprd).get(f"{API}/transparency", {"regency": "13.03", "year": 2025})
    assert response.status_code == 200
    body = response.json()
    assert body["total_payable"] == 33_600
    january = [r for r in body["rows"] if r["month"] == "2025-01" and r["source_id"]]
    assert january == [
        {
            "month": "2025-01",
            "source_id": apbd.pk,
            "source": "APBD Sijunjung",
            "kind": "apbd",
            "registered": 2,
            "billed_members": 2,
            "payable": 33_600,
            "paid": 0,
            "unpaid": 33_600,
            "claims_paid": 0,
        }
    ]
    assert (
        api(personas.agent)
        .get(f"{API}/transparency", {"regency": "13.03", "year": 2025})
        .status_code
        == 403
    )


def test_statement_discrepancies_over_the_api(api, personas, sijunjung, apbd, make_members):
    (member,) = make_members(1, apbd)
    result = services.billing_run(regency=sijunjung, month=Month(2025, 1), acting_user=None)
    services.bill_issue(bill=result.bills[0].bill, acting_user=None)
    bpjs = api(personas.bpjs_officer)
    data = b"KPJ,Nama,Bulan dibayar,Jumlah\n77777777777,X,2025-01,16800\n"
    created = bpjs.post(
        f"{API}/statements",
        {"regency": "13.03", "file": SimpleUploadedFile("s.csv", data, "text/csv")},
    )
    assert created.status_code == 201, created.content
    statement = created.json()
    assert statement["discrepancies_open"] == 2  # ours missing, theirs extra
    again = bpjs.post(
        f"{API}/statements",
        {"regency": "13.03", "file": SimpleUploadedFile("s2.csv", data, "text/csv")},
    )
    assert again.status_code == 200
    assert again.json()["created"] is False
    rows = bpjs.get(f"{API}/statements/{statement['id']}/discrepancies").json()
    assert {r["kind"] for r in rows} == {"missing", "extra"}
    missing = next(r for r in rows if r["kind"] == "missing")
    assert missing["kpj_number"] == member.kpj_number
    resolved = bpjs.post(
        f"{API}/discrepancies/{missing['id']}/resolve",
        {"note": "KPJ salah ketik di rekening BPJS"},
        "application/json",
    )
    assert resolved.json()["status"] == "resolved"
    bad = bpjs.post(
        f"{API}/statements",
        {"regency": "13.03", "file": SimpleUploadedFile("b.csv", b"KPJ;Bulan;Jumlah\n1;x;y\n")},
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "statement_invalid"
    assert len(bad.json()["params"]["errors"]) == 3
    assert (
        api(personas.dprd).get(f"{API}/statements/{statement['id']}/discrepancies").status_code
        == 404
    )


def test_arrears_and_reactivation_over_the_api(api, personas, sijunjung, apbd, make_members):
    (member,) = make_members(1, apbd)
    for month in (1, 2, 3):
        result = services.billing_run(regency=sijunjung, month=Month(2025, month), acting_user=None)
        services.bill_issue(bill=result.bills[0].bill, acting_user=None)
    operator = api(personas.dinas_operator)
    report = operator.get(f"{API}/arrears", {"regency": "13.03", "as_of": "2025-03"}).json()
    assert report["lapsed"] == 1
    assert report["lapses"][0]["unpaid_months"] == ["2025-01", "2025-02", "2025-03"]
    services.arrears_check(as_of=Month(2025, 3), acting_user=None)
    created = operator.post(
        f"{API}/memberships/{member.pk}/reactivate",
        {"first_month": "2025-04", "last_month": "2025-09"},
        "application/json",
    )
    assert created.status_code == 201, created.content
    assert (created.json()["first_month"], created.json()["last_month"]) == ("2025-04", "2025-09")
    assert api(personas.executive).get(f"{API}/arrears", {"regency": "13.03"}).status_code == 403
    assert (
        api(personas.outsider)
        .post(
            f"{API}/memberships/{member.pk}/reactivate",
            {"first_month": "2025-05"},
            "application/json",
        )
        .status_code
        == 404
    )
