"""Targets (the denominator) and coverage: the import refuses bad files whole, coverage
is active ÷ eligible with its source, counts only without a denominator, the areas add
up to the total, and the CLI prints exactly the issue's JSON."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from jamsos.budget.models import NagariMinimum
from jamsos.lib.errors import PermissionDenied
from jamsos.regions.models import Region
from jamsos.reports.models import EligibleTarget
from jamsos.reports.selectors import coverage_areas
from jamsos.reports.services import TargetImportError, figures_refresh_year
from jamsos.reports.targets import targets_import
from jamsos.testing.factories import region

pytestmark = pytest.mark.django_db

A = "13.03.03.2001"
HEADER = "kode_wilayah;tahun;jumlah;sumber;tanggal_sumber;fiktif\r\n"


def _csv(*lines: str) -> bytes:
    return (HEADER + "".join(line + "\r\n" for line in lines)).encode()


def test_import_writes_every_row_or_none():
    good = _csv(f"{A};2025;200;Pendataan Nagari Timbulun;2025-01-15;tidak")
    result = targets_import(good, file_name="sasaran.csv", acting_user=None)
    assert result.created == 1
    bad = _csv(
        "13.03.03.2002;2025;150;BPS;2025-01-15;",
        "99.99.99;2025;abc;;15/01/2025;mungkin",
    )
    with pytest.raises(TargetImportError) as caught:
        targets_import(bad, file_name="sasaran.csv", acting_user=None)
    errors = caught.value.errors
    assert 'Baris 3: "99.99.99" di kolom "kode_wilayah" bukan kode wilayah yang dikenal.' in errors
    assert 'Baris 3: "abc" di kolom "jumlah" harus bilangan bulat ≥ 1.' in errors
    assert 'Baris 3: "15/01/2025" di kolom "tanggal_sumber" bukan tanggal (TTTT-BB-HH).' in errors
    assert 'Baris 3: "mungkin" di kolom "fiktif" harus "ya" atau "tidak".' in errors
    # The good first row of the refused file was not written either.
    assert not EligibleTarget.objects.filter(region_id="13.03.03.2002").exists()
    assert EligibleTarget.objects.count() == 1


def test_import_refuses_an_area_outside_the_importers_scope(personas):
    with pytest.raises(TargetImportError) as caught:
        targets_import(
            _csv("13.71.01.1001;2025;10;BPS;2025-01-01;"),
            file_name="t.csv",
            acting_user=personas.dinas_operator,
        )
    assert "di luar cakupan wilayah Anda" in caught.value.errors[0]


def test_import_cli_names_row_column_and_value(tmp_path):
    path = tmp_path / "sasaran.csv"
    path.write_bytes(_csv(f"{A};1999;10;BPS;2025-01-01;"))
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_targets", str(path), stderr=err)
    assert 'Baris 2: "1999" di kolom "tahun"' in err.getvalue()
    path.write_bytes(_csv(f"{A};2025;10;BPS;2025-01-01;ya"))
    out = StringIO()
    call_command("import_targets", str(path), stdout=out)
    assert EligibleTarget.objects.get(region_id=A).is_fictitious


def test_import_refuses_a_file_over_the_upload_cap_before_reading_it(tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jamsos.lib.tabular import FileTooLarge, size_text

    settings.INTAKE_UPLOAD_MAX_BYTES = 1024
    # A valid file (one row a year), only too big.
    data = _csv(*(f"{A};{2000 + n};10;BPS Sijunjung;2025-01-01;" for n in range(40)))
    assert len(data) > 1024
    expected = (
        f'Berkas "sasaran.csv" berukuran {size_text(len(data))}; batas unggah 1 KB. '
        "Bagi daftar menjadi beberapa berkas."
    )
    upload = SimpleUploadedFile("sasaran.csv", data)
    with pytest.raises(FileTooLarge) as caught:
        targets_import(upload, file_name=upload.name, acting_user=None)
    assert caught.value.message == expected
    assert upload.tell() == 0  # refused on its declared size: not a byte was read

    path = tmp_path / "sasaran.csv"
    path.write_bytes(data)
    with pytest.raises(CommandError) as command_error:
        call_command("import_targets", str(path))
    assert str(command_error.value) == expected
    assert not EligibleTarget.objects.exists()


@pytest.fixture
def covered(sijunjung, apbd, apb_nagari, make_members):
    """Timbulun: 3 APBD + 2 of its own APB Nagari; one nagari of Kec. Sijunjung: 1 APBD;
    a lapsed member of Timbulun gone from April. Targets for every nagari of Tanjung
    Gadang (200 for Timbulun, 100 the others) but none in Kecamatan Sijunjung."""
    make_members(3, apbd, village=A)
    make_members(2, apb_nagari, village=A)
    make_members(1, apbd, village="13.03.04.2001")
    make_members(1, apbd, village=A, last="2025-03", status="lapsed")
    for nagari in Region.objects.filter(parent_id="13.03.03"):
        EligibleTarget.objects.create(
            region=nagari,
            year=2025,
            count=200 if nagari.code == A else 100,
            source="Pendataan nagari",
            source_date=dt.date(2025, 1, 10),
        )
    # The seeded rule (budget migration 0003): 100 per nagari.
    assert NagariMinimum.objects.filter(region=sijunjung, persons=100).exists()
    figures_refresh_year(regency_code="13.03", year=2025)


def test_coverage_of_a_kecamatan_by_nagari(covered):
    result = coverage_areas(region=region("13.03.03"), year=2025, month=4)
    timbulun = next(a for a in result.areas if a.code == A)
    assert (timbulun.active, timbulun.eligible, timbulun.coverage) == (5, 200, 0.025)
    assert timbulun.nagari_minimum == 100
    assert timbulun.nagari_funded_active == 2
    assert result.active == sum(a.active for a in result.areas) == 5
    assert result.eligible == sum(a.eligible for a in result.areas)
    assert "Pendataan nagari" in result.source
    march = coverage_areas(region=region("13.03.03"), year=2025, month=3)
    assert march.active == 6  # the lapsed member still covered in March


def test_coverage_without_a_denominator_gives_counts_only(covered):
    result = coverage_areas(region=region("13.03"), year=2025, month=4)
    sijunjung_kec = next(a for a in result.areas if a.code == "13.03.04")
    assert (sijunjung_kec.active, sijunjung_kec.eligible, sijunjung_kec.coverage) == (1, None, None)
    tanjung = next(a for a in result.areas if a.code == "13.03.03")
    assert tanjung.eligible is not None and tanjung.coverage is not None
    # One area lacks a denominator: the kabupaten has none either (no own target).
    assert (result.eligible, result.coverage) == (None, None)
    assert result.active == sum(a.active for a in result.areas) == 6
    assert len(result.areas) == 8


def test_coverage_cli_json_is_exactly_the_issues_shape(covered):
    out = StringIO()
    call_command(
        "coverage", "--region", "13.03.03", "--year", "2025", "--month", "4", "--json", stdout=out
    )
    data = json.loads(out.getvalue())
    assert list(data) == [
        "region",
        "year",
        "month",
        "eligible",
        "active",
        "coverage",
        "source",
        "areas",
    ]
    assert list(data["areas"][0]) == [
        "code",
        "name",
        "level",
        "eligible",
        "active",
        "coverage",
        "nagari_minimum",
        "nagari_funded_active",
    ]
    assert data["active"] == sum(a["active"] for a in data["areas"]) == 5
    assert data["eligible"] == sum(a["eligible"] for a in data["areas"])
    assert data["coverage"] == round(data["active"] / data["eligible"], 4)
    text = StringIO()
    call_command("coverage", "--region", "13.03", "--year", "2025", stdout=text)
    assert "06.02.021" in text.getvalue()


def test_coverage_scope(covered, personas):
    coverage_areas(region=region("13.03"), year=2025, viewer=personas.dprd)
    coverage_areas(region=region("13.03.03"), year=2025, viewer=personas.kecamatan_operator)
    with pytest.raises(PermissionDenied):
        coverage_areas(region=region("13.03"), year=2025, viewer=personas.kecamatan_operator)
    with pytest.raises(PermissionDenied):
        coverage_areas(region=region("13.03"), year=2025, viewer=personas.outsider)


def test_the_target_page_refuses_a_file_over_the_upload_cap_naming_it(client, personas, settings):
    """The page's form uses the one upload cap (``INTAKE_UPLOAD_MAX_BYTES``), not a limit
    of its own, and names it; a file within the cap is imported from the upload."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from jamsos.lib.tabular import size_text

    settings.INTAKE_UPLOAD_MAX_BYTES = 1024
    client.force_login(personas.dinas_operator)
    data = _csv(*(f"{A};{2000 + n};10;BPS Sijunjung;2025-01-01;" for n in range(40)))
    page = client.post(
        reverse("reports:targets"), {"file": SimpleUploadedFile("sasaran.csv", data)}
    )
    assert page.status_code == 200
    assert page.context["form"].errors["file"] == [
        f'Berkas "sasaran.csv" berukuran {size_text(len(data))}; batas unggah 1 KB. '
        "Bagi daftar menjadi beberapa berkas."
    ]
    assert not EligibleTarget.objects.exists()

    small = _csv(f"{A};2025;10;BPS Sijunjung;2025-01-01;")
    page = client.post(
        reverse("reports:targets"), {"file": SimpleUploadedFile("sasaran.csv", small)}
    )
    assert page.status_code == 302
    assert EligibleTarget.objects.get(region_id=A, year=2025).count == 10
