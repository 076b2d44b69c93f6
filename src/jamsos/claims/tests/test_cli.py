"""``jamsos estimate_benefit``: the publicity figures, JSON shape and exit codes."""

from __future__ import annotations

import json

import pytest
from django.core.management import execute_from_command_line

pytestmark = pytest.mark.django_db


def run(capsys, *args: str) -> tuple[int, str, str]:
    try:
        execute_from_command_line(["jamsos", "estimate_benefit", *args])
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("args", "total"),
    [
        (["--type", "jkm"], 42_000_000),
        (["--type", "jkm", "--months-paid", "2"], 10_000_000),
        (["--type", "jkk_death", "--income", "1000000"], 70_000_000),
        (["--type", "jkk_death"], 70_000_000),  # the lowest BPU bracket by default
        (["--type", "stmb", "--days", "45"], 1_500_000),
        (["--type", "beasiswa"], 87_000_000),
        (["--type", "beasiswa", "--children", "2"], 174_000_000),
        (["--type", "beasiswa", "--level", "sma", "--years", "3", "--children", "2"], 18_000_000),
        (["--type", "jkk_disability", "--disability", "total_tetap"], 56_000_000),
    ],
)
def test_json_totals(capsys, args, total):
    code, out, _ = run(capsys, *args, "--date", "2025-06-01", "--json")
    assert code == 0
    body = json.loads(out)
    assert body["total"] == total
    assert body["type"] == args[1]
    assert sum(line["amount"] for line in body["lines"]) == total
    assert all({"code", "amount", "legal_basis"} <= set(line) for line in body["lines"])


def test_json_lines_of_jkm(capsys):
    code, out, _ = run(capsys, "--type", "jkm", "--json")
    body = json.loads(out)
    assert code == 0
    assert [(x["code"], x["amount"]) for x in body["lines"]] == [
        ("jkm_santunan_sekaligus", 20_000_000),
        ("jkm_santunan_berkala", 12_000_000),
        ("jkm_biaya_pemakaman", 10_000_000),
    ]
    assert body["lines"][0]["legal_basis"].startswith("PP 44/2015 jo. PP 82/2019")


def test_text_output_is_indonesian_and_marks_unconfirmed_rows(capsys):
    code, out, _ = run(capsys, "--type", "jkk_death", "--income", "Rp 1.000.000")
    assert code == 0
    assert "Jumlah: Rp 70.000.000" in out
    assert "Belum terkonfirmasi" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "--type"),
        (["--type", "jht"], "invalid choice"),
        (["--type", "jkm", "--months-paid", "-1"], "harus ≥ 0"),
        (["--type", "jkk_death", "--income", "abc"], "bukan jumlah rupiah"),
        (["--type", "stmb"], "--days"),
        (["--type", "stmb", "--days", "0"], "harus ≥ 1"),
        (["--type", "beasiswa", "--level", "smp", "--years", "4"], "paling lama 3 tahun"),
        (["--type", "beasiswa", "--children", "3"], "1 sampai 2 anak"),
        (["--type", "beasiswa", "--level", "s2"], "invalid choice"),
        (["--type", "jkm", "--date", "2025-13-01"], "bukan tanggal yang sah"),
        (["--type", "jkk_disability", "--disability", "hidung"], "tidak ada di tabel"),
    ],
)
def test_bad_usage_exits_2(capsys, args, message):
    code, out, err = run(capsys, *args)
    assert code == 2
    assert message in err
    assert out == ""


def test_no_rule_for_the_date_exits_1(capsys):
    code, out, err = run(capsys, "--type", "jkm", "--date", "2015-01-01")
    assert code == 1
    assert "2015-01" in err
    assert out == ""
