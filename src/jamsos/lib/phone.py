"""Indonesian mobile numbers in one form: ``+62`` followed by the number without its 0.

People write ``0812-3456-7890``, ``0812 3456 7890``, ``62812…``, ``+62 812…``,
``0062 812…``, ``+62 (0)812…``, or ``812…`` when Excel ate the leading zero of a number
cell. All become ``+6281234567890``. A mobile number is 8 followed by 8 to 11 digits
after the country code or trunk 0 (10 to 13 digits as dialled at home); anything else is
not a mobile number (``None``).

``phone_normalise`` handles one value; ``phones_normalise`` a polars Series with the
same rules (tests check they agree), for files of a million rows.
"""

from __future__ import annotations

import re

import polars as pl

_NOISE = r"[\s\-().\u2010-\u2015/]"
_MOBILE = r"8[0-9]{8,11}"
_NOISE_RE = re.compile(_NOISE)
_MOBILE_RE = re.compile(_MOBILE)


def phone_normalise(raw: object) -> str | None:
    """``"0812-3456-7890"`` → ``"+6281234567890"``; None when it is not a mobile number."""
    if raw is None:
        return None
    text = _NOISE_RE.sub("", str(raw))
    for prefix in ("+62", "0062", "62"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    text = text.removeprefix("0")
    return "+62" + text if _MOBILE_RE.fullmatch(text) else None


def phones_normalise(values: pl.Series) -> pl.Series:
    """``phone_normalise`` over a String Series, vectorised; null where not a mobile."""
    text = pl.col("p")
    frame = pl.DataFrame({"p": values.cast(pl.String)})
    # Step by step: each step names the previous column several times.
    frame = frame.with_columns(text.str.replace_all(_NOISE, ""))
    frame = frame.with_columns(
        pl.when(text.str.starts_with("+62"))
        .then(text.str.slice(3))
        .when(text.str.starts_with("0062"))
        .then(text.str.slice(4))
        .when(text.str.starts_with("62"))
        .then(text.str.slice(2))
        .otherwise(text)
        .str.strip_prefix("0")
    )
    normalised = pl.when(text.str.contains(f"^{_MOBILE}$")).then(pl.lit("+62") + text)
    return frame.select(normalised.alias(values.name))[values.name]
