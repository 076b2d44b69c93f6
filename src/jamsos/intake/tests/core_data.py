"""Realistic proposal data for the intake core tests and bench/intake.py.

Names from Minangkabau/Indonesian pools, NIKs built from the person's kecamatan, birth
date and sex (``nik_build``), real villages of Kabupaten Sijunjung, dates and phones
written the many ways people write them. Files are written with xlsxwriter (real .xlsx,
dates as Excel dates, NIK as text) and as CSV in a chosen delimiter and encoding.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter

from jamsos.lib.nik import nik_build

MALE = [
    "Ahmad",
    "Budi",
    "Rizki",
    "Fauzan",
    "Hendra",
    "Syafrizal",
    "Yusuf",
    "Irwan",
    "Dedi",
    "Joni",
    "Afrizal",
    "Zulkifli",
    "Hafiz",
    "Rahmat",
    "Fadli",
    "Riko",
    "Andi",
    "Agus",
    "Eko",
    "Wahyu",
    "Arif",
    "Doni",
    "Edi",
    "Ferdi",
    "Hamdan",
    "Ilham",
    "Jefri",
    "Khairul",
    "Lukman",
    "Mulyadi",
    "Nofrizal",
    "Rudi",
    "Syahrul",
    "Taufik",
    "Usman",
    "Wendi",
    "Yoga",
    "Zainal",
    "Rusli",
    "Asrul",
    "Darmawan",
    "Yulizar",
    "Masrizal",
    "Elfindo",
    "Gusrizal",
    "Indra",
    "Jasman",
    "Kasman",
    "Nasrul",
    "Roni",
    "Sofyan",
]
FEMALE = [
    "Siti",
    "Nur",
    "Rahmah",
    "Yusnidar",
    "Fitri",
    "Dewi",
    "Sri",
    "Ani",
    "Lestari",
    "Yuliani",
    "Rina",
    "Desi",
    "Eka",
    "Fatimah",
    "Hasnah",
    "Indah",
    "Juwita",
    "Kartini",
    "Lina",
    "Mardiah",
    "Nurhayati",
    "Oktaviani",
    "Putri",
    "Ratna",
    "Sartika",
    "Titin",
    "Vivi",
    "Wati",
    "Yeni",
    "Zulaikha",
    "Rosna",
    "Asmah",
    "Gusnidar",
    "Rosmaini",
    "Elvira",
    "Mega",
    "Novita",
    "Yusrita",
    "Darmawati",
    "Erlina",
    "Marni",
    "Nelmi",
    "Rosmiati",
    "Suryani",
    "Wirda",
    "Yenti",
    "Zurniati",
    "Afni",
    "Delfi",
    "Emi",
]
FAMILY = [
    "Saputra",
    "Hidayat",
    "Putra",
    "Santoso",
    "Wijaya",
    "Pratama",
    "Syahputra",
    "Kurniawan",
    "Rahman",
    "Hakim",
    "Firdaus",
    "Gunawan",
    "Chaniago",
    "Piliang",
    "Koto",
    "Tanjung",
    "Sikumbang",
    "Jambak",
    "Caniago",
    "Melayu",
    "Panyalai",
    "Efendi",
    "Yulianto",
    "Maulana",
    "Nasution",
    "Ramadhan",
    "Anwar",
    "Hasan",
    "Zulhendri",
    "Marlina",
    "Sari",
    "Wahyuni",
    "Rahmawati",
    "Susanti",
    "Handayani",
    "Fitriani",
    "Yanti",
    "Agustina",
    "Novianti",
    "Asmara",
    "Bahri",
    "Darwis",
    "Fahmi",
    "Hamzah",
    "Ismail",
    "Jamal",
    "Kamal",
    "Latif",
    "Mansur",
    "Nasir",
    "Rasyid",
    "Salim",
    "Thalib",
    "Umar",
    "Yunus",
]
PLACES = [
    "Sijunjung",
    "Muaro",
    "Padang",
    "Solok",
    "Bukittinggi",
    "Payakumbuh",
    "Sawahlunto",
    "Kiliran",
    "Jao",
]
OCCUPATIONS = (
    "Petani",
    "petani karet",
    "PEDAGANG",
    "pkl",
    "Guru TPQ",
    "guru ngaji",
    "Garin",
    "Imam",
    "Khatib",
    "Nelayan",
    "buruh harian",
    "Tukang ojek",
    "peternak",
    "Pekebun",
)
MONTHS_ID = "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember"
MONTHS = MONTHS_ID.split()

HEADERS = [
    "No",
    "NIK",
    "Nama Lengkap",
    "Tempat Lahir",
    "Tanggal Lahir",
    "JK",
    "Alamat",
    "Kecamatan",
    "Nagari",
    "Pekerjaan",
    "No HP",
    "Nama Ibu Kandung",
]


@dataclass(frozen=True)
class Village:
    code: str
    name: str
    district: str  # kecamatan name

    @property
    def district_code(self) -> str:
        return self.code.rsplit(".", 1)[0]


def sijunjung_villages() -> list[Village]:
    from jamsos.regions.models import Region

    return [
        Village(code, name, parent)
        for code, name, parent in Region.objects.filter(
            level=Region.Level.VILLAGE, code__startswith="13.03."
        )
        .order_by("code")
        .values_list("code", "name", "parent__name")
    ]


def person_name(rng: random.Random, sex: str) -> str:
    first = rng.choice(MALE if sex == "L" else FEMALE)
    parts = [first]
    if rng.random() < 0.35:
        parts.append(rng.choice(MALE if sex == "L" else FEMALE))
    parts.append(rng.choice(FAMILY))
    return " ".join(parts)


def date_text(rng: random.Random, born: dt.date) -> str:
    style = rng.randrange(5)
    if style == 0:
        return born.strftime("%d-%m-%Y")
    if style == 1:
        return born.strftime("%d/%m/%Y")
    if style == 2:
        return born.isoformat()
    if style == 3:
        return f"{born.day} {MONTHS[born.month - 1]} {born.year}"
    return f"{born.day}.{born.month}.{born.year}"


def phone_text(rng: random.Random) -> str:
    digits = f"8{rng.randrange(1, 10)}{rng.randrange(10**8, 10**9)}"
    style = rng.randrange(4)
    if style == 0:
        return "0" + digits
    if style == 1:
        return f"0{digits[:3]}-{digits[3:7]}-{digits[7:]}"
    if style == 2:
        return "+62 " + digits
    return "62" + digits


@dataclass
class Person:
    nik: str
    name: str
    birth_place: str
    birth_date: dt.date
    sex: str
    address: str
    village: Village
    occupation: str
    phone: str
    mother: str

    def row(self, number: int, *, date_as_text: str | None = None) -> list[Any]:
        return [
            number,
            self.nik,
            self.name,
            self.birth_place,
            date_as_text if date_as_text is not None else self.birth_date,
            self.sex,
            self.address,
            self.village.district,
            self.village.name,
            self.occupation,
            self.phone,
            self.mother,
        ]


def make_person(
    rng: random.Random,
    villages: Sequence[Village],
    *,
    serial: int,
    coverage_start: dt.date = dt.date(2026, 12, 1),
    village: Village | None = None,
) -> Person:
    """A person who passes every rule (age 19–63 at ``coverage_start``)."""
    sex = rng.choice("LP")
    village = village or rng.choice(villages)
    born = coverage_start - dt.timedelta(days=rng.randrange(19 * 366, 63 * 365))
    return Person(
        nik=nik_build(village.district_code, born, sex, serial % 9999 + 1),
        name=person_name(rng, sex),
        birth_place=rng.choice(PLACES),
        birth_date=born,
        sex=sex,
        address=f"Jorong {rng.choice(FAMILY)} RT {rng.randrange(1, 9):02d}",
        village=village,
        occupation=rng.choice(OCCUPATIONS),
        phone=phone_text(rng),
        mother=rng.choice(FEMALE) + " " + rng.choice(FAMILY),
    )


def write_xlsx(
    path: Path | io.BytesIO,
    rows: Iterable[Sequence[Any]],
    *,
    headers: Sequence[str] = HEADERS,
    title_lines: Sequence[str] = (
        "DAFTAR USULAN PESERTA BPJS KETENAGAKERJAAN",
        "Kabupaten Sijunjung",
    ),
    blank_after_title: bool = True,
) -> None:
    """A real .xlsx: title lines, the header, rows; dates as Excel dates, the rest text.

    Values are written as they are: strings beginning with ``=`` stay strings (never
    formulas), numbers as numbers (a NIK given as int becomes an Excel number)."""
    book = xlsxwriter.Workbook(
        path,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "in_memory": isinstance(path, io.BytesIO),
        },
    )
    sheet = book.add_worksheet("Usulan")
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    line = 0
    for title in title_lines:
        sheet.write_string(line, 0, title)
        line += 1
    if title_lines and blank_after_title:
        line += 1
    for col, header in enumerate(headers):
        sheet.write_string(line, col, header)
    for row in rows:
        line += 1
        for col, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, dt.date):
                sheet.write_datetime(line, col, dt.datetime.combine(value, dt.time()), date_format)
            elif isinstance(value, (int, float)):
                sheet.write_number(line, col, value)
            else:
                sheet.write_string(line, col, str(value))
    book.close()


def write_csv(
    path: Path | None,
    rows: Iterable[Sequence[Any]],
    *,
    headers: Sequence[str] = HEADERS,
    delimiter: str = ";",
    encoding: str = "utf-8",
    title_lines: Sequence[str] = (),
) -> bytes:
    """A CSV as Excel writes it (``encoding="utf-8-sig"`` adds the BOM); dates become
    dd-mm-yyyy text. Returns the bytes (and writes them to ``path`` when given)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for title in title_lines:
        writer.writerow([title])
    writer.writerow(headers)
    for row in rows:
        writer.writerow(
            [
                v.strftime("%d-%m-%Y") if isinstance(v, dt.date) else ("" if v is None else v)
                for v in row
            ]
        )
    data = buffer.getvalue().encode(encoding)
    if path is not None:
        path.write_bytes(data)
    return data
