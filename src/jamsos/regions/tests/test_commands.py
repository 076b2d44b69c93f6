"""``jamsos check_nik`` and ``jamsos find_region``: output and exit statuses 0/1/2."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

pytestmark = pytest.mark.django_db

JSON_KEYS = [
    "nik",
    "valid",
    "errors",
    "warnings",
    "province",
    "regency",
    "district",
    "birth_date",
    "sex",
]
VALID_WOMAN = "1303034503900001"  # Tanjung Gadang, 5 March 1990, woman


def run(*args: str) -> tuple[int, str]:
    """Run a command like the shell does: its exit status and standard output."""
    out = io.StringIO()
    try:
        call_command(*args, stdout=out)
    except SystemExit as exit_:
        return int(exit_.code), out.getvalue()
    except CommandError as error:
        return error.returncode, str(error)
    return 0, out.getvalue()


class TestCheckNik:
    def test_valid_json_has_exactly_the_documented_keys(self):
        status, out = run("check_nik", VALID_WOMAN, "--json")
        assert status == 0
        answer = json.loads(out)
        assert list(answer) == JSON_KEYS
        assert answer == {
            "nik": VALID_WOMAN,
            "valid": True,
            "errors": [],
            "warnings": [],
            "province": "Sumatera Barat",
            "regency": "Kabupaten Sijunjung",
            "district": "Tanjung Gadang",
            "birth_date": "1990-03-05",
            "sex": "P",
        }

    def test_separators_and_an_unquoted_nik(self):
        status, out = run("check_nik", "1303", "0345.0390-0001", "--json")
        assert status == 0 and json.loads(out)["nik"] == VALID_WOMAN

    def test_invalid_exits_1_with_codes(self):
        status, out = run(
            "check_nik", VALID_WOMAN, "--birth-date", "1991-03-05", "--sex", "L", "--json"
        )
        assert status == 1
        assert json.loads(out)["errors"] == ["nik_birthdate_mismatch", "nik_sex_mismatch"]
        status, out = run("check_nik", "123", "--json")
        assert status == 1 and json.loads(out)["errors"] == ["nik_format"]

    def test_a_warning_alone_is_still_valid(self):
        status, out = run("check_nik", "1303994503900001", "--json")
        assert status == 0
        assert json.loads(out)["warnings"] == ["nik_district_unknown"]

    def test_papua_pre_2022_code(self):
        status, out = run("check_nik", "9101015208850003", "--json")
        answer = json.loads(out)
        assert status == 0 and answer["warnings"] == []
        assert answer["district"] == "Merauke"

    def test_declared_birth_date_sets_the_century(self):
        status, out = run("check_nik", "1303030101200001", "--birth-date", "1920-01-01", "--json")
        assert status == 0 and json.loads(out)["birth_date"] == "1920-01-01"

    def test_human_report_is_indonesian(self):
        status, out = run("check_nik", VALID_WOMAN)
        assert status == 0
        assert "SAH" in out and "5 Maret 1990" in out and "perempuan" in out
        status, out = run("check_nik", "1303034003900000", "--sex", "p")
        assert status == 1
        assert "TIDAK SAH" in out
        assert "Bagian tanggal lahir NIK (40-03-90) bukan tanggal yang sah." in out
        assert "Nomor urut NIK tidak boleh 0000. [nik_serial_zero]" in out

    @pytest.mark.parametrize(
        "args",
        [
            ("check_nik",),  # no NIK
            ("check_nik", VALID_WOMAN, "--birth-date", "05-03-1990"),
            ("check_nik", VALID_WOMAN, "--birth-date", "1990-02-30"),
            ("check_nik", VALID_WOMAN, "--sex", "W"),
            ("check_nik", VALID_WOMAN, "--no-such-option"),
        ],
    )
    def test_bad_usage_exits_2(self, args):
        status, message = run(*args)
        assert status == 2, message


class TestFindRegion:
    def test_found(self):
        status, out = run("find_region", "Nagari Air Amo", "--parent", "1303", "--json")
        answer = json.loads(out)
        assert status == 0
        assert answer["found"] is True and answer["match"]["code"] == "13.03.06.2004"
        assert answer["match"]["path"] == [
            "Sumatera Barat",
            "Kabupaten Sijunjung",
            "Kamang Baru",
            "Aie Amo",
        ]
        assert answer["parent"] == "13.03" and answer["score"] == 98

    def test_human_output(self):
        status, out = run("find_region", "Lubuk Tarok", "--parent", "13.03")
        assert status == 0
        assert "Lubuak Tarok (13.03.07.2001)" in out

    def test_ambiguous_and_missing_exit_1(self):
        status, out = run("find_region", "Solok", "--level", "regency", "--json")
        assert status == 1 and json.loads(out)["ambiguous"] is True
        status, out = run("find_region", "Solok", "--level", "regency")
        assert status == 1 and "beberapa wilayah" in out
        status, out = run("find_region", "Xyzzy Qwerty", "--json")
        assert status == 1 and json.loads(out)["found"] is False

    @pytest.mark.parametrize(
        "args",
        [
            ("find_region",),
            ("find_region", "Aie Amo", "--level", "nagari"),
            ("find_region", "Aie Amo", "--parent", "99.99"),
        ],
    )
    def test_bad_usage_exits_2(self, args):
        status, message = run(*args)
        assert status == 2, message


@pytest.fixture(scope="module")
def database_url_for_a_subprocess(django_db_setup, django_db_blocker, tmp_path_factory):
    """A database another process can read, holding the migration-loaded regions.

    PostgreSQL: the test database itself (the regions were committed by its migrations).
    SQLite: the test database lives in this process's memory, and copying it with SQLite's
    backup API can wait forever on a connection that another test module keeps in a
    transaction; so the console script migrates a file database of its own instead.
    """
    settings = connection.settings_dict
    if connection.vendor != "sqlite":
        user = settings["USER"] or "postgres"
        password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
        host = settings["HOST"] or "127.0.0.1"
        port = settings["PORT"] or 5432
        return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"
    folder = tmp_path_factory.mktemp("jamsos-cli")
    url = f"sqlite:///{folder / 'cli.sqlite3'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DJANGO_"))}
    env.update(JAMSOS_DATA_DIR=str(folder), DATABASE_URL=url, JAMSOS_GENERATE_SECRET_KEY="1")
    subprocess.run(
        [sys.executable, "-m", "jamsos", "migrate", "-v", "0"],
        env=env,
        check=True,
        timeout=300,
        capture_output=True,
    )
    return url


def test_the_real_console_script(tmp_path, database_url_for_a_subprocess):
    """The installed ``jamsos`` entry point, as an operator runs it from a shell."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DJANGO_"))}
    env.update(
        JAMSOS_DATA_DIR=str(tmp_path),
        DATABASE_URL=database_url_for_a_subprocess,
        DJANGO_SETTINGS_MODULE="jamsos.config.settings.base",
    )
    jamsos = [sys.executable, "-m", "jamsos", "check_nik"]

    def shell(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*jamsos, *args], env=env, capture_output=True, text=True, timeout=120, check=False
        )

    valid = shell("1303 0345 0390 0001", "--json")
    assert valid.returncode == 0, valid.stderr
    assert list(json.loads(valid.stdout)) == JSON_KEYS
    assert shell(VALID_WOMAN, "--sex", "L").returncode == 1
    bad_usage = shell(VALID_WOMAN, "--birth-date", "kemarin")
    assert bad_usage.returncode == 2
    assert "TTTT-BB-HH" in bad_usage.stderr
    assert shell().returncode == 2  # argparse: NIK missing
