"""Schemas and helpers every app's ``apis.py`` shares: errors and pagination."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.paginator import EmptyPage, Paginator
from django.db.models import Model, QuerySet
from ninja import Field, Schema

M = TypeVar("M", bound=Model)

MAX_PAGE_SIZE = 200


class ErrorOut(Schema):
    """Every error the API returns (see ``jamsos.api.base`` for the status codes)."""

    code: str = Field(..., description="Kode mesin yang stabil, mis. `outside_scope`.")
    message: str = Field(..., description="Pesan untuk manusia, dalam Bahasa Indonesia.")
    params: dict[str, Any] = Field(default_factory=dict)


def errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    """``response={200: XOut, **errors(401, 403)}`` documents the error statuses."""
    return dict.fromkeys(statuses, ErrorOut)


# What any authenticated read can answer besides 200.
READ_ERRORS = errors(401, 403, 422)


class PageIn(Schema):
    page: int = Field(1, ge=1, description="Nomor halaman, mulai dari 1.")
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)


class PageMetaOut(Schema):
    count: int
    page: int
    page_size: int
    pages: int


def paginate(queryset: QuerySet[M], page_in: PageIn) -> tuple[PageMetaOut, list[M]]:
    """One COUNT and one SELECT; a page past the end is empty rather than an error."""
    paginator = Paginator(queryset, page_in.page_size)
    try:
        items = list(paginator.page(page_in.page).object_list)
    except EmptyPage:
        items = []
    meta = PageMetaOut(
        count=paginator.count,
        page=page_in.page,
        page_size=page_in.page_size,
        pages=paginator.num_pages,
    )
    return meta, items
