"""Claims fixtures: memberships made directly (the enrollment app makes them in real use),
a small valid PDF, and a claim walked to any stage of the workflow."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jamsos.budget import services as budget_services
from jamsos.budget.models import FundingSource
from jamsos.claims import services
from jamsos.claims.models import PAID_TO_HEIR_TYPES, Claim
from jamsos.claims.selectors import document_checklist
from jamsos.enrollment.models import Membership
from jamsos.lib.periods import Month
from jamsos.registry.models import Person
from jamsos.testing.factories import PersonFactory, region

AGENT_NAGARI = "13.03.03.2001"  # the personas' agent works here
OTHER_KECAMATAN_NAGARI = "13.03.04.2001"  # Kecamatan Sijunjung, outside the camat's area

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def pdf_upload(name: str = "dokumen.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def months_ago(n: int) -> Month:
    return Month.current() - n  # type: ignore[return-value]


def day_in(month: Month, day: int = 10) -> dt.date:
    """A day of ``month`` that is not after today."""
    return min(month.first_day().replace(day=day), timezone.localdate())


def payout_to(claim: Claim) -> dict[str, object]:
    """Payee and method of a transfer: the claim's payee heir for a death or scholarship,
    the worker (with an account) for other JKK benefits."""
    if claim.claim_type in PAID_TO_HEIR_TYPES:
        heir = claim.heirs.order_by("-is_payee", "pk").first()
        account = "" if heir is not None and heir.bank_account else "9876543210"
        return {"method": "transfer", "payee_heir": heir, "account": account}
    return {"method": "transfer", "payee_heir": None, "account": "9876543210"}


@pytest.fixture
def apbd(db) -> FundingSource:
    return budget_services.funding_source_create(
        region=region("13.03"),
        kind=FundingSource.Kind.APBD,
        name="APBD Sijunjung",
        acting_user=None,
    )


@pytest.fixture
def make_membership(apbd) -> Callable[..., Membership]:
    def make(
        *,
        village: str = AGENT_NAGARI,
        first: Month | None = None,
        last: Month | None = None,
        status: str = Membership.Status.ACTIVE,
        programmes: tuple[str, ...] = ("jkk", "jkm"),
        person: Person | None = None,
        declared_income: int | None = None,
    ) -> Membership:
        person = person or PersonFactory(village=region(village), declared_income=declared_income)
        first = first or months_ago(48)
        last = last or Month.current() + 6
        return Membership.objects.create(
            person=person,
            segment="bpu",
            programmes=list(programmes),
            funding_source=apbd,
            village=person.village,
            kpj_number=f"26{person.pk:09d}",
            first_month=first.first_day(),
            last_month=last.first_day(),
            status=status,
        )

    return make


@pytest.fixture
def membership(make_membership) -> Membership:
    return make_membership()


def upload_required(claim: Claim, user) -> None:
    """Upload a file for every required item still missing (conditions included)."""
    for item in document_checklist(claim=claim).missing:
        services.claim_document_upload(
            claim=claim, requirement=item.requirement, upload=pdf_upload(), acting_user=user
        )


def walk(claim: Claim, personas, to: str) -> Claim:
    """Take a reported claim along the happy path up to status ``to``."""
    steps: list[tuple[str, Callable[[Claim], Claim]]] = [
        (Claim.Status.DOCUMENTS_COMPLETE, lambda c: _complete(c, personas)),
        (
            Claim.Status.SUBMISSION_PREPARED,
            lambda c: services.claim_submission_prepare(
                claim=c, acting_user=personas.dinas_operator
            ),
        ),
        (
            Claim.Status.SUBMITTED,
            lambda c: services.claim_submission_approve(claim=c, acting_user=personas.dinas_head),
        ),
        (
            Claim.Status.UNDER_REVIEW,
            lambda c: services.claim_review_start(claim=c, acting_user=personas.bpjs_officer),
        ),
        (
            Claim.Status.APPROVED,
            lambda c: services.claim_approve(claim=c, acting_user=personas.bpjs_officer),
        ),
        (
            Claim.Status.PAID,
            lambda c: services.claim_payout_record(
                claim=c,
                amount=c.approved_amount,
                paid_on=timezone.localdate(),
                reference="TRF-0001",
                **payout_to(c),
                acting_user=personas.bpjs_officer,
            ),
        ),
    ]
    for status, step in steps:
        claim = step(claim)
        if status == to:
            return claim
    raise AssertionError(f"unknown stage {to}")


def _complete(claim: Claim, personas) -> Claim:
    upload_required(claim, personas.dinas_operator)
    return services.claim_documents_confirm(claim=claim, acting_user=personas.dinas_operator)


@pytest.fixture
def jkm_claim(personas, membership) -> Claim:
    """A JKM claim reported by the agent, with the spouse as payee."""
    return services.claim_report(
        membership=membership,
        claim_type="jkm",
        event_date=day_in(months_ago(1)),
        chronology="Meninggal di rumah karena sakit.",
        acting_user=personas.agent,
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
