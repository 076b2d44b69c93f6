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
