"""The claim workflow and who may do what: only the Dinas head approves a submission (and
never the one who prepared it), only BPJS decides and pays."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from jamsos.audit.models import AuditEvent
from jamsos.claims import services
from jamsos.claims.models import Claim, ClaimDocument, ClaimTransition, DocumentRequirement
from jamsos.claims.selectors import document_checklist
from jamsos.claims.tests.conftest import (
    OTHER_KECAMATAN_NAGARI,
    day_in,
    months_ago,
    payout_to,
    pdf_upload,
    upload_required,
    walk,
)
from jamsos.enrollment.models import Membership
from jamsos.lib.errors import DomainError, InvalidTransition, NotFoundOrForbidden, PermissionDenied
from jamsos.registry.models import Heir
from jamsos.testing.factories import UserFactory

pytestmark = pytest.mark.django_db
Status = Claim.Status


def report(personas, membership, who="agent", **kwargs):
    kwargs.setdefault("claim_type", "jkm")
    kwargs.setdefault("event_date", day_in(months_ago(1)))
    return services.claim_report(
        membership=membership, acting_user=getattr(personas, who), **kwargs
    )


# --- The happy path -----------------------------------------------------------------------


def test_jkm_claim_from_report_to_payout(personas, jkm_claim):
    assert jkm_claim.reference.startswith("KLM-")
    assert jkm_claim.status == Status.REPORTED
    assert jkm_claim.reporter_agency == personas.agent.agency
    assert jkm_claim.eligibility == []
    paid = walk(jkm_claim, personas, Status.PAID)
    assert paid.estimated_amount == 42_000_000
    assert paid.approved_amount == 42_000_000
    assert (paid.payout_amount, paid.payout_reference) == (42_000_000, "TRF-0001")
    assert paid.prepared_by == personas.dinas_operator
    assert paid.approved_by == personas.dinas_head
    assert paid.decided_by == paid.paid_by == personas.bpjs_officer
    assert paid.letter_number.startswith(paid.reference + "/DISNAKERTRANS-SIJUNJUNG/")
    assert [line["code"] for line in paid.estimate["lines"]] == [
        "jkm_santunan_sekaligus",
        "jkm_santunan_berkala",
        "jkm_biaya_pemakaman",
    ]
    steps = list(
        ClaimTransition.objects.filter(claim=paid).values_list("to_status", "agency__code")
    )
    assert steps == [
        (Status.REPORTED, "nagari-13-03-03-2001"),
        (Status.DOCUMENTS_COMPLETE, "disnakertrans-sijunjung"),
        (Status.SUBMISSION_PREPARED, "disnakertrans-sijunjung"),
        (Status.SUBMITTED, "disnakertrans-sijunjung"),
        (Status.UNDER_REVIEW, "bpjs-solok"),
        (Status.APPROVED, "bpjs-solok"),
        (Status.PAID, "bpjs-solok"),
    ]
    actions = set(
        AuditEvent.objects.filter(object_type="claims.claim", object_id=str(paid.pk)).values_list(
            "action", flat=True
        )
    )
    assert {
        "claims.claim.reported",
        "claims.document.uploaded",
        "claims.claim.documents_completed",
        "claims.claim.submission_prepared",
        "claims.claim.submission_approved",
        "claims.claim.review_started",
        "claims.claim.approved",
        "claims.claim.paid",
    } <= actions
    assert AuditEvent.objects.filter(
        action="claims.claim.paid", region_code="13.03.03.2001"
    ).exists()


def test_registry_heirs_are_copied_when_none_are_given(personas, membership):
    heir = Heir.objects.create(
        person=membership.person, full_name="Upiak", relationship="child", bank_account="998877"
    )
    claim = report(personas, membership)
    copied = claim.heirs.get()
    assert (copied.full_name, copied.registry_heir, copied.bank_account) == (
        "Upiak",
        heir,
        "998877",
    )


# --- Reporting ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["dinas_operator", "kecamatan_operator", "agent"])
def test_reporters(personas, membership, who):
    assert report(personas, membership, who=who).reported_by == getattr(personas, who)


@pytest.mark.parametrize("who", ["dinas_head", "bpjs_officer", "executive", "dprd", "admin"])
def test_others_cannot_report(personas, membership, who):
    with pytest.raises(PermissionDenied):
        report(personas, membership, who=who)


def test_agents_report_only_in_their_nagari(personas, make_membership):
    elsewhere = make_membership(village=OTHER_KECAMATAN_NAGARI)
    for who in ("agent", "kecamatan_operator"):
        with pytest.raises(NotFoundOrForbidden):
            report(personas, elsewhere, who=who)
    with pytest.raises(NotFoundOrForbidden):
        report(personas, elsewhere, who="outsider")


def test_a_death_is_claimed_once(personas, jkm_claim, membership):
    with pytest.raises(DomainError) as exc:
        report(personas, membership, claim_type="jkk_death", event_date=jkm_claim.event_date)
    assert exc.value.code == "claim_duplicate"


def test_future_event_is_refused(personas, membership):
    with pytest.raises(DomainError) as exc:
        report(personas, membership, event_date=timezone.localdate() + dt.timedelta(days=2))
    assert exc.value.code == "event_in_future"


def test_beasiswa_needs_its_origin(personas, membership):
    with pytest.raises(DomainError) as exc:
        report(personas, membership, claim_type="beasiswa")
    assert exc.value.code == "beasiswa_origin_required"


def test_an_ineligible_claim_is_recorded_but_cannot_be_submitted(personas, make_membership):
    pending = make_membership(status=Membership.Status.PENDING)
    claim = report(personas, pending)
    assert {f["code"] for f in claim.eligibility_errors} == {
        "membership_pending",
        "month_not_paid",
    }
    claim = walk(claim, personas, Status.DOCUMENTS_COMPLETE)
    with pytest.raises(DomainError) as exc:
        services.claim_submission_prepare(claim=claim, acting_user=personas.dinas_operator)
    assert exc.value.code == "claim_not_eligible"
    assert Claim.objects.get(pk=claim.pk).status == Status.DOCUMENTS_COMPLETE
    withdrawn = services.claim_withdraw(
        claim=claim, reason="Kepesertaan belum aktif", acting_user=personas.dinas_operator
    )
    assert withdrawn.status == Status.WITHDRAWN


def test_short_membership_jkm_is_submitted_at_10_million(personas, make_membership):
    event_month = months_ago(1)
    claim = report(personas, make_membership(first=event_month - 1), event_date=day_in(event_month))
    assert [f["code"] for f in claim.eligibility_warnings] == ["jkm_short_membership"]
    assert claim.months_paid == 2
    prepared = walk(claim, personas, Status.SUBMISSION_PREPARED)
    assert prepared.estimated_amount == 10_000_000


# --- Heirs ------------------------------------------------------------------------------------


def test_heir_nik_and_account_are_checked(personas, jkm_claim):
    bad_nik = services.HeirData(full_name="A", relationship="child", nik="1234")
    with pytest.raises(DomainError) as exc:
        services.claim_heir_add(claim=jkm_claim, data=bad_nik, acting_user=personas.agent)
    assert exc.value.code == "nik_format"
    bad_account = services.HeirData(full_name="A", relationship="child", bank_account="12ab")
    with pytest.raises(DomainError) as exc:
        services.claim_heir_add(claim=jkm_claim, data=bad_account, acting_user=personas.agent)
    assert exc.value.code == "heir_account_format"


def test_one_payee_at_a_time(personas, jkm_claim):
    new = services.claim_heir_add(
        claim=jkm_claim,
        data=services.HeirData(full_name="Buyung", relationship="child", is_payee=True),
        acting_user=personas.agent,
    )
    assert list(jkm_claim.heirs.filter(is_payee=True)) == [new]


def test_no_heirs_after_submission(personas, jkm_claim):
    claim = walk(jkm_claim, personas, Status.SUBMITTED)
    with pytest.raises(InvalidTransition):
        services.claim_heir_add(
            claim=claim,
            data=services.HeirData(full_name="X", relationship="child"),
            acting_user=personas.dinas_operator,
        )


# --- Documents -----------------------------------------------------------------------------


def test_documents_must_be_complete(personas, jkm_claim):
    with pytest.raises(DomainError) as exc:
        services.claim_documents_confirm(claim=jkm_claim, acting_user=personas.dinas_operator)
    assert exc.value.code == "documents_incomplete"
    assert "Akta kematian" in exc.value.message
    # The spouse is an heir: the marriage book becomes required.
    assert "buku_nikah" in exc.value.params["missing"]


def test_checklist_counts_required_documents(personas, jkm_claim):
    before = document_checklist(claim=jkm_claim)
    assert (before.required_present, before.required_total) == (0, 8)
    upload_required(jkm_claim, personas.agent)
    after = document_checklist(claim=jkm_claim)
    assert after.complete
    assert after.required_present == 8
    assert ClaimDocument.objects.filter(claim=jkm_claim).count() == 8


def test_only_reporters_and_the_dinas_upload(personas, jkm_claim):
    requirement = DocumentRequirement.objects.get(claim_type="jkm", code="akta_kematian")
    for who in ("bpjs_officer", "dinas_head", "dprd"):
        with pytest.raises(PermissionDenied):
            services.claim_document_upload(
                claim=jkm_claim,
                requirement=requirement,
                upload=pdf_upload(),
                acting_user=getattr(personas, who),
            )


# --- The Dinas maker-checker ---------------------------------------------------------------


@pytest.mark.parametrize("who", ["agent", "kecamatan_operator", "dinas_head", "bpjs_officer"])
def test_only_the_dinas_operator_prepares(personas, jkm_claim, who):
    claim = walk(jkm_claim, personas, Status.DOCUMENTS_COMPLETE)
    with pytest.raises(PermissionDenied):
        services.claim_submission_prepare(claim=claim, acting_user=getattr(personas, who))


@pytest.mark.parametrize("who", ["dinas_operator", "agent", "bpjs_officer", "executive", "admin"])
def test_only_the_dinas_head_approves_a_submission(personas, jkm_claim, who):
    claim = walk(jkm_claim, personas, Status.SUBMISSION_PREPARED)
    with pytest.raises(PermissionDenied):
        services.claim_submission_approve(claim=claim, acting_user=getattr(personas, who))
    assert Claim.objects.get(pk=claim.pk).status == Status.SUBMISSION_PREPARED


def test_the_preparer_cannot_approve(personas, jkm_claim):
    # A superuser holds every permission, so only the maker-checker rule stops it.
    boss = UserFactory(username="boss", is_superuser=True, agency=personas.dinas_head.agency)
    claim = walk(jkm_claim, personas, Status.DOCUMENTS_COMPLETE)
    claim = services.claim_submission_prepare(claim=claim, acting_user=boss)
    with pytest.raises(PermissionDenied) as exc:
        services.claim_submission_approve(claim=claim, acting_user=boss)
    assert exc.value.code == "maker_checker"
    assert services.claim_submission_approve(claim=claim, acting_user=personas.dinas_head)


def test_the_database_refuses_a_self_approved_submission(personas, jkm_claim):
    claim = walk(jkm_claim, personas, Status.SUBMITTED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(approved_by=claim.prepared_by)


def test_the_head_returns_a_submission_with_a_reason(personas, jkm_claim):
    claim = walk(jkm_claim, personas, Status.SUBMISSION_PREPARED)
    with pytest.raises(DomainError) as exc:
        services.claim_submission_return(claim=claim, reason=" ", acting_user=personas.dinas_head)
    assert exc.value.code == "reason_required"
    claim = services.claim_submission_return(
        claim=claim, reason="Akta kematian buram", acting_user=personas.dinas_head
    )
    assert (claim.status, claim.prepared_by) == (Status.DOCUMENTS_COMPLETE, None)
    assert claim.transitions.last().note == "Akta kematian buram"
    claim = services.claim_submission_prepare(claim=claim, acting_user=personas.dinas_operator)
    assert services.claim_submission_approve(claim=claim, acting_user=personas.dinas_head)


# --- BPJS decides and pays -------------------------------------------------------------------


@pytest.mark.parametrize("who", ["dinas_operator", "dinas_head", "agent", "kecamatan_operator"])
def test_only_bpjs_reviews_and_decides(personas, jkm_claim, who):
    user = getattr(personas, who)
    claim = walk(jkm_claim, personas, Status.SUBMITTED)
    with pytest.raises(PermissionDenied):
        services.claim_review_start(claim=claim, acting_user=user)
    claim = services.claim_review_start(claim=claim, acting_user=personas.bpjs_officer)
    with pytest.raises(PermissionDenied):
        services.claim_approve(claim=claim, acting_user=user)
    with pytest.raises(PermissionDenied):
        services.claim_reject(claim=claim, reason="x", acting_user=user)


@pytest.mark.parametrize("who", ["dinas_operator", "dinas_head", "agent", "executive"])
def test_only_bpjs_records_the_payout(personas, jkm_claim, who):
    claim = walk(jkm_claim, personas, Status.APPROVED)
    with pytest.raises(PermissionDenied):
        services.claim_payout_record(
            claim=claim,
            amount=42_000_000,
            paid_on=timezone.localdate(),
            reference="X",
            **payout_to(claim),
            acting_user=getattr(personas, who),
        )


def test_a_decision_needs_a_review_first(personas, jkm_claim):
    claim = walk(jkm_claim, personas, Status.SUBMITTED)
    with pytest.raises(InvalidTransition) as exc:
        services.claim_approve(claim=claim, acting_user=personas.bpjs_officer)
    assert exc.value.params["status"] == Status.SUBMITTED


def test_rejection_needs_a_reason_and_ends_the_claim(personas, jkm_claim):
    claim = walk(jkm_claim, personas, Status.UNDER_REVIEW)
    with pytest.raises(DomainError):
        services.claim_reject(claim=claim, reason="", acting_user=personas.bpjs_officer)
    claim = services.claim_reject(
        claim=claim, reason="Bukan ahli waris yang sah", acting_user=personas.bpjs_officer
    )
    assert claim.rejection_reason == "Bukan ahli waris yang sah"
    with pytest.raises(InvalidTransition):
        services.claim_payout_record(
            claim=claim,
            amount=1,
            paid_on=timezone.localdate(),
            reference="X",
            **payout_to(claim),
            acting_user=personas.bpjs_officer,
        )


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"reference": " "}, "payout_reference_required"),
        ({"amount": 0}, "amount_invalid"),
        ({"paid_on": timezone.localdate() + dt.timedelta(days=1)}, "payout_date_future"),
        ({"paid_on": timezone.localdate() - dt.timedelta(days=3)}, "payout_before_approval"),
        # Who was paid and how is never left out (issue 9).
        ({"method": ""}, "payout_method_required"),
        ({"method": "tidak_tercatat"}, "payout_method_required"),
        ({"payee_heir": None}, "payout_payee_required"),
        ({"payee_heir": None, "account": "123"}, "payout_payee_required"),
    ],
)
def test_payout_checks(personas, jkm_claim, kwargs, code):
    claim = walk(jkm_claim, personas, Status.APPROVED)
    values = {"amount": 42_000_000, "paid_on": timezone.localdate(), "reference": "TRF-9"}
    values.update(payout_to(claim))
    values.update(kwargs)
    with pytest.raises(DomainError) as exc:
        services.claim_payout_record(claim=claim, acting_user=personas.bpjs_officer, **values)
    assert exc.value.code == code


def test_bpjs_may_approve_a_different_amount(personas, jkm_claim):
    claim = walk(jkm_claim, personas, Status.UNDER_REVIEW)
    claim = services.claim_approve(
        claim=claim, amount=10_000_000, note="masa iur", acting_user=personas.bpjs_officer
    )
    assert (claim.approved_amount, claim.estimated_amount) == (10_000_000, 42_000_000)


def test_outsiders_cannot_act_on_a_claim(personas, jkm_claim):
    with pytest.raises(NotFoundOrForbidden):
        services.claim_documents_confirm(claim=jkm_claim, acting_user=personas.outsider)


def test_refresh_rechecks_eligibility(personas, jkm_claim):
    Membership.objects.filter(pk=jkm_claim.membership_id).update(status="pending")
    jkm_claim.refresh_from_db()
    claim = services.claim_eligibility_refresh(claim=jkm_claim, acting_user=personas.dinas_operator)
    assert "membership_pending" in {f["code"] for f in claim.eligibility}


def test_confirming_a_benefit_row_needs_reference_manage(personas):
    from jamsos.claims.models import BenefitRule

    rule = BenefitRule.objects.get(code="jkk_meninggal_biaya_pemakaman")
    with pytest.raises(PermissionDenied):
        services.benefit_rule_confirm(rule=rule, checked="x", acting_user=personas.dinas_head)
    rule = services.benefit_rule_confirm(
        rule=rule, checked="Lampiran III PP 82/2019 dibaca", acting_user=personas.admin
    )
    assert rule.confirmed
    assert "Lampiran III PP 82/2019 dibaca" in rule.note


def test_a_death_benefit_is_paid_to_an_heir_of_this_claim(personas, jkm_claim, make_membership):
    other = services.claim_report(
        membership=make_membership(),
        claim_type="jkm",
        event_date=day_in(months_ago(1)),
        heirs=[services.HeirData(full_name="Orang Lain", relationship="child")],
        acting_user=personas.dinas_operator,
    )
    claim = walk(jkm_claim, personas, Status.APPROVED)
    with pytest.raises(DomainError) as exc:
        services.claim_payout_record(
            claim=claim,
            amount=42_000_000,
            paid_on=timezone.localdate(),
            reference="TRF-1",
            method="transfer",
            payee_heir=other.heirs.get(),
            acting_user=personas.bpjs_officer,
        )
    assert exc.value.code == "payout_payee_other_claim"
    heir = claim.heirs.get(is_payee=True)
    heir.bank_account = ""
    heir.save()
    with pytest.raises(DomainError) as exc:
        services.claim_payout_record(
            claim=claim,
            amount=42_000_000,
            paid_on=timezone.localdate(),
            reference="TRF-1",
            method="transfer",
            payee_heir=heir,
            acting_user=personas.bpjs_officer,
        )
    assert exc.value.code == "payout_account_required"
    claim = services.claim_payout_record(
        claim=claim,
        amount=42_000_000,
        paid_on=timezone.localdate(),
        reference="KWT-1",
        method="tunai",
        payee_heir=heir,
        acting_user=personas.bpjs_officer,
    )
    assert (claim.payout_payee_heir, claim.payout_payee_name, claim.payout_method) == (
        heir,
        heir.full_name,
        "tunai",
    )
    event = AuditEvent.objects.filter(action="claims.claim.paid").get()
    assert event.data["method"] == "tunai"
    assert event.data["payee"] == {
        "heir": heir.pk,
        "relationship": heir.relationship,
        "name": heir.full_name,
    }


def test_other_jkk_benefits_are_paid_to_the_worker(personas, make_membership):
    membership = make_membership()
    claim = services.claim_report(
        membership=membership,
        claim_type="jkk_medical",
        event_date=day_in(months_ago(1)),
        medical_costs=3_000_000,
        heirs=[services.HeirData(full_name="Istri", relationship="spouse")],
        acting_user=personas.dinas_operator,
    )
    claim = walk(claim, personas, Status.APPROVED)
    with pytest.raises(DomainError) as exc:
        services.claim_payout_record(
            claim=claim,
            amount=3_000_000,
            paid_on=timezone.localdate(),
            reference="TRF-2",
            method="transfer",
            payee_heir=claim.heirs.get(),
            account="1234567890",
            acting_user=personas.bpjs_officer,
        )
    assert exc.value.code == "payout_payee_worker"
    claim = services.claim_payout_record(
        claim=claim,
        amount=3_000_000,
        paid_on=timezone.localdate(),
        reference="TRF-2",
        method="transfer",
        bank="Bank Nagari",
        account="12.345.678-90",
        acting_user=personas.bpjs_officer,
    )
    assert (claim.payout_payee_name, claim.payout_account, claim.payout_bank) == (
        membership.person.full_name,
        "1234567890",
        "Bank Nagari",
    )
