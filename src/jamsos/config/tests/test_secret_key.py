"""SECRET_KEY: required in production, generated once for the single-machine install."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

PROBE = "import jamsos.config.settings.base as s; print('KEY=' + s.SECRET_KEY)"


def _settings_in_fresh_interpreter(tmp_path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "SECRET_KEY",
            "SECRET_KEY_FILE",
            "DEBUG",
            "JAMSOS_GENERATE_SECRET_KEY",
            "DJANGO_SETTINGS_MODULE",
        }
    }
    clean["JAMSOS_DATA_DIR"] = str(tmp_path / "data")
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", PROBE], env=clean, capture_output=True, text=True, check=False
    )


def test_missing_key_stops_start_up_when_debug_is_off(tmp_path):
    result = _settings_in_fresh_interpreter(tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY is required when DEBUG is off" in result.stderr
    assert not (tmp_path / "data" / "secret_key").exists()


def test_generated_once_into_the_data_dir_and_reused(tmp_path):
    first = _settings_in_fresh_interpreter(tmp_path, JAMSOS_GENERATE_SECRET_KEY="1")
    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "data" / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = first.stdout.strip().removeprefix("KEY=")
    assert len(key) >= 50
    # A later start without the generate flag reuses the same key.
    second = _settings_in_fresh_interpreter(tmp_path)
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == f"KEY={key}"


@pytest.mark.parametrize("how", ["env", "file"])
def test_configured_key_wins(tmp_path, how):
    if how == "env":
        result = _settings_in_fresh_interpreter(tmp_path, SECRET_KEY="k" * 60)
    else:
        path = tmp_path / "key"
        path.write_text("f" * 60 + "\n")
        result = _settings_in_fresh_interpreter(tmp_path, SECRET_KEY_FILE=str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "KEY=" + ("k" if how == "env" else "f") * 60
    assert not (tmp_path / "data" / "secret_key").exists()
