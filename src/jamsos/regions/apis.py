"""Regions API: look-ups by code and name, and the NIK checker.

Regions are public reference data: any signed-in user (session or token) may read them.
Checking a NIK is part of proposing workers, so it needs ``intake.propose``.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Query, Router, Schema
from pydantic import Field

from jamsos.accounts.access import require_perm
from jamsos.api.schemas import READ_ERRORS, errors
from jamsos.lib.errors import DomainError, NotFoundOrForbidden
from jamsos.regions import selectors

router = Router(tags=["regions"])

Level = Literal["province", "regency", "district", "village"]


class NikCheckOut(Schema):
    nik: str
    valid: bool
    errors: list[str]
    warnings: list[str]
    province: str | None
    regency: str | None
    district: str | None
    birth_date: dt.date | None
    sex: Literal["L", "P"] | None


class RegionOut(Schema):
    code: str
    name: str
    level: Level
    kind: str | None = Field(description="null for a code that is no longer current")
    parent: str | None
    path: list[str] = Field(description="names from the province down to this region")
    current: bool = Field(description="false for a code seen only in 2016–2024 editions")
    first_seen: int | None = None
    last_seen: int | None = None


class RegionHitOut(Schema):
    code: str
    name: str
    level: Level
    kind: str
    parent: str | None
    path: list[str]
    score: float


class RegionSearchIn(Schema):
    q: str = Field(min_length=1, max_length=120)
    level: Level = "village"
    parent: str | None = None


class RegionSearchOut(Schema):
    query: str
    level: Level
    parent: str | None
    found: bool = Field(description="true when exactly one region is the best match")
    ambiguous: bool
    score: float | None
    match: RegionHitOut | None
    candidates: list[RegionHitOut]


@router.get("/nik/{nik}", response={200: NikCheckOut, **READ_ERRORS}, summary="Periksa NIK")
def nik_check(
    request: HttpRequest,
    nik: str,
    birth_date: dt.date | None = None,
    sex: Literal["L", "P"] | None = None,
) -> dict[str, object]:
    """The same answer as ``jamsos check_nik --json``: 200 whether or not the NIK is
    valid (``valid``, ``errors``, ``warnings`` say so); codes are in docs/nik.md."""
    require_perm(request.user, "intake.propose")
    return selectors.nik_check(nik, birth_date=birth_date, sex=sex).as_dict()


@router.get(
    "/search",
    response={200: RegionSearchOut, **errors(400, 401, 422)},
    summary="Cari wilayah menurut nama",
)
def region_search(request: HttpRequest, filters: Query[RegionSearchIn]) -> dict[str, object]:
    parent = None
    if filters.parent:
        parent_region = selectors.region_get(filters.parent)
        if parent_region is None:
            raise DomainError(
                gettext('Kode wilayah induk "%(parent)s" tidak dikenal.')
                % {"parent": filters.parent},
                code="region_parent_unknown",
                parent=filters.parent,
            )
        parent = parent_region.code
    found = selectors.region_find(filters.q, level=filters.level, parent=parent)
    answer: dict[str, object] = {"query": filters.q, "level": filters.level, "parent": parent}
    if found is None:
        answer.update(found=False, ambiguous=False, score=None, match=None, candidates=[])
    else:
        answer.update(found.as_dict())
    return answer


@router.get(
    "/{code}", response={200: RegionOut, **errors(401, 404)}, summary="Wilayah menurut kode"
)
def region_detail(request: HttpRequest, code: str) -> dict[str, object]:
    region = selectors.region_get(code)
    if region is not None:
        (data,) = selectors.region_describe([region])
        return {**data, "current": True}
    old = selectors.historical_code_get(code)
    if old is None:
        raise NotFoundOrForbidden(
            gettext('Wilayah dengan kode "%(code)s" tidak ditemukan.') % {"code": code}, region=code
        )
    return {**selectors.historical_code_describe(old), "current": False}
