"""The REST API end to end, with the personas' sessions."""

from __future__ import annotations

import pytest
from django.test import Client

from jamsos.enrollment.models import Decree, Membership

pytestmark = pytest.mark.django_db


def api(user) -> Client:
    client = Client(enforce_csrf_checks=False)
    client.force_login(user)
    return client


def test_draft_approve_issue_and_results_through_the_api(named_reservation, personas, persons):
    operator, head, bpjs = (
        api(personas.dinas_operator),
        api(personas.dinas_head),
        api(personas.bpjs_officer),
    )
    created = operator.post(
        "/api/enrollment/decrees",
        {"reservation": named_reservation.pk},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    decree = created.json()
    assert decree["counts"]["persons"] == 6 and decree["status"] == "draft"
    assert decree["first_month"] == "2022-03" and decree["legal_bases"]
    pk = decree["id"]
    denied = operator.post(f"/api/enrollment/decrees/{pk}/approve")
    assert denied.status_code == 403 and denied.json()["code"] in (
        "permission_denied",
        "maker_checker",
    )
    assert head.post(f"/api/enrollment/decrees/{pk}/approve").json()["status"] == "approved"
    issued = operator.post(
        f"/api/enrollment/decrees/{pk}/issue",
        {"number": "188.45/131/KPTS-BPT-2022", "decree_date": "2022-03-15"},
        content_type="application/json",
    )
    assert issued.json()["status"] == "issued"
    again = operator.post(
        f"/api/enrollment/decrees/{pk}/texts", {"title": "X"}, content_type="application/json"
    )
    assert again.status_code == 409
    results = {
        "results": [
            {
                "nik": persons[0].nik,
                "status": "accepted",
                "kpj_number": "13000000001",
                "coverage_start": "2022-03-01",
            },
            {"nik": persons[1].nik, "status": "rejected", "reason": "Sudah terdaftar PU"},
        ]
    }
    assert (
        operator.post(
            f"/api/enrollment/decrees/{pk}/bpjs-results", results, content_type="application/json"
        ).status_code
        == 403
    )
    summary = bpjs.post(
        f"/api/enrollment/decrees/{pk}/bpjs-results", results, content_type="application/json"
    )
    assert summary.json()["accepted"] == 1 and summary.json()["rejected"] == 1
    bad = bpjs.post(
        f"/api/enrollment/decrees/{pk}/bpjs-results",
        {"results": [{"nik": persons[2].nik, "status": "accepted", "kpj_number": "1"}]},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "bpjs_results_invalid"
    assert bad.json()["params"]["errors"][0]["column"] == "NO KPJ"
    lines = operator.get(f"/api/enrollment/decrees/{pk}/lines?bpjs_status=rejected").json()
    assert lines["count"] == 1 and lines["items"][0]["bpjs_reason"] == "Sudah terdaftar PU"
    assert persons[1].nik not in str(lines)
    memberships = operator.get("/api/enrollment/memberships").json()
    assert memberships["count"] == 1 and memberships["items"][0]["kpj_number"] == "13000000001"


def test_dprd_gets_totals_not_lines_or_memberships(decree, personas):
    dprd = api(personas.dprd)
    assert dprd.get("/api/enrollment/decrees").json()[0]["counts"]["persons"] == 6
    assert dprd.get(f"/api/enrollment/decrees/{decree.pk}/lines").status_code == 403
    assert dprd.get("/api/enrollment/memberships").status_code == 403
    assert dprd.get("/api/enrollment/memberships/totals").json()["total"] == 0


def test_outsider_and_agent_get_404_or_403(decree, personas):
    assert api(personas.outsider).get(f"/api/enrollment/decrees/{decree.pk}").status_code == 404
    assert api(personas.agent).get("/api/enrollment/decrees").status_code == 403
    assert not Decree.objects.exclude(pk=decree.pk).exists()
    assert not Membership.objects.exists()
