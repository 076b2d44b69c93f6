"""Fixtures of the intake core tests (imported by the test_core_* modules)."""

from __future__ import annotations

import datetime as dt
import io
import random
from pathlib import Path
from typing import Any

import pytest

from jamsos.intake.reading import proposal_table_read
from jamsos.intake.tests.core_data import (
    Person,
    make_person,
    sijunjung_villages,
    write_csv,
    write_xlsx,
)
from jamsos.intake.validation import ValidationContext, ValidationResult, proposals_validate
from jamsos.regions.models import Region

TODAY = dt.date(2026, 11, 20)
COVERAGE = dt.date(2026, 12, 1)
FULL_HEADERS = [
    "No",
    "NIK",
    "Nama Lengkap",
    "Tempat Lahir",
    "Tanggal Lahir",
    "Jenis Kelamin",
    "Alamat",
    "Kecamatan",
    "Nagari/Desa",
    "Pekerjaan",
    "No HP",
    "Nama Ibu Kandung",
    "No KK",
    "Penghasilan",
    "Kode Kegiatan",
]
KEYS = [
    "no",
    "nik",
    "full_name",
    "birth_place",
    "birth_date",
    "sex",
    "address",
    "district",
    "village",
    "occupation",
    "phone",
    "mother_name",
    "family_card_number",
    "declared_income",
    "event_code",
]


def person_dict(person: Person) -> dict[str, Any]:
    return {
        "nik": person.nik,
        "full_name": person.name,
        "birth_place": person.birth_place,
        "birth_date": person.birth_date,
        "sex": person.sex,
        "address": person.address,
        "district": person.village.district,
        "village": person.village.name,
        "occupation": person.occupation,
        "phone": person.phone,
        "mother_name": person.mother,
        "family_card_number": "",
        "declared_income": "",
    }


def rows_to_lists(rows: list[dict[str, Any]]) -> list[list[Any]]:
    return [[i, *(row.get(k, "") for k in KEYS[1:])] for i, row in enumerate(rows, start=1)]


def write_file(kind: str, rows: list[dict[str, Any]], path: Path | None = None) -> bytes:
    """Rows (dicts by field) as real .xlsx or .csv bytes with FULL_HEADERS; in the xlsx
    the title takes 2 lines + a blank one, so data row i (1-based) is sheet row i + 4."""
    lists = rows_to_lists(rows)
    if kind == "xlsx":
        buffer = io.BytesIO()
        write_xlsx(buffer, lists, headers=FULL_HEADERS)
        data = buffer.getvalue()
    else:
        data = write_csv(None, lists, headers=FULL_HEADERS, title_lines=("Usulan", ""))
    if path is not None:
        path.write_bytes(data)
    return data


def first_data_row(kind: str) -> int:
    return 5 if kind == "xlsx" else 4


def validate_bytes(
    data: bytes,
    file_name: str,
    *,
    region: str = "13.03",
    coverage_start: dt.date = COVERAGE,
) -> ValidationResult:
    place = Region.objects.get(pk=region)
    table = proposal_table_read(
        data, file_name=file_name, village_optional=place.level == Region.Level.VILLAGE
    )
    context = ValidationContext.build(region=place, coverage_start=coverage_start, today=TODAY)
    return proposals_validate(table, context=context)


@pytest.fixture
def villages(db):
    return sijunjung_villages()


@pytest.fixture
def people(villages):
    """A factory of valid people: ``people(n, **make_person kwargs)``."""
    rng = random.Random(20261201)
    counter = iter(range(1, 10**6))

    def make(n: int = 1, **kwargs: Any) -> list[Person]:
        return [
            make_person(rng, villages, serial=next(counter), coverage_start=COVERAGE, **kwargs)
            for _ in range(n)
        ]

    return make


def codes_of(result: ValidationResult, row: int) -> set[str]:
    return {i["code"] for i in result.issues.get(row, [])}


def status_of(result: ValidationResult, row: int) -> str:
    import polars as pl

    return result.frame.filter(pl.col("row_number") == row)["status"].item()
