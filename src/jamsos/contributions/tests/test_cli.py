"""``jamsos bill_month`` and ``jamsos record_payment``: JSON shape, reruns, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jamsos.contributions.models import Bill

pytestmark = pytest.mark.django_db


def bill_month(capsys, *args: str) -> dict:
    call_command("bill_month", *args, "--json")
    return json.loads(capsys.readouterr().out)


def test_json_output_and_rerun(sijunjung, apbd, apb_nagari, make_members, capsys):
    make_members(7, apbd)
    make_members(3, apb_nagari)
    first = bill_month(capsys, "2025-04")
    assert {"month", "members", "total", "created", "bills"} <= set(first)
    assert first["month"] == "2025-04"
    assert (first["members"], first["total"], first["created"]) == (10, 168_000, 2)
    by_source = {b["source"]: b for b in first["bills"]}
    assert by_source["APBD Sijunjung"]["members"] == 7
    assert by_source["APBD Sijunjung"]["total"] == 7 * 16_800
    assert by_source["APB Nagari Timbulun"]["total"] == 3 * 16_800
    assert all({"source", "members", "total"} <= set(b) for b in first["bills"])
    again = bill_month(capsys, "2025-04")
    assert again["created"] == 0
    assert (again["members"], again["total"]) == (10, 168_000)


def test_source_option(sijunjung, apbd, apb_nagari, make_members, capsys):
    make_members(2, apbd)
    make_members(1, apb_nagari)
    only = bill_month(capsys, "2025-05", "--source", "apb_nagari")
    assert [b["source"] for b in only["bills"]] == ["APB Nagari Timbulun"]
    assert Bill.objects.count() == 1
    by_id = bill_month(capsys, "2025-05", "--source", str(apbd.pk), "--region", "13.03")
    assert by_id["created"] == 1
    with pytest.raises(CommandError) as exc:
        call_command("bill_month", "2025-05", "--source", "tidak-ada", "--region", "13.03")
    assert exc.value.returncode == 2
    assert "tidak ada di Kabupaten Sijunjung" in str(exc.value)


def test_prepayment_and_text_output(sijunjung, apbd, make_members, capsys):
    make_members(2, apbd)
    call_command("bill_month", "2025-01", "--months", "3")
    out = capsys.readouterr().out
    assert "Tagihan Januari 2025 (3 bulan di muka): 1 tagihan baru" in out
    assert "Rp 100.800" in out
    with pytest.raises(CommandError) as exc:
        call_command("bill_month", "2025-11", "--months", "3")
    assert exc.value.returncode == 2


def test_record_payment(sijunjung, apbd, make_members, capsys):
    from jamsos.contributions import services

    make_members(1, apbd)
    bill = bill_month(capsys, "2025-01")["bills"][0]
    services.bill_issue(bill=Bill.objects.get(number=bill["number"]), acting_user=None)
    call_command(
        "record_payment",
        bill["number"],
        "--sp2d",
        "900/77/2025",
        "--date",
        "2025-01-31",
        "--amount",
        "Rp 20.000",
        "--account",
        "RKUD",
        "--json",
    )
    paid = json.loads(capsys.readouterr().out)
    assert paid == {
        "bill": bill["number"],
        "sp2d_number": "900/77/2025",
        "amount": 20_000,
        "applied": 16_800,
        "credited": 3_200,
        "status": "paid",
        "due": 0,
    }
    with pytest.raises(CommandError) as exc:
        call_command(
            "record_payment",
            "IUR/TIDAK/ADA",
            "--sp2d",
            "1",
            "--date",
            "2025-01-31",
            "--amount",
            "1",
            "--account",
            "RKUD",
        )
    assert exc.value.returncode == 2


def test_the_console_script_exits_2_on_a_bad_month(tmp_path):
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "jamsos.config.settings.test",
        "JAMSOS_DATA_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-m", "jamsos", "bill_month", "2025-13", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert "bukan bulan yang sah" in result.stderr
