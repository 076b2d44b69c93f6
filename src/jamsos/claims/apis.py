"""REST API of claims: one operation per action, explicit In/Out schemas (STYLE.md 13).

Same rules as the pages: ``access_claim`` for every claim (missing and forbidden are both
404), services check permissions again (403), DPRD and the executive get the dashboard and
"claims paid" totals but no claim. Heirs' bank accounts are masked unless the caller may see
them (BPJS and the Dinas). Money is integer rupiah; dates ISO; months ``"YYYY-MM"``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from jamsos.accounts.access import require_perm
from jamsos.api.schemas import Count, Id, PageIn, PageMetaOut, Rupiah, paginate
from jamsos.audit.services import CLAIM_DETAIL_FIELDS, personal_data_access_log
from jamsos.claims import access, letters, selectors, services
from jamsos.claims.benefits import benefit_estimate, estimate_shown
from jamsos.claims.eligibility import findings_shown
from jamsos.claims.letters import mask_account
from jamsos.claims.models import Claim, ClaimHeir, DocumentRequirement
from jamsos.lib.errors import DomainError, PermissionDenied
from jamsos.lib.nik import nik_mask
from jamsos.lib.periods import Month

router = Router(tags=["claims"])

MONTH_PATTERN = r"^\d{4}-\d{2}$"


def _user(request: HttpRequest) -> Any:
    return request.user


# --- Schemas -------------------------------------------------------------------------------


class HeirIn(Schema):
    full_name: str
    relationship: str = Field(examples=["spouse"])
    nik: str = ""
    birth_date: dt.date | None = None
    phone: str = ""
    bank_name: str = ""
    bank_account: str = ""
    account_holder: str = ""
    is_payee: bool = False
    education_level: str = ""
    school_name: str = ""

    def data(self) -> services.HeirData:
        return services.HeirData(**self.dict())


class HeirOut(Schema):
    id: int
    full_name: str
    relationship: str
    nik: str
    birth_date: dt.date | None
    bank_name: str
    bank_account: str = Field(description="Disamarkan kecuali untuk BPJS dan Disnakertrans.")
    is_payee: bool
    education_level: str
    registry_heir: int | None

    @staticmethod
    def of(heir: ClaimHeir, *, full: bool) -> dict[str, Any]:
        return {
            "id": heir.pk,
            "full_name": heir.full_name,
            "relationship": heir.relationship,
            "nik": nik_mask(heir.nik) if heir.nik else "",
            "birth_date": heir.birth_date,
            "bank_name": heir.bank_name,
            "bank_account": heir.bank_account if full else mask_account(heir.bank_account),
            "is_payee": heir.is_payee,
            "education_level": heir.education_level,
            "registry_heir": heir.registry_heir_id,
        }


class ClaimReportIn(Schema):
    membership: Id | None = Field(default=None, description="Id kepesertaan, atau:")
    identifier: str | None = Field(default=None, description="NIK atau nomor KPJ peserta.")
    claim_type: str = Field(examples=["jkm"])
    event_date: dt.date
    event_time: dt.time | None = None
    event_place: str = ""
    chronology: str = ""
    origin: str = Field(default="", description="Beasiswa: jkm, jkk_death atau jkk_disability.")
    reporter_contact: str = ""
    income: Rupiah | None = Field(default=None, gt=0)
    stmb_days: Count | None = Field(default=None, ge=1)
    disability_code: str = ""
    medical_costs: Rupiah | None = Field(default=None, ge=0)
    heirs: list[HeirIn] = []
    copy_registry_heirs: bool = True


class FindingOut(Schema):
    code: str
    severity: str
    message: str  # in the reader's language
    params: dict[str, str] = {}


class ClaimSummaryOut(Schema):
    id: int
    reference: str
    claim_type: str
    status: str
    person_name: str
    village: str
    district: str
    event_date: dt.date
    reported_at: dt.datetime
    estimated_amount: int
    payout_amount: int | None

    @staticmethod
    def of(claim: Claim, *, sees_payout: bool = False) -> dict[str, Any]:
        return {
            "id": claim.pk,
            "reference": claim.reference,
            "claim_type": claim.claim_type,
            "status": claim.status,
            "person_name": claim.person.full_name,
            "village": claim.village_id,
            "district": claim.village.parent_id or "",
            "event_date": claim.event_date,
            "reported_at": claim.reported_at,
            "estimated_amount": claim.estimated_amount,
            "payout_amount": claim.payout_amount if sees_payout else None,
        }


class ClaimListOut(Schema):
    meta: PageMetaOut
    items: list[ClaimSummaryOut]


class ClaimListIn(PageIn):
    status: str = ""
    claim_type: str = ""
    district: str = ""
    q: str = ""


class ChecklistItemOut(Schema):
    requirement: int
    code: str
    label: str
    required: bool
    present: bool
    document: int | None
    document_name: str


class ClaimOut(ClaimSummaryOut):
    membership: int
    kpj_number: str
    funding_source: str
    origin: str
    event_time: dt.time | None
    event_place: str
    chronology: str
    reported_by: str
    reporter_agency: str
    months_paid: int | None
    eligibility: list[FindingOut]
    estimate: dict[str, Any]
    letter_number: str
    prepared_by: str
    approved_by: str
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    approved_amount: int | None
    rejection_reason: str
    payout_date: dt.date | None
    payout_reference: str
    payout_method: str
    payout_payee_heir: int | None
    payout_payee_name: str
    payout_bank: str
    payout_account: str
    withdrawn_reason: str
    heirs: list[HeirOut]
    documents_required: int
    documents_present: int
    documents: list[ChecklistItemOut]

    @staticmethod
    def full(claim: Claim, viewer: Any) -> dict[str, Any]:
        checklist = selectors.document_checklist(claim=claim)
        show = access.may_view_bank_accounts(viewer)
        money = access.may_view_claim_payout(viewer)
        return {
            **ClaimSummaryOut.of(claim, sees_payout=money),
            "membership": claim.membership_id,
            "kpj_number": claim.membership.kpj_number,
            "funding_source": claim.funding_source.name,
            "origin": claim.origin,
            "event_time": claim.event_time,
            "event_place": claim.event_place,
            "chronology": claim.chronology,
            "reported_by": str(claim.reported_by),
            "reporter_agency": str(claim.reporter_agency or ""),
            "months_paid": claim.months_paid,
            "eligibility": findings_shown(claim.eligibility),
            "estimate": estimate_shown(claim.estimate) or {},
            "letter_number": claim.letter_number,
            "prepared_by": str(claim.prepared_by or ""),
            "approved_by": str(claim.approved_by or ""),
            "submitted_at": claim.submitted_at,
            "decided_at": claim.decided_at,
            "approved_amount": claim.approved_amount if money else None,
            "rejection_reason": claim.rejection_reason,
            "payout_date": claim.payout_date if money else None,
            "payout_reference": claim.payout_reference if money else "",
            "payout_method": claim.payout_method if money else "",
            "payout_payee_heir": claim.payout_payee_heir_id if money else None,
            "payout_payee_name": claim.payout_payee_name if money else "",
            "payout_bank": claim.payout_bank if money else "",
            "payout_account": (claim.payout_account if show else mask_account(claim.payout_account))
            if money
            else "",
            "withdrawn_reason": claim.withdrawn_reason,
            "heirs": [HeirOut.of(h, full=show) for h in claim.heirs.all()],
            "documents_required": checklist.required_total,
            "documents_present": checklist.required_present,
            "documents": [
                {
                    "requirement": item.requirement.pk,
                    "code": item.requirement.code,
                    "label": item.requirement.label,
                    "required": item.required,
                    "present": item.present,
                    "document": item.document.pk if item.document else None,
                    "document_name": item.document.original_name if item.document else "",
                }
                for item in checklist.items
            ],
        }


class ClaimReasonIn(Schema):
    reason: str


class ApproveIn(Schema):
    amount: Rupiah | None = Field(default=None, gt=0)
    note: str = ""


class PayoutIn(Schema):
    amount: Rupiah = Field(gt=0)
    paid_on: dt.date
    reference: str = Field(max_length=100)
    method: str = Field(
        max_length=16, description="transfer, tunai, cek atau pos.", examples=["transfer"]
    )
    payee_heir: Id | None = Field(
        default=None,
        description="Id ahli waris klaim penerima (wajib untuk JKM, JKK meninggal, beasiswa); "
        "kosong = peserta sendiri (JKK lainnya).",
    )
    bank: str = Field(default="", max_length=60)
    account: str = Field(
        default="", max_length=30, description="Rekening (transfer); kosong = rekening ahli waris."
    )


class DocumentOut(Schema):
    id: int
    requirement: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: dt.datetime


class StageClockOut(Schema):
    status: str
    label: str
    entered_at: dt.datetime
    left_at: dt.datetime | None
    seconds: int
    running: bool
    agency: str
    waiting_for: str


class BenefitEstimateIn(Schema):
    type: str = Field(examples=["jkm"])
    event_date: dt.date | None = None
    months_paid: Count | None = Field(default=None, ge=0)
    income: Rupiah | None = Field(default=None, gt=0)
    days: Count | None = Field(default=None, ge=1)
    level: str | None = None
    years: Count | None = Field(default=None, ge=1)
    children: Count | None = Field(default=None, ge=1)
    disability: str | None = None


class EstimateLineOut(Schema):
    code: str
    amount: int
    legal_basis: str
    label: str
    detail: str
    confirmed: bool


class BenefitEstimateOut(Schema):
    type: str
    total: int
    lines: list[EstimateLineOut]
    month: str
    inputs: dict[str, Any]
    unconfirmed: list[str]
    notes: list[str]


class SumRowOut(Schema):
    key: str
    label: str
    claims: int
    estimated: int
    paid_claims: int
    paid: int


class StageAverageOut(Schema):
    status: str
    label: str
    claims: int
    average_seconds: int


class AgencyStagesOut(Schema):
    agency: str
    stages: list[StageAverageOut]


class DashboardOut(Schema):
    totals: dict[str, int]
    by_type: list[SumRowOut]
    by_status: list[SumRowOut]
    by_district: list[SumRowOut]
    stages: list[StageAverageOut]
    by_agency: list[AgencyStagesOut]


class PaidMonthIn(Schema):
    region: str | None = Field(default=None, examples=["13.03"])
    first: str | None = Field(default=None, pattern=MONTH_PATTERN)
    last: str | None = Field(default=None, pattern=MONTH_PATTERN)


class PaidMonthOut(Schema):
    month: str
    funding_source: int
    funding_source_name: str
    funding_kind: str
    district: str
    district_name: str
    claims: int
    amount: int


class BenefitRuleOut(Schema):
    id: int
    benefit: str
    code: str
    label: str
    variant: str
    kind: str
    describe: str
    valid_from: dt.date
    valid_to: dt.date | None
    legal_basis: str
    confirmed: bool


# --- Helpers ---------------------------------------------------------------------------------


def _claim(request: HttpRequest, claim_id: Id) -> Claim:
    return access.access_claim(_user(request), claim_id)


def _detail(request: HttpRequest, claim: Claim) -> dict[str, Any]:
    claim = access.access_claim(_user(request), claim.pk)  # reload with its relations
    return ClaimOut.full(claim, _user(request))


def _rows(rows: list[dict[str, Any]], key: str, label: str) -> list[dict[str, Any]]:
    return [
        {
            "key": row[key] or "",
            "label": str(row[label] or ""),
            "claims": row["claims"],
            "estimated": int(row["estimated"]),
            "paid_claims": row["paid_claims"],
            "paid": int(row["paid"]),
        }
        for row in rows
    ]


def _stage(s: selectors.StageAverage) -> dict[str, Any]:
    return {
        "status": s.status,
        "label": s.label,
        "claims": s.claims,
        "average_seconds": s.average_seconds,
    }


# --- Operations --------------------------------------------------------------------------


@router.get("/estimate", response=BenefitEstimateOut, summary="Hitung manfaat klaim")
def estimate(request: HttpRequest, query: Query[BenefitEstimateIn]) -> dict[str, Any]:
    user = _user(request)
    if not (user.has_perm("claims.view_claims") or user.has_perm("reports.view_aggregates")):
        raise PermissionDenied(gettext("Anda tidak berwenang untuk tindakan ini."))
    result = benefit_estimate(
        benefit_type=query.type,
        on=query.event_date,
        months_paid=query.months_paid,
        income=query.income,
        days=query.days,
        level=query.level,
        years=query.years,
        children=query.children,
        disability=query.disability,
    )
    return result.as_dict(type_name=query.type)


@router.get("/rules", response=list[BenefitRuleOut], summary="Tabel aturan manfaat")
def rule_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "id": r.pk,
            "benefit": r.benefit,
            "code": r.code,
            "label": r.label,
            "variant": r.variant,
            "kind": r.kind,
            "describe": r.describe(),
            "valid_from": r.valid_from,
            "valid_to": r.valid_to,
            "legal_basis": r.legal_basis,
            "confirmed": r.confirmed,
        }
        for r in selectors.benefit_rule_list()
    ]


@router.get("/dashboard", response=DashboardOut, summary="Dasbor klaim (agregat)")
def dashboard(request: HttpRequest) -> dict[str, Any]:
    user = _user(request)
    if not (user.has_perm("claims.view_claims") or user.has_perm("reports.view_aggregates")):
        raise PermissionDenied(gettext("Anda tidak berwenang untuk tindakan ini."))
    board = selectors.claim_dashboard(viewer=user)
    return {
        "totals": board.totals,
        "by_type": _rows(board.by_type, "claim_type", "label"),
        "by_status": _rows(board.by_status, "status", "label"),
        "by_district": _rows(board.by_district, "village__parent_id", "village__parent__name"),
        "stages": [_stage(s) for s in board.stages],
        "by_agency": [
            {"agency": row.agency, "stages": [_stage(s) for s in row.cells.values()]}
            for row in board.by_agency
        ],
    }


@router.get("/paid-by-month", response=list[PaidMonthOut], summary="Klaim dibayar per bulan")
def paid_by_month(request: HttpRequest, query: Query[PaidMonthIn]) -> list[dict[str, Any]]:
    user = _user(request)
    if not (user.has_perm("claims.view_claims") or user.has_perm("reports.view_aggregates")):
        raise PermissionDenied(gettext("Anda tidak berwenang untuk tindakan ini."))
    rows = selectors.claims_paid_by_month(
        region_code=query.region,
        first=Month.parse(query.first) if query.first else None,
        last=Month.parse(query.last) if query.last else None,
        viewer=user,
    )
    return [
        {
            "month": str(row.month),
            "funding_source": row.funding_source_id,
            "funding_source_name": row.funding_source_name,
            "funding_kind": row.funding_kind,
            "district": row.district_code,
            "district_name": row.district_name,
            "claims": row.claims,
            "amount": row.amount,
        }
        for row in rows
    ]


@router.get("/claims", response=ClaimListOut, summary="Daftar klaim di wilayah Anda")
def claim_list(request: HttpRequest, query: Query[ClaimListIn]) -> dict[str, Any]:
    user = _user(request)
    require_perm(user, "claims.view_claims")
    filters = selectors.ClaimFilters(
        status=query.status, claim_type=query.claim_type, district=query.district, q=query.q
    )
    meta, items = paginate(selectors.claim_list(viewer=user, filters=filters), query)
    money = access.may_view_claim_payout(_user(request))
    return {"meta": meta, "items": [ClaimSummaryOut.of(c, sees_payout=money) for c in items]}


@router.post("/claims", response={201: ClaimOut}, summary="Laporkan klaim")
def claim_report(request: HttpRequest, payload: ClaimReportIn) -> Status[dict[str, Any]]:
    user = _user(request)
    require_perm(user, "claims.report_claim")
    if payload.membership is not None:
        membership = access.access_membership_for_claim(user, payload.membership)
    elif payload.identifier:
        membership = selectors.membership_find(
            viewer=user, identifier=payload.identifier, event_date=payload.event_date
        )
    else:
        raise DomainError(
            gettext("Sebutkan kepesertaan (membership) atau NIK/KPJ (identifier)."),
            code="membership_identifier_required",
        )
    claim = services.claim_report(
        membership=membership,
        claim_type=payload.claim_type,
        event_date=payload.event_date,
        event_time=payload.event_time,
        event_place=payload.event_place,
        chronology=payload.chronology,
        origin=payload.origin,
        reporter_contact=payload.reporter_contact,
        income=payload.income,
        stmb_days=payload.stmb_days,
        disability_code=payload.disability_code,
        medical_costs=payload.medical_costs,
        heirs=[h.data() for h in payload.heirs],
        copy_registry_heirs=payload.copy_registry_heirs,
        acting_user=user,
    )
    return Status(201, _detail(request, claim))


@router.get("/claims/{claim_id}", response=ClaimOut, summary="Rincian klaim")
def claim_detail(request: HttpRequest, claim_id: Id) -> dict[str, Any]:
    claim = _claim(request, claim_id)
    personal_data_access_log(
        viewer=_user(request),
        persons=[(claim.person_id, claim.person.nik)],
        purpose="api:claims.claim_detail",
        fields=CLAIM_DETAIL_FIELDS,
        path=request.path,
    )
    return ClaimOut.full(claim, _user(request))


@router.get("/claims/{claim_id}/clocks", response=list[StageClockOut], summary="Waktu per tahap")
def claim_clocks(request: HttpRequest, claim_id: Id) -> list[dict[str, Any]]:
    claim = _claim(request, claim_id)
    now = timezone.now()
    return [
        {
            "status": c.status,
            "label": c.label,
            "entered_at": c.entered_at,
            "left_at": c.left_at,
            "seconds": c.seconds(now),
            "running": c.running,
            "agency": c.agency,
            "waiting_for": c.waiting_for,
        }
        for c in selectors.claim_stage_clocks(claim=claim)
    ]


@router.post("/claims/{claim_id}/heirs", response={201: HeirOut}, summary="Tambah ahli waris")
def heir_add(request: HttpRequest, claim_id: Id, payload: HeirIn) -> Status[dict[str, Any]]:
    user = _user(request)
    heir = services.claim_heir_add(
        claim=_claim(request, claim_id), data=payload.data(), acting_user=user
    )
    return Status(201, HeirOut.of(heir, full=access.may_view_bank_accounts(user)))


@router.post(
    "/claims/{claim_id}/documents", response={201: DocumentOut}, summary="Unggah dokumen klaim"
)
def document_upload(
    request: HttpRequest,
    claim_id: Id,
    requirement: Form[str],
    file: File[UploadedFile],
) -> Status[dict[str, Any]]:
    claim = _claim(request, claim_id)
    row = DocumentRequirement.objects.filter(
        claim_type=claim.claim_type, code=requirement, is_active=True
    ).first()
    if row is None:
        raise DomainError(
            gettext('Dokumen "%(requirement)s" bukan syarat klaim %(claim_type)s.')
            % {"requirement": requirement, "claim_type": claim.get_claim_type_display()},
            code="document_requirement_mismatch",
        )
    document = services.claim_document_upload(
        claim=claim, requirement=row, upload=file, acting_user=_user(request)
    )
    return Status(
        201,
        {
            "id": document.pk,
            "requirement": row.code,
            "original_name": document.original_name,
            "content_type": document.content_type,
            "size": document.size,
            "sha256": document.sha256,
            "uploaded_at": document.uploaded_at,
        },
    )


@router.post(
    "/claims/{claim_id}/documents-complete",
    response=ClaimOut,
    summary="Nyatakan berkas lengkap (operator Dinas)",
)
def claim_documents_complete(request: HttpRequest, claim_id: Id) -> dict[str, Any]:
    claim = services.claim_documents_confirm(
        claim=_claim(request, claim_id), acting_user=_user(request)
    )
    return _detail(request, claim)


@router.post(
    "/claims/{claim_id}/prepare",
    response=ClaimOut,
    summary="Siapkan pengajuan ke BPJS (operator Dinas)",
)
def claim_prepare(request: HttpRequest, claim_id: Id) -> dict[str, Any]:
    claim = services.claim_submission_prepare(
        claim=_claim(request, claim_id), acting_user=_user(request)
    )
    return _detail(request, claim)


@router.post(
    "/claims/{claim_id}/approve-submission",
    response=ClaimOut,
    summary="Setujui pengajuan (kepala Dinas, bukan yang menyiapkan)",
)
def claim_approve_submission(request: HttpRequest, claim_id: Id) -> dict[str, Any]:
    claim = services.claim_submission_approve(
        claim=_claim(request, claim_id), acting_user=_user(request)
    )
    return _detail(request, claim)


@router.post(
    "/claims/{claim_id}/return",
    response=ClaimOut,
    summary="Kembalikan pengajuan ke operator (kepala Dinas)",
)
def claim_return(request: HttpRequest, claim_id: Id, payload: ClaimReasonIn) -> dict[str, Any]:
    claim = services.claim_submission_return(
        claim=_claim(request, claim_id), reason=payload.reason, acting_user=_user(request)
    )
    return _detail(request, claim)


@router.post(
    "/claims/{claim_id}/withdraw", response=ClaimOut, summary="Batalkan klaim (operator Dinas)"
)
def claim_withdraw(request: HttpRequest, claim_id: Id, payload: ClaimReasonIn) -> dict[str, Any]:
    claim = services.claim_withdraw(
        claim=_claim(request, claim_id), reason=payload.reason, acting_user=_user(request)
    )
    return _detail(request, claim)


@router.post("/claims/{claim_id}/review", response=ClaimOut, summary="Mulai pemeriksaan (BPJS)")
def claim_review(request: HttpRequest, claim_id: Id) -> dict[str, Any]:
    claim = services.claim_review_start(claim=_claim(request, claim_id), acting_user=_user(request))
    return _detail(request, claim)


@router.post("/claims/{claim_id}/approve", response=ClaimOut, summary="Setujui klaim (BPJS)")
def claim_approve(request: HttpRequest, claim_id: Id, payload: ApproveIn) -> dict[str, Any]:
    claim = services.claim_approve(
        claim=_claim(request, claim_id),
        amount=payload.amount,
        note=payload.note,
        acting_user=_user(request),
    )
    return _detail(request, claim)


@router.post(
    "/claims/{claim_id}/reject", response=ClaimOut, summary="Tolak klaim dengan alasan (BPJS)"
)
def claim_reject(request: HttpRequest, claim_id: Id, payload: ClaimReasonIn) -> dict[str, Any]:
    claim = services.claim_reject(
        claim=_claim(request, claim_id), reason=payload.reason, acting_user=_user(request)
    )
    return _detail(request, claim)


@router.post("/claims/{claim_id}/pay", response=ClaimOut, summary="Catat pembayaran (BPJS)")
def claim_pay(request: HttpRequest, claim_id: Id, payload: PayoutIn) -> dict[str, Any]:
    claim = _claim(request, claim_id)
    payee_heir = None
    if payload.payee_heir is not None:
        payee_heir = claim.heirs.filter(pk=payload.payee_heir).first()
        if payee_heir is None:
            raise DomainError(
                "Penerima itu bukan ahli waris pada klaim ini.",
                code="payout_payee_other_claim",
                field="payee_heir",
            )
    claim = services.claim_payout_record(
        claim=claim,
        amount=payload.amount,
        paid_on=payload.paid_on,
        reference=payload.reference,
        method=payload.method,
        payee_heir=payee_heir,
        bank=payload.bank,
        account=payload.account,
        acting_user=_user(request),
    )
    return _detail(request, claim)


@router.get(
    "/claims/{claim_id}/letter",
    response={200: None},
    summary="Surat pengajuan klaim (PDF)",
    openapi_extra={"responses": {200: {"content": {"application/pdf": {}}}}},
)
def claim_letter(request: HttpRequest, claim_id: Id) -> HttpResponse:
    claim = _claim(request, claim_id)
    pdf = letters.claim_letter_generate(claim=claim, acting_user=_user(request))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="surat-klaim-{claim.reference}.pdf"'
    return response
