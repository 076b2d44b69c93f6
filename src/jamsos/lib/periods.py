"""Calendar months, the unit of coverage: ``Month(2022, 3)`` is March 2022.

Coverage, contributions and budget phases are counted in whole months (DESIGN.md), so a
period is a first and a last month, both inclusive. In the database a month is stored as
the first day of that month (a ``DateField``); ``Month.from_date`` and ``first_day``
convert.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jamsos.lib.errors import DomainError

_PATTERN = re.compile(r"\s*(\d{4})-(\d{1,2})\s*")


@dataclass(frozen=True, order=True, slots=True)
class Month:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month must be 1..12, not {self.month}")
        if not 1 <= self.year <= 9999:
            raise ValueError(f"year must be 1..9999, not {self.year}")

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @classmethod
    def parse(cls, text: str) -> Month:
        """``"2022-03"`` → ``Month(2022, 3)``; anything else raises ``DomainError``."""
        match = _PATTERN.fullmatch(str(text))
        if match is None or not 1 <= int(match[2]) <= 12:
            raise DomainError(
                gettext('"%(text)s" bukan bulan yang sah (format TTTT-BB, contoh 2022-03).')
                % {"text": text},
                code="month_format",
                value=str(text),
            )
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def from_date(cls, value: dt.date) -> Month:
        return cls(value.year, value.month)

    @classmethod
    def current(cls) -> Month:
        """This month in the project's time zone (Asia/Jakarta), not the server's."""
        return cls.from_date(timezone.localdate())

    @classmethod
    def from_index(cls, index: int) -> Month:
        year, month0 = divmod(index, 12)
        return cls(year, month0 + 1)

    @property
    def index(self) -> int:
        """Months since year 0: differences of indexes count months."""
        return self.year * 12 + self.month - 1

    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    def last_day(self) -> dt.date:
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def add(self, months: int) -> Month:
        return Month.from_index(self.index + months)

    def __add__(self, months: int) -> Month:
        if isinstance(months, bool) or not isinstance(months, int):
            return NotImplemented
        return self.add(months)

    def __sub__(self, other: int | Month) -> Month | int:  # type: ignore[override]
        """``Month - 2`` → a month; ``Month - Month`` → the difference in months."""
        if isinstance(other, Month):
            return self.index - other.index
        if isinstance(other, bool) or not isinstance(other, int):
            return NotImplemented
        return self.add(-other)

    def december(self) -> Month:
        """The last month of this month's (fiscal) year."""
        return Month(self.year, 12)


def months_between(first: Month, last: Month) -> int:
    """Number of months from ``first`` to ``last``, both inclusive (Mar..Nov = 9).

    ``last`` before ``first`` gives 0: an empty period.
    """
    return max(0, last.index - first.index + 1)


def month_range(first: Month, last: Month) -> Iterator[Month]:
    """Every month from ``first`` to ``last`` inclusive, in order."""
    for index in range(first.index, last.index + 1):
        yield Month.from_index(index)


def last_month(first: Month, months: int) -> Month:
    """The last month of a period of ``months`` months that starts at ``first``."""
    if months < 1:
        raise ValueError("a period has at least one month")
    return first.add(months - 1)


def month_field(verbose_name: str, **kwargs: Any) -> models.DateField:
    """A model field holding a calendar month, stored as the month's first day."""
    return models.DateField(verbose_name, help_text=_("Tanggal 1 bulan tersebut."), **kwargs)
