"""NIK (Nomor Induk Kependudukan): build, parse and validate.

Structure (facts.md §5): ``PP RR DD | DD MM YY | SSSS`` — the Kemendagri code of the
kecamatan where the NIK was issued, the birth date with 40 added to the day for women,
and a serial among people born that day there.

This module knows no database: region names come through a ``RegionCodebook`` (see
``jamsos.regions.selectors.region_codebook``), so it is fast in bulk (the intake pipeline
runs it on a million rows) and easy to test. Codes, messages and the century rule are
documented in ``docs/nik.md``.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from django.utils.translation import gettext_noop

# What operators type or paste inside a NIK: spaces (also non-breaking), dots, hyphens and
# the dashes word processors substitute for them. A leading apostrophe is how Excel users
# force a cell to text. Anything else (letters, slashes, commas) is a format error.
_SEPARATORS = re.compile(r"[\s.\-\u2010-\u2015\u2212]+")
# ASCII only: "\d" would also accept Arabic-Indic or full-width digits.
_SIXTEEN_DIGITS = re.compile(r"[0-9]{16}")

# Births before this year are not plausible for a living NIK holder (facts.md §5).
EARLIEST_BIRTH_YEAR = 1900
FEMALE_DAY_OFFSET = 40
SEXES = frozenset({"L", "P"})

# Stable codes; messages (Bahasa Indonesia) live in MESSAGES and docs/nik.md.
NIK_FORMAT = "nik_format"
NIK_PROVINCE_UNKNOWN = "nik_province_unknown"
NIK_DISTRICT_UNKNOWN = "nik_district_unknown"
NIK_BIRTHDATE_INVALID = "nik_birthdate_invalid"
NIK_SERIAL_ZERO = "nik_serial_zero"
NIK_BIRTHDATE_MISMATCH = "nik_birthdate_mismatch"
NIK_SEX_MISMATCH = "nik_sex_mismatch"

MESSAGES: dict[str, str] = {
    NIK_FORMAT: gettext_noop(
        "NIK harus 16 angka (spasi, titik dan tanda hubung boleh); diisi: “{raw}”."
    ),
    NIK_PROVINCE_UNKNOWN: gettext_noop("Kode provinsi {province} pada NIK tidak dikenal."),
    NIK_DISTRICT_UNKNOWN: gettext_noop(
        "Kode kecamatan {district} pada NIK tidak ada dalam daftar Kemendagri 2016–2025."
    ),
    NIK_BIRTHDATE_INVALID: gettext_noop(
        "Bagian tanggal lahir NIK ({part}) bukan tanggal yang sah."
    ),
    NIK_SERIAL_ZERO: gettext_noop("Nomor urut NIK tidak boleh 0000."),
    NIK_BIRTHDATE_MISMATCH: gettext_noop(
        "Tanggal lahir pada NIK ({nik_date}) berbeda dengan tanggal lahir yang diisi "
        "({declared_date})."
    ),
    NIK_SEX_MISMATCH: gettext_noop(
        "Jenis kelamin pada NIK ({nik_sex}) berbeda dengan yang diisi ({declared_sex})."
    ),
}
ERROR_CODES = frozenset(
    {
        NIK_FORMAT,
        NIK_PROVINCE_UNKNOWN,
        NIK_BIRTHDATE_INVALID,
        NIK_SERIAL_ZERO,
        NIK_BIRTHDATE_MISMATCH,
        NIK_SEX_MISMATCH,
    }
)
WARNING_CODES = frozenset({NIK_DISTRICT_UNKNOWN})
SEX_LABELS = {"L": gettext_noop("laki-laki"), "P": gettext_noop("perempuan")}
# Messages and labels stay Bahasa Indonesia here (the API, the CLI and stored intake issues
# use them as they are); a page translates them with ``message(code, translate=gettext)``.
_LABEL_PARAMS = ("nik_sex", "declared_sex")


# The parameters each message names, in order.
_NAMED: dict[str, tuple[str, ...]] = {
    code: tuple(name for _, name, _, _ in string.Formatter().parse(text) if name)
    for code, text in MESSAGES.items()
}


def nik_message(
    code: str, params: Mapping[str, str], *, translate: Callable[[str], str] = str
) -> str:
    """``code``'s message with ``params`` (``NikResult.params``, or the part of them a
    stored intake issue kept), the sex labels included, passed through ``translate``
    (``gettext`` for the reader's language). A missing parameter is a ``KeyError``."""
    shown = {
        key: translate(value) if key in _LABEL_PARAMS else value for key, value in params.items()
    }
    return translate(MESSAGES[code]).format(**shown)


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
    declared_birth_date: dt.date | None = None
    declared_sex: str | None = None

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def district_digits(self) -> str:
        return self.nik[:6]

    @property
    def params(self) -> dict[str, str]:
        """The values messages name; built on demand so that bulk parsing stays cheap."""
        shown = self.raw.strip()
        params = {"raw": shown if len(shown) <= 40 else shown[:39] + "…"}
        if len(self.nik) == 16:
            nik = self.nik
            params.update(
                province=nik[:2],
                district=f"{nik[:2]}.{nik[2:4]}.{nik[4:6]}",
                part=f"{nik[6:8]}-{nik[8:10]}-{nik[10:12]}",
            )
        if self.birth_date is not None:
            params["nik_date"] = self.birth_date.strftime("%d-%m-%Y")
        if self.declared_birth_date is not None:
            params["declared_date"] = self.declared_birth_date.strftime("%d-%m-%Y")
        if self.sex is not None:
            params["nik_sex"] = SEX_LABELS[self.sex]
        if self.declared_sex is not None:
            params["declared_sex"] = SEX_LABELS[self.declared_sex]
        return params

    def message(self, code: str, *, translate: Callable[[str], str] = str) -> str:
        return nik_message(code, self.params, translate=translate)

    def message_params(self, code: str) -> dict[str, str]:
        """Only the values ``code``'s message names (``nik_message`` renders it from them
        again, in another language): what a stored intake issue keeps."""
        params = self.params
        return {key: params[key] for key in _NAMED[code]}

    def messages(self) -> list[tuple[str, str]]:
        """``(code, message)`` for every error, then every warning."""
        return [(code, self.message(code)) for code in (*self.errors, *self.warnings)]

    def as_dict(self) -> dict[str, object]:
        """The shape shared by ``jamsos check_nik --json`` and ``/api/regions/nik/…``."""
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


def nik_clean(raw: object) -> str:
    """Strip the separators operators type inside a NIK (spaces, dots, dashes) and the
    apostrophe Excel users put in front of it."""
    return _SEPARATORS.sub("", str(raw).strip().removeprefix("'"))


def _birth_years(yy: int, declared: dt.date | None, today: dt.date) -> list[int]:
    """Candidate years for a two-digit YY, most likely first.

    The declared birth date decides the century when it has the same YY. Otherwise the
    holder was born in the last 100 years: 20YY, or 19YY when that date is still to come
    (the caller skips future dates), so on 1 June 2025 ``…151225…`` is 15 Dec 1925.
    """
    this_century = today.year - today.year % 100 + yy
    years = [this_century, this_century - 100]
    if declared is not None and declared.year % 100 == yy:
        years.insert(0, declared.year)
    return years


def _birth_date(yy: int, month: int, day: int, declared: dt.date | None, today: dt.date):
    for year in _birth_years(yy, declared, today):
        try:
            born = dt.date(year, month, day)
        except ValueError:
            continue  # 29 Feb exists in 2000 but not in 1900: try the next century
        if born.year >= EARLIEST_BIRTH_YEAR and born <= today:
            return born
    return None


def _declared_sex(sex: str | None) -> str | None:
    if sex is None:
        return None
    sex = sex.strip().upper()
    if sex not in SEXES:
        raise ValueError(f"sex must be 'L' or 'P', not {sex!r}")
    return sex


def _compare_declared(
    result: NikResult, born: dt.date, nik_sex: str, birth_date: dt.date | None, sex: str | None
) -> None:
    if birth_date is not None and born != birth_date:
        result.errors.append(NIK_BIRTHDATE_MISMATCH)
    if sex is not None and sex != nik_sex:
        result.errors.append(NIK_SEX_MISMATCH)


def nik_parse(
    raw: object,
    *,
    codebook: RegionCodebook,
    birth_date: dt.date | None = None,
    sex: str | None = None,
    today: dt.date | None = None,
) -> NikResult:
    """Validate one NIK and say what it tells about its holder.

    1. Clean separators; anything but 16 ASCII digits is ``nik_format`` (and nothing else).
    2. The first 2 digits must be a known province (error), the first 6 a known current or
       historical kecamatan (warning: people keep old NIKs).
    3. Day > 40 means a woman; the day (minus 40), month and year must form a real date
       from 1900 up to today; the century comes from the declared birth date when it has
       the same YY, else the date lies in the last 100 years.
    4. Serial 0000 is invalid.
    5. A declared birth date or sex (``L``/``P``) that disagrees with the NIK is an error;
       sex is only compared when the date part is valid (otherwise day 32–40 or 72+ says
       nothing about sex).

    ``sex`` other than L/P (any case) is a programming error: ``ValueError``.
    """
    sex = _declared_sex(sex)
    if isinstance(birth_date, dt.datetime):
        birth_date = birth_date.date()
    today = today or dt.date.today()
    nik = nik_clean(raw)
    result = NikResult(raw=str(raw), nik=nik, declared_birth_date=birth_date, declared_sex=sex)
    if not _SIXTEEN_DIGITS.fullmatch(nik):
        result.errors.append(NIK_FORMAT)
        return result

    result.province = codebook.name(nik[:2])
    result.regency = codebook.name(nik[:4])
    result.district = codebook.name(nik[:6])
    if result.province is None:
        result.errors.append(NIK_PROVINCE_UNKNOWN)
    elif result.district is None:
        result.warnings.append(NIK_DISTRICT_UNKNOWN)

    day, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    nik_sex = "P" if day > FEMALE_DAY_OFFSET else "L"
    if nik_sex == "P":
        day -= FEMALE_DAY_OFFSET
    born = _birth_date(yy, month, day, birth_date, today)
    if born is None:
        result.errors.append(NIK_BIRTHDATE_INVALID)
    else:
        result.birth_date = born
        result.sex = nik_sex

    if nik[12:] == "0000":
        result.errors.append(NIK_SERIAL_ZERO)
    if born is not None:
        _compare_declared(result, born, nik_sex, birth_date, sex)
    return result


def nik_build(district_code: str, birth_date: dt.date, sex: str, serial: int) -> str:
    """Compose a NIK from a dotted or plain kecamatan code (``13.03.03``), birth date, sex
    (``L``/``P``) and serial (1–9999). Used by the demo data and the test factories."""
    prefix = district_code.replace(".", "")
    if len(prefix) != 6 or not prefix.isdigit() or not prefix.isascii():
        raise ValueError(f"not a kecamatan code: {district_code!r}")
    if sex not in SEXES:
        raise ValueError(f"sex must be 'L' or 'P', not {sex!r}")
    if not 1 <= serial <= 9999:
        raise ValueError(f"serial out of range: {serial}")
    day = birth_date.day + (FEMALE_DAY_OFFSET if sex == "P" else 0)
    return f"{prefix}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial:04d}"


def nik_mask(nik: str) -> str:
    """Show the kecamatan code and the last two digits only: ``130303********12``."""
    digits = nik_clean(nik)
    if not _SIXTEEN_DIGITS.fullmatch(digits):
        return "*" * len(digits)
    return f"{digits[:6]}{'*' * 8}{digits[14:]}"


# 15–18 digits, possibly grouped by spaces, dots or dashes ("1303 0355 0880 0001"): a
# NIK or a family card number, typed right or nearly right. Phone numbers (≤ 13 digits)
# and dates do not reach 15.
_NIK_LIKE = re.compile(r"(?<![0-9])[0-9](?:[ .\-]?[0-9]){14,17}(?![0-9])")


def nik_runs_mask(text: str) -> str:
    """Every NIK-like run of digits in ``text`` masked as ``nik_mask`` does."""

    def mask(match: re.Match[str]) -> str:
        digits = re.sub(r"[^0-9]", "", match.group(0))
        if len(digits) == 16:
            return nik_mask(digits)
        return f"{digits[:6]}{'*' * (len(digits) - 8)}{digits[-2:]}"

    return _NIK_LIKE.sub(mask, text)
