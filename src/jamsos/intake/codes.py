"""Every code the intake pipeline gives a row, with its severity and its message.

Codes are stable (API clients, the CLI's ``--json`` and the rejection report rely on
them) and documented in docs/intake.md. Messages are Bahasa Indonesia and name the row,
the column (as the file calls it) and the value: ``Baris 12, kolom "Tanggal Lahir":
"31-02-1980" bukan tanggal yang sah.``

Severity: ``error`` makes the row invalid; ``warning`` never changes the status; ``info``
explains a status (duplicate in the file, already registered) and is not counted in the
summary's errors or warnings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext, gettext_lazy, gettext_noop
from django_stubs_ext import StrOrPromise

from jamsos.lib import nik as nik_rules

ERROR = "error"
WARNING = "warning"
INFO = "info"

# Field keys of the ``values`` dicts, in the order columns are shown, with the label used
# when a row has no file header (the one-person form).
FIELD_LABELS: dict[str, str] = {
    "nik": "NIK",
    "full_name": "Nama Lengkap",
    "birth_place": "Tempat Lahir",
    "birth_date": "Tanggal Lahir",
    "sex": "Jenis Kelamin",
    "mother_name": "Nama Ibu Kandung",
    "address": "Alamat",
    "district": "Kecamatan",
    "village": "Nagari/Desa",
    "occupation": "Pekerjaan",
    "phone": "No HP",
    "family_card_number": "Nomor KK",
    "declared_income": "Penghasilan per Bulan",
    # The sosialisasi event the person heard of the programme at (outreach.OutreachEvent).
    "event_code": "Kode Kegiatan",
}
FIELDS = tuple(FIELD_LABELS)


@dataclass(frozen=True)
class Code:
    code: str
    severity: str
    template: str  # after the 'Baris N, kolom "X": "v"' prefix
    title: StrOrPromise  # short label for filters and counts (translated when shown)


_CODES: list[Code] = [
    # -- required fields and formats
    Code("required_missing", ERROR, gettext_noop("wajib diisi."), gettext_lazy("Wajib diisi")),
    Code(
        "value_too_long",
        ERROR,
        gettext_noop("terlalu panjang (paling banyak {limit} huruf)."),
        gettext_lazy("Terlalu panjang"),
    ),
    Code(
        "full_name_invalid",
        ERROR,
        gettext_noop("bukan nama orang (berisi angka atau tanpa huruf)."),
        gettext_lazy("Nama tidak sah"),
    ),
    # -- NIK (rules and messages of jamsos.lib.nik, docs/nik.md)
    Code(nik_rules.NIK_FORMAT, ERROR, "{detail}", gettext_lazy("Format NIK salah")),
    Code(
        "nik_excel_number",
        ERROR,
        gettext_noop(
            "NIK tersimpan sebagai angka Excel sehingga digit terakhirnya hilang; ketik ulang "
            "NIK sebagai teks (format sel Teks)."
        ),
        gettext_lazy("NIK rusak oleh Excel"),
    ),
    Code(
        "nik_excel_rounded",
        WARNING,
        gettext_noop(
            "sel {cell} menyimpan NIK sebagai angka Excel; Excel hanya menyimpan 15 digit, "
            "sehingga digit ke-16 menjadi 0. Cocokkan NIK dengan KTP dan ketik ulang sebagai "
            "teks (format sel Teks)."
        ),
        gettext_lazy("NIK tersimpan sebagai angka"),
    ),
    Code(
        nik_rules.NIK_PROVINCE_UNKNOWN,
        ERROR,
        "{detail}",
        gettext_lazy("Kode provinsi NIK tidak dikenal"),
    ),
    Code(
        nik_rules.NIK_BIRTHDATE_INVALID,
        ERROR,
        "{detail}",
        gettext_lazy("Tanggal lahir di NIK tidak sah"),
    ),
    Code(nik_rules.NIK_SERIAL_ZERO, ERROR, "{detail}", gettext_lazy("Nomor urut NIK 0000")),
    Code(
        nik_rules.NIK_BIRTHDATE_MISMATCH,
        ERROR,
        "{detail}",
        gettext_lazy("Tanggal lahir berbeda dengan NIK"),
    ),
    Code(
        nik_rules.NIK_SEX_MISMATCH,
        ERROR,
        "{detail}",
        gettext_lazy("Jenis kelamin berbeda dengan NIK"),
    ),
    Code(
        nik_rules.NIK_DISTRICT_UNKNOWN,
        WARNING,
        "{detail}",
        gettext_lazy("Kode kecamatan NIK tidak dikenal"),
    ),
    Code(
        "nik_outside_region",
        WARNING,
        gettext_noop(
            "NIK diterbitkan di luar {region} (kode {prefix}); boleh, bila orangnya pindah."
        ),
        gettext_lazy("NIK dari luar wilayah"),
    ),
    # -- birth date, sex, age
    Code(
        "birth_date_invalid",
        ERROR,
        gettext_noop("bukan tanggal yang sah."),
        gettext_lazy("Tanggal lahir tidak sah"),
    ),
    Code(
        "birth_date_future",
        ERROR,
        gettext_noop("tanggal lahir di masa depan."),
        gettext_lazy("Tanggal lahir di masa depan"),
    ),
    Code(
        "sex_invalid",
        ERROR,
        gettext_noop("jenis kelamin harus L (laki-laki) atau P (perempuan)."),
        gettext_lazy("Jenis kelamin tidak sah"),
    ),
    Code(
        "age_below_minimum",
        ERROR,
        gettext_noop(
            "berumur {age} tahun pada {coverage_start}; paling rendah {min_age} tahun ({basis})."
        ),
        gettext_lazy("Umur di bawah batas"),
    ),
    Code(
        "age_above_maximum",
        ERROR,
        gettext_noop(
            "berumur {age} tahun pada {coverage_start}; harus di bawah {max_age} tahun ({basis})."
        ),
        gettext_lazy("Umur di atas batas"),
    ),
    # -- region
    Code(
        "village_unknown",
        ERROR,
        gettext_noop("nagari/desa tidak ditemukan{where}."),
        gettext_lazy("Nagari/desa tidak dikenal"),
    ),
    Code(
        "village_ambiguous",
        ERROR,
        gettext_noop(
            "ada beberapa nagari/desa bernama mirip ({candidates}); isi kolom Kecamatan atau "
            "tulis kode wilayahnya."
        ),
        gettext_lazy("Nagari/desa ganda"),
    ),
    Code(
        "village_outside_region",
        ERROR,
        gettext_noop("{village} berada di luar wilayah usulan ({region})."),
        gettext_lazy("Nagari/desa di luar wilayah"),
    ),
    Code(
        "village_guessed",
        WARNING,
        gettext_noop("dibaca sebagai {village} (kemiripan {score}); periksa ejaannya."),
        gettext_lazy("Nagari/desa ditebak"),
    ),
    Code(
        "district_unknown",
        WARNING,
        gettext_noop("kecamatan tidak ditemukan; nagari/desa dicari di seluruh wilayah."),
        gettext_lazy("Kecamatan tidak dikenal"),
    ),
    Code(
        "district_mismatch",
        WARNING,
        gettext_noop("{village} tidak berada di kecamatan ini, melainkan di {district}."),
        gettext_lazy("Kecamatan tidak cocok"),
    ),
    # -- occupation, contact, family card, income
    Code(
        "occupation_unknown",
        ERROR,
        gettext_noop("pekerjaan tidak ada dalam daftar pekerjaan."),
        gettext_lazy("Pekerjaan tidak dikenal"),
    ),
    Code(
        "occupation_guessed",
        WARNING,
        gettext_noop("dibaca sebagai {occupation} (kemiripan {score}); periksa ejaannya."),
        gettext_lazy("Pekerjaan ditebak"),
    ),
    Code(
        "phone_invalid",
        WARNING,
        gettext_noop("bukan nomor HP Indonesia (mis. 0812xxxxxxxx); nomor tidak disimpan."),
        gettext_lazy("Nomor HP tidak sah"),
    ),
    Code(
        "family_card_invalid",
        WARNING,
        gettext_noop("nomor KK harus 16 angka; nomor tidak disimpan."),
        gettext_lazy("Nomor KK tidak sah"),
    ),
    Code(
        "event_code_unknown",
        WARNING,
        gettext_noop("bukan kode kegiatan sosialisasi yang dikenal; kode tidak disimpan."),
        gettext_lazy("Kode kegiatan tidak dikenal"),
    ),
    Code(
        "income_invalid",
        WARNING,
        gettext_noop("penghasilan harus angka rupiah; dianggap golongan terendah."),
        gettext_lazy("Penghasilan tidak sah"),
    ),
    Code(
        "birth_place_missing",
        WARNING,
        gettext_noop("tempat lahir kosong."),
        gettext_lazy("Tempat lahir kosong"),
    ),
    Code(
        "income_not_bracket",
        WARNING,
        gettext_noop(
            "bukan nilai penghasilan BPU ({basis}); iuran dan manfaat BPU mengikuti nilai yang "
            "dibayar, mis. {bracket}, bukan penghasilan yang ditulis."
        ),
        gettext_lazy("Penghasilan bukan nilai golongan BPU"),
    ),
    Code(
        "mother_name_missing",
        WARNING,
        gettext_noop("nama ibu kandung kosong; diperlukan saat klaim."),
        gettext_lazy("Nama ibu kandung kosong"),
    ),
    Code(
        "formula_like_value",
        WARNING,
        gettext_noop("diawali = + - @ seperti rumus; disimpan sebagai teks biasa, tidak dihitung."),
        gettext_lazy("Nilai mirip rumus"),
    ),
    # -- duplicates
    Code(
        "possible_duplicate",
        WARNING,
        gettext_noop(
            "mungkin orang yang sama dengan {candidate} (nama mirip, tanggal lahir sama, NIK lain)."
        ),
        gettext_lazy("Kemungkinan ganda"),
    ),
    Code(
        "duplicate_in_file",
        INFO,
        gettext_noop("NIK ini sudah ada pada baris {first_row} berkas yang sama."),
        gettext_lazy("Ganda dalam berkas"),
    ),
    Code(
        "already_registered",
        INFO,
        gettext_noop("NIK ini sudah terdaftar sebagai peserta ({name})."),
        gettext_lazy("Sudah terdaftar"),
    ),
]

CODES: dict[str, Code] = {c.code: c for c in _CODES}

# Whole-file problems: the file cannot be read, nothing is staged (CLI exit 2).
FILE_CODES: dict[str, str] = {
    "file_type": "Berkas bukan .xlsx atau .csv.",
    "file_empty": "Berkas kosong.",
    "file_unreadable": "Berkas rusak atau tidak dapat dibaca.",
    "header_not_found": "Baris judul kolom tidak ditemukan.",
    "column_missing": "Kolom wajib tidak ada.",
}


# ``already_registered`` for a viewer outside the registered person's region: the fact,
# and nothing more (no name, no village): issue 10, "Any NIK → a name, across scope".
REGISTERED_OUTSIDE_SCOPE = gettext_noop("NIK ini sudah terdaftar sebagai peserta.")


def issue_message(
    code: str,
    *,
    row: int,
    column: str,
    value: Any = None,
    template: str | None = None,
    **params: Any,
) -> str:
    """``Baris 12, kolom "Tanggal Lahir": "31-02-1980" bukan tanggal yang sah.``, in the
    active language (the templates are marked for translation)."""
    if template is None and code in nik_rules.MESSAGES:
        template = _nik_text(code, params)
    else:
        template = gettext(template or CODES[code].template).format(**params)
    shown = "" if value is None else str(value)
    if len(shown) > 60:
        shown = shown[:59] + "…"
    prefix = gettext('Baris %(row)s, kolom "%(column)s"') % {"row": row, "column": column}
    # A message names the value once: when the text already quotes it (the NIK rules'
    # "… diisi: “12345”."), the prefix does not quote it again.
    if not shown or f"“{shown}”" in template or f'"{shown}"' in template:
        return f"{prefix}: {template}"
    return f'{prefix}: "{shown}" {template}'


def _nik_text(code: str, params: dict[str, Any]) -> str:
    """A NIK rule's message in the active language, from the values it names
    (``NikResult.message_params``); an issue stored before those were kept has its
    Indonesian text as ``detail`` and shows that."""
    try:
        return nik_rules.nik_message(code, params, translate=gettext)
    except KeyError:
        if "detail" in params:
            return str(params["detail"])
        raise


def issue(
    code: str, *, row: int, field: str, column: str, value: Any = None, **params: Any
) -> dict[str, Any]:
    """One entry of ``ProposalRow.issues``: the code, the row and the parameters, so that
    ``issue_text`` renders it again in the reader's language, and the message as written
    (entries stored before ``params`` existed show that text)."""
    return {
        "code": code,
        "severity": CODES[code].severity,
        "field": field,
        "column": column,
        "value": "" if value is None else str(value),
        "row": row,
        "params": {k: "" if v is None else str(v) for k, v in params.items()},
        "message": issue_message(code, row=row, column=column, value=value, **params),
    }


def issue_text(entry: dict[str, Any], *, row: int | None = None) -> str:
    """A stored issue's message in the active language: rendered again from its code,
    row and parameters when it has them, else its stored text."""
    params = entry.get("params")
    code = entry.get("code")
    if params is None or code not in CODES or not isinstance(params, dict):
        return str(entry.get("message") or "")
    if code == "already_registered" and "name" not in params:
        return str(entry.get("message") or "")
    try:
        return issue_message(
            code,
            row=entry.get("row") or row or 0,
            column=str(entry.get("column") or ""),
            value=entry.get("value") or None,
            **params,
        )
    except (KeyError, IndexError, ValueError):
        return str(entry.get("message") or "")
