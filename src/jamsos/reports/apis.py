"""REST API of the reports: coverage by area and the eligible targets (aggregates only,
so DPRD and the executive may call every operation; scope as on the pages)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from jamsos.accounts.access import region_q, require_perm
from jamsos.api.schemas import Year
from jamsos.reports import access, selectors
from jamsos.reports.models import EligibleTarget

router = Router(tags=["reports"])

CODE_PATTERN = r"^\d{2}(\.\d{2}){1,2}(\.\d{4})?$"


class CoverageIn(Schema):
    region: str = Field(pattern=CODE_PATTERN, max_length=13)
    year: Year
    month: int | None = Field(default=None, ge=1, le=12)
    by: str = Field(default="children", pattern=r"^(children|villages)$")


class AreaOut(Schema):
    code: str
    name: str
    level: str
    eligible: int | None
    active: int
    coverage: float | None
    nagari_minimum: int | None
    nagari_funded_active: int


class CoverageOut(Schema):
    region: str
    year: int
    month: int
    eligible: int | None
    active: int
    coverage: float | None
    source: str
    formula: str
    areas: list[AreaOut]


class TargetsIn(Schema):
    year: Year | None = None


class TargetOut(Schema):
    region: str
    region_name: str
    year: int
    count: int
    basis: str
    source: str
    source_date: dt.date
    is_fictitious: bool


@router.get("/coverage", response=CoverageOut, summary="Cakupan kepesertaan per wilayah")
def coverage(request: HttpRequest, query: Query[CoverageIn]) -> dict[str, Any]:
    region = access.access_report_region(request.user, query.region)
    result = selectors.coverage_areas(
        region=region, year=query.year, month=query.month, viewer=request.user, by=query.by
    )
    return {**result.as_json(), "formula": result.formula}


@router.get("/targets", response=list[TargetOut], summary="Sasaran (penyebut cakupan)")
def target_list(request: HttpRequest, query: Query[TargetsIn]) -> list[dict[str, Any]]:
    require_perm(request.user, "reports.view_aggregates")
    rows = EligibleTarget.objects.filter(region_q(request.user, "region")).select_related("region")
    if query.year:
        rows = rows.filter(year=query.year)
    return [
        {
            "region": t.region_id,
            "region_name": t.region.name,
            "year": t.year,
            "count": t.count,
            "basis": t.basis,
            "source": t.source,
            "source_date": t.source_date,
            "is_fictitious": t.is_fictitious,
        }
        for t in rows.order_by("region_id", "year")[:5000]
    ]
