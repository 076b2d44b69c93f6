"""``jamsos import_proposals``: JSON shape, exit codes, staging."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from jamsos.intake.models import ProposalBatch
from jamsos.intake.tests import core_fixtures
from jamsos.intake.tests.core_fixtures import person_dict, write_file

villages = core_fixtures.villages
people = core_fixtures.people
KEYS = [
    "rows",
    "valid",
    "invalid",
    "duplicate_in_file",
    "already_registered",
    "possible_duplicates",
    "errors",
    "warnings",
]


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_proposals", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def proposal_file(tmp_path, people):
    rows = [person_dict(p) for p in people(4)]
    rows[1]["birth_date"] = "31-02-1980"
    rows[2]["phone"] = "123"
    rows.append(dict(rows[0]))
    path = tmp_path / "usulan.xlsx"
    write_file("xlsx", rows, path)
    return path


def test_dry_run_json_is_exactly_the_documented_shape(proposal_file):
    out, _err = run(str(proposal_file), "--region", "13.03", "--dry-run", "--json")
    data = json.loads(out)
    assert list(data) == KEYS
    assert data == {
        "rows": 5,
        "valid": 3,
        "invalid": 1,
        "duplicate_in_file": 1,
        "already_registered": 0,
        "possible_duplicates": 0,
        "errors": {"birth_date_invalid": 1},
        "warnings": {"phone_invalid": 1},
    }
    assert data["rows"] == sum(data[k] for k in KEYS[1:5])
    assert not ProposalBatch.objects.exists()


def test_without_dry_run_a_batch_is_staged_as_the_given_user(proposal_file, personas):
    out, err = run(str(proposal_file), "--region", "1303", "--json", "--as", "p_operator")
    data = json.loads(out)
    batch = ProposalBatch.objects.get()
    assert (batch.status, batch.proposer, batch.rows_total) == (
        "validated",
        personas.dinas_operator,
        5,
    )
    assert data["valid"] == batch.rows_valid == 3
    assert f"#{batch.pk}" in err


def test_without_a_user_the_dinas_import_actor_proposes(proposal_file, personas):
    out, _err = run(str(proposal_file), "--region", "13.03")
    batch = ProposalBatch.objects.get()
    assert batch.proposer.username.startswith("sistem-impor-")
    assert "5 baris" in out and "birth_date_invalid" in out


@pytest.mark.parametrize(
    ("content", "name", "args", "fragment"),
    [
        (None, "missing.xlsx", [], "tidak ditemukan"),
        (b"%PDF", "usulan.pdf", [], "file_type"),
        (b"PK\x03\x04 broken", "usulan.xlsx", [], "file_unreadable"),
        (b"a;b;c\n1;2;3\n", "usulan.csv", [], "header_not_found"),
        (
            b"NIK;Nama;Jenis Kelamin;Nagari;Pekerjaan\n1;a;L;x;y\n",
            "usulan.csv",
            [],
            "Tanggal Lahir",
        ),
        (b"NIK;Nama\n", "usulan.csv", ["--region", "99.99"], "wilayah"),
        (b"NIK;Nama\n", "usulan.csv", ["--as", "nobody"], "nobody"),
    ],
)
def test_unreadable_input_exits_2_with_a_message(tmp_path, db, content, name, args, fragment):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    args = args if "--region" in args else ["--region", "13.03", *args]
    with pytest.raises(CommandError) as caught:
        run(str(path), "--dry-run", *args)
    assert caught.value.returncode == 2
    assert fragment in str(caught.value)
    assert not ProposalBatch.objects.exists()
