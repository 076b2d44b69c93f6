"""A declared income that is no BPU bracket value is a warning at intake (issue 9, "BPU
benefits follow the contribution paid"); the values are the regulation table's rows."""

from __future__ import annotations

import datetime as dt

from jamsos.budget.models import IncomeBracket
from jamsos.intake.tests import core_fixtures
from jamsos.intake.tests.core_fixtures import (
    codes_of,
    first_data_row,
    person_dict,
    status_of,
    validate_bytes,
    write_file,
)

villages = core_fixtures.villages
people = core_fixtures.people


def validate_incomes(people, incomes):
    rows = []
    for person, income in zip(people(len(incomes)), incomes, strict=True):
        rows.append({**person_dict(person), "declared_income": income})
    return validate_bytes(write_file("csv", rows), "u.csv")


def test_an_income_off_the_bracket_table_is_a_warning_naming_the_bracket_paid(people):
    lowest = IncomeBracket.objects.order_by("declared_income").first().declared_income
    result = validate_incomes(people, ["3000000", str(lowest), "Rp 1.000.000"])
    first = first_data_row("csv")
    assert "income_not_bracket" in codes_of(result, first)
    assert status_of(result, first) == "valid"  # a warning, never a status
    message = next(i for i in result.issues[first] if i["code"] == "income_not_bracket")
    assert "Rp 1.000.000" in message["message"] and "PP 44/2015" in message["message"]
    assert "income_not_bracket" not in codes_of(result, first + 1)
    assert "income_not_bracket" not in codes_of(result, first + 2)


def test_a_bracket_row_added_to_the_table_is_no_longer_warned(people):
    IncomeBracket.objects.create(
        declared_income=3_000_000,
        valid_from=dt.date(2015, 7, 1),
        legal_basis="PP 44/2015, Lampiran II",
    )
    result = validate_incomes(people, ["3000000"])
    assert "income_not_bracket" not in codes_of(result, first_data_row("csv"))
