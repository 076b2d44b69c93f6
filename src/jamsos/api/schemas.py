"""Schemas and helpers every app's ``apis.py`` shares: errors, pagination and bounded
input types.

Design goal: every number a client sends has bounds in the schema, so input the database
or a date cannot hold (``year=0``, a 22-digit id) is answered 422 before any code runs,
and the OpenAPI document says what is accepted (``api/tests/test_input_bounds.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal, TypeVar

from django.core.paginator import EmptyPage, Paginator
from django.db.models import Model, QuerySet
from django.utils.translation import gettext
from ninja import Field, Schema

from jamsos.lib.errors import DomainError
from jamsos.lib.pagination import list_page

M = TypeVar("M", bound=Model)

MAX_PAGE_SIZE = 200

# Primary keys are BigAutoField: a signed 64-bit integer in every database.
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID, description="Id (bilangan bulat positif).")]
# The programme's years: budget years, decree years, report years.
MIN_YEAR, MAX_YEAR = 2000, 2100
Year = Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR, description="Tahun, mis. 2026.")]
# Rupiah amounts and incomes: far above any real value, far below what the database holds.
MAX_RUPIAH = 10**15
Rupiah = Annotated[int, Field(ge=0, le=MAX_RUPIAH, description="Rupiah, bilangan bulat.")]
# Head counts (persons, quotas) and small counts (days, months, children).
MAX_PERSONS = 10_000_000
Persons = Annotated[int, Field(ge=1, le=MAX_PERSONS)]
MAX_COUNT = 100_000
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
# A list of ids in one request (persons in a decree or reservation).
MAX_IDS = 100_000
IdList = Annotated[list[Id], Field(max_length=MAX_IDS)]
MAX_PAGE = 1_000_000


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
    page: int = Field(1, ge=1, le=MAX_PAGE, description="Nomor halaman, mulai dari 1.")
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)


class PageMetaOut(Schema):
    count: int
    page: int
    page_size: int
    pages: int


class KeysetPageIn(PageIn):
    after: str = Field(
        "",
        max_length=500,
        description="Kursor `next_cursor` dari halaman sebelumnya: halaman berikutnya "
        "tanpa menghitung ulang dari awal (lebih cepat dari `page` untuk daftar besar).",
    )
    count: Literal["", "exact"] = Field(
        "", description="`exact`: hitung persis (lebih lambat untuk daftar besar)."
    )


class KeysetPageMetaOut(PageMetaOut):
    count_estimated: bool = Field(
        description="`count` adalah perkiraan basis data (daftar besar); minta "
        "`count=exact` untuk jumlah persis."
    )
    next_cursor: str = Field(description="Kursor untuk `after`; kosong di halaman terakhir.")


class PageTooDeep(DomainError):
    """A numbered page too far into a big list (``jamsos.lib.pagination.MAX_OFFSET``)."""

    code = "page_too_deep"


def paginate_keyset(
    queryset: QuerySet[M], page_in: KeysetPageIn, *, order: Sequence[str], grouped: bool = False
) -> tuple[KeysetPageMetaOut, list[M]]:
    """A page of a big list (``jamsos.lib.pagination``): bounded count, seek by cursor."""
    page = list_page(
        queryset,
        order=order,
        page_size=page_in.page_size,
        page=page_in.page,
        after=page_in.after,
        exact_count=page_in.count == "exact",
        clamp=False,
        grouped=grouped,
    )
    if page.too_deep:
        raise PageTooDeep(
            gettext(
                "Halaman %(page)s terlalu jauh untuk dibuka dengan nomor halaman (paling jauh "
                "%(deepest)s). Lanjutkan dengan kursor `after` dari `next_cursor`, atau "
                "persempit daftar dengan penyaring."
            )
            % {"page": page.number, "deepest": page.deepest},
            deepest=page.deepest,
        )
    meta = KeysetPageMetaOut(
        count=page.count,
        page=page.number,
        page_size=page.page_size,
        pages=page.num_pages,
        count_estimated=page.estimated,
        next_cursor=page.next_cursor,
    )
    return meta, page.object_list


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
