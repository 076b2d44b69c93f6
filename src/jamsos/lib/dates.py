"""Dates as people write them in Indonesian spreadsheets and forms.

``date_parse`` accepts, in this order of preference:

- ISO: ``1980-03-15``, ``1980/03/15``, with or without a time (Excel dates read as text);
- day first with ``-``, ``/``, ``.`` or spaces: ``15-03-1980``, ``15/3/1980``, ``5.3.1980``;
- a month name or abbreviation, Indonesian or English: ``15 Maret 1980``, ``15 Mar 1980``,
  ``15-Agt-80``, ``15 Agustus 1980``;
- eight digits: ``19800315`` (when it starts with a year 1900–2099) or ``15031980``;
- an Excel serial day number of five digits (``29295`` = 15 Mar 1980; 1927–2173), so
  that a bare year such as ``1980`` is not mistaken for one.

Two-digit years are resolved "sanely" for past events such as births: 20YY when that
year has begun by ``today``, else 19YY (on 1 June 2026, ``05`` → 2005, ``30`` → 1930).
Month-first (US) dates are not guessed: ``03/15/1980`` is not a date.
"""

from __future__ import annotations

import datetime as dt
import re

import polars as pl

MONTHS: dict[str, int] = {
    "januari": 1,
    "jan": 1,
    "january": 1,
    "februari": 2,
    "pebruari": 2,
    "feb": 2,
    "peb": 2,
    "february": 2,
    "maret": 3,
    "mar": 3,
    "march": 3,
    "april": 4,
    "apr": 4,
    "mei": 5,
    "may": 5,
    "juni": 6,
    "jun": 6,
    "june": 6,
    "juli": 7,
    "jul": 7,
    "july": 7,
    "agustus": 8,
    "agu": 8,
    "agt": 8,
    "ags": 8,
    "agust": 8,
    "aug": 8,
    "august": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "oktober": 10,
    "okt": 10,
    "oct": 10,
    "october": 10,
    "november": 11,
    "nopember": 11,
    "nov": 11,
    "nop": 11,
    "desember": 12,
    "des": 12,
    "dec": 12,
    "december": 12,
}
EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01, with Lotus' 1900 leap bug
_TIME = re.compile(r"[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_DMY = re.compile(r"(\d{1,2})\s*[-/.\s]\s*(\d{1,2})\s*[-/.\s]\s*(\d{4}|\d{2})")
_NAMED = re.compile(r"(\d{1,2})\s*[-/.\s]?\s*([a-z]+)\.?\s*[-/.,\s]?\s*(\d{4}|\d{2})")
_EIGHT = re.compile(r"\d{8}")
_SERIAL = re.compile(r"(\d{5})(?:\.0+)?")


def year_from_two_digits(yy: int, today: dt.date | None = None) -> int:
    """20YY if that year has begun by ``today``, else 19YY."""
    today = today or dt.date.today()
    year = 2000 + yy
    return year if year <= today.year else year - 100


def _make(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _year(text: str, today: dt.date | None) -> int:
    return int(text) if len(text) == 4 else year_from_two_digits(int(text), today)


def _from_digits(text: str, today: dt.date | None) -> dt.date | None:
    """Eight digits (``19800315`` or ``15031980``) or a five-digit Excel serial."""
    if _EIGHT.fullmatch(text):
        if text[:2] in ("19", "20"):
            found = _make(int(text[:4]), int(text[4:6]), int(text[6:]))
            if found:
                return found
        return _make(int(text[4:]), int(text[2:4]), int(text[:2]))
    if match := _SERIAL.fullmatch(text):
        return EXCEL_EPOCH + dt.timedelta(days=int(match[1]))
    return None


def date_parse(raw: object, *, today: dt.date | None = None) -> dt.date | None:
    """The date ``raw`` means, or None when it is empty, unreadable or impossible
    (``31-02-1980``). Dates and datetimes pass through."""
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if raw is None:
        return None
    text = _TIME.sub("", " ".join(str(raw).split()).lower()).strip()
    if match := _ISO.fullmatch(text):
        return _make(int(match[1]), int(match[2]), int(match[3]))
    if match := _DMY.fullmatch(text):
        return _make(_year(match[3], today), int(match[2]), int(match[1]))
    if match := _NAMED.fullmatch(text):
        month = MONTHS.get(match[2])
        return _make(_year(match[3], today), month, int(match[1])) if month else None
    return _from_digits(text, today)


def age_on(birth_date: dt.date, on: dt.date) -> int:
    """Completed years of age on ``on`` (a 29 February birthday counts on 1 March)."""
    before_birthday = (on.month, on.day) < (birth_date.month, birth_date.day)
    return on.year - birth_date.year - before_birthday


def first_of_next_month(today: dt.date | None = None) -> dt.date:
    today = today or dt.date.today()
    return dt.date(today.year + today.month // 12, today.month % 12 + 1, 1)


_ISO_PLAIN = r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$"
_DMY_PLAIN = r"^[0-9]{1,2}[-/.][0-9]{1,2}[-/.][0-9]{4}$"


def dates_parse(values: pl.Series, *, today: dt.date | None = None) -> pl.Series:
    """``date_parse`` over a String Series (tests check they agree).

    The two shapes most files use — ``yyyy-mm-dd`` (Excel dates) and ``dd-mm-yyyy``
    with ``-``, ``/`` or ``.`` — are parsed vectorised; every other distinct spelling
    once by ``date_parse``.
    """
    text = pl.col("t")
    iso = text.str.contains(_ISO_PLAIN)
    dmy = text.str.contains(_DMY_PLAIN)
    frame = pl.DataFrame({"t": values.cast(pl.String)}).with_columns(
        pl.when(iso)
        .then(text.str.to_date("%Y-%m-%d", strict=False))
        .when(dmy)
        .then(text.str.replace_all(r"[/.]", "-").str.to_date("%d-%m-%Y", strict=False))
        .alias("d"),
        (text.is_not_null() & ~iso & ~dmy).alias("rest"),
    )
    parsed = frame["d"]
    rest = frame.filter("rest")["t"].unique().to_list()
    if rest:
        mapping = {value: date_parse(value, today=today) for value in rest}
        slow = frame["t"].replace_strict(mapping, default=None, return_dtype=pl.Date)
        parsed = pl.select(pl.coalesce(pl.lit(parsed), pl.lit(slow))).to_series()
    return parsed.alias(values.name)
