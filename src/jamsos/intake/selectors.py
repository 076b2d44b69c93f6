"""Reads of proposal batches and rows; every list is scoped by ``intake.access``."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import (
    BigIntegerField,
    Count,
    DateField,
    F,
    Func,
    Q,
    QuerySet,
    TextField,
    Value,
)
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils.translation import gettext

from jamsos.accounts.models import User
from jamsos.intake.access import batches_visible_to
from jamsos.intake.models import EligibilityRule, ProposalBatch, ProposalRow
from jamsos.lib.errors import NotFoundOrForbidden
from jamsos.lib.nik import nik_clean


def batch_list(*, viewer: User, status: str | None = None) -> QuerySet[ProposalBatch]:
    """Batches ``viewer`` may see, newest first, optionally of one status."""
    queryset = batches_visible_to(viewer).select_related("region", "agency", "proposer")
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-created_at", "-id")


def batch_rows(
    *,
    batch: ProposalBatch,
    viewer: User,
    status: str | None = None,
    code: str | None = None,
    possible_duplicate: bool | None = None,
    decision: str | None = None,
    search: str | None = None,
) -> QuerySet[ProposalRow]:
    """Rows of ``batch`` in file order, narrowed by the review page's filters.

    ``code`` keeps rows having that issue code; ``search`` matches a name (contains) or
    a NIK (16 digits exactly, 4 or more as its beginning). Raises ``NotFoundOrForbidden``
    when ``viewer`` may not see the batch.
    """
    if not batches_visible_to(viewer).filter(pk=batch.pk).exists():
        raise NotFoundOrForbidden(gettext("Usulan tidak ditemukan."))
    queryset = ProposalRow.objects.filter(batch=batch).select_related(
        "village", "village__parent", "person", "decided_by"
    )
    if status:
        queryset = queryset.filter(status=status)
    if code:
        queryset = queryset.filter(issue_codes__contains=f" {code} ")
    if possible_duplicate is not None:
        queryset = queryset.filter(possible_duplicate=possible_duplicate)
    if decision:
        queryset = queryset.filter(decision=decision)
    term = (search or "").strip()
    if term:
        digits = nik_clean(term)
        if digits.isdigit() and len(digits) >= 4:
            queryset = queryset.filter(nik__startswith=digits)
        else:
            queryset = queryset.filter(full_name__icontains=term)
    return queryset.order_by("row_number")


def batch_code_counts(*, batch: ProposalBatch) -> dict[str, dict[str, int]]:
    """Counts for the review page: rows by status and by decision, issues by code.

    ``{"status": {...}, "decision": {...}, "errors": {code: n}, "warnings": {code: n}}``
    — codes count rows (a row with two phone problems counts once).
    """
    status = dict.fromkeys(ProposalRow.Status.values, 0)
    decision = dict.fromkeys(ProposalRow.Decision.values, 0)
    grouped = (
        ProposalRow.objects.filter(batch=batch)
        .values("status", "decision")
        .annotate(n=Count("id"))
        .order_by()
    )
    for entry in grouped:
        status[entry["status"]] += entry["n"]
        decision[entry["decision"]] += entry["n"]
    summary: dict[str, Any] = batch.summary or {}
    return {
        "status": status,
        "decision": decision,
        "errors": dict(summary.get("errors", {})),
        "warnings": dict(summary.get("warnings", {})),
    }


def batch_same_file(*, batch: ProposalBatch) -> QuerySet[ProposalBatch]:
    """Other batches staged from the very same file (same SHA-256), oldest first."""
    if not batch.file_sha256:
        return ProposalBatch.objects.none()
    return (
        ProposalBatch.objects.filter(file_sha256=batch.file_sha256)
        .exclude(pk=batch.pk)
        .order_by("created_at", "id")
    )


def rows_to_apply(*, batch: ProposalBatch) -> QuerySet[ProposalRow]:
    """Rows that become persons when ``batch`` is applied: valid, not yet applied, not
    rejected, and — for possible duplicates — explicitly accepted as a different person."""
    return (
        ProposalRow.objects.filter(batch=batch, status=ProposalRow.Status.VALID, person=None)
        .exclude(decision__in=[ProposalRow.Decision.REJECTED, ProposalRow.Decision.SAME_PERSON])
        .exclude(Q(possible_duplicate=True) & ~Q(decision=ProposalRow.Decision.ACCEPTED))
        .order_by("row_number")
    )


PERSON_FIELDS = (
    "full_name",
    "birth_place",
    "birth_date",
    "sex",
    "mother_name",
    "address",
    "village",
    "occupation",
    "phone",
    "family_card_number",
    "declared_income",
)


class JsonText(Func):
    """``values->>'key'``: one key of a JSON column as text, SQL NULL for a JSON null
    (Django's ``KT`` gives the text "null" on SQLite). ``key`` is a field name of ours,
    passed as a parameter."""

    output_field = TextField()

    def __init__(self, column: str, key: str) -> None:
        super().__init__(F(column))
        self.key = key

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list]:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"json_extract({sql}, %s)", [*params, f"$.{self.key}"]

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list]:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"({sql} ->> %s)", [*params, self.key]


def rows_to_apply_values(*, batch: ProposalBatch) -> list[dict[str, Any]]:
    """``rows_to_apply`` as dicts: pk, row_number, nik and the person fields of the
    normalised values, taken out of the JSON by the database (apply reads 100,000 rows;
    decoding them in Python costs a second)."""
    fields = {f"v_{name}": JsonText("values", name) for name in PERSON_FIELDS}
    rows = (
        rows_to_apply(batch=batch)
        .annotate(**fields)
        .values_list("pk", "row_number", "nik", *fields)
    )
    return [
        {"pk": pk, "row_number": number, "nik": nik, **dict(zip(PERSON_FIELDS, rest, strict=True))}
        for pk, number, nik, *rest in rows
    ]


# Optional texts: ``values.get(name) or ""`` in ``PersonData.from_values``.
_OPTIONAL_TEXT = ("birth_place", "mother_name", "address", "phone", "family_card_number")


def _person_value(name: str) -> Any:
    """SQL for one person field out of a row's normalised values, converted exactly as
    ``registry.services.PersonData.from_values`` converts it in Python: JSON null (or a
    missing key) of an optional text becomes ``''``, the birth date an ISO ``date``, an
    income of null or ``''`` NULL, else a ``bigint``."""
    text = JsonText("values", name)
    if name in _OPTIONAL_TEXT:
        return Coalesce(text, Value(""), output_field=TextField())
    if name == "birth_date":
        return Cast(text, DateField())
    if name == "declared_income":
        return Cast(NullIf(text, Value("")), BigIntegerField())
    return text


def rows_to_apply_persons_sql(*, batch: ProposalBatch) -> tuple[str, tuple[Any, ...]]:
    """``rows_to_apply`` as a SELECT of persons (PostgreSQL): the row's NIK, then the
    other ``registry.services.PERSON_SELECT_COLUMNS`` read out of the JSON ``values`` by
    the database (``_person_value``), in that order — what
    ``person_bulk_create_from_select`` inserts without the rows passing through Python.
    Unordered: the insert orders them."""
    from jamsos.registry.services import PERSON_SELECT_COLUMNS

    others = [name for name in PERSON_SELECT_COLUMNS if name != "nik"]
    fields = {f"p_{name}": _person_value(name) for name in others}
    queryset = rows_to_apply(batch=batch).order_by().annotate(**fields).values("nik", *fields)
    inner, params = queryset.query.sql_with_params()
    quote = connection.ops.quote_name
    names = ", ".join(
        quote("nik" if name == "nik" else f"p_{name}") for name in PERSON_SELECT_COLUMNS
    )
    return f"SELECT {names} FROM ({inner}) AS r", params  # noqa: S608 - names are ours


def rows_to_apply_references_missing(*, batch: ProposalBatch) -> dict[str, list[str]]:
    """``registry.services.person_references_missing`` for ``rows_to_apply``, without
    reading the rows: the database lists the distinct (village, occupation) pairs of
    their values (one scan), then one query per table checks those codes.
    ``{"village": [...], "occupation": [...]}``, empty ones left out."""
    from jamsos.regions.models import Region
    from jamsos.registry.models import Occupation

    pairs = (
        rows_to_apply(batch=batch)
        .order_by()
        .annotate(v=JsonText("values", "village"), o=JsonText("values", "occupation"))
        .values_list("v", "o")
        .distinct()
    )
    villages: set[str] = set()
    occupations: set[str] = set()
    for village, occupation in pairs:
        villages.add(village or "")
        occupations.add(occupation or "")
    known_villages = set(Region.objects.filter(code__in=villages).values_list("code", flat=True))
    known_occupations = set(
        Occupation.objects.filter(pk__in=occupations).values_list("pk", flat=True)
    )
    missing = {
        "village": sorted(villages - known_villages),
        "occupation": sorted(occupations - known_occupations),
    }
    return {key: values for key, values in missing.items() if values}


def eligibility_rule_list() -> QuerySet[EligibilityRule]:
    return EligibilityRule.objects.order_by("-valid_from")
