"""Calendar quarters, the scorecard's period: ``Quarter(2023, 2)`` is April–June 2023."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext

from jamsos.lib.errors import DomainError

_PATTERN = re.compile(r"\s*(\d{4})-[Qq]([1-4])\s*")


@dataclass(frozen=True, order=True, slots=True)
class Quarter:
    year: int
    quarter: int

    def __post_init__(self) -> None:
        if not 1 <= self.quarter <= 4:
            raise ValueError(f"quarter must be 1..4, not {self.quarter}")

    def __str__(self) -> str:
        return f"{self.year:04d}-Q{self.quarter}"

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """``"2023-Q2"`` → ``Quarter(2023, 2)``; anything else raises ``DomainError``."""
        match = _PATTERN.fullmatch(str(text))
        if match is None:
            raise DomainError(
                gettext('"%(text)s" bukan triwulan yang sah (format TTTT-Qn, contoh 2023-Q2).')
                % {"text": text},
                code="quarter_format",
                value=str(text),
            )
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.quarter - 2, 1)

    @property
    def end(self) -> dt.date:
        """The last day of the quarter (inclusive)."""
        return self.next().start - dt.timedelta(days=1)

    @property
    def label(self) -> str:
        return gettext("Triwulan %(q)s %(year)s") % {
            "q": ["I", "II", "III", "IV"][self.quarter - 1],
            "year": self.year,
        }

    def next(self) -> Quarter:
        if self.quarter == 4:
            return Quarter(self.year + 1, 1)
        return Quarter(self.year, self.quarter + 1)

    def previous(self) -> Quarter:
        if self.quarter == 1:
            return Quarter(self.year - 1, 4)
        return Quarter(self.year, self.quarter - 1)

    def last(self, n: int) -> list[Quarter]:
        """The ``n`` quarters ending with this one, oldest first."""
        out = [self]
        while len(out) < n:
            out.insert(0, out[0].previous())
        return out

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end
