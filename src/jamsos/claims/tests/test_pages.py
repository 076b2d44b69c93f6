"""Claim pages with the shared personas: scope, permissions, masking, forms, uploads."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from jamsos.claims.models import Claim, ClaimDocument, DocumentRequirement
from jamsos.claims.tests.conftest import (
    OTHER_KECAMATAN_NAGARI,
    day_in,
    months_ago,
    pdf_upload,
    walk,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_for(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def detail(claim):
    return reverse("claims:claim_detail", args=[claim.pk])


def action(claim, name):
    return reverse("claims:claim_action", args=[claim.pk, name])


def test_agent_reports_a_claim_through_the_form(personas, client_for, membership):
    client = client_for(personas.agent)
    page = client.get(reverse("claims:claim_report"))
    assert page.status_code == 200
    assert 'name="identifier"' in page.text
    lookup = client.get(reverse("claims:membership_lookup"), {"identifier": membership.person.nik})
    assert membership.person.full_name in lookup.text
    response = client.post(
        reverse("claims:claim_report"),
        {
            "identifier": membership.kpj_number,
            "claim_type": "jkm",
            "event_date": day_in(months_ago(1)).isoformat(),
            "chronology": "Meninggal karena sakit",
            "heir_name": "Rosmaniar",
            "heir_relationship": "spouse",
            "heir_account": "1234567890",
            "heir_bank": "Bank Nagari",
        },
    )
    claim = Claim.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(claim)
    assert claim.reported_by == personas.agent
    assert claim.heirs.get().is_payee
    page = client.get(detail(claim))
    assert page.status_code == 200
    assert "0 dari 8 dokumen wajib" in page.text
    assert "******7890" in page.text  # the agent sees the account masked
    assert "1234567890" not in page.text


def test_unknown_participant_is_a_form_error(personas, client_for, membership):
    response = client_for(personas.agent).post(
        reverse("claims:claim_report"),
        {
            "identifier": "1303030101700099",
            "claim_type": "jkm",
            "event_date": day_in(months_ago(1)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert "tidak ditemukan di wilayah Anda" in response.text
    assert not Claim.objects.exists()


def test_dinas_and_bpjs_see_the_full_account(personas, client_for, jkm_claim):
    for who in ("dinas_operator", "dinas_head", "bpjs_officer"):
        assert "1234567890" in client_for(getattr(personas, who)).get(detail(jkm_claim)).text


def test_upload_through_the_page_and_download(personas, client_for, jkm_claim):
    client = client_for(personas.agent)
    requirement = DocumentRequirement.objects.get(claim_type="jkm", code="akta_kematian")
    response = client.post(
        reverse("claims:document_upload", args=[jkm_claim.pk]),
        {"requirement": requirement.pk, "file": pdf_upload("akta.pdf")},
    )
    assert response.status_code == 302
    document = ClaimDocument.objects.get()
    download = client.get(reverse("claims:document_download", args=[document.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    # Served as a download, never rendered inline, and sandboxed if a browser tries.
    assert download["Content-Disposition"] == 'attachment; filename="akta.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    other = client_for(personas.outsider).get(
        reverse("claims:document_download", args=[document.pk])
    )
    assert other.status_code == 404


def test_a_bad_upload_shows_its_message(personas, client_for, jkm_claim):
    client = client_for(personas.agent)
    requirement = DocumentRequirement.objects.get(claim_type="jkm", code="akta_kematian")
    response = client.post(
        reverse("claims:document_upload", args=[jkm_claim.pk]),
        {"requirement": requirement.pk, "file": pdf_upload("akta.exe", b"MZ")},
        follow=True,
    )
    assert "hanya PDF, JPG atau PNG" in response.text
    assert not ClaimDocument.objects.exists()


def test_scope_of_the_list_and_detail(personas, client_for, jkm_claim, make_membership):
    from jamsos.claims import services

    elsewhere = services.claim_report(
        membership=make_membership(village=OTHER_KECAMATAN_NAGARI),
        claim_type="jkm",
        event_date=day_in(months_ago(1)),
        acting_user=personas.dinas_operator,
    )
    agent = client_for(personas.agent)
    listed = agent.get(reverse("claims:claim_list"))
    assert jkm_claim.reference in listed.text
    assert elsewhere.reference not in listed.text
    assert agent.get(detail(elsewhere)).status_code == 404
    operator = client_for(personas.dinas_operator)
    assert elsewhere.reference in operator.get(reverse("claims:claim_list")).text
    assert client_for(personas.outsider).get(detail(jkm_claim)).status_code == 404


@pytest.mark.parametrize("who", ["dprd", "executive"])
def test_aggregate_roles_see_the_dashboard_only(personas, client_for, jkm_claim, who):
    client = client_for(getattr(personas, who))
    response = client.get(reverse("claims:claim_list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("claims:dashboard")
    assert client.get(detail(jkm_claim)).status_code == 403
    board = client.get(reverse("claims:dashboard"))
    assert board.status_code == 200
    assert jkm_claim.person.full_name not in board.text
    assert 'data-testid="total-claims">1<' in board.text


def test_workflow_buttons_follow_the_permissions(personas, client_for, jkm_claim):
    claim = walk(jkm_claim, personas, Claim.Status.SUBMISSION_PREPARED)
    operator_page = client_for(personas.dinas_operator).get(detail(claim)).text
    assert 'data-testid="action-setujui"' not in operator_page
    head_page = client_for(personas.dinas_head).get(detail(claim)).text
    assert 'data-testid="action-setujui"' in head_page
    # Posting anyway is refused for the operator.
    response = client_for(personas.dinas_operator).post(action(claim, "setujui"))
    assert response.status_code == 403
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.SUBMISSION_PREPARED
    response = client_for(personas.dinas_head).post(action(claim, "setujui"))
    assert response.status_code == 302
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.SUBMITTED


def test_bpjs_records_the_decision_and_payout_through_the_page(personas, client_for, jkm_claim):
    claim = walk(jkm_claim, personas, Claim.Status.SUBMITTED)
    bpjs = client_for(personas.bpjs_officer)
    bpjs.post(action(claim, "periksa"))
    bpjs.post(action(claim, "terima"), {"amount": "", "note": ""})
    page = bpjs.get(detail(claim)).text
    assert 'data-testid="payout-form"' in page
    heir = claim.heirs.get()
    assert f'<option value="{heir.pk}">' in page  # the heirs are offered, none preselected
    values = {
        "amount": "Rp 42.000.000",
        "paid_on": timezone.localdate().isoformat(),
        "reference": "TRF-77",
    }
    refused = bpjs.post(action(claim, "bayar"), values, follow=True)
    assert "Penerima pembayaran" in refused.text and "Cara bayar" in refused.text
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.APPROVED
    response = bpjs.post(
        action(claim, "bayar"),
        {**values, "payee": str(heir.pk), "method": "transfer"},
        follow=True,
    )
    assert "Pembayaran dicatat" in response.text
    assert "Rosmaniar" in response.text and "Transfer bank" in response.text
    claim.refresh_from_db()
    assert (claim.status, claim.payout_amount, claim.payout_reference) == (
        "paid",
        42_000_000,
        "TRF-77",
    )


def test_a_domain_error_is_shown_as_a_message(personas, client_for, jkm_claim):
    response = client_for(personas.dinas_operator).post(action(jkm_claim, "lengkap"), follow=True)
    assert "Berkas belum lengkap" in response.text


def test_clocks_and_letter(personas, client_for, jkm_claim):
    claim = walk(jkm_claim, personas, Claim.Status.SUBMITTED)
    client = client_for(personas.dinas_head)
    page = client.get(detail(claim)).text
    assert 'data-testid="clock-running"' in page
    assert "BPJS Ketenagakerjaan: mulai pemeriksaan" in page
    letter = client.get(reverse("claims:claim_letter", args=[claim.pk]))
    assert letter.status_code == 200
    assert letter.content.startswith(b"%PDF")


def test_rules_page_and_calculator(personas, client_for):
    client = client_for(personas.dinas_operator)
    page = client.get(reverse("claims:rules"), {"benefit_type": "jkm"})
    assert page.status_code == 200
    assert 'data-testid="estimate-total">Rp 42.000.000' in page.text
    assert "belum terkonfirmasi" in page.text
    assert "Konfirmasi" not in page.text  # only admins confirm
    admin_page = client_for(personas.admin).get(reverse("claims:rules")).text
    assert "Konfirmasi" in admin_page


def test_admin_confirms_a_rule(personas, client_for):
    from jamsos.claims.models import BenefitRule

    rule = BenefitRule.objects.get(code="jkk_meninggal_santunan_berkala")
    client = client_for(personas.admin)
    response = client.post(
        reverse("claims:rule_confirm", args=["manfaat", rule.pk]),
        {"checked": "PP 82/2019 Lampiran III angka 5"},
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.confirmed
    denied = client_for(personas.dinas_head).post(
        reverse("claims:rule_confirm", args=["manfaat", rule.pk]), {"checked": "x"}
    )
    assert denied.status_code == 403


def test_the_report_form_preselects_no_claim_type(personas, client_for, membership):
    """A living person's JKM claim was filed by leaving the type as it was: the form now
    offers an empty first option and refuses a report without an explicit type."""
    client = client_for(personas.agent)
    page = client.get(reverse("claims:claim_report"))
    select = re.search(r'<select name="claim_type"[^>]*>(.*?)</select>', page.text, re.S)
    assert select is not None
    assert "required" in select.group(0).split(">")[0]
    options = re.findall(r'<option value="([^"]*)"([^>]*)>', select.group(1))
    assert options[0][0] == ""
    assert not any("selected" in attrs for value, attrs in options if value)
    response = client.post(
        reverse("claims:claim_report"),
        {
            "identifier": membership.kpj_number,
            "event_date": day_in(months_ago(1)).isoformat(),
            "chronology": "Kecelakaan di ladang",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["claim_type"]
    assert not Claim.objects.exists()


def _pdf_strings(data: bytes) -> str:
    """The page streams of a ReportLab PDF (ASCII85 + Flate), decoded to read its text."""
    import base64
    import re
    import zlib

    out = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", data, flags=re.S):
        body = stream.strip()
        try:
            if body.endswith(b"~>"):
                body = base64.a85decode(body[:-2])
            out.append(zlib.decompress(body).decode("latin-1"))
        except (ValueError, zlib.error):
            continue
    return " ".join(out)


def test_the_claim_letter_stays_indonesian_for_an_english_reader(personas, client_for, jkm_claim):
    """The letter to BPJS is an official letter in Bahasa Indonesia (UU 24/2009 art. 33):
    a head reading the site in English still prints it without English labels."""
    client = client_for(personas.dinas_operator)
    client.cookies["django_language"] = "en"
    page = client.get(detail(jkm_claim)).text
    assert "death not caused by a work accident" in page  # the page is in English
    text = _pdf_strings(client.get(reverse("claims:claim_letter", args=[jkm_claim.pk])).content)
    assert "meninggal bukan karena kecelakaan kerja" in text
    assert "Suami/Istri" in text
    assert "death not caused" not in text and "Husband/Wife" not in text
