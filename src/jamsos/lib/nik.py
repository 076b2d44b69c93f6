"""NIK (Nomor Induk Kependudukan): build, parse and validate.

Structure (facts.md §5): ``PP RR DD | DD MM YY | SSSS`` — the Kemendagri code of the
kecamatan where the NIK was issued, the birth date with 40 added to the day for women,
and a serial among people born that day there.

This module knows no database: region names come through a ``RegionCodebook`` (see
``jamsos.regions.selectors.region_codebook``), so it is fast in bulk and easy to test.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Protocol

_SEPARATORS = re.compile(r"[\s.\-_/]+")
_SIXTEEN_DIGITS = re.compile(r"\d{16}")

# Stable codes; messages (Bahasa Indonesia) live in MESSAGES and docs/nik.md.
NIK_FORMAT = "nik_format"
NIK_PROVINCE_UNKNOWN = "nik_province_unknown"
NIK_DISTRICT_UNKNOWN = "nik_district_unknown"
NIK_BIRTHDATE_INVALID = "nik_birthdate_invalid"
NIK_SERIAL_ZERO = "nik_serial_zero"
NIK_BIRTHDATE_MISMATCH = "nik_birthdate_mismatch"
NIK_SEX_MISMATCH = "nik_sex_mismatch"

MESSAGES: dict[str, str] = {
    NIK_FORMAT: "NIK harus 16 angka (tanda titik, spasi dan strip boleh).",
    NIK_PROVINCE_UNKNOWN: "Kode provinsi {province} pada NIK tidak dikenal.",
    NIK_DISTRICT_UNKNOWN: "Kode kecamatan {district} pada NIK tidak ada dalam daftar "
    "Kemendagri 2016–2025.",
    NIK_BIRTHDATE_INVALID: "Bagian tanggal lahir NIK ({part}) bukan tanggal yang sah.",
    NIK_SERIAL_ZERO: "Nomor urut NIK tidak boleh 0000.",
    NIK_BIRTHDATE_MISMATCH: "Tanggal lahir pada NIK ({nik_date}) berbeda dengan tanggal lahir "
    "yang diisi ({declared}).",
    NIK_SEX_MISMATCH: "Jenis kelamin pada NIK ({nik_sex}) berbeda dengan yang diisi ({declared}).",
}


class RegionCodebook(Protocol):
    """Names of known codes, 2 digits (province), 4 (regency) or 6 (kecamatan)."""

    def name(self, digits: str) -> str | None: ...


@dataclass
class NikResult:
    raw: str
    nik: str  # digits only when the shape was right, else the cleaned input
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    birth_date: dt.date | None = None
    sex: str | None = None  # "L" or "P"
    province: str | None = None
    regency: str | None = None
    district: str | None = None
    params: dict[str, str] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def district_digits(self) -> str:
        return self.nik[:6]

    def message(self, code: str) -> str:
        return MESSAGES[code].format(**self.params)

    def as_dict(self) -> dict[str, object]:
        return {
            "nik": self.nik,
            "valid": self.valid,
            "errors": list(self.errors),
            "warnings": list(self.warnings),
            "province": self.province,
            "regency": self.regency,
            "district": self.district,
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
            "sex": self.sex,
        }


def nik_clean(raw: str) -> str:
    """Strip the separators operators type inside a NIK (spaces, dots, dashes)."""
    return _SEPARATORS.sub("", str(raw).strip())


def _century_year(yy: int, declared: dt.date | None, today: dt.date) -> int:
    if declared is not None and declared.year % 100 == yy:
        return declared.year
    year = 2000 + yy
    return year if year <= today.year else year - 100


def nik_parse(
    raw: str,
    *,
    codebook: RegionCodebook,
    birth_date: dt.date | None = None,
    sex: str | None = None,
    today: dt.date | None = None,
) -> NikResult:
    """Validate one NIK and say what it tells about its holder.

    1. Clean separators; anything but 16 digits is ``nik_format`` (and nothing else).
    2. The first 2 digits must be a known province (error), the first 6 a known current or
       historical kecamatan (warning: people keep old NIKs).
    3. Day > 40 means a woman; the day, month and year must form a real date, not in the
       future; the century comes from the declared birth date when it has the same YY.
    4. Serial 0000 is invalid.
    5. A declared birth date or sex that disagrees with the NIK is an error.
    """
    today = today or dt.date.today()
    nik = nik_clean(raw)
    result = NikResult(raw=str(raw), nik=nik)
    if not _SIXTEEN_DIGITS.fullmatch(nik):
        result.errors.append(NIK_FORMAT)
        return result

    province, regency, district = nik[:2], nik[:4], nik[:6]
    result.params.update(province=province, district=district)
    result.province = codebook.name(province)
    result.regency = codebook.name(regency)
    result.district = codebook.name(district)
    if result.province is None:
        result.errors.append(NIK_PROVINCE_UNKNOWN)
    elif result.district is None:
        result.warnings.append(NIK_DISTRICT_UNKNOWN)

    day, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    result.params["part"] = nik[6:12]
    nik_sex = "P" if day > 40 else "L"
    if nik_sex == "P":
        day -= 40
    try:
        born = dt.date(_century_year(yy, birth_date, today), month, day)
    except ValueError:
        born = None
    if born is None or born > today:
        result.errors.append(NIK_BIRTHDATE_INVALID)
    else:
        result.birth_date = born
        result.sex = nik_sex

    if nik[12:] == "0000":
        result.errors.append(NIK_SERIAL_ZERO)

    if birth_date is not None and born is not None and born != birth_date:
        result.errors.append(NIK_BIRTHDATE_MISMATCH)
        result.params.update(
            nik_date=born.strftime("%d-%m-%Y"), declared=birth_date.strftime("%d-%m-%Y")
        )
    if sex is not None and born is not None and sex != nik_sex:
        result.errors.append(NIK_SEX_MISMATCH)
        result.params.update(nik_sex=nik_sex, declared=sex)
    return result


def nik_build(district_code: str, birth_date: dt.date, sex: str, serial: int) -> str:
    """Compose a NIK from a dotted or plain kecamatan code (``13.03.03``), birth date, sex
    (``L``/``P``) and serial (1–9999). Used by the demo data and the test factories."""
    prefix = district_code.replace(".", "")
    if len(prefix) != 6 or not prefix.isdigit():
        raise ValueError(f"not a kecamatan code: {district_code!r}")
    if not 1 <= serial <= 9999:
        raise ValueError(f"serial out of range: {serial}")
    day = birth_date.day + (40 if sex == "P" else 0)
    return f"{prefix}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial:04d}"


def nik_mask(nik: str) -> str:
    """Show the region and the last two digits only: ``130303********12``."""
    if len(nik) != 16:
        return "*" * len(nik)
    return f"{nik[:6]}{'*' * 8}{nik[14:]}"
