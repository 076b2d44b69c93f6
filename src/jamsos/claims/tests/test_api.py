"""The claims REST API end to end: report → upload → maker-checker → BPJS, with scope,
permissions, masking and domain errors."""

from __future__ import annotations

import pytest
from django.utils import timezone

from jamsos.claims.models import Claim
from jamsos.claims.tests.conftest import (
    OTHER_KECAMATAN_NAGARI,
    day_in,
    months_ago,
    pdf_upload,
    walk,
)

pytestmark = pytest.mark.django_db

API = "/api/claims"


@pytest.fixture
def api(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


def post(client, path, body=None):
    return client.post(f"{API}{path}", body or {}, "application/json")


def test_full_flow_over_the_api(personas, api, membership):
    agent = api(personas.agent)
    created = post(
        agent,
        "/claims",
        {
            "identifier": membership.person.nik,
            "claim_type": "jkm",
            "event_date": day_in(months_ago(1)).isoformat(),
            "chronology": "Sakit jantung",
            "heirs": [
                {
                    "full_name": "Rosmaniar",
                    "relationship": "spouse",
                    "bank_name": "Bank Nagari",
                    "bank_account": "1234567890",
                    "is_payee": True,
                }
            ],
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    claim_id = body["id"]
    assert body["status"] == "reported"
    assert body["heirs"][0]["bank_account"] == "******7890"  # agents see it masked
    assert (body["documents_present"], body["documents_required"]) == (0, 8)

    for item in body["documents"]:
        if item["required"]:
            response = agent.post(
                f"{API}/claims/{claim_id}/documents",
                {"requirement": item["code"], "file": pdf_upload(f"{item['code']}.pdf")},
            )
            assert response.status_code == 201, response.content

    operator = api(personas.dinas_operator)
    assert post(operator, f"/claims/{claim_id}/documents-complete").status_code == 200
    prepared = post(operator, f"/claims/{claim_id}/prepare").json()
    assert prepared["estimated_amount"] == 42_000_000
    assert prepared["heirs"][0]["bank_account"] == "1234567890"  # the Dinas sees it

    # The operator cannot approve its own submission; the head can.
    assert post(operator, f"/claims/{claim_id}/approve-submission").status_code == 403
    head = api(personas.dinas_head)
    assert post(head, f"/claims/{claim_id}/approve-submission").json()["status"] == "submitted"

    bpjs = api(personas.bpjs_officer)
    assert post(bpjs, f"/claims/{claim_id}/review").json()["status"] == "under_review"
    assert post(bpjs, f"/claims/{claim_id}/approve", {}).json()["approved_amount"] == 42_000_000
    pay = {"amount": 42_000_000, "paid_on": timezone.localdate().isoformat(), "reference": "TRF-1"}
    # Not without the payee (an heir, for a death) and the method (issue 9).
    refused = post(bpjs, f"/claims/{claim_id}/pay", {**pay, "method": "transfer"})
    assert (refused.status_code, refused.json()["code"]) == (400, "payout_payee_required")
    heir_id = prepared["heirs"][0]["id"]
    refused = post(bpjs, f"/claims/{claim_id}/pay", {**pay, "payee_heir": heir_id, "method": ""})
    assert (refused.status_code, refused.json()["code"]) == (400, "payout_method_required")
    paid = post(
        bpjs, f"/claims/{claim_id}/pay", {**pay, "payee_heir": heir_id, "method": "transfer"}
    )
    assert paid.status_code == 200, paid.content
    assert (paid.json()["payout_method"], paid.json()["payout_payee_heir"]) == ("transfer", heir_id)
    assert paid.json()["payout_account"] == "1234567890"
    assert (paid.json()["status"], paid.json()["payout_amount"]) == ("paid", 42_000_000)

    clocks = api(personas.dinas_head).get(f"{API}/claims/{claim_id}/clocks").json()
    assert [c["status"] for c in clocks] == [
        "reported",
        "documents_complete",
        "submission_prepared",
        "submitted",
        "under_review",
        "approved",
    ]
    letter = api(personas.dinas_head).get(f"{API}/claims/{claim_id}/letter")
    assert letter["Content-Type"] == "application/pdf"
    assert letter.content.startswith(b"%PDF")


@pytest.mark.parametrize("who", ["dinas_operator", "dinas_head", "agent"])
def test_only_bpjs_decides_over_the_api(personas, api, jkm_claim, who):
    claim = walk(jkm_claim, personas, Claim.Status.UNDER_REVIEW)
    client = api(getattr(personas, who))
    assert post(client, f"/claims/{claim.pk}/approve", {}).status_code == 403
    assert post(client, f"/claims/{claim.pk}/reject", {"reason": "x"}).status_code == 403
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.UNDER_REVIEW


def test_invalid_transition_is_409_with_a_code(personas, api, jkm_claim):
    response = post(api(personas.bpjs_officer), f"/claims/{jkm_claim.pk}/review")
    assert response.status_code == 409
    assert response.json()["code"] == "claim_invalid_transition"


def test_incomplete_documents_is_400_naming_them(personas, api, jkm_claim):
    response = post(api(personas.dinas_operator), f"/claims/{jkm_claim.pk}/documents-complete")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "documents_incomplete"
    assert "akta_kematian" in body["params"]["missing"]


def test_bad_upload_is_400(personas, api, jkm_claim):
    response = api(personas.agent).post(
        f"{API}/claims/{jkm_claim.pk}/documents",
        {"requirement": "akta_kematian", "file": pdf_upload("x.pdf", b"not a pdf")},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "document_content"


def test_scope_agents_see_their_nagari_only(personas, api, jkm_claim, make_membership):
    elsewhere = make_membership(village=OTHER_KECAMATAN_NAGARI)
    operator = api(personas.dinas_operator)
    other = post(
        operator,
        "/claims",
        {
            "membership": elsewhere.pk,
            "claim_type": "jkm",
            "event_date": day_in(months_ago(1)).isoformat(),
        },
    ).json()
    agent = api(personas.agent)
    listed = agent.get(f"{API}/claims").json()
    assert [c["id"] for c in listed["items"]] == [jkm_claim.pk]
    assert agent.get(f"{API}/claims/{other['id']}").status_code == 404
    camat = api(personas.kecamatan_operator)
    assert camat.get(f"{API}/claims/{other['id']}").status_code == 404
    assert camat.get(f"{API}/claims/{jkm_claim.pk}").status_code == 200
    assert api(personas.outsider).get(f"{API}/claims/{jkm_claim.pk}").status_code == 404
    # The agent cannot report against a membership outside its nagari either.
    response = post(
        agent,
        "/claims",
        {"membership": elsewhere.pk, "claim_type": "jkm", "event_date": "2025-01-01"},
    )
    assert response.status_code == 404


def test_dprd_gets_totals_but_no_claim(personas, api, jkm_claim):
    dprd = api(personas.dprd)
    assert dprd.get(f"{API}/claims").status_code == 403
    assert dprd.get(f"{API}/claims/{jkm_claim.pk}").status_code == 404
    board = dprd.get(f"{API}/dashboard")
    assert board.status_code == 200
    assert board.json()["totals"]["claims"] == 1
    assert dprd.get(f"{API}/paid-by-month").status_code == 200


def test_estimate_endpoint(personas, api):
    body = api(personas.dprd).get(f"{API}/estimate", {"type": "jkk_death"}).json()
    assert body["total"] == 70_000_000
    response = api(personas.agent).get(f"{API}/estimate", {"type": "stmb"})
    assert response.status_code == 400
    assert response.json()["code"] == "stmb_days_required"


def test_report_needs_a_membership_or_identifier(personas, api):
    response = post(
        api(personas.agent), "/claims", {"claim_type": "jkm", "event_date": "2025-01-01"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "membership_identifier_required"


def test_rules_are_listed_with_their_status(personas, api):
    rows = api(personas.dinas_operator).get(f"{API}/rules").json()
    by_code = {(r["code"], r["variant"]): r for r in rows}
    assert by_code[("jkm_santunan_sekaligus", "")]["confirmed"] is True
    assert by_code[("jkk_cacat", "total_tetap")]["confirmed"] is False


def test_claim_list_queries_do_not_grow_with_claims(personas, api, make_membership):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jamsos.claims import services

    client = api(personas.dinas_operator)

    def report_one():
        services.claim_report(
            membership=make_membership(),
            claim_type="jkm",
            event_date=day_in(months_ago(1)),
            acting_user=personas.dinas_operator,
        )

    report_one()
    with CaptureQueriesContext(connection) as one:
        assert client.get(f"{API}/claims").status_code == 200
    for _ in range(4):
        report_one()
    with CaptureQueriesContext(connection) as five:
        assert len(client.get(f"{API}/claims").json()["items"]) == 5
    assert len(five) == len(one)
