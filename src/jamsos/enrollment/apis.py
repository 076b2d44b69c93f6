"""REST API of the enrollment app: one operation per action, explicit In/Out schemas.

Same rules as the pages: objects come through ``enrollment.access`` (missing and
forbidden are both 404), services check permissions again, DPRD and the executive get
totals but no lines or persons, NIKs leave the API masked. Months are ``"YYYY-MM"``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from jamsos.accounts.access import may_see_persons, require_perm
from jamsos.api.schemas import (
    MAX_RUPIAH,
    Id,
    IdList,
    PageIn,
    PageMetaOut,
    Year,
    errors,
    paginate,
)
from jamsos.audit.services import (
    DECREE_LINE_FIELDS,
    MEMBERSHIP_DETAIL_FIELDS,
    personal_data_access_log,
)
from jamsos.budget.access import access_fiscal_year, access_reservation
from jamsos.enrollment import access, selectors, services
from jamsos.enrollment.models import Decree, DecreeLine, Membership
from jamsos.enrollment.services.coverage import membership_wage_set
from jamsos.lib.errors import PermissionDenied
from jamsos.lib.nik import nik_mask
from jamsos.lib.periods import Month

router = Router(tags=["enrollment"])

ERRORS = errors(400, 401, 403, 404, 409, 422)


def _month(value: dt.date) -> str:
    return str(Month.from_date(value))


# --- Schemas ---------------------------------------------------------------------------------


class DecreeCountsOut(Schema):
    persons: int
    pending: int
    accepted: int
    rejected: int
    struck: int
    removes: int


class DecreeOut(Schema):
    id: int
    number: str
    title: str
    status: str
    status_label: str
    region: str
    fiscal_year: int
    phase: str | None
    reservation: int | None
    amends: int | None
    first_month: str
    last_month: str
    decree_date: dt.date | None
    counts: DecreeCountsOut

    @staticmethod
    def of(decree: Decree, counts: selectors.DecreeCounts) -> dict[str, Any]:
        return {
            "id": decree.pk,
            "number": decree.number,
            "title": decree.title,
            "status": decree.status,
            "status_label": str(decree.get_status_display()),
            "region": decree.region_id,
            "fiscal_year": decree.fiscal_year.year,
            "phase": decree.phase.name if decree.phase_id else None,
            "reservation": decree.reservation_id,
            "amends": decree.amends_id,
            "first_month": _month(decree.first_month),
            "last_month": _month(decree.last_month),
            "decree_date": decree.decree_date,
            "counts": counts.__dict__,
        }


class DecreeDetailOut(DecreeOut):
    place: str
    signer_title: str
    signer_name: str
    considerations: list[str]
    legal_bases: list[str]
    decisions: list[str]
    amendment_note: str


class DecreeDraftIn(Schema):
    reservation: Id
    person_ids: IdList | None = Field(
        default=None, description="Kosong: semua peserta yang disebut reservasi."
    )
    title: str = ""


class DecreeTextsIn(Schema):
    title: str | None = None
    place: str | None = None
    signer_name: str | None = None
    signer_title: str | None = None
    considerations: list[str] | None = None
    legal_bases: list[str] | None = None
    decisions: list[str] | None = None


class DecreeIssueIn(Schema):
    number: str = Field(min_length=1, max_length=120, examples=["188.45/131/KPTS-BPT-2022"])
    decree_date: dt.date


class DecreeAmendIn(Schema):
    add_person_ids: IdList = []
    remove_person_ids: IdList = []
    note: str = Field(min_length=1)


class DecreeReasonIn(Schema):
    reason: str = Field(min_length=1, max_length=500)


class LineOut(Schema):
    id: int
    line_no: int
    action: str
    person: int
    nik_masked: str
    full_name: str
    village: str
    occupation: str
    bpjs_status: str
    kpj_number: str
    bpjs_coverage_start: dt.date | None
    bpjs_reason: str
    struck: bool

    @staticmethod
    def of(line: DecreeLine) -> dict[str, Any]:
        return {
            "id": line.pk,
            "line_no": line.line_no,
            "action": line.action,
            "person": line.person_id,
            "nik_masked": nik_mask(line.nik),
            "full_name": line.full_name,
            "village": line.village_id,
            "occupation": line.occupation,
            "bpjs_status": line.bpjs_status,
            "kpj_number": line.kpj_number,
            "bpjs_coverage_start": line.bpjs_coverage_start,
            "bpjs_reason": line.bpjs_reason,
            "struck": line.removed_by_line_id is not None,
        }


class LinePageOut(PageMetaOut):
    items: list[LineOut]


class LineListIn(PageIn):
    bpjs_status: Literal["pending", "accepted", "rejected"] | None = None


class BpjsResultIn(Schema):
    nik: str = Field(min_length=16, max_length=32)
    status: Literal["accepted", "rejected"]
    kpj_number: str = ""
    coverage_start: dt.date | None = None
    reason: str = ""


class BpjsResultsIn(Schema):
    results: list[BpjsResultIn] = Field(min_length=1)


class BpjsSummaryOut(Schema):
    accepted: int
    rejected: int
    unchanged: int
    skipped: int
    memberships: int
    import_id: int | None
    duplicate_file: bool


class MembershipOut(Schema):
    id: int
    person: int
    full_name: str
    nik_masked: str
    kpj_number: str
    segment: str
    programmes: list[str]
    funding_source: str
    village: str
    first_month: str
    last_month: str
    status: str
    decree: int | None
    wage: int | None  # PU only: the monthly wage the contribution is billed from
    risk_group: str  # PU only: the employer's JKK risk group ("" for BPU)

    @staticmethod
    def of(m: Membership) -> dict[str, Any]:
        return {
            "id": m.pk,
            "person": m.person_id,
            "full_name": m.person.full_name,
            "nik_masked": nik_mask(m.person.nik),
            "kpj_number": m.kpj_number,
            "segment": m.segment,
            "programmes": list(m.programmes),
            "funding_source": m.funding_source.name,
            "village": m.village_id,
            "first_month": _month(m.first_month),
            "last_month": _month(m.last_month),
            "status": m.status,
            "decree": m.decree_line.decree_id if m.decree_line_id else None,
            "wage": m.wage,
            "risk_group": m.risk_group,
        }


class MembershipPageOut(PageMetaOut):
    items: list[MembershipOut]


class MembershipListIn(PageIn):
    status: str | None = None
    year: int | None = Field(default=None, ge=2000, le=2100)
    q: str = ""


class DistrictCountOut(Schema):
    district: str | None = Field(description="Kode kecamatan (null: tanpa kecamatan).")
    name: str | None
    memberships: int


class SourceCountOut(Schema):
    source: str
    memberships: int


class MembershipTotalsOut(Schema):
    total: int
    by_status: dict[str, int]
    by_district: list[DistrictCountOut]
    by_source: list[SourceCountOut]


class MembershipWageIn(Schema):
    wage: Annotated[int, Field(ge=1, le=MAX_RUPIAH, description="Upah sebulan (Rp).")]
    risk_group: Literal["sangat_rendah", "rendah", "sedang", "tinggi", "sangat_tinggi"]


class RenewalProposeIn(Schema):
    fiscal_year: Id


class RenewalReserveIn(Schema):
    allocation: Id


class RenewalOut(Schema):
    id: int
    fiscal_year: int
    status: str
    persons: int
    estimate: dict[str, Any]
    reservations: list[int]


def _renewal_out(proposal: Any) -> dict[str, Any]:
    return {
        "id": proposal.pk,
        "fiscal_year": proposal.fiscal_year.year,
        "status": proposal.status,
        "persons": proposal.persons,
        "estimate": proposal.estimate,
        "reservations": list(proposal.reservations.values_list("pk", flat=True)),
    }


# --- Decrees ---------------------------------------------------------------------------------


def _decree_out(decree: Decree, user: Any, *, detail: bool = False) -> dict[str, Any]:
    data = DecreeOut.of(decree, selectors.decree_counts(decree=decree, viewer=user))
    if detail:
        data |= {
            "place": decree.place,
            "signer_title": decree.signer_title,
            "signer_name": decree.signer_name,
            "considerations": decree.considerations,
            "legal_bases": decree.legal_bases,
            "decisions": decree.decisions,
            "amendment_note": decree.amendment_note,
        }
    return data


@router.get("/decrees", response={200: list[DecreeOut], **ERRORS}, summary="Daftar SK penetapan")
def decree_list(
    request: HttpRequest, status: str | None = None, year: Year | None = None
) -> list[dict[str, Any]]:
    require_perm(request.user, "enrollment.view_decrees")
    decrees = selectors.decree_list(viewer=request.user, status=status, year=year)[:200]
    return [_decree_out(d, request.user) for d in decrees]


@router.post("/decrees", response={201: DecreeDetailOut, **ERRORS}, summary="Susun rancangan SK")
def decree_draft(request: HttpRequest, payload: DecreeDraftIn) -> Status[dict[str, Any]]:
    reservation = access_reservation(request.user, payload.reservation)
    decree = services.decree_draft_from_reservation(
        reservation=reservation,
        persons=payload.person_ids,
        title=payload.title,
        acting_user=request.user,
    )
    return Status(201, _decree_out(decree, request.user, detail=True))


@router.get("/decrees/{decree_id}", response={200: DecreeDetailOut, **ERRORS}, summary="Satu SK")
def decree_detail(request: HttpRequest, decree_id: Id) -> dict[str, Any]:
    return _decree_out(access.access_decree(request.user, decree_id), request.user, detail=True)


@router.post(
    "/decrees/{decree_id}/texts", response={200: DecreeDetailOut, **ERRORS}, summary="Ubah isi draf"
)
def decree_texts(request: HttpRequest, decree_id: Id, payload: DecreeTextsIn) -> dict[str, Any]:
    decree = access.access_decree(request.user, decree_id)
    changes = payload.model_dump(exclude_none=True)
    decree = services.decree_texts_update(decree=decree, acting_user=request.user, **changes)
    return _decree_out(decree, request.user, detail=True)


@router.post(
    "/decrees/{decree_id}/approve", response={200: DecreeDetailOut, **ERRORS}, summary="Setujui SK"
)
def decree_approve(request: HttpRequest, decree_id: Id) -> dict[str, Any]:
    decree = access.access_decree(request.user, decree_id)
    decree = services.decree_approve(decree=decree, acting_user=request.user)
    return _decree_out(decree, request.user, detail=True)


@router.post(
    "/decrees/{decree_id}/issue",
    response={200: DecreeDetailOut, **ERRORS},
    summary="Catat nomor dan tanggal SK (ditetapkan)",
)
def decree_issue(request: HttpRequest, decree_id: Id, payload: DecreeIssueIn) -> dict[str, Any]:
    decree = access.access_decree(request.user, decree_id)
    decree = services.decree_issue(
        decree=decree,
        number=payload.number,
        decree_date=payload.decree_date,
        acting_user=request.user,
    )
    return _decree_out(decree, request.user, detail=True)


@router.post(
    "/decrees/{decree_id}/cancel",
    response={200: DecreeDetailOut, **ERRORS},
    summary="Batalkan draf",
)
def decree_cancel(request: HttpRequest, decree_id: Id, payload: DecreeReasonIn) -> dict[str, Any]:
    decree = access.access_decree(request.user, decree_id)
    decree = services.decree_cancel(decree=decree, reason=payload.reason, acting_user=request.user)
    return _decree_out(decree, request.user, detail=True)


@router.post(
    "/decrees/{decree_id}/amend", response={201: DecreeDetailOut, **ERRORS}, summary="SK perubahan"
)
def decree_amend(
    request: HttpRequest, decree_id: Id, payload: DecreeAmendIn
) -> Status[dict[str, Any]]:
    decree = access.access_decree(request.user, decree_id)
    amendment = services.decree_amend(
        decree=decree,
        add_persons=payload.add_person_ids,
        remove_persons=payload.remove_person_ids,
        note=payload.note,
        acting_user=request.user,
    )
    return Status(201, _decree_out(amendment, request.user, detail=True))


@router.get(
    "/decrees/{decree_id}/lines",
    response={200: LinePageOut, **ERRORS},
    summary="Lampiran SK (wilayah pengguna; NIK disamarkan)",
)
def decree_lines(request: HttpRequest, decree_id: Id, filters: Query[LineListIn]) -> dict[str, Any]:
    decree = access.access_decree(request.user, decree_id)
    if not may_see_persons(request.user):
        raise PermissionDenied(
            gettext("Peran Anda hanya melihat jumlah total."), code="aggregate_only"
        )
    lines = selectors.decree_lines(
        decree=decree,
        viewer=request.user,
        filters=selectors.LineFilters(bpjs_status=filters.bpjs_status or ""),
    )
    meta, items = paginate(lines, filters)
    items = list(items)
    personal_data_access_log(
        viewer=request.user,  # type: ignore[arg-type]
        persons=[(line.person_id, line.nik) for line in items],
        purpose=f"api:enrollment.decree_lines ({decree.number or decree.pk})",
        fields=DECREE_LINE_FIELDS,
        path=request.path,
    )
    return {**meta.model_dump(), "items": [LineOut.of(line) for line in items]}


# --- BPJS ------------------------------------------------------------------------------------


@router.post(
    "/decrees/{decree_id}/bpjs-results",
    response={200: BpjsSummaryOut, **ERRORS},
    summary="Catat hasil verifikasi BPJS (semua atau tidak sama sekali)",
)
def bpjs_results(request: HttpRequest, decree_id: Id, payload: BpjsResultsIn) -> dict[str, Any]:
    decree = access.access_decree(request.user, decree_id)
    summary = services.bpjs_results_record(
        decree=decree,
        results=[
            services.BpjsResult(
                nik=r.nik,
                status=r.status,
                kpj_number=r.kpj_number.strip(),
                coverage_start=r.coverage_start,
                reason=r.reason,
                row=i,
            )
            for i, r in enumerate(payload.results, start=1)
        ],
        acting_user=request.user,
        source="api",
    )
    return summary.as_dict()


@router.post(
    "/decrees/{decree_id}/bpjs-import",
    response={200: BpjsSummaryOut, **ERRORS},
    summary="Impor berkas hasil BPJS (.xlsx/.csv); idempoten",
)
def bpjs_import(request: HttpRequest, decree_id: Id, file: File[UploadedFile]) -> dict[str, Any]:
    decree = access.access_decree(request.user, decree_id)
    summary = services.bpjs_results_import(
        decree=decree,
        data=file.read(),
        file_name=file.name or "hasil.xlsx",
        acting_user=request.user,
    )
    return summary.as_dict()


# --- Memberships -----------------------------------------------------------------------------


@router.get(
    "/memberships",
    response={200: MembershipPageOut, **ERRORS},
    summary="Kepesertaan (wilayah Anda)",
)
def membership_list(request: HttpRequest, filters: Query[MembershipListIn]) -> dict[str, Any]:
    require_perm(request.user, "enrollment.view_memberships")
    memberships = selectors.membership_list(
        viewer=request.user,
        filters=selectors.MembershipFilters(
            status=filters.status or "", year=filters.year, search=filters.q
        ),
    )
    meta, items = paginate(memberships, filters)
    return {**meta.model_dump(), "items": [MembershipOut.of(m) for m in items]}


@router.get(
    "/memberships/totals",
    response={200: MembershipTotalsOut, **ERRORS},
    summary="Jumlah kepesertaan per status, kecamatan dan sumber dana",
)
def membership_totals(request: HttpRequest, year: Year | None = None) -> dict[str, Any]:
    totals = selectors.membership_totals(viewer=request.user, year=year)
    return {
        "total": totals.total,
        "by_status": totals.by_status,
        "by_district": [
            {"district": code, "name": name, "memberships": n}
            for code, name, n in totals.by_district
        ],
        "by_source": [{"source": name, "memberships": n} for name, n in totals.by_source],
    }


class NagariBudgetLineOut(Schema):
    allocation_id: int
    name: str
    pagu: int


class NagariProgressOut(Schema):
    nagari: str
    nagari_name: str
    district: str
    members: int
    minimum: int | None
    percent: str
    below: bool
    shortfall: int
    budget_lines: list[NagariBudgetLineOut]


class NagariMinimumOut(Schema):
    month: str
    below_count: int
    nagari: list[NagariProgressOut]


@router.get(
    "/nagari-minimum",
    response={200: NagariMinimumOut, **ERRORS},
    summary="Capaian minimum peserta APB Nagari per nagari (1 Nagari 100 orang)",
)
def nagari_minimum(
    request: HttpRequest,
    month: str | None = Query(
        None, pattern=r"^(19|20)\d{2}-(0[1-9]|1[0-2])$", examples=["2025-06"]
    ),
    below: bool = False,
) -> dict[str, Any]:
    """Active APB Nagari members of each nagari in scope against the minimum in force;
    ``below=true`` lists only the nagari below it."""
    report = selectors.nagari_minimum_progress(
        viewer=request.user,
        month=Month.parse(month) if month else Month.current(),
        below_only=below,
    )
    return {
        "month": str(report.month),
        "below_count": len(report.below),
        "nagari": [
            {
                "nagari": row.code,
                "nagari_name": row.name,
                "district": row.district,
                "members": row.members,
                "minimum": row.minimum,
                "percent": str(row.percent),
                "below": row.below,
                "shortfall": row.shortfall,
                "budget_lines": [line.__dict__ for line in row.budget_lines],
            }
            for row in report.rows
        ],
    }


@router.post(
    "/memberships/{membership_id}/wage",
    response={200: MembershipOut, **ERRORS},
    summary="Catat upah dan kelompok risiko peserta PU",
)
def membership_wage(
    request: HttpRequest, membership_id: Id, payload: MembershipWageIn
) -> dict[str, Any]:
    membership = access.access_membership(request.user, membership_id)
    membership = membership_wage_set(
        membership=membership,
        wage=payload.wage,
        risk_group=payload.risk_group,
        acting_user=request.user,
    )
    return MembershipOut.of(membership)


@router.get(
    "/memberships/{membership_id}",
    response={200: MembershipOut, **ERRORS},
    summary="Satu kepesertaan",
)
def membership_detail(request: HttpRequest, membership_id: Id) -> dict[str, Any]:
    membership = access.access_membership(request.user, membership_id)
    personal_data_access_log(
        viewer=request.user,  # type: ignore[arg-type]
        persons=[(membership.person_id, membership.person.nik)],
        purpose="api:enrollment.membership_detail",
        fields=MEMBERSHIP_DETAIL_FIELDS,
        path=request.path,
    )
    return MembershipOut.of(membership)


# --- Renewal ---------------------------------------------------------------------------------


@router.post(
    "/renewals",
    response={201: RenewalOut, **ERRORS},
    summary="Usulkan perpanjangan ke tahun berikut",
)
def renewal_propose(request: HttpRequest, payload: RenewalProposeIn) -> Status[dict[str, Any]]:
    fiscal_year = access_fiscal_year(request.user, payload.fiscal_year)
    proposal = services.membership_renewal_propose(
        fiscal_year=fiscal_year, acting_user=request.user
    )
    return Status(201, _renewal_out(proposal))


@router.post(
    "/renewals/{renewal_id}/reserve",
    response={200: RenewalOut, **ERRORS},
    summary="Reservasi usulan perpanjangan dari satu pagu",
)
def renewal_reserve(
    request: HttpRequest, renewal_id: Id, payload: RenewalReserveIn
) -> dict[str, Any]:
    from jamsos.budget.access import access_allocation

    proposal = access.access_renewal(request.user, renewal_id)
    allocation = access_allocation(request.user, payload.allocation)
    services.renewal_reserve(proposal=proposal, allocation=allocation, acting_user=request.user)
    proposal.refresh_from_db()
    return _renewal_out(proposal)
