"""``jamsos estimate_cost``: JSON output and exit codes, run as the console script would."""

from __future__ import annotations

import json

import pytest
from django.core.management import execute_from_command_line

pytestmark = pytest.mark.django_db


def run(capsys, *args: str) -> tuple[int, str, str]:
    try:
        execute_from_command_line(["jamsos", "estimate_cost", *args])
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def test_json_reproduces_phase_one(capsys):
    code, out, _ = run(capsys, "--persons", "1333", "--months", "9", "--start", "2022-03", "--json")
    assert code == 0
    body = json.loads(out)
    assert {
        k: body[k] for k in ("persons", "months", "per_person_month", "components", "total")
    } == {
        "persons": 1333,
        "months": 9,
        "per_person_month": 16_800,
        "components": {"jkk": 10_000, "jkm": 6_800},
        "total": 201_549_600,
    }
    assert any("Lampiran II" in basis for basis in body["legal_basis"])


def test_json_reproduces_the_2025_budget(capsys):
    code, out, _ = run(
        capsys, "--persons", "22718", "--months", "8", "--start", "2025-05", "--json"
    )
    body = json.loads(out)
    assert (code, body["total"], body["person_months"]) == (0, 3_053_299_200, 181_744)


def test_pu_and_payer_options(capsys):
    code, out, _ = run(
        capsys,
        "--persons", "2", "--months", "1", "--segment", "pu", "--wage", "Rp 2.500.000",
        "--risk-group", "tinggi", "--start", "2026-01", "--payer", "mandiri", "--json",
    )  # fmt: skip
    body = json.loads(out)
    assert code == 0
    assert body["components"] == {"jkk": 31_750, "jkm": 7_500}
    assert body["total"] == 2 * 39_250


def test_text_output_uses_indonesian_formats(capsys):
    code, out, _ = run(capsys, "--persons", "1333", "--months", "9", "--start", "2022-03")
    assert code == 0
    assert "Jumlah: Rp 201.549.600" in out
    assert "Maret 2022 – November 2022" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--months", "9"], "--persons"),
        (["--persons", "0", "--months", "9"], "harus ≥ 1"),
        (["--persons", "x", "--months", "9"], "bukan bilangan bulat"),
        (["--persons", "1", "--months", "9", "--start", "2022-13"], "bukan bulan yang sah"),
        (["--persons", "1", "--months", "9", "--payer", "bank"], "invalid choice"),
        (["--persons", "1", "--months", "9", "--income", "abc"], "bukan jumlah rupiah"),
        (["--persons", "1", "--months", "200"], "Jumlah bulan harus 1–120"),
        (["--persons", "1", "--months", "1", "--income", "1500000"], "tidak ada di tabel"),
        (["--persons", "1", "--months", "1", "--segment", "pu"], "memerlukan upah"),
    ],
)
def test_bad_usage_exits_2_with_a_clear_message(capsys, args, message):
    code, out, err = run(capsys, *args)
    assert code == 2
    assert message in err
    assert out == ""


def test_missing_rate_exits_1(capsys):
    code, _, err = run(capsys, "--persons", "1", "--months", "1", "--start", "2010-01")
    assert code == 1
    assert "2010-01" in err


def test_text_output_prints_the_discount_as_a_plain_percentage(capsys):
    code, out, _ = run(
        capsys,
        "--persons", "1", "--months", "1", "--start", "2026-01", "--payer", "mandiri",
        "--sector", "transportasi",
    )  # fmt: skip
    assert code == 0
    assert "potongan 50 %" in out
    assert "E+" not in out
