"""Personal names as the registry keeps them, and as duplicate search compares them.

``name_normalise``: trim, collapse spaces, Title Case each word — except the particles
"bin"/"binti" (son/daughter of) inside a name, and the letter after an apostrophe
("Ma'ruf", not "Ma'Ruf"). ``names_normalise`` does the same to a polars Series.

``name_key``: the spelling duplicate search compares — lower case ASCII letters and single
spaces, without the particles, common titles (H., Hj., Dr.) and the degrees after a
comma, so "H. Ma'ruf bin Amin, S.Pd" and "MARUF AMIN" meet. With ``fold=True`` (what
duplicate search compares) it also forgives the ways one name is written in Sumatera
Barat: Muhammad and its abbreviations (M., Muh., Moh., Mhd., Muhamad, Mochammad…) as
"m"; the compounds Nur-/Abdul- split ("Nurhayati" → "nur hayati", as "Hayati Nur"
sorts); an adat title
(gelar: Datuak/Dt., Sutan/St., Sidi, Bagindo, Marah) after the name dropped together
with the title's own name ("Fadli Chaniago Dt. Rajo Ameh" → "fadli chaniago"). The
portal's name check keeps the plain key.
"""

from __future__ import annotations

import re
import unicodedata

import polars as pl

PARTICLES = ("bin", "binti", "bt", "bte", "binte")
TITLES = ("h", "hj", "hajjah", "haji", "dr", "drs", "ir", "st", "amd", "spd", "se", "sh")
_SPACES = re.compile(r"\s+")
_APOSTROPHE_UPPER = re.compile(r"(?<=['’`])([A-Z])")
_PARTICLE_TITLE = re.compile(r"(?<= )(" + "|".join(p.title() for p in PARTICLES) + r")(?= |$)")
_NEEDS_PATCH = r"['’`]| (?:" + "|".join(p.title() for p in PARTICLES) + r")(?: |$)"
_KEY_DROP = re.compile(r"\b(?:" + "|".join(PARTICLES + TITLES) + r")\b")
_NON_LETTER = re.compile(r"[^a-z ]+")
# Folding (``fold=True``), on lower-case letters and single spaces:
HONORIFICS = ("h", "hj", "haji", "hajjah", "dr", "drs", "ir")
GELAR = ("datuak", "datuk", "dt", "sutan", "st", "sidi", "bagindo", "marah")
_FOLD_HONORIFICS = r"^(?:(?:" + "|".join(HONORIFICS) + r") )+"
# A gelar after the first word ends the name: the title and its name go.
_FOLD_GELAR = r" (?:" + "|".join(GELAR) + r")(?: .*)?$"
_FOLD_COMPOUND = r"\b(nur|abdul)([a-z]{3,})"
_FOLD_MUHAMMAD = r"\b(?:md|mhd|mohd|muh|moh|moch|much|m[ou]c?k?h?amm?[ae]d)\b"


def name_normalise(raw: object) -> str:
    """``"  siti   NURHALIZA binti AHMAD "`` → ``"Siti Nurhaliza binti Ahmad"``."""
    if raw is None:
        return ""
    text = _SPACES.sub(" ", str(raw)).strip()
    if not text:
        return ""
    text = text.title()
    text = _PARTICLE_TITLE.sub(lambda m: m[1].lower(), text)
    return _APOSTROPHE_UPPER.sub(lambda m: m[1].lower(), text)


def names_normalise(values: pl.Series) -> pl.Series:
    """``name_normalise`` over a String Series (nulls stay null).

    Spaces and Title Case run vectorised; the rare names with a particle or an
    apostrophe are finished one by one (polars cannot lower-case a regex group).
    """
    name = values.name
    frame = pl.DataFrame({"n": values.cast(pl.String)})
    text = pl.col("n").str.replace_all(r"\s+", " ").str.strip_chars(" ").str.to_titlecase()
    text = pl.when(text == "").then(None).otherwise(text)
    result = frame.select(text.alias("n"))["n"]
    # The rare names with a particle or an apostrophe are finished one by one.
    patch = result.str.contains(_NEEDS_PATCH).fill_null(False)
    if patch.any():
        positions = patch.arg_true()
        fixed = [name_normalise(v) for v in values.gather(positions).to_list()]
        result = result.scatter(positions, fixed)
    return result.alias(name)


def name_key(raw: object, *, fold: bool = False) -> str:
    """``"H. Ma'ruf bin Amin"`` → ``"maruf amin"``: what duplicate search compares
    (with ``fold=True``: ``"Muh. Nurhadi Dt. Bandaro"`` → ``"m nur hadi"``)."""
    if raw is None:
        return ""
    text = unicodedata.normalize("NFKD", str(raw)).encode("ascii", "ignore").decode().lower()
    text = text.split(",", 1)[0]  # academic degrees follow a comma: "Budi, S.Pd."
    text = text.replace("'", "").replace("’", "").replace("`", "")
    text = _NON_LETTER.sub(" ", text)
    if fold:
        text = " ".join(text.split())
        text = re.sub(_FOLD_HONORIFICS, "", text)
        text = re.sub(_FOLD_GELAR, "", text)
    text = _KEY_DROP.sub(" ", text)
    text = " ".join(text.split())
    if fold:
        text = re.sub(_FOLD_COMPOUND, r"\1 \2", text)
        text = re.sub(_FOLD_MUHAMMAD, "m", text)
    return text


def names_key(values: pl.Series, *, fold: bool = False) -> pl.Series:
    """``name_key`` over a Series, vectorised for ASCII names (the rest one by one)."""
    frame = pl.DataFrame({"n": values.cast(pl.String)})
    drop = r"\b(?:" + "|".join(PARTICLES + TITLES) + r")\b"
    text = (
        pl.col("n")
        .str.to_lowercase()
        .str.replace(r"(?s),.*$", "")
        .str.replace_all(r"['’`]", "")
        .str.replace_all(r"[^a-z ]+", " ")
    )
    if fold:
        text = (
            text.str.replace_all(r" +", " ")
            .str.strip_chars(" ")
            .str.replace(_FOLD_HONORIFICS, "")
            .str.replace(_FOLD_GELAR, "")
        )
    text = text.str.replace_all(drop, " ").str.replace_all(r" +", " ").str.strip_chars(" ")
    if fold:
        text = text.str.replace_all(_FOLD_COMPOUND, "${1} ${2}").str.replace_all(
            _FOLD_MUHAMMAD, "m"
        )
    result = frame.select(text.alias("n"))["n"].fill_null("")
    non_ascii = values.cast(pl.String).str.contains(r"[^\x00-\x7F]").fill_null(False)
    if non_ascii.any():
        positions = non_ascii.arg_true()
        result = result.scatter(
            positions, [name_key(v, fold=fold) for v in values.gather(positions)]
        )
    return result.alias(values.name)
