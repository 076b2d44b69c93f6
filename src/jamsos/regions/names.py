"""Normalising region names for look-ups that forgive how people type them."""

from __future__ import annotations

import re
import unicodedata

# Words that name the kind of unit rather than the unit ("Nagari Aie Amo" is "Aie Amo"),
# per level, so that a kecamatan really called "Kota Baru" keeps its "Kota".
_KIND_WORDS: dict[str | None, re.Pattern[str]] = {
    "province": re.compile(r"^(?:provinsi|prov)\b\s*"),
    "regency": re.compile(r"^(?:kabupaten|kab|kota|pemkab|pemkot)\b\s*"),
    "district": re.compile(r"^(?:kecamatan|kec)\b\s*"),
    "village": re.compile(r"^(?:nagari|desa|kelurahan|kel|ds)\b\s*"),
}
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def region_search_name(name: str, level: str | None = None) -> str:
    """``"NAGARI Aie  Amo"`` → ``"aie amo"``; ``"Kab. Sijunjung"`` → ``"sijunjung"``.

    With ``level`` only that level's kind words are dropped; without it, any level's.
    """
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = _NON_ALNUM.sub(" ", text).strip()
    patterns = [_KIND_WORDS[level]] if level else list(_KIND_WORDS.values())
    for pattern in patterns:
        stripped = pattern.sub("", text).strip()
        if stripped:  # never reduce a name to nothing ("Kota" alone stays "kota")
            text = stripped
    return text


# Minangkabau spells many Indonesian word endings differently, and villages are written
# both ways ("Lubuak"/"Lubuk", "Aie"/"Air", "Parik"/"Parit", "Koto"/"Kota"). Each word is
# reduced to one spelling for comparison only; the first matching rule applies.
_WORD_ENDINGS: tuple[tuple[str, str], ...] = (
    ("uak", "uk"),  # lubuak → lubuk, guguak → guguk
    ("uang", "ung"),  # tanjuang → tanjung, takuang → takung
    ("iang", "ing"),  # kuniang → kuning, kaliang → kaling
    ("uah", "uh"),  # buluah → buluh, labuah → labuh
    ("iah", "ih"),  # putiah → putih
    ("uik", "ut"),  # rumpuik → rumput
    ("ie", "ir"),  # aie → air
    ("ek", "at"),  # angek → angat
    ("ik", "it"),  # parik → parit, bukik → bukit
    ("o", "a"),  # koto → kota, muaro → muara, limo → lima
)
_KIND_HINTS: dict[str, dict[str, str]] = {
    "regency": {"kabupaten": "kabupaten", "kab": "kabupaten", "kota": "kota"},
    "village": {
        "nagari": "nagari",
        "desa": "desa",
        "ds": "desa",
        "kelurahan": "kelurahan",
        "kel": "kelurahan",
    },
}


def _word_key(word: str) -> str:
    for ending, replacement in _WORD_ENDINGS:
        if word.endswith(ending) and len(word) > len(ending):
            return word[: -len(ending)] + replacement
    return word


def region_match_key(search_name: str) -> str:
    """A spelling-blind key of a search name: ``"aie angek"`` → ``"air angat"``.

    Equal keys mean "the same name spelled the Minang or the Indonesian way"; the fuzzy
    matcher compares keys, so small typos on top of that still score high.
    """
    return " ".join(_word_key(word) for word in search_name.split())


def region_kind_hint(name: str, level: str) -> str | None:
    """The kind a typed name announces: ``"Kota Solok"`` → ``"kota"``, ``"Kab. Solok"`` →
    ``"kabupaten"``, ``"Desa X"`` → ``"desa"``; None when it names none."""
    hints = _KIND_HINTS.get(level)
    if not hints:
        return None
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    words = _NON_ALNUM.sub(" ", text).split()
    return hints.get(words[0]) if len(words) > 1 else None
