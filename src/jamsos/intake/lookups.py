"""Reference look-ups the validation needs, built once per batch and asked per distinct
value: villages (via ``regions.selectors.VillageResolver``) and occupations."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from jamsos.regions.models import Region
from jamsos.regions.selectors import VillageResolver, region_code_normalise
from jamsos.registry.models import Occupation

EXACT = 98.0  # scores at or above: no "guessed" warning
OCCUPATION_MIN_SCORE = 85.0
_CODE_LIKE = re.compile(r"[\d.\s]+")
_OCC_NOISE = re.compile(r"[^a-z0-9/ ]+")


@dataclass
class Finding:
    """A code to report about one value, with its message parameters."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Answer:
    """What a look-up made of a value: the code it resolved to (or None) and findings."""

    value: str | None
    findings: list[Finding] = field(default_factory=list)


def _scope_of(region: Region) -> str:
    """The region the village search covers: the batch region's kabupaten (so that a
    village of the next kecamatan is "outside the region", not "unknown")."""
    parts = region.code.split(".")
    return ".".join(parts[:2])


class VillageLookup:
    """Village of a row from a name or code and the optional kecamatan, inside the
    batch region. Answers are cached per distinct (village, kecamatan) pair."""

    def __init__(self, region: Region) -> None:
        self.region = region
        scope_code = _scope_of(region)
        self.scope = Region.objects.get(pk=scope_code)
        self.resolver = VillageResolver(scope_code)
        self._cache: dict[tuple[str, str], Answer] = {}

    def answer(self, village: str, district: str | None) -> Answer:
        key = (village, district or "")
        found = self._cache.get(key)
        if found is None:
            found = self._answer(village, district or None)
            self._cache[key] = found
        return found

    def _answer(self, village: str, district: str | None) -> Answer:
        findings: list[Finding] = []
        if district and self.resolver.district(district) is None:
            findings.append(Finding("district_unknown"))
            district = None
        match = self.resolver.match(village, district)
        if match is None and district:
            match = self.resolver.match(village, None)
            if match is not None and match.match is not None:
                findings.append(
                    Finding(
                        "district_mismatch",
                        {"village": match.match.name, "district": _parent_name(match.match)},
                    )
                )
        if match is None:
            return self._unknown(village, findings)
        if match.match is None:
            names = ", ".join(
                f"{c.region.name} (Kec. {_parent_name(c.region)})" for c in match.candidates[:4]
            )
            return Answer(None, [*findings, Finding("village_ambiguous", {"candidates": names})])
        found = match.match
        if not self.region.contains(found.code):
            return Answer(
                None,
                [
                    *findings,
                    Finding(
                        "village_outside_region",
                        {"village": _display(found), "region": self.region.name},
                    ),
                ],
            )
        if match.score < EXACT:
            findings.append(
                Finding(
                    "village_guessed", {"village": _display(found), "score": round(match.score)}
                )
            )
        return Answer(found.code, findings)

    def _unknown(self, village: str, findings: list[Finding]) -> Answer:
        if _CODE_LIKE.fullmatch(village):
            code = region_code_normalise(village)
            region = (
                Region.objects.filter(pk=code, level=Region.Level.VILLAGE).first() if code else None
            )
            if region is not None:
                return Answer(
                    None,
                    [
                        *findings,
                        Finding(
                            "village_outside_region",
                            {"village": _display(region), "region": self.region.name},
                        ),
                    ],
                )
        return Answer(
            None, [*findings, Finding("village_unknown", {"where": f" di {self.scope.name}"})]
        )


def _parent_name(region: Region) -> str:
    parent = region.parent
    return parent.name if parent is not None else ""


def _display(region: Region) -> str:
    parent = _parent_name(region)
    return f"{region.name} (Kec. {parent})" if parent else region.name


def occupation_key(text: str) -> str:
    return " ".join(_OCC_NOISE.sub(" ", text.lower()).split())


class OccupationLookup:
    """Occupation code from a code, a name or an alias; small typos are forgiven (with
    an ``occupation_guessed`` warning)."""

    def __init__(self) -> None:
        self.by_key: dict[str, str] = {}
        self.names: dict[str, str] = {}
        for code, name, aliases in Occupation.objects.filter(is_active=True).values_list(
            "code", "name", "aliases"
        ):
            self.names[code] = name
            for text in (code, code.replace("_", " "), name, *(aliases or [])):
                self.by_key.setdefault(occupation_key(text), code)
        self._keys = list(self.by_key)
        self._cache: dict[str, Answer] = {}

    def answer(self, text: str) -> Answer:
        found = self._cache.get(text)
        if found is None:
            found = self._answer(text)
            self._cache[text] = found
        return found

    def _answer(self, text: str) -> Answer:
        key = occupation_key(text)
        if key in self.by_key:
            return Answer(self.by_key[key])
        best = process.extractOne(
            key, self._keys, scorer=fuzz.token_sort_ratio, score_cutoff=OCCUPATION_MIN_SCORE
        )
        if best is None:
            return Answer(None, [Finding("occupation_unknown")])
        code = self.by_key[best[0]]
        return Answer(
            code,
            [
                Finding(
                    "occupation_guessed", {"occupation": self.names[code], "score": round(best[1])}
                )
            ],
        )
