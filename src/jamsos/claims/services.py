"""Writes of claims: report, heirs, documents, the Dinas maker-checker, BPJS decisions.

Every service is keyword-only, atomic, checks the named permission and the claim's region
against the acting user's scope, guards the status transition on a locked row, writes a
``ClaimTransition`` for the SLA clocks and an audit event in the same transaction.

Workflow::

    reported ──(operator: berkas lengkap)──► documents_complete
      │                                        │ (operator: siapkan pengajuan)
      ▼ withdrawn (operator, with reason)      ▼
                                 submission_prepared ──(head: kembalikan)──► documents_complete
                                       │ (head ≠ preparer: setujui)
                                       ▼
                                  submitted ──(BPJS)──► under_review ──► approved ──► paid
                                                             └──────► rejected (reason)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from uuid import uuid4

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from jamsos.accounts.access import region_in_scope, require_perm
from jamsos.accounts.models import User
from jamsos.audit.services import audit_record
from jamsos.claims import selectors
from jamsos.claims.benefits import BenefitInputError
from jamsos.claims.documents import document_check
from jamsos.claims.eligibility import ChildInfo, Eligibility, claim_eligibility
from jamsos.claims.letters import mask_account
from jamsos.claims.models import (
    DEATH_TYPES,
    PAID_TO_HEIR_TYPES,
    BeasiswaOrigin,
    BenefitRule,
    Claim,
    ClaimDocument,
    ClaimHeir,
    ClaimParameter,
    ClaimTransition,
    ClaimType,
    DocumentRequirement,
    EducationLevel,
    PayoutMethod,
)
from jamsos.claims.rules import RuleMissing
from jamsos.contributions.services.adjustments import membership_months_credit_unchecked
from jamsos.enrollment.models import Membership
from jamsos.enrollment.services.coverage import memberships_end_for_death_unchecked
from jamsos.lib.errors import DomainError, InvalidTransition, NotFoundOrForbidden, PermissionDenied
from jamsos.lib.formats import rupiah, tanggal
from jamsos.lib.nik import nik_mask, nik_parse
from jamsos.lib.periods import Month
from jamsos.regions.selectors import region_codebook
from jamsos.registry.models import Heir
from jamsos.registry.services import person_mark_deceased_unchecked

Status = Claim.Status
_ACCOUNT = re.compile(r"[0-9]{5,20}")
# Documents may still arrive while BPJS reviews (it may ask for more); not after a decision.
UPLOAD_STATUSES = frozenset(
    {
        Status.REPORTED,
        Status.DOCUMENTS_COMPLETE,
        Status.SUBMISSION_PREPARED,
        Status.SUBMITTED,
        Status.UNDER_REVIEW,
    }
)
HEIR_STATUSES = frozenset({Status.REPORTED, Status.DOCUMENTS_COMPLETE})


@dataclass(frozen=True)
class HeirData:
    full_name: str
    relationship: str
    nik: str = ""
    birth_date: dt.date | None = None
    phone: str = ""
    bank_name: str = ""
    bank_account: str = ""
    account_holder: str = ""
    is_payee: bool = False
    education_level: str = ""
    school_name: str = ""


# --- Helpers ------------------------------------------------------------------------------


def _in_scope(acting_user: User, claim: Claim) -> None:
    if not region_in_scope(acting_user, claim.village_id):
        raise NotFoundOrForbidden(gettext("Klaim tidak ditemukan."))


def _lock(claim: Claim) -> Claim:
    return Claim.objects.select_for_update().get(pk=claim.pk)


def _transition_start(
    claim: Claim, acting_user: User, *, perm: str, allowed: Iterable[str], action: str
) -> Claim:
    """Every workflow step begins the same way: permission, scope, lock, then the state
    check on the locked row (so two clicks cannot both pass it)."""
    require_perm(acting_user, perm)
    _in_scope(acting_user, claim)
    claim = _lock(claim)
    _guard(claim, allowed, action)
    return claim


def _guard(claim: Claim, allowed: Iterable[str], action: str) -> None:
    if claim.status not in allowed:
        raise InvalidTransition(
            gettext("Klaim %(claim)s berstatus “%(status)s”; tidak dapat %(action)s.")
            % {"claim": claim, "status": claim.get_status_display(), "action": action},
            code="claim_invalid_transition",
            status=claim.status,
        )


def _move(claim: Claim, to: str, acting_user: User, *, note: str = "") -> ClaimTransition:
    now = timezone.now()
    old = claim.status
    claim.status = to
    claim.status_changed_at = now
    claim.full_clean()
    claim.save()
    transition = ClaimTransition.objects.create(
        claim=claim,
        from_status=old,
        to_status=to,
        at=now,
        actor=acting_user,
        agency=acting_user.agency,
        note=note,
    )
    _stage_effects(claim, transition, acting_user)
    return transition


def _stage_effects(claim: Claim, transition: ClaimTransition, acting_user: User) -> None:
    """In the step's transaction: the heirs and the agent hear of the new stage (the
    outbox), and a rejected or withdrawn death claim reopens the JKM follow-up."""
    from jamsos.messaging.services import message_enqueue
    from jamsos.outreach.services import followup_claim_ended_unchecked

    message_enqueue("claims.claim.stage", {"claim": claim, "transition": transition.pk})
    if claim.status in (Status.REJECTED, Status.WITHDRAWN):
        followup_claim_ended_unchecked(claim=claim, acting_user=acting_user)


def _reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise DomainError(gettext("Alasan wajib diisi."), code="reason_required")
    return text


def _children(claim: Claim) -> list[ChildInfo]:
    return [
        ChildInfo(name=h.full_name, birth_date=h.birth_date, level=h.education_level)
        for h in claim.heirs.all()
        if h.relationship == Heir.Relationship.CHILD and h.education_level
    ]


def claim_eligibility_check(claim: Claim) -> Eligibility:
    """The rules applied to a claim as recorded (no write)."""
    return claim_eligibility(
        membership=claim.membership,
        claim_type=claim.claim_type,
        event_date=claim.event_date,
        event_time=claim.event_time,
        reported_at=claim.reported_at,
        origin=claim.origin,
        children=_children(claim),
    )


def _store_eligibility(claim: Claim) -> Eligibility:
    result = claim_eligibility_check(claim)
    claim.eligibility = result.as_list()
    claim.months_paid = result.months_paid
    return result


# --- Report --------------------------------------------------------------------------------


def _check_report(
    *,
    membership: Membership,
    claim_type: str,
    event_date: dt.date,
    origin: str,
    acting_user: User,
) -> None:
    if not region_in_scope(acting_user, membership.village_id):
        raise NotFoundOrForbidden(gettext("Kepesertaan tidak ditemukan."))
    if claim_type not in ClaimType.values:
        raise DomainError(
            gettext('Jenis klaim "%(claim_type)s" tidak dikenal.') % {"claim_type": claim_type},
            code="claim_type_unknown",
        )
    if claim_type == ClaimType.BEASISWA and origin not in BeasiswaOrigin.values:
        raise DomainError(
            gettext("Beasiswa: pilih dasar beasiswa (peserta meninggal atau cacat total tetap)."),
            code="beasiswa_origin_required",
        )
    if event_date > timezone.localdate():
        raise DomainError(
            gettext("Tanggal kejadian %(event_date)s di masa depan.")
            % {"event_date": tanggal(event_date)},
            code="event_in_future",
        )
    if claim_type in DEATH_TYPES:
        other = (
            Claim.objects.filter(person_id=membership.person_id, claim_type__in=DEATH_TYPES)
            .exclude(status__in=[Status.REJECTED, Status.WITHDRAWN])
            .first()
        )
        if other is not None:
            raise DomainError(
                gettext("Kematian peserta ini sudah dilaporkan pada klaim %(other)s.")
                % {"other": other},
                code="claim_duplicate",
                claim=other.pk,
            )
    duplicate = (
        Claim.objects.filter(membership=membership, claim_type=claim_type, event_date=event_date)
        .exclude(status__in=[Status.REJECTED, Status.WITHDRAWN])
        .first()
    )
    if duplicate is not None:
        raise DomainError(
            gettext("Klaim yang sama sudah dilaporkan: %(duplicate)s.") % {"duplicate": duplicate},
            code="claim_duplicate",
            claim=duplicate.pk,
        )


@transaction.atomic
def claim_report(
    *,
    membership: Membership,
    claim_type: str,
    event_date: dt.date,
    acting_user: User,
    chronology: str = "",
    event_time: dt.time | None = None,
    event_place: str = "",
    origin: str = "",
    reporter_contact: str = "",
    income: int | None = None,
    stmb_days: int | None = None,
    disability_code: str = "",
    medical_costs: int | None = None,
    heirs: Iterable[HeirData] = (),
    copy_registry_heirs: bool = True,
) -> Claim:
    """Record the first report of a claim and check its eligibility at the event date.

    Broken eligibility rules do not stop the report (the family's report is a fact worth
    keeping); they are stored on the claim and block the submission to BPJS.
    """
    require_perm(acting_user, "claims.report_claim")
    _check_report(
        membership=membership,
        claim_type=claim_type,
        event_date=event_date,
        origin=origin,
        acting_user=acting_user,
    )
    claim = Claim(
        membership=membership,
        person_id=membership.person_id,
        village_id=membership.village_id,
        funding_source_id=membership.funding_source_id,
        claim_type=claim_type,
        origin=origin if claim_type == ClaimType.BEASISWA else "",
        event_date=event_date,
        event_time=event_time,
        event_place=event_place.strip(),
        chronology=chronology.strip(),
        reported_by=acting_user,
        reporter_agency=acting_user.agency,
        reporter_contact=reporter_contact.strip(),
        income=income,
        stmb_days=stmb_days,
        disability_code=disability_code,
        medical_costs=medical_costs,
    )
    # A placeholder until the primary key gives the number: unique, never shown.
    claim.reference = f"TMP-{uuid4().hex[:16]}"
    claim.full_clean()
    claim.save()
    claim.reference = f"KLM-{claim.reported_at:%Y}-{claim.pk:06d}"
    heir_rows = list(heirs)
    for data in heir_rows:
        _heir_create(claim=claim, data=data)
    if copy_registry_heirs and not heir_rows:
        for heir in Heir.objects.filter(person_id=membership.person_id):
            _heir_create(claim=claim, data=_from_registry(heir), registry_heir=heir)
    result = _store_eligibility(claim)
    claim.save()
    ClaimTransition.objects.create(
        claim=claim,
        from_status="",
        to_status=Status.REPORTED,
        at=claim.reported_at,
        actor=acting_user,
        agency=acting_user.agency,
    )
    audit_record(
        action="claims.claim.reported",
        acting_user=acting_user,
        obj=claim,
        after={
            "type": claim_type,
            "event_date": event_date.isoformat(),
            "membership": membership.pk,
        },
        data={"findings": result.codes(), "months_paid": result.months_paid},
    )
    _reported_effects(claim, acting_user)
    return claim


def _reported_effects(claim: Claim, acting_user: User) -> None:
    """A filed death claim closes the person's JKM follow-up; the family and the agent
    hear the claim was received."""
    from jamsos.messaging.services import message_enqueue
    from jamsos.outreach.services import followup_claim_filed_unchecked

    followup_claim_filed_unchecked(claim=claim, acting_user=acting_user)
    message_enqueue("claims.claim.stage", {"claim": claim, "transition": "reported"})


# --- Heirs ---------------------------------------------------------------------------------


def _from_registry(heir: Heir) -> HeirData:
    return HeirData(
        full_name=heir.full_name,
        relationship=heir.relationship,
        nik=heir.nik,
        birth_date=heir.birth_date,
        phone=heir.phone,
        bank_name=heir.bank_name,
        bank_account=heir.bank_account,
    )


def _clean_heir(data: HeirData) -> HeirData:
    name = " ".join(data.full_name.split())
    if not name:
        raise DomainError(gettext("Nama ahli waris wajib diisi."), code="heir_name_required")
    nik = ""
    if data.nik.strip():
        parsed = nik_parse(data.nik, codebook=region_codebook(), birth_date=data.birth_date)
        if not parsed.valid:
            code, message = parsed.messages()[0]
            raise DomainError(
                gettext("NIK ahli waris %(name)s: %(message)s")
                % {"name": name, "message": message},
                code=code,
                field="nik",
            )
        nik = parsed.nik
    account = re.sub(r"[\s.\-]", "", data.bank_account)
    if account and not _ACCOUNT.fullmatch(account):
        raise DomainError(
            gettext("Nomor rekening %(name)s harus 5–20 angka (diisi: “%(bank_account)s”).")
            % {"name": name, "bank_account": data.bank_account},
            code="heir_account_format",
            field="bank_account",
        )
    if data.education_level and data.education_level not in EducationLevel.values:
        raise DomainError(
            gettext("Jenjang pendidikan tidak dikenal."), code="education_level_unknown"
        )
    if data.education_level and data.relationship != Heir.Relationship.CHILD:
        raise DomainError(
            gettext("Jenjang pendidikan hanya untuk anak (beasiswa)."),
            code="education_level_not_child",
        )
    return HeirData(
        full_name=name,
        relationship=data.relationship,
        nik=nik,
        birth_date=data.birth_date,
        phone=data.phone.strip(),
        bank_name=data.bank_name.strip(),
        bank_account=account,
        account_holder=" ".join(data.account_holder.split()),
        is_payee=data.is_payee,
        education_level=data.education_level,
        school_name=data.school_name.strip(),
    )


def _heir_create(*, claim: Claim, data: HeirData, registry_heir: Heir | None = None) -> ClaimHeir:
    data = _clean_heir(data)
    if data.is_payee:
        claim.heirs.filter(is_payee=True).update(is_payee=False)
    heir = ClaimHeir(claim=claim, registry_heir=registry_heir, **asdict(data))
    heir.full_clean()
    heir.save()
    return heir


@transaction.atomic
def claim_heir_add(
    *, claim: Claim, data: HeirData, acting_user: User, registry_heir: Heir | None = None
) -> ClaimHeir:
    """Add an heir (or a child, for a scholarship) before the claim is submitted."""
    if not (
        acting_user.has_perm("claims.report_claim")
        or acting_user.has_perm("claims.prepare_submission")
    ):
        raise PermissionDenied(gettext("Anda tidak berwenang untuk tindakan ini."))
    _in_scope(acting_user, claim)
    claim = _lock(claim)
    _guard(claim, HEIR_STATUSES, "menambah ahli waris")
    if registry_heir is not None and registry_heir.person_id != claim.person_id:
        raise DomainError(
            gettext("Ahli waris itu bukan milik peserta ini."), code="heir_other_person"
        )
    heir = _heir_create(claim=claim, data=data, registry_heir=registry_heir)
    _store_eligibility(claim)
    claim.save(update_fields=["eligibility", "months_paid"])
    audit_record(
        action="claims.heir.added",
        acting_user=acting_user,
        obj=claim,
        data={
            "heir": heir.pk,
            "relationship": heir.relationship,
            "nik": nik_mask(heir.nik) if heir.nik else "",
            "registry_heir": registry_heir.pk if registry_heir else None,
        },
    )
    return heir


# --- Documents -----------------------------------------------------------------------------


@transaction.atomic
def claim_document_upload(
    *,
    claim: Claim,
    requirement: DocumentRequirement,
    upload: UploadedFile,
    acting_user: User,
) -> ClaimDocument:
    """Keep one file for one checklist item, after checking its type, size and content."""
    if not (
        acting_user.has_perm("claims.report_claim")
        or acting_user.has_perm("claims.prepare_submission")
    ):
        raise PermissionDenied(gettext("Anda tidak berwenang untuk tindakan ini."))
    _in_scope(acting_user, claim)
    claim = _lock(claim)
    _guard(claim, UPLOAD_STATUSES, "menerima dokumen")
    if requirement.claim_type != claim.claim_type or not requirement.is_active:
        raise DomainError(
            gettext("“%(label)s” bukan dokumen untuk klaim %(claim_type)s.")
            % {"label": requirement.label, "claim_type": claim.get_claim_type_display()},
            code="document_requirement_mismatch",
        )
    checked = document_check(upload)
    document = ClaimDocument(
        claim=claim,
        requirement=requirement,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=acting_user,
    )
    # The file is written to MEDIA_ROOT here; a rollback afterwards leaves an orphan file
    # but never a row without its file.
    document.file.save(checked.name, upload, save=False)
    document.full_clean()
    document.save()
    audit_record(
        action="claims.document.uploaded",
        acting_user=acting_user,
        obj=claim,
        data={
            "document": document.pk,
            "requirement": requirement.code,
            "name": checked.name,
            "size": checked.size,
            "sha256": checked.sha256,
        },
    )
    return document


# --- The Dinas: documents complete, maker-checker submission ------------------------------


@transaction.atomic
def claim_documents_confirm(*, claim: Claim, acting_user: User) -> Claim:
    """The operator checked the file: every required document is there."""
    claim = _transition_start(
        claim,
        acting_user,
        perm="claims.prepare_submission",
        allowed={Status.REPORTED},
        action="dinyatakan lengkap",
    )
    checklist = selectors.document_checklist(claim=claim)
    if not checklist.complete:
        names = "; ".join(item.requirement.label for item in checklist.missing)
        raise DomainError(
            gettext("Berkas belum lengkap. Dokumen wajib yang belum ada: %(names)s.")
            % {"names": names},
            code="documents_incomplete",
            missing=[item.requirement.code for item in checklist.missing],
        )
    claim.documents_completed_at = timezone.now()
    _move(claim, Status.DOCUMENTS_COMPLETE, acting_user)
    audit_record(
        action="claims.claim.documents_completed",
        acting_user=acting_user,
        obj=claim,
        data={"documents": checklist.required_present},
    )
    return claim


@transaction.atomic
def claim_submission_prepare(*, claim: Claim, acting_user: User) -> Claim:
    """The operator prepares the submission (maker): eligibility re-checked, estimate frozen."""
    claim = _transition_start(
        claim,
        acting_user,
        perm="claims.prepare_submission",
        allowed={Status.DOCUMENTS_COMPLETE},
        action="disiapkan untuk diajukan",
    )
    result = _store_eligibility(claim)
    if not result.eligible:
        claim.save(update_fields=["eligibility", "months_paid"])
        messages = " ".join(f.message for f in result.errors)
        raise DomainError(
            gettext("Klaim tidak memenuhi syarat: %(messages)s") % {"messages": messages},
            code="claim_not_eligible",
            findings=[f.code for f in result.errors],
        )
    try:
        estimate = selectors.claim_estimate(claim=claim)
    except (BenefitInputError, RuleMissing) as exc:
        raise DomainError(
            gettext("Perkiraan manfaat tidak dapat dihitung: %(message)s")
            % {"message": exc.message},
            code=exc.code,
        ) from exc
    claim.estimate = estimate.as_dict()
    claim.estimated_amount = estimate.total
    claim.prepared_by = acting_user
    claim.prepared_at = timezone.now()
    _move(claim, Status.SUBMISSION_PREPARED, acting_user)
    audit_record(
        action="claims.claim.submission_prepared",
        acting_user=acting_user,
        obj=claim,
        data={"estimated_amount": estimate.total, "unconfirmed": list(estimate.unconfirmed)},
    )
    return claim


@transaction.atomic
def claim_submission_approve(*, claim: Claim, acting_user: User) -> Claim:
    """The Dinas head approves (checker): the claim is submitted to BPJS with its letter."""
    claim = _transition_start(
        claim,
        acting_user,
        perm="claims.approve_submission",
        allowed={Status.SUBMISSION_PREPARED},
        action="disetujui",
    )
    if claim.prepared_by_id == acting_user.pk:
        raise PermissionDenied(
            gettext("Pengajuan harus disetujui oleh orang lain dari yang menyiapkannya."),
            code="maker_checker",
        )
    now = timezone.now()
    claim.approved_by = acting_user
    claim.submitted_at = now
    agency = (acting_user.agency.code if acting_user.agency else "DINAS").upper()
    claim.letter_number = f"{claim.reference}/{agency}/{now:%Y}"
    _move(claim, Status.SUBMITTED, acting_user)
    audit_record(
        action="claims.claim.submission_approved",
        acting_user=acting_user,
        obj=claim,
        data={"letter_number": claim.letter_number, "prepared_by": claim.prepared_by_id},
    )
    return claim


@transaction.atomic
def claim_submission_return(*, claim: Claim, reason: str, acting_user: User) -> Claim:
    """The Dinas head sends a prepared submission back to the operator, with a reason."""
    require_perm(acting_user, "claims.approve_submission")
    _in_scope(acting_user, claim)
    reason = _reason(reason)
    claim = _lock(claim)
    _guard(claim, {Status.SUBMISSION_PREPARED}, "dikembalikan")
    claim.prepared_by = None
    claim.prepared_at = None
    _move(claim, Status.DOCUMENTS_COMPLETE, acting_user, note=reason)
    audit_record(
        action="claims.claim.submission_returned",
        acting_user=acting_user,
        obj=claim,
        data={"reason": reason},
    )
    return claim


@transaction.atomic
def claim_withdraw(*, claim: Claim, reason: str, acting_user: User) -> Claim:
    """The Dinas closes a claim that will not go to BPJS (duplicate, not eligible…)."""
    require_perm(acting_user, "claims.prepare_submission")
    _in_scope(acting_user, claim)
    reason = _reason(reason)
    claim = _lock(claim)
    _guard(claim, {Status.REPORTED, Status.DOCUMENTS_COMPLETE}, "dibatalkan")
    claim.withdrawn_reason = reason
    _move(claim, Status.WITHDRAWN, acting_user, note=reason)
    audit_record(
        action="claims.claim.withdrawn", acting_user=acting_user, obj=claim, data={"reason": reason}
    )
    return claim


@transaction.atomic
def claim_eligibility_refresh(*, claim: Claim, acting_user: User) -> Claim:
    """Check the rules again (after contributions were recorded, heirs added…)."""
    require_perm(acting_user, "claims.view_claims")
    _in_scope(acting_user, claim)
    claim = _lock(claim)
    before = [f["code"] for f in claim.eligibility]
    result = _store_eligibility(claim)
    claim.save(update_fields=["eligibility", "months_paid"])
    audit_record(
        action="claims.claim.eligibility_checked",
        acting_user=acting_user,
        obj=claim,
        before={"findings": before},
        after={"findings": result.codes(), "months_paid": result.months_paid},
    )
    return claim


# --- BPJS: review, decision, payout --------------------------------------------------------


@transaction.atomic
def claim_review_start(*, claim: Claim, acting_user: User) -> Claim:
    claim = _transition_start(
        claim,
        acting_user,
        perm="claims.decide_claim",
        allowed={Status.SUBMITTED},
        action="mulai diperiksa",
    )
    claim.review_started_at = timezone.now()
    _move(claim, Status.UNDER_REVIEW, acting_user)
    audit_record(action="claims.claim.review_started", acting_user=acting_user, obj=claim)
    return claim


@transaction.atomic
def claim_approve(
    *, claim: Claim, acting_user: User, amount: int | None = None, note: str = ""
) -> Claim:
    """BPJS approves; the amount defaults to the estimate frozen at submission."""
    claim = _transition_start(
        claim,
        acting_user,
        perm="claims.decide_claim",
        allowed={Status.UNDER_REVIEW},
        action="disetujui",
    )
    approved = claim.estimated_amount if amount is None else amount
    if isinstance(approved, bool) or not isinstance(approved, int) or approved <= 0:
        raise DomainError(
            gettext("Jumlah manfaat yang disetujui harus lebih dari Rp 0."), code="amount_invalid"
        )
    claim.approved_amount = approved
    claim.decided_by = acting_user
    claim.decided_at = timezone.now()
    _move(claim, Status.APPROVED, acting_user, note=note.strip())
    audit_record(
        action="claims.claim.approved",
        acting_user=acting_user,
        obj=claim,
        data={"amount": approved, "estimated_amount": claim.estimated_amount},
    )
    return claim


@transaction.atomic
def claim_reject(*, claim: Claim, reason: str, acting_user: User) -> Claim:
    require_perm(acting_user, "claims.decide_claim")
    _in_scope(acting_user, claim)
    reason = _reason(reason)
    claim = _lock(claim)
    _guard(claim, {Status.UNDER_REVIEW}, "ditolak")
    claim.rejection_reason = reason
    claim.decided_by = acting_user
    claim.decided_at = timezone.now()
    _move(claim, Status.REJECTED, acting_user, note=reason)
    audit_record(
        action="claims.claim.rejected", acting_user=acting_user, obj=claim, data={"reason": reason}
    )
    return claim


@dataclass(frozen=True)
class Payee:
    """Whom a payout went to and on which account (copied onto the claim)."""

    heir: ClaimHeir | None
    name: str
    bank: str
    account: str


def _payee(
    claim: Claim, *, payee_heir: ClaimHeir | None, method: str, bank: str, account: str
) -> Payee:
    """The payee a payout must name: an heir of this claim for a death or scholarship,
    the worker for other JKK benefits; a transfer names the account it went to."""
    if method not in PayoutMethod.values or method == PayoutMethod.UNRECORDED:
        choices = ", ".join(m for m in PayoutMethod.values if m != PayoutMethod.UNRECORDED)
        raise DomainError(
            f"Pilih cara bayar ({choices}).", code="payout_method_required", field="method"
        )
    if claim.claim_type in PAID_TO_HEIR_TYPES:
        if payee_heir is None:
            raise DomainError(
                f"Klaim {claim.get_claim_type_display()} dibayar kepada ahli waris: pilih "
                "ahli waris penerima.",
                code="payout_payee_required",
                field="payee_heir",
            )
        if payee_heir.claim_id != claim.pk:
            raise DomainError(
                "Penerima itu bukan ahli waris pada klaim ini.",
                code="payout_payee_other_claim",
                field="payee_heir",
            )
        name = payee_heir.full_name
        bank = bank.strip() or payee_heir.bank_name
        account = account or payee_heir.bank_account
    else:
        if payee_heir is not None:
            raise DomainError(
                f"Manfaat {claim.get_claim_type_display()} dibayar kepada peserta sendiri, "
                "bukan ahli waris.",
                code="payout_payee_worker",
                field="payee_heir",
            )
        name = claim.person.full_name
    account = re.sub(r"[\s.\-]", "", account or "")
    if method == PayoutMethod.TRANSFER:
        if not account:
            raise DomainError(
                f"Transfer kepada {name}: nomor rekening penerima wajib diisi.",
                code="payout_account_required",
                field="account",
            )
        if not _ACCOUNT.fullmatch(account):
            raise DomainError(
                f"Nomor rekening {name} harus 5–20 angka.",
                code="payout_account_format",
                field="account",
            )
    else:
        account = ""
        bank = ""
    return Payee(heir=payee_heir, name=name, bank=bank.strip(), account=account)


@transaction.atomic
def claim_payout_record(
    *,
    claim: Claim,
    amount: int,
    paid_on: dt.date,
    reference: str,
    method: str,
    acting_user: User,
    payee_heir: ClaimHeir | None = None,
    bank: str = "",
    account: str = "",
) -> Claim:
    """BPJS records the payout: amount, date, reference, how it was paid and to whom.

    A death (JKM, JKK death) or scholarship benefit is paid to one of the claim's heirs;
    other JKK benefits to the worker. A transfer names the account (the heir's recorded
    account unless another is given).
    """
    require_perm(acting_user, "claims.record_payout")
    _in_scope(acting_user, claim)
    reference = (reference or "").strip()
    if not reference:
        raise DomainError(
            gettext("Referensi pembayaran wajib diisi."), code="payout_reference_required"
        )
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise DomainError(gettext("Jumlah dibayar harus lebih dari Rp 0."), code="amount_invalid")
    claim = _lock(claim)
    _guard(claim, {Status.APPROVED}, "dicatat pembayarannya")
    if paid_on > timezone.localdate():
        raise DomainError(
            gettext("Tanggal bayar tidak boleh di masa depan."), code="payout_date_future"
        )
    if claim.decided_at and paid_on < timezone.localdate(claim.decided_at):
        raise DomainError(
            gettext("Tanggal bayar %(paid_on)s sebelum klaim disetujui (%(decided_at)s).")
            % {"paid_on": tanggal(paid_on), "decided_at": tanggal(claim.decided_at)},
            code="payout_before_approval",
        )
    payee = _payee(claim, payee_heir=payee_heir, method=method, bank=bank, account=account)
    claim.payout_amount = amount
    claim.payout_date = paid_on
    claim.payout_reference = reference
    claim.payout_method = method
    claim.payout_payee_heir = payee.heir
    claim.payout_payee_name = payee.name
    claim.payout_bank = payee.bank
    claim.payout_account = payee.account
    claim.paid_by = acting_user
    claim.paid_at = timezone.now()
    note = ""
    if claim.approved_amount and amount != claim.approved_amount:
        note = f"Dibayar {rupiah(amount)}, disetujui {rupiah(claim.approved_amount)}."
    _move(claim, Status.PAID, acting_user, note=note)
    ended = _death_ends_cover(claim, acting_user) if claim.claim_type in DEATH_TYPES else {}
    audit_record(
        action="claims.claim.paid",
        acting_user=acting_user,
        obj=claim,
        data={
            "amount": amount,
            "paid_on": paid_on.isoformat(),
            "reference": reference,
            "method": method,
            "payee": {
                "heir": payee.heir.pk if payee.heir else None,
                "relationship": payee.heir.relationship if payee.heir else "worker",
                "name": payee.name,
            },
            "bank": payee.bank,
            "account": mask_account(payee.account),
            **ended,
        },
    )
    return claim


def _death_ends_cover(claim: Claim, acting_user: User) -> dict[str, object]:
    """A paid death claim ends the deceased's cover (issue 9), in the payout's
    transaction, each app writing its own rows and audit events:

    1. the registry records the person as deceased on the event date;
    2. the enrollment app ends every running membership in the month of death;
    3. the contributions app removes later months from draft bills and credits the
       months of sent bills after the death back to their funding sources.
    """
    died_on = claim.event_date
    because = f"klaim {claim.reference} dibayar"
    person_mark_deceased_unchecked(
        person=claim.person, deceased_on=died_on, acting_user=acting_user, source=because
    )
    ended = memberships_end_for_death_unchecked(
        person_id=claim.person_id, died_on=died_on, reason=because, acting_user=acting_user
    )
    credit = membership_months_credit_unchecked(
        membership_ids=list(
            Membership.objects.filter(person_id=claim.person_id).values_list("pk", flat=True)
        ),
        after=Month.from_date(died_on),
        reason=f"Peserta meninggal {tanggal(died_on)} ({because})",
        acting_user=acting_user,
    )
    return {
        "memberships_ended": [m.pk for m in ended],
        "months_credited": credit.total,
        "draft_lines_removed": credit.draft_lines_removed,
    }


# --- Regulation data ----------------------------------------------------------------------


def _regulation_row_confirm(
    *,
    row: BenefitRule | ClaimParameter,
    checked: str,
    acting_user: User,
    action: str,
    already: str,
) -> BenefitRule | ClaimParameter:
    """Mark one regulation row confirmed, saying what was read; shared by both tables."""
    require_perm(acting_user, "reference.manage")
    checked = _reason(checked)
    row = type(row).objects.select_for_update().get(pk=row.pk)
    if row.confirmed:
        raise DomainError(already, code="already_confirmed")
    row.confirmed = True
    row.note = f"{row.note}\nDikonfirmasi: {checked}".strip()
    row.full_clean()
    row.save()
    audit_record(action=action, acting_user=acting_user, obj=row, data={"checked": checked})
    return row


@transaction.atomic
def benefit_rule_confirm(*, rule: BenefitRule, checked: str, acting_user: User) -> BenefitRule:
    """An admin confirms a benefit row against the regulation text, saying what was read."""
    return _regulation_row_confirm(  # type: ignore[return-value]
        row=rule,
        checked=checked,
        acting_user=acting_user,
        action="claims.benefit_rule.confirmed",
        already="Baris ini sudah terkonfirmasi.",
    )


@transaction.atomic
def claim_parameter_confirm(
    *, parameter: ClaimParameter, checked: str, acting_user: User
) -> ClaimParameter:
    """An admin confirms a claim parameter (deadline, limit) against the regulation."""
    return _regulation_row_confirm(  # type: ignore[return-value]
        row=parameter,
        checked=checked,
        acting_user=acting_user,
        action="claims.parameter.confirmed",
        already="Parameter ini sudah terkonfirmasi.",
    )
