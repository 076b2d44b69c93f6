from __future__ import annotations

from functools import lru_cache

from jamsos.regions.models import HistoricalCode, Region


class DbRegionCodebook:
    """Names of every province, regency and kecamatan code, current or historical, keyed
    by the digits that begin a NIK (2, 4 or 6). About 8,500 entries, loaded once."""

    def __init__(self, names: dict[str, str]) -> None:
        self._names = names

    def name(self, digits: str) -> str | None:
        return self._names.get(digits)

    def __len__(self) -> int:
        return len(self._names)


@lru_cache(maxsize=1)
def region_codebook() -> DbRegionCodebook:
    names: dict[str, str] = {}
    for code, name in HistoricalCode.objects.values_list("code", "name"):
        names[code.replace(".", "")] = name
    # Current names win over historical ones for the same code.
    for code, name in Region.objects.exclude(level=Region.Level.VILLAGE).values_list(
        "code", "name"
    ):
        names[code.replace(".", "")] = name
    return DbRegionCodebook(names)
