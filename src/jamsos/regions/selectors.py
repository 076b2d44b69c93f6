"""Reads of the Kemendagri region tree: by code, by forgiving name, and in bulk.

Regions are reference data loaded by migration and never edited at run time, so indexes
built from them may be cached for the life of the process.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import QuerySet
from django.utils.timezone import localdate
from rapidfuzz import fuzz, process

from jamsos.lib.nik import NikResult, nik_parse
from jamsos.regions.models import HistoricalCode, Region
from jamsos.regions.names import region_kind_hint, region_match_key, region_search_name

# Digits per level in the plain (undotted) code: 13 · 1303 · 130303 · 1303032001.
_PLAIN_SPLITS = {2: (2,), 4: (2, 2), 6: (2, 2, 2), 10: (2, 2, 2, 4)}
_DOTTED = re.compile(r"\d{2}(?:\.\d{2}(?:\.\d{2}(?:\.\d{4})?)?)?")
_CODE_LIKE = re.compile(r"[\d.\s]+")

# Scores (0–100). An exact search name is 100; the same name in the other spelling
# (Minang/Indonesian, see names.region_match_key) 98; otherwise the fuzzy similarity of
# the spelling-blind keys, scaled so it stays below 98. A typed kind word that contradicts
# the unit ("Kota Solok" vs Kabupaten Solok) costs 3 points: enough to break a tie, never
# enough to hide a good match.
EXACT_SCORE = 100.0
SPELLING_SCORE = 98.0
FUZZY_SCALE = 0.97
KIND_PENALTY = 3.0
DEFAULT_MIN_SCORE = 80.0
# Two candidates closer than this are a near-tie: the look-up refuses to pick.
DEFAULT_MARGIN = 1.5
MAX_CANDIDATES = 20
_KIND_GROUP = {
    "kota": "kota",
    "kabupaten": "kabupaten",
    "kelurahan": "kelurahan",
    "desa": "rural",
    "nagari": "rural",
    "desa_adat": "rural",
}


def region_code_normalise(code: str) -> str | None:
    """``"1303032001"``, ``"13.03.03.2001"`` or ``" 13 03 03 2001 "`` → ``"13.03.03.2001"``;
    None when it is not shaped like a region code."""
    text = str(code).strip()
    digits = re.sub(r"[\s.]", "", text)
    if not digits.isascii() or not digits.isdigit():
        return None
    if "." in text:
        dotted = re.sub(r"\s", "", text)
        return dotted if _DOTTED.fullmatch(dotted) else None
    splits = _PLAIN_SPLITS.get(len(digits))
    if splits is None:
        return None
    parts, start = [], 0
    for width in splits:
        parts.append(digits[start : start + width])
        start += width
    return ".".join(parts)


def region_get(code: str) -> Region | None:
    """The current region with this dotted or plain code, or None."""
    dotted = region_code_normalise(code)
    if dotted is None:
        return None
    return Region.objects.select_related("parent").filter(pk=dotted).first()


def historical_code_get(code: str) -> HistoricalCode | None:
    """A province, regency or kecamatan code from any edition 2016–2025 (Papua's pre-2022
    kecamatan, for example), or None."""
    dotted = region_code_normalise(code)
    if dotted is None:
        return None
    return HistoricalCode.objects.filter(pk=dotted).first()


def region_children(code: str | Region) -> QuerySet[Region]:
    """The units directly below a region, by code; empty for an unknown code."""
    parent = code.code if isinstance(code, Region) else region_code_normalise(code)
    if parent is None:  # not a code: nothing (filtering on None would give the provinces)
        return Region.objects.none()
    return Region.objects.filter(parent_id=parent).order_by("code")


def region_ancestor_codes(code: str) -> list[str]:
    """``"13.03.03.2001"`` → ``["13", "13.03", "13.03.03", "13.03.03.2001"]``."""
    parts = code.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def region_path(region: Region | str) -> list[str]:
    """Names from the province down to the region itself, in one query:
    ``["Sumatera Barat", "Kabupaten Sijunjung", "Tanjung Gadang", "Timbulun"]``."""
    code = region.code if isinstance(region, Region) else region_code_normalise(region)
    if code is None:
        return []
    names = dict(
        Region.objects.filter(pk__in=region_ancestor_codes(code)).values_list("code", "name")
    )
    return [names[c] for c in region_ancestor_codes(code) if c in names]


def region_paths(codes: Iterable[str]) -> dict[str, list[str]]:
    """``region_path`` for many codes in one query: code → names from the province down."""
    wanted = {code: region_ancestor_codes(code) for code in codes}
    every = {c for chain in wanted.values() for c in chain}
    names = dict(Region.objects.filter(pk__in=every).values_list("code", "name"))
    return {code: [names[c] for c in chain if c in names] for code, chain in wanted.items()}


def region_describe(regions: Iterable[Region]) -> list[dict[str, object]]:
    """Plain data for the CLI's ``--json`` and the API: code, name, level, kind, parent
    code and the path of names, in one query for all the regions."""
    regions = list(regions)
    paths = region_paths(r.code for r in regions)
    return [
        {
            "code": r.code,
            "name": r.name,
            "level": r.level,
            "kind": r.kind,
            "parent": r.parent_id,
            "path": paths[r.code],
        }
        for r in regions
    ]


def historical_code_describe(old: HistoricalCode) -> dict[str, object]:
    """Like ``region_describe`` for a code no longer current: names from the edition
    where each ancestor code was last seen; ``kind`` is unknown."""
    chain = region_ancestor_codes(old.code)
    names = dict(HistoricalCode.objects.filter(pk__in=chain).values_list("code", "name"))
    return {
        "code": old.code,
        "name": _display_name(old.name),
        "level": old.level,
        "kind": None,
        "parent": chain[-2] if len(chain) > 1 else None,
        "path": [_display_name(names[c]) for c in chain if c in names],
        "first_seen": old.first_seen,
        "last_seen": old.last_seen,
    }


# --- Name look-ups ---------------------------------------------------------------------


@dataclass(frozen=True)
class RegionCandidate:
    region: Region
    score: float


@dataclass(frozen=True)
class RegionMatch:
    """The answer of a name look-up.

    ``match`` is the chosen region, or None when two or more candidates score within the
    margin of each other (``ambiguous``); ``candidates`` lists the best ones, best first,
    always including every near-tie so a person can choose.
    """

    match: Region | None
    score: float
    candidates: tuple[RegionCandidate, ...]

    @property
    def ambiguous(self) -> bool:
        return self.match is None

    def as_dict(self) -> dict[str, object]:
        """The shape of ``jamsos find_region --json`` and ``/api/regions/search``."""
        described = region_describe(c.region for c in self.candidates)
        for item, candidate in zip(described, self.candidates, strict=True):
            item["score"] = candidate.score
        return {
            "found": self.match is not None,
            "ambiguous": self.ambiguous,
            "score": self.score,
            "match": described[0] if self.match is not None else None,
            "candidates": described,
        }


class RegionIndex:
    """Scores a typed name against a fixed set of regions of one level.

    Holds plain strings, not model instances (84,000 villages load in a tenth of the
    time). Exact search names and spelling-blind keys are dict look-ups; only a miss on
    both runs rapidfuzz over the keys. ``regions`` maps codes to already loaded regions;
    candidates missing from it are fetched in one query.
    """

    def __init__(
        self,
        rows: Iterable[tuple[str, str, str]],
        level: str,
        regions: dict[str, Region] | None = None,
    ) -> None:
        self.level = level
        self.codes: list[str] = []
        self.kinds: list[str] = []
        self.keys: list[str] = []
        self.glued_keys: list[str] = []
        self.by_name: dict[str, list[int]] = {}
        self.by_key: dict[str, list[int]] = {}
        self._regions = regions if regions is not None else {}
        for i, (code, search_name, kind) in enumerate(rows):
            key = region_match_key(search_name)
            self.codes.append(code)
            self.kinds.append(kind)
            self.keys.append(key)
            self.glued_keys.append(key.replace(" ", ""))
            self.by_name.setdefault(search_name, []).append(i)
            self.by_key.setdefault(key, []).append(i)

    def _fuzzy(self, key: str, min_score: float) -> dict[int, float]:
        """Two passes at C speed: words in any order, and letters with the spaces taken
        out (operators glue or split words: "Taratak BaruUtara", "Sun gai Lansek")."""
        found: dict[int, float] = {}
        cutoff = min_score / FUZZY_SCALE
        passes = (
            (key, self.keys, fuzz.token_sort_ratio),
            (key.replace(" ", ""), self.glued_keys, fuzz.ratio),
        )
        for query, choices, scorer in passes:
            for _choice, similarity, i in process.extract(
                query, choices, scorer=scorer, score_cutoff=cutoff, limit=10
            ):
                found[i] = max(found.get(i, 0.0), similarity * FUZZY_SCALE)
        return found

    @classmethod
    def of_regions(cls, regions: Iterable[Region], level: str) -> RegionIndex:
        loaded = {r.code: r for r in regions}
        rows = [(r.code, r.search_name, r.kind) for r in loaded.values()]
        return cls(rows, level, loaded)

    def __len__(self) -> int:
        return len(self.codes)

    def scores(self, name: str, *, min_score: float = DEFAULT_MIN_SCORE) -> list[tuple[str, float]]:
        """``(code, score)`` of every region scoring at least ``min_score``, best first."""
        typed = region_search_name(name, self.level)
        if not typed:
            return []
        key = region_match_key(typed)
        found: dict[int, float] = {}
        for i in self.by_name.get(typed, ()):
            found[i] = EXACT_SCORE
        for i in self.by_key.get(key, ()):
            found.setdefault(i, SPELLING_SCORE)
        if not found:
            found = self._fuzzy(key, min_score)
        group = _KIND_GROUP.get(region_kind_hint(name, self.level) or "")
        if group:
            for i in found:
                if _KIND_GROUP.get(self.kinds[i]) != group:
                    found[i] -= KIND_PENALTY
        return sorted(
            ((self.codes[i], round(score, 1)) for i, score in found.items() if score >= min_score),
            key=lambda pair: (-pair[1], pair[0]),
        )

    def match(
        self,
        name: str,
        *,
        min_score: float = DEFAULT_MIN_SCORE,
        margin: float = DEFAULT_MARGIN,
        limit: int = 5,
    ) -> RegionMatch | None:
        ranked = self.scores(name, min_score=min_score)
        if not ranked:
            return None
        best = ranked[0][1]
        near = sum(1 for _code, score in ranked if score >= best - margin)
        # Every near-tie is listed so a person can choose, up to a sane number ("Tanjung"
        # names hundreds of villages across Indonesia).
        ranked = ranked[: max(limit, min(near, MAX_CANDIDATES))]
        missing = [code for code, _score in ranked if code not in self._regions]
        if missing:
            self._regions.update(Region.objects.select_related("parent").in_bulk(missing))
        candidates = tuple(RegionCandidate(self._regions[code], score) for code, score in ranked)
        return RegionMatch(
            match=candidates[0].region if near == 1 else None,
            score=best,
            candidates=candidates,
        )


def _scope_regions(level: str, parent_code: str | None) -> QuerySet[Region]:
    queryset = Region.objects.filter(level=level)
    if parent_code:
        queryset = queryset.filter(code__startswith=parent_code + ".")
    return queryset.order_by("code")


def _scope_rows(level: str, parent_code: str | None) -> list[tuple[str, str, str]]:
    return list(_scope_regions(level, parent_code).values_list("code", "search_name", "kind"))


@lru_cache(maxsize=64)
def _cached_index(level: str, parent_code: str | None) -> RegionIndex:
    return RegionIndex(_scope_rows(level, parent_code), level)


def region_index(level: str, parent_code: str | None = None) -> RegionIndex:
    """An index of the regions of ``level`` below ``parent_code`` (all of Indonesia when
    None). Cached per process, except all 84,000 villages of Indonesia (0.3 s to build,
    20 MB to keep), which a web worker should not hold."""
    if level == Region.Level.VILLAGE and parent_code is None:
        return RegionIndex(_scope_rows(level, None), level)
    return _cached_index(level, parent_code)


def region_find(
    name: str,
    *,
    level: str,
    parent: str | Region | None = None,
    min_score: float = DEFAULT_MIN_SCORE,
) -> RegionMatch | None:
    """Find a region of ``level`` by how a person typed its name, below ``parent``.

    Forgives case, punctuation, kind words (Nagari/Desa/Kelurahan/Kabupaten/Kota/Kec.) and
    Minang spellings ("Aie Amo" ~ "Air Amo", "Lubuak" ~ "Lubuk"), plus small typos.
    None when nothing scores ``min_score``; a near-tie gives ``match=None`` with the
    candidates. ``parent`` may be any ancestor (villages of a kabupaten, say); an unknown
    parent code finds nothing.
    """
    if level not in Region.Level.values:
        raise ValueError(f"unknown level {level!r}")
    parent_code = None
    if parent is not None:
        parent_code = parent.code if isinstance(parent, Region) else region_code_normalise(parent)
        if parent_code is None:
            return None
    if level == Region.Level.VILLAGE and parent_code is None:
        # An exact name outranks other spellings by more than the margin, so the rows
        # with that name answer (one indexed query) without indexing all villages.
        typed = region_search_name(name, level)
        exact = list(_scope_regions(level, None).filter(search_name=typed))
        if exact:
            return RegionIndex.of_regions(exact, level).match(name, min_score=min_score)
    return region_index(level, parent_code).match(name, min_score=min_score)


class VillageResolver:
    """Resolve many (village name or code, optional kecamatan) pairs inside one scope.

    Built once for a scope region (a kabupaten for the intake pipeline; a province or
    a kecamatan work too), it holds the scope's kecamatan and villages in memory and
    remembers every answer, so 100,000 rows cost one fuzzy search per distinct spelling.

    1. A code (dotted or plain digits) is looked up directly; outside the scope: None.
    2. A kecamatan given by name or code narrows the search to its villages when it
       resolves unambiguously; when it does not, the whole scope is searched.
    3. The village name is matched like ``region_find`` (exact, other spelling, fuzzy).
    """

    def __init__(self, scope: Region | str | None, *, min_score: float = DEFAULT_MIN_SCORE):
        scope_code = scope.code if isinstance(scope, Region) else scope
        if scope_code is not None:
            scope_code = region_code_normalise(scope_code)
            if scope_code is None or not Region.objects.filter(pk=scope_code).exists():
                raise ValueError(f"unknown scope region {scope!r}")
        self.scope_code = scope_code
        self.min_score = min_score
        districts = list(_scope_regions(Region.Level.DISTRICT, scope_code))
        if scope_code and scope_code.count(".") == 2:  # the scope is itself a kecamatan
            districts = list(Region.objects.filter(pk=scope_code))
        villages = list(_scope_regions(Region.Level.VILLAGE, scope_code))
        self._regions: dict[str, Region] = {r.code: r for r in (*districts, *villages)}
        self._districts = RegionIndex.of_regions(districts, Region.Level.DISTRICT)
        self._villages = RegionIndex.of_regions(villages, Region.Level.VILLAGE)
        self._villages_of: dict[str, list[Region]] = {}
        for village in villages:
            self._villages_of.setdefault(village.parent_id, []).append(village)
        self._district_indexes: dict[str, RegionIndex] = {}
        self._district_cache: dict[str, str | None] = {}
        self._cache: dict[tuple[str, str | None], RegionMatch | None] = {}

    def __len__(self) -> int:
        return len(self._villages)

    def district(self, name_or_code: str) -> Region | None:
        """The scope's kecamatan by name or code, or None (unknown or ambiguous)."""
        code = self._district_code(name_or_code)
        return self._regions[code] if code else None

    def match(self, village: str, district: str | None = None) -> RegionMatch | None:
        """The village for a row: a ``RegionMatch`` (``match`` None when ambiguous) or
        None when nothing in scope is close enough."""
        cache_key = (village.strip().lower(), (district or "").strip().lower() or None)
        if cache_key in self._cache:
            return self._cache[cache_key]
        result = self._match(village, district)
        self._cache[cache_key] = result
        return result

    def resolve(self, village: str, district: str | None = None) -> Region | None:
        """The village, or None when it is unknown or ambiguous (use ``match`` to tell)."""
        result = self.match(village, district)
        return result.match if result else None

    def _match(self, village: str, district: str | None) -> RegionMatch | None:
        if _CODE_LIKE.fullmatch(village.strip()):
            code = region_code_normalise(village)
            region = self._regions.get(code) if code else None
            if region is None or region.level != Region.Level.VILLAGE:
                return None
            return RegionMatch(region, EXACT_SCORE, (RegionCandidate(region, EXACT_SCORE),))
        district_code = self._district_code(district) if district else None
        if district_code is None:
            return self._villages.match(village, min_score=self.min_score)
        index = self._district_indexes.get(district_code)
        if index is None:
            index = RegionIndex.of_regions(
                self._villages_of.get(district_code, []), Region.Level.VILLAGE
            )
            self._district_indexes[district_code] = index
        return index.match(village, min_score=self.min_score)

    def _district_code(self, name_or_code: str) -> str | None:
        if name_or_code in self._district_cache:
            return self._district_cache[name_or_code]
        code: str | None = None
        if _CODE_LIKE.fullmatch(name_or_code.strip()):
            dotted = region_code_normalise(name_or_code)
            region = self._regions.get(dotted) if dotted else None
            if region is not None and region.level == Region.Level.DISTRICT:
                code = region.code
        else:
            found = self._districts.match(name_or_code, min_score=self.min_score)
            if found and found.match:
                code = found.match.code
        self._district_cache[name_or_code] = code
        return code


# --- NIK ----------------------------------------------------------------------


def _display_name(name: str) -> str:
    """Older editions spell some names in capitals ("KAB. MERAUKE"): show them like the
    current ones ("Kabupaten Merauke")."""
    if not name.isupper():
        return name
    name = re.sub(r"^KAB\.?\s+", "KABUPATEN ", name)
    return string.capwords(name.lower())


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
        names[code.replace(".", "")] = _display_name(name)
    # Current names win over historical ones for the same code.
    for code, name in Region.objects.exclude(level=Region.Level.VILLAGE).values_list(
        "code", "name"
    ):
        names[code.replace(".", "")] = name
    return DbRegionCodebook(names)


def nik_check(nik: str, *, birth_date: dt.date | None = None, sex: str | None = None) -> NikResult:
    """``nik_parse`` with the region codebook and today's date in Jakarta: what the
    ``check_nik`` command, the Cek NIK page and the API answer."""
    return nik_parse(
        nik, codebook=region_codebook(), birth_date=birth_date, sex=sex, today=localdate()
    )
