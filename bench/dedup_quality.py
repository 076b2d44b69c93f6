"""Duplicate finding, proven: Jamsos against Splink 5 on a hard labelled set.

The set (deterministic by ``--seed``): ``--records`` people of Kabupaten Sijunjung
(13.03; villages read from ``jamsos/regions/data/wilayah-2025.csv.gz``, no database)
with NIK, full name, birth date, sex and village, in two frames as the product sees them:

- ``registry``: half the records, every one a different person (the registry is the
  deduplicated truth a file is checked against);
- ``file``: the other half, as a proposal file: new people; people already registered
  written again with variations; people in the file twice or three times; and hard
  negatives — twins (same birth date, village and family name, another given name) and
  namesakes (same name, sex and birth date, another village).

A variation is one or two of: Muhammad written M./Muh./Moh./Mhd./Muhamad or dropped,
compound names split or joined (Nurhayati/Nur Hayati, Abdul Hakim/Abdulhakim), a
gelar added, dropped or abbreviated (Datuak/Dt., Sutan/St.), the suku or family name
added or dropped (Chaniago, Piliang, Tanjung, Koto…), H./Hj. added or dropped, a typo
(insert, delete, substitute), two letters transposed, the name parts swapped, upper
case; and independently the birth date's day and month transposed (8%), another
village (20%), another NIK serial (60%: same first 12 digits) or no NIK (40%). Truth
is in the data: ``person`` (one id per real person) and ``kind`` (what was varied, or
``twin``/``namesake``/``original``); ``--write data.csv`` saves it.

Pairs asked about are the ones the product asks about: every file record against the
registry and against the file's other records (registry × registry is never asked).
True pairs are pairs in that scope of records of one ``person``.

- **Jamsos** runs as ``intake.validation._duplicates`` does: ``names_key(fold=True)``
  of both frames, the registry filtered to the file's birth dates and their transposed
  twins (``dedup.lookup_dates``, what ``RegistryLookup.people_born_on`` loads), then
  ``dedup.possible_duplicates(file, registry)``; a pair is predicted when it is among a
  file row's candidates (the product's own limits and its cap of ``MAX_CANDIDATES`` per
  row). Also reported: the best F1 over cutoffs of the candidates' name scores (an
  oracle like Splink's; it can only raise the product's limits). Time: keys, registry
  filter, search.
- **Splink 5** (DuckDB, optional: ``pip install -r requirements/bench.txt``) on one
  table of both frames, ``dedupe_only`` with prediction blocking rules restricted to
  pairs with a file record: (year, {day, month}) of the birth date — so transposed
  dates meet — and (token-sorted name, birth year). It gets the same ``names_key``
  spelling as Jamsos plus a token-sorted copy; comparisons: name (exact with term
  frequencies, token-sorted exact, Jaro-Winkler 0.95/0.92 sorted/0.88/0.75), birth date
  (exact, day and month transposed), sex, village, NIK (same kecamatan of issue: the
  first 6 digits — not 12, which would count birth date and sex twice; never equal in
  scope, an equal NIK is the exact check's).
  Trained unsupervised: the prior from deterministic rules (recall 0.7),
  ``estimate_u_using_random_sampling`` (``max_pairs`` 5M, seeded) and two EM passes
  (blocked on name, on birth date). Reported at match probability 0.5 and, to be
  generous to Splink, at its best-F1 threshold read off the truth (an oracle no user
  has). Time: registration, training and prediction.

    .venv/bin/python bench/dedup_quality.py                       # 200,000 records
    .venv/bin/python bench/dedup_quality.py --records 20000 --pairs 1000 --json
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import json
import os
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))
REGIONS = ROOT / "src" / "jamsos" / "regions" / "data" / "wilayah-2025.csv.gz"
REGENCY = "13.03"
COVERAGE = dt.date(2026, 12, 1)
SEED = 20261206

# --- names ----------------------------------------------------------------------------

MALE = [
    "Ahmad",
    "Budi",
    "Rizki",
    "Fauzan",
    "Hendra",
    "Syafrizal",
    "Yusuf",
    "Irwan",
    "Dedi",
    "Joni",
    "Afrizal",
    "Zulkifli",
    "Hafiz",
    "Rahmat",
    "Fadli",
    "Riko",
    "Andi",
    "Agus",
    "Eko",
    "Wahyu",
    "Arif",
    "Doni",
    "Edi",
    "Ferdi",
    "Hamdan",
    "Ilham",
    "Jefri",
    "Khairul",
    "Lukman",
    "Mulyadi",
    "Nofrizal",
    "Rudi",
    "Syahrul",
    "Taufik",
    "Usman",
    "Wendi",
    "Yoga",
    "Zainal",
    "Rusli",
    "Asrul",
    "Darmawan",
    "Yulizar",
    "Masrizal",
    "Elfindo",
    "Gusrizal",
    "Indra",
    "Jasman",
    "Kasman",
    "Nasrul",
    "Roni",
    "Sofyan",
    "Alfian",
    "Erizal",
    "Hendri",
    "Ikhsan",
    "Jufri",
    "Yondri",
    "Zulfadli",
    "Ridwan",
    "Firman",
    "Amrizal",
    "Dasrul",
    "Syamsul",
    "Rinaldi",
    "Febri",
    "Yudi",
    "Rafli",
    "Arman",
    "Yasrizal",
    "Efrizal",
    "Novrianto",
    "Defri",
    "Azwar",
]
FEMALE = [
    "Siti",
    "Rahmah",
    "Yusnidar",
    "Fitri",
    "Dewi",
    "Sri",
    "Ani",
    "Lestari",
    "Yuliani",
    "Rina",
    "Desi",
    "Eka",
    "Fatimah",
    "Hasnah",
    "Indah",
    "Juwita",
    "Kartini",
    "Lina",
    "Mardiah",
    "Oktaviani",
    "Putri",
    "Ratna",
    "Sartika",
    "Titin",
    "Vivi",
    "Wati",
    "Yeni",
    "Zulaikha",
    "Rosna",
    "Asmah",
    "Gusnidar",
    "Rosmaini",
    "Elvira",
    "Mega",
    "Novita",
    "Yusrita",
    "Darmawati",
    "Erlina",
    "Marni",
    "Nelmi",
    "Rosmiati",
    "Suryani",
    "Wirda",
    "Yenti",
    "Zurniati",
    "Afni",
    "Delfi",
    "Emi",
    "Yusniar",
    "Rosdiana",
    "Misnawati",
    "Deswita",
    "Elfira",
    "Yulinda",
    "Rahmi",
    "Syafitri",
    "Mailani",
    "Ernawati",
]
NUR = [
    "Hayati",
    "Hasanah",
    "Jannah",
    "Mala",
    "Lela",
    "Haida",
    "Baiti",
    "Aini",
    "Maini",
    "Hidayah",
    "Azizah",
    "Fadilah",
]
ABDUL = ["Hakim", "Rahman", "Malik", "Karim", "Gani", "Latif", "Azis", "Halim", "Rauf", "Wahid"]
FAMILY = [
    "Saputra",
    "Hidayat",
    "Putra",
    "Pratama",
    "Syahputra",
    "Kurniawan",
    "Rahman",
    "Hakim",
    "Firdaus",
    "Gunawan",
    "Efendi",
    "Maulana",
    "Ramadhan",
    "Anwar",
    "Hasan",
    "Zulhendri",
    "Sari",
    "Wahyuni",
    "Rahmawati",
    "Susanti",
    "Handayani",
    "Fitriani",
    "Yanti",
    "Agustina",
    "Novianti",
    "Bahri",
    "Darwis",
    "Fahmi",
    "Hamzah",
    "Ismail",
    "Jamal",
    "Kamal",
    "Latif",
    "Mansur",
    "Nasir",
    "Rasyid",
    "Salim",
    "Umar",
    "Yunus",
    "Wati",
    "Yulianto",
    "Asmara",
    "Putri",
    "Marlina",
    "Hendri",
]
SUKU = [
    "Chaniago",
    "Caniago",
    "Piliang",
    "Tanjung",
    "Koto",
    "Sikumbang",
    "Jambak",
    "Melayu",
    "Guci",
    "Panyalai",
    "Bodi",
    "Mandailiang",
    "Supayang",
    "Simabua",
    "Pitopang",
]
# A gelar (adat title) is a word — Datuak or Sutan, often abbreviated — and a name.
GELAR_WORDS = {"Datuak": "Dt.", "Sutan": "St."}
GELAR_NAMES = [
    "Rajo Ameh",
    "Bandaro",
    "Rajo Mangkuto",
    "Marajo",
    "Mudo",
    "Sati",
    "Palindih",
    "Majo Indo",
    "Bagindo",
    "Rangkayo Basa",
    "Tumangguang",
    "Malano",
    "Pangulu Basa",
    "Mangkuto Alam",
]
MUHAMMAD_FORMS = ("M.", "Muh.", "Moh.", "Mhd.", "Muhamad", "Mohammad", "Moch.")
NAME_KINDS = (
    "muhammad",
    "compound",
    "gelar",
    "suku",
    "hajj",
    "typo",
    "transpose",
    "swap",
    "case",
)


@dataclass
class Record:
    ref: int
    frame: str  # registry | file
    person: int  # truth: one id per real person
    kind: str  # original | twin | namesake | variation kinds joined with "+"
    nik: str | None
    name: str
    birth_date: dt.date
    sex: str
    village: str
    related: int = 0  # the record a variant or a hard negative was made from


@dataclass
class Identity:
    """A real person, as first written."""

    person: int
    name: str
    birth_date: dt.date
    sex: str
    village: str
    serial: int
    parts: dict[str, Any] = field(default_factory=dict)


def _villages() -> list[str]:
    with gzip.open(REGIONS, "rt", encoding="utf-8") as handle:
        return sorted(
            row["code"]
            for row in csv.DictReader(handle)
            if row["level"] == "village" and row["code"].startswith(REGENCY + ".")
        )


def _nik(village: str, born: dt.date, sex: str, serial: int) -> str:
    district = village.rsplit(".", 1)[0].replace(".", "")
    day = born.day + (40 if sex == "P" else 0)
    return f"{district}{day:02d}{born.month:02d}{born.year % 100:02d}{serial % 9999 + 1:04d}"


def _gelar(rng: random.Random) -> list[str]:
    word = rng.choice(list(GELAR_WORDS))
    written = GELAR_WORDS[word] if rng.random() < 0.5 else word
    return [written, *rng.choice(GELAR_NAMES).split()]


def _given(rng: random.Random, sex: str) -> list[str]:
    if sex == "L":
        parts = []
        if rng.random() < 0.22:
            parts.append("Muhammad")
        if rng.random() < 0.06:
            parts += ["Abdul", rng.choice(ABDUL)]
        else:
            parts.append(rng.choice(MALE))
        return parts
    parts = ["Siti"] if rng.random() < 0.15 else []
    if rng.random() < 0.18:
        parts.append("Nur" + rng.choice(NUR).lower())
    else:
        parts.append(rng.choice(FEMALE))
    return parts


def _name_parts(rng: random.Random, sex: str, born: dt.date) -> dict[str, Any]:
    """The parts of a name: hajj title, given names, family name, suku, gelar."""
    age = COVERAGE.year - born.year
    given = _given(rng, sex)
    if rng.random() < 0.3:
        given.append(rng.choice(MALE if sex == "L" else FEMALE))
    return {
        "hajj": ("H." if sex == "L" else "Hj.") if age >= 40 and rng.random() < 0.1 else "",
        "given": given,
        "family": rng.choice(FAMILY) if rng.random() < 0.6 else "",
        "suku": rng.choice(SUKU) if rng.random() < 0.2 else "",
        "gelar": _gelar(rng) if sex == "L" and age >= 35 and rng.random() < 0.15 else [],
    }


def _written(parts: dict[str, Any]) -> str:
    words = [parts["hajj"], *parts["given"], parts["family"], parts["suku"], *parts["gelar"]]
    return " ".join(w for w in words if w)


def _typo(rng: random.Random, word: str, kind: str) -> str:
    if len(word) < 4:
        return word
    j = rng.randrange(1, len(word) - 1)
    if kind == "transpose":
        return word[:j] + word[j + 1] + word[j] + word[j + 2 :]
    how = rng.choice(("insert", "delete", "substitute"))
    letter = rng.choice("aiueonrsthdl")
    if how == "insert":
        return word[:j] + letter + word[j:]
    if how == "delete":
        return word[:j] + word[j + 1 :]
    return word[:j] + letter + word[j + 1 :]


def _vary_parts(rng: random.Random, parts: dict[str, Any], sex: str, kind: str) -> bool:  # noqa: C901
    """Apply one structural variation in place; False when it does not apply."""
    given = parts["given"]
    if kind == "muhammad":
        if "Muhammad" not in given:
            return False
        i = given.index("Muhammad")
        if rng.random() < 0.2 and len(given) > 1:
            del given[i]
        else:
            given[i] = rng.choice(MUHAMMAD_FORMS)
        return True
    if kind == "compound":
        for i, word in enumerate(given):
            if word.startswith("Nur") and len(word) > 5:
                given[i : i + 1] = ["Nur", word[3:].title()]
                return True
            if word == "Abdul" and i + 1 < len(given):
                given[i : i + 2] = ["Abdul" + given[i + 1].lower()]
                return True
        return False
    if kind == "gelar":
        if sex != "L":
            return False
        gelar = parts["gelar"]
        if not gelar:
            parts["gelar"] = _gelar(rng)
        elif rng.random() < 0.5:
            parts["gelar"] = []
        else:
            swap = {**GELAR_WORDS, **{v: k for k, v in GELAR_WORDS.items()}}
            gelar[0] = swap[gelar[0]]
        return True
    if kind == "suku":
        if parts["suku"] or parts["family"]:
            key = "suku" if parts["suku"] else "family"
            if not given:
                return False
            parts[key] = ""
        else:
            parts["suku"] = rng.choice(SUKU)
        return True
    if kind == "hajj":
        parts["hajj"] = "" if parts["hajj"] else ("H." if sex == "L" else "Hj.")
        return True
    return False


def _variant(rng: random.Random, identity: Identity) -> tuple[str, list[str]]:
    """Another writing of ``identity``'s name, and the kinds applied (one or two)."""
    parts = {k: (list(v) if isinstance(v, list) else v) for k, v in identity.parts.items()}
    wanted = 1 if rng.random() < 0.7 else 2
    kinds: list[str] = []
    for kind in rng.sample(NAME_KINDS, len(NAME_KINDS)):
        if len(kinds) == wanted:
            break
        if kind in ("typo", "transpose", "swap", "case") or _vary_parts(
            rng, parts, identity.sex, kind
        ):
            kinds.append(kind)
    words = _written(parts).split()
    for kind in kinds:
        if kind in ("typo", "transpose"):
            long = [i for i, w in enumerate(words) if len(w) >= 4]
            if long:
                i = rng.choice(long)
                words[i] = _typo(rng, words[i], kind)
        elif kind == "swap" and len(words) > 1:
            words = (
                words[1:] + words[:1] if rng.random() < 0.5 else [words[1], words[0], *words[2:]]
            )
    name = " ".join(words)
    if "case" in kinds:
        name = name.upper() if rng.random() < 0.7 else "  ".join(name.lower().split())
    return name, kinds


def _identity(rng: random.Random, person: int, villages: list[str], **fixed: Any) -> Identity:
    sex = fixed.get("sex") or rng.choice("LP")
    born = fixed.get("birth_date") or COVERAGE - dt.timedelta(
        days=rng.randrange(19 * 366, 63 * 365)
    )
    parts = fixed.get("parts") or _name_parts(rng, sex, born)
    return Identity(
        person=person,
        name=_written(parts),
        birth_date=born,
        sex=sex,
        village=fixed.get("village") or rng.choice(villages),
        serial=rng.randrange(1, 9000),
        parts=parts,
    )


def _transposed(born: dt.date) -> dt.date | None:
    if born.day > 12 or born.day == born.month:
        return None
    return dt.date(born.year, born.day, born.month)


def generate(records: int, pairs: int, seed: int) -> list[Record]:  # noqa: C901
    """The labelled set: half registry (all different people), half file."""
    rng = random.Random(seed)
    villages = _villages()
    half = records // 2
    out: list[Record] = []
    identities: dict[int, Identity] = {}
    next_person = 0

    def new_identity(**fixed: Any) -> Identity:
        nonlocal next_person
        next_person += 1
        identity = _identity(rng, next_person, villages, **fixed)
        identities[identity.person] = identity
        return identity

    def add(frame: str, identity: Identity, kind: str = "original", **values: Any) -> Record:
        record = Record(
            ref=len(out) + 1,
            frame=frame,
            person=identity.person,
            kind=kind,
            nik=values.get(
                "nik",
                _nik(identity.village, identity.birth_date, identity.sex, identity.serial),
            ),
            name=values.get("name", identity.name),
            birth_date=values.get("birth_date", identity.birth_date),
            sex=identity.sex,
            village=values.get("village", identity.village),
            related=values.get("related", 0),
        )
        out.append(record)
        return record

    for _ in range(half):
        add("registry", new_identity())
    registry = list(out)

    # The file: pairs split 8:3 between registry people written again and people
    # written twice in the file (a fifth of those three times: three pairs).
    file_records: list[tuple[str, Identity, dict[str, Any]]] = []

    def variant_of(identity: Identity, related: int) -> tuple[str, Identity, dict[str, Any]]:
        name, kinds = _variant(rng, identity)
        values: dict[str, Any] = {"name": name, "related": related}
        born = identity.birth_date
        if rng.random() < 0.08 and (swapped := _transposed(born)):
            values["birth_date"] = swapped
            kinds.append("date_swap")
        if rng.random() < 0.2:
            values["village"] = rng.choice(villages)
            kinds.append("village")
        if rng.random() < 0.6:
            serial = (identity.serial + rng.randrange(1, 500)) % 9999
            values["nik"] = _nik(identity.village, born, identity.sex, serial)
            kinds.append("nik_serial")
        else:
            values["nik"] = None
            kinds.append("nik_missing")
        return "+".join(kinds), identity, values

    to_registry = pairs * 8 // 11
    in_file = pairs - to_registry
    triples = in_file // 5
    doubles = in_file - 3 * triples
    for record in rng.sample(registry, to_registry):
        file_records.append(variant_of(identities[record.person], record.ref))
    for count in [2] * doubles + [3] * triples:
        identity = new_identity()
        file_records.append(("original", identity, {}))
        for _ in range(count - 1):
            file_records.append(variant_of(identity, -identity.person))
    # Hard negatives: as many twins and namesakes as true pairs, of registry or file people.
    negatives = max(pairs // 2, 1)
    for n in range(2 * negatives):
        base = rng.choice(registry) if n % 3 else None
        identity = identities[base.person] if base else new_identity()
        if base is None:
            file_records.append(("original", identity, {}))
        related = base.ref if base else -identity.person
        if n % 2 == 0:  # a twin: same date and village, same family name and suku
            sex = rng.choice("LP")
            parts = _name_parts(rng, sex, identity.birth_date)
            parts["family"], parts["suku"] = identity.parts["family"], identity.parts["suku"]
            if not parts["family"] and not parts["suku"]:
                parts["family"] = rng.choice(FAMILY)
            other = new_identity(
                sex=sex, birth_date=identity.birth_date, village=identity.village, parts=parts
            )
            file_records.append(("twin", other, {"related": related}))
        else:  # a namesake: same name, sex and birth date, another village
            village = rng.choice([v for v in villages if v != identity.village])
            other = new_identity(
                sex=identity.sex,
                birth_date=identity.birth_date,
                village=village,
                parts=identity.parts,
            )
            file_records.append(("namesake", other, {"related": related}))
    while len(file_records) < records - half:
        file_records.append(("original", new_identity(), {}))
    # Interleave, keeping every person's first appearance before their variants'.
    order = sorted(range(len(file_records)), key=lambda i: rng.random())
    seen: set[int] = set()
    pending: list[int] = []
    for i in order:
        kind, identity, values = file_records[i]
        first = kind in ("original", "twin", "namesake")
        if not first and values["related"] < 0 and identity.person not in seen:
            pending.append(i)
            continue
        add("file", identity, kind, **values)
        seen.add(identity.person)
    for i in pending:
        kind, identity, values = file_records[i]
        add("file", identity, kind, **values)
    return out


# --- truth ------------------------------------------------------------------------------


def true_pairs(records: list[Record]) -> set[tuple[int, int]]:
    """Pairs of records of one person with at least one in the file."""
    by_person: dict[int, list[Record]] = {}
    for record in records:
        by_person.setdefault(record.person, []).append(record)
    pairs = set()
    for group in by_person.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if a.frame == "file" or b.frame == "file":
                    pairs.add((min(a.ref, b.ref), max(a.ref, b.ref)))
    return pairs


def scores(predicted: set[tuple[int, int]], truth: set[tuple[int, int]]) -> dict[str, Any]:
    hits = len(predicted & truth)
    precision = hits / len(predicted) if predicted else 0.0
    recall = hits / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "predicted_pairs": len(predicted),
        "true_positives": hits,
        "false_positives": len(predicted) - hits,
        "false_negatives": len(truth) - hits,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
    }


def breakdown(
    predicted: set[tuple[int, int]], truth: set[tuple[int, int]], records: list[Record]
) -> dict[str, Any]:
    """Recall per variation kind (of the later record of a true pair) and false positives
    per hard-negative kind (pairs touching a twin or namesake)."""
    by_ref = {r.ref: r for r in records}
    found: dict[str, list[int]] = {}
    for a, b in truth:
        kinds = by_ref[b].kind if by_ref[b].kind != "original" else by_ref[a].kind
        for kind in kinds.split("+"):
            entry = found.setdefault(kind, [0, 0])
            entry[1] += 1
            entry[0] += (a, b) in predicted
    wrong: dict[str, int] = {}
    for a, b in predicted - truth:
        kinds = {by_ref[a].kind, by_ref[b].kind} & {"twin", "namesake"}
        label = "+".join(sorted(kinds)) or "other"
        wrong[label] = wrong.get(label, 0) + 1
    return {
        "recall_by_kind": {k: round(h / t, 3) for k, (h, t) in sorted(found.items())},
        "false_positives_by_kind": dict(sorted(wrong.items())),
    }


# --- Jamsos -------------------------------------------------------------------------------


def run_jamsos(records: list[Record]) -> tuple[dict[tuple[int, int], float], float]:
    import polars as pl

    from jamsos.intake import dedup
    from jamsos.lib.names import names_key

    def frame(frame: str) -> pl.DataFrame:
        chosen = [r for r in records if r.frame == frame]
        return pl.DataFrame(
            {
                "ref": [r.ref for r in chosen],
                "nik": [r.nik for r in chosen],
                "name": [r.name for r in chosen],
                "birth_date": [r.birth_date for r in chosen],
                "sex": [r.sex for r in chosen],
                "village": [r.village for r in chosen],
            },
            schema={k: v for k, v in dedup.PEOPLE_SCHEMA.items() if k != "key"},
        )

    file, registry = frame("file"), frame("registry")
    started = time.perf_counter()
    people = file.with_columns(names_key(file["name"], fold=True).alias("key")).select(
        list(dedup.PEOPLE_SCHEMA)
    )
    dates = dedup.lookup_dates(people["birth_date"])
    known = registry.filter(pl.col("birth_date").is_in(dates.implode()))
    known = known.with_columns(names_key(known["name"], fold=True).alias("key")).select(
        list(dedup.PEOPLE_SCHEMA)
    )
    found = dedup.possible_duplicates(people, known)
    seconds = time.perf_counter() - started
    predicted = {
        (min(ref, other), max(ref, other)): c["score"]
        for ref, candidates in found.items()
        for c in candidates
        for other in [c.get("row_number") or c.get("person_id")]
    }
    return predicted, seconds


# --- Splink ---------------------------------------------------------------------------------


def splink_version() -> str | None:
    try:
        import duckdb  # noqa: F401
        import splink
    except ImportError:
        return None
    return splink.__version__


def run_splink(records: list[Record], truth: set[tuple[int, int]], seed: int) -> dict[str, Any]:
    import logging

    import polars as pl
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    from jamsos.lib.names import names_key

    table = pl.DataFrame(
        {
            "unique_id": [r.ref for r in records],
            "frame": [r.frame for r in records],
            "name": [r.name for r in records],
            "birth_date": [r.birth_date for r in records],
            "sex": [r.sex for r in records],
            "village": [r.village for r in records],
            "nik": [r.nik for r in records],
        }
    )
    started = time.perf_counter()
    key = names_key(table["name"], fold=True)
    table = table.with_columns(
        key.replace("", None).alias("name"),
        key.str.split(" ").list.sort().list.join(" ").replace("", None).alias("name_sorted"),
        pl.col("birth_date").dt.year().alias("birth_year"),
        (
            pl.col("birth_date").dt.year().cast(pl.String)
            + "-"
            + pl.min_horizontal(
                pl.col("birth_date").dt.day(), pl.col("birth_date").dt.month()
            ).cast(pl.String)
            + "-"
            + pl.max_horizontal(
                pl.col("birth_date").dt.day(), pl.col("birth_date").dt.month()
            ).cast(pl.String)
        ).alias("dob_key"),
        pl.col("nik").str.slice(0, 6).alias("nik_issuer"),
    )
    scope = "(l.frame = 'file' OR r.frame = 'file')"
    swapped = (
        "day(birth_date_l) = month(birth_date_r) AND month(birth_date_l) = day(birth_date_r)"
        " AND year(birth_date_l) = year(birth_date_r)"
    )
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        blocking_rules_to_generate_predictions=[
            f"l.dob_key = r.dob_key AND {scope}",
            f"l.name_sorted = r.name_sorted AND l.birth_year = r.birth_year AND {scope}",
        ],
        comparisons=[
            cl.CustomComparison(
                output_column_name="name",
                comparison_levels=[
                    cll.NullLevel("name"),
                    cll.ExactMatchLevel("name", term_frequency_adjustments=True),
                    cll.ExactMatchLevel("name_sorted"),
                    cll.JaroWinklerLevel("name", 0.95),
                    cll.JaroWinklerLevel("name_sorted", 0.92),
                    cll.JaroWinklerLevel("name", 0.88),
                    cll.JaroWinklerLevel("name", 0.75),
                    cll.ElseLevel(),
                ],
            ),
            cl.CustomComparison(
                output_column_name="birth_date",
                comparison_levels=[
                    cll.NullLevel("birth_date"),
                    cll.ExactMatchLevel("birth_date"),
                    cll.CustomLevel(swapped, label_for_charts="day and month transposed"),
                    cll.ElseLevel(),
                ],
            ),
            cl.ExactMatch("sex"),
            cl.ExactMatch("village"),
            cl.CustomComparison(
                output_column_name="nik",
                comparison_levels=[
                    cll.NullLevel("nik"),
                    # The kecamatan of issue only: the NIK's birth date and sex digits
                    # would count the birth date and sex a second time.
                    cll.ExactMatchLevel("nik_issuer"),
                    cll.ElseLevel(),
                ],
            ),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
        additional_columns_to_retain=["frame"],
    )
    db_api = DuckDBAPI()
    frame = db_api.register(table.to_arrow(), dataset_display_name="people")
    linker = Linker(frame, settings, log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("name", "birth_date"), block_on("nik")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=seed)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("name"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth_date"))
    predictions = linker.inference.predict(threshold_match_probability=0.01)
    rows = predictions.as_duckdbpyrelation().select("unique_id_l, unique_id_r, match_probability")
    scored = rows.fetchall()
    seconds = time.perf_counter() - started
    at_half = {(min(a, b), max(a, b)) for a, b, p in scored if p >= 0.5}
    best = _best_threshold(scored, truth)
    return {
        "version": splink_version(),
        "seconds": round(seconds, 1),
        "blocked_pairs_scored_above_0.01": len(scored),
        "at_probability_0.5": {**scores(at_half, truth), "_predicted": at_half},
        "best_f1_threshold": best,
    }


def _best_threshold(
    scored: list[tuple[int, int, float]], truth: set[tuple[int, int]]
) -> dict[str, Any]:
    """The cutoff (match probability, name score) with the best F1 against the truth:
    an oracle no user has."""
    ranked = sorted(scored, key=lambda row: -row[2])
    hits = 0
    best = (0.0, 1.0, 0, 0)  # f1, threshold, predicted, hits
    for n, (a, b, probability) in enumerate(ranked, start=1):
        hits += (min(a, b), max(a, b)) in truth
        precision, recall = hits / n, hits / len(truth)
        f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
        if f1 > best[0]:
            best = (f1, probability, n, hits)
    f1, threshold, predicted, hits = best
    return {
        "threshold": round(threshold, 4),
        "predicted_pairs": predicted,
        "precision": round(hits / max(predicted, 1), 4),
        "recall": round(hits / len(truth), 4),
        "f1": round(f1, 4),
    }


# --- run ------------------------------------------------------------------------------------


def measure(records: int, pairs: int, seed: int, *, splink: bool = True) -> dict[str, Any]:
    started = time.perf_counter()
    data = generate(records, pairs, seed)
    truth = true_pairs(data)
    report: dict[str, Any] = {
        "records": len(data),
        "registry_records": sum(r.frame == "registry" for r in data),
        "file_records": sum(r.frame == "file" for r in data),
        "true_pairs": len(truth),
        "hard_negatives": sum(r.kind in ("twin", "namesake") for r in data),
        "seed": seed,
        "generate_s": round(time.perf_counter() - started, 1),
    }
    scored, seconds = run_jamsos(data)
    predicted = set(scored)
    report["jamsos"] = {
        "seconds": round(seconds, 1),
        **scores(predicted, truth),
        **breakdown(predicted, truth, data),
        "best_f1_score_cutoff": _best_threshold(
            [(a, b, score) for (a, b), score in scored.items()], truth
        ),
    }
    version = splink_version() if splink else None
    if version is None:
        report["splink"] = {
            "skipped": "not installed (pip install -r requirements/bench.txt)"
            if splink
            else "skipped (--no-splink)"
        }
        return report
    result = run_splink(data, truth, seed)
    at_half = result["at_probability_0.5"].pop("_predicted")
    result["at_probability_0.5"] |= breakdown(at_half, truth, data)
    report["splink"] = result
    return report


def write_csv(path: Path, data: list[Record]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["ref", "frame", "person", "kind", "related", "nik", "name", "birth_date", "sex",
             "village"]
        )  # fmt: skip
        for r in data:
            writer.writerow(
                [r.ref, r.frame, r.person, r.kind, r.related, r.nik or "", r.name,
                 r.birth_date.isoformat(), r.sex, r.village]
            )  # fmt: skip


def _settings() -> None:
    """``jamsos.lib.nik`` marks messages for translation, which reads Django settings:
    none of the project's are needed here (no database, no secret key)."""
    from django.conf import settings

    if not settings.configured and "DJANGO_SETTINGS_MODULE" not in os.environ:
        settings.configure(USE_I18N=False)


def _print(report: dict[str, Any], indent: str = "") -> None:
    for key, value in report.items():
        if isinstance(value, dict):
            print(f"{indent}{key}:")
            _print(value, indent + "  ")
        else:
            print(f"{indent}{key:34} {value}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--pairs", type=int, default=11_000, help="true pairs to make")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--no-splink", action="store_true", help="report Jamsos only")
    parser.add_argument("--write", type=Path, help="also write the labelled set as CSV")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    _settings()
    if args.write:
        write_csv(args.write, generate(args.records, args.pairs, args.seed))
    report = measure(args.records, args.pairs, args.seed, splink=not args.no_splink)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        _print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
