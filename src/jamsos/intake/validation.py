"""Validate proposal rows: every rule, every row, no writes.

The checks run column-wise with polars (a file of 100,000 rows is one pass per rule,
not 100,000 Python calls per rule); values with few distinct spellings (dates, sexes,
villages, occupations, NIK regions) are decided once per distinct value. Rows with a
problem are then described one by one, with a stable code and a message naming the row,
the column and the value (``intake.codes``).

Pipeline (``proposals_validate``):
 1. values that look like formulas (= + - @) are flagged; they are only ever text;
 2. required fields; names normalised (Title Case, "bin"/"binti"), lengths;
 3. birth date (Excel date or text), sex, age at the start of coverage (the
    ``EligibilityRule`` in force);
 4. NIK: a vectorised fast path proves the common case right (16 digits, known
    province and kecamatan, date part = declared birth date and sex, serial ≠ 0000);
    every other NIK goes through ``lib.nik.nik_parse`` for its exact codes;
 5. village (code or forgiving name, Kecamatan column when given) inside the batch
    region; occupation (code, name, alias, small typos); phone (+62), KK, income;
 6. status: ``invalid`` (any error) > ``duplicate_in_file`` (NIK of an earlier row) >
    ``already_registered`` (NIK in the registry) > ``valid``;
 7. possible duplicates in the file and the registry (``intake.dedup``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import polars as pl
from django.db.models import Q

from jamsos.budget.models import IncomeBracket
from jamsos.intake import dedup
from jamsos.intake.codes import CODES, ERROR, FIELDS, INFO, WARNING, issue
from jamsos.intake.lookups import Answer, OccupationLookup, VillageLookup
from jamsos.intake.models import EligibilityRule, ProposalRow
from jamsos.intake.reading import ProposalTable
from jamsos.lib import nik as nik_rules
from jamsos.lib.dates import dates_parse, first_of_next_month
from jamsos.lib.formats import rupiah
from jamsos.lib.names import name_key, name_normalise, names_key, names_normalise
from jamsos.lib.phone import phones_normalise
from jamsos.regions.models import Region
from jamsos.regions.selectors import region_codebook
from jamsos.registry.selectors import person_identity_frame, person_niks_existing

if TYPE_CHECKING:
    from jamsos.lib.nik import RegionCodebook

REQUIRED = ("nik", "full_name", "birth_date", "sex", "village", "occupation")
MAX_LENGTH = {"full_name": 150, "birth_place": 100, "mother_name": 150, "address": 255}
EARLIEST_BIRTH = dt.date(1900, 1, 1)
# "=SUM(A1)", "@cmd", "+1+1", "-2*3"; but not "+62 812-3456-7890" or "-5".
FORMULA_LIKE = r"^[=@]|^[+\-].*[^0-9\s().\-]"
_NIK_NOISE = r"[\s.\-\u2010-\u2015\u2212]+"
_SCIENTIFIC = re.compile(r"^\s*\d[.,]\d+\s*[eE]\+?\d+\s*$")
_SEX_NOISE = re.compile(r"[^a-z0-9]")
SEX_VALUES = {
    **dict.fromkeys(("l", "lk", "laki", "lakilaki", "pria", "m", "male", "1"), "L"),
    **dict.fromkeys(("p", "pr", "pe", "perempuan", "wanita", "w", "f", "female", "2"), "P"),
}
_INCOME_GROUPED = re.compile(r"\d{1,3}(?:[.,]\d{3})+")
NIK_LOOKUP_SLICE = 200_000  # NIKs looked up in the registry at a time
_SEVERITY_RANK = {ERROR: 0, WARNING: 1, INFO: 2}
_FIELD_RANK = {f: i for i, f in enumerate(FIELDS)}


@dataclass
class RowCheck:
    """The verdict on one row (see ``services.row_check_values``)."""

    status: str
    issues: list[dict[str, Any]] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    candidates: list[dict[str, Any]] = field(default_factory=list)
    village: str | None = None  # the resolved village code, when it resolved

    @property
    def errors(self) -> list[dict[str, Any]]:
        return [i for i in self.issues if i["severity"] == ERROR]

    @property
    def warnings(self) -> list[dict[str, Any]]:
        return [i for i in self.issues if i["severity"] == WARNING]

    @property
    def possible_duplicate(self) -> bool:
        return bool(self.candidates)

    def field_issues(self, field_key: str) -> list[dict[str, Any]]:
        return [i for i in self.issues if i.get("field") == field_key]


class RegistryLookup:
    """The registry as validation sees it (replaceable in benchmarks and tests)."""

    def existing(self, niks: list[str]) -> dict[str, tuple[int, str]]:
        return person_niks_existing(niks=niks)

    def people_born_on(self, dates: list[dt.date]) -> pl.DataFrame:
        frame = person_identity_frame(birth_dates=dates)
        return frame.with_columns(names_key(frame["name"], fold=True).alias("key")).select(
            list(dedup.PEOPLE_SCHEMA)
        )


@dataclass
class ValidationContext:
    """Everything the rules need besides the rows; build once per batch."""

    region: Region
    coverage_start: dt.date
    rule: EligibilityRule
    today: dt.date
    codebook: RegionCodebook
    villages: VillageLookup
    occupations: OccupationLookup
    registry: RegistryLookup
    # BPU declared-income values (budget.IncomeBracket) in force at the coverage start,
    # ascending, with their legal basis; empty when the table has none for that month.
    income_brackets: list[int] = field(default_factory=list)
    income_basis: str = ""

    @classmethod
    def build(
        cls,
        *,
        region: Region,
        coverage_start: dt.date | None = None,
        today: dt.date | None = None,
        registry: RegistryLookup | None = None,
    ) -> ValidationContext:
        today = today or dt.date.today()
        coverage_start = coverage_start or first_of_next_month(today)
        brackets = income_brackets_in_force(coverage_start)
        return cls(
            region=region,
            coverage_start=coverage_start,
            rule=EligibilityRule.in_force(coverage_start),
            today=today,
            codebook=region_codebook(),
            villages=VillageLookup(region),
            occupations=OccupationLookup(),
            registry=registry or RegistryLookup(),
            income_brackets=[b.declared_income for b in brackets],
            # "PP 44/2015 …, Lampiran II (nilai penghasilan terendah)": the table, not the row
            income_basis=re.sub(r"\s*\([^)]*\)$", "", brackets[0].legal_basis) if brackets else "",
        )

    @property
    def nik_prefix(self) -> str:
        """Digits a NIK issued inside the batch region begins with (at most the 6 of a
        kecamatan: NIKs are issued by kecamatan, not by village)."""
        return self.region.code.replace(".", "")[:6]


def income_brackets_in_force(on: dt.date) -> list[IncomeBracket]:
    """The BPU income values (PP 44/2015 Lampiran II rows of ``budget.IncomeBracket``)
    valid in the month of ``on``, lowest first."""
    month = on.replace(day=1)
    return list(
        IncomeBracket.objects.filter(valid_from__lte=month)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=month))
        .order_by("declared_income")
    )


class Issues:
    """Collects issues per row number, with the file's column names in messages.

    Kept compact while the rows are checked (code, field, value, parameters: a million
    rows can carry a hundred thousand issues) and turned into ``codes.issue`` entries,
    message included, when a row's issues are read (``RowIssues``).
    """

    def __init__(self, table: ProposalTable) -> None:
        self.table = table
        self.by_row: dict[int, list[tuple[str, str, str | None, dict[str, Any] | None]]] = (
            defaultdict(list)
        )
        self.error_rows: set[int] = set()

    def add(self, row: int, code: str, field_key: str, value: Any, **params: Any) -> None:
        if code not in CODES:
            raise KeyError(code)
        if CODES[code].severity == ERROR:
            self.error_rows.add(row)
        text = None if value is None else str(value)
        self.by_row[row].append((code, field_key, text, params or None))

    def add_where(
        self,
        frame: pl.DataFrame,
        mask: pl.Series | pl.Expr,
        code: str,
        field_key: str,
        *,
        value_column: str | None = None,
        params: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
        **fixed: Any,
    ) -> None:
        """One issue for every row of ``frame`` where ``mask`` holds."""
        subset = frame.filter(mask)
        if subset.height == 0:
            return
        column = value_column or field_key
        for row in subset.iter_rows(named=True):
            extra = params(row) if params else {}
            self.add(row["row_number"], code, field_key, row.get(column), **fixed, **extra)

    def sorted(self) -> RowIssues:
        """Issues by row number (ascending), each row's most severe first."""
        for found in self.by_row.values():
            if len(found) > 1:
                found.sort(
                    key=lambda i: (_SEVERITY_RANK[CODES[i[0]].severity], _FIELD_RANK.get(i[1], 99))
                )
        return RowIssues(dict(sorted(self.by_row.items())), self.table.label)


class RowIssues(Mapping[int, list[dict[str, Any]]]):
    """``{row number: [issue, …]}``, each issue a ``codes.issue`` entry made when the
    row is read (the message in the active language)."""

    def __init__(
        self,
        by_row: dict[int, list[tuple[str, str, str | None, dict[str, Any] | None]]],
        label: Callable[[str], str],
    ) -> None:
        self._by_row = by_row
        self._label = label

    def __getitem__(self, row: int) -> list[dict[str, Any]]:
        return [
            issue(
                code,
                row=row,
                field=field_key,
                column=self._label(field_key),
                value=value,
                **(params or {}),
            )
            for code, field_key, value, params in self._by_row[row]
        ]

    def __iter__(self) -> Iterator[int]:
        return iter(self._by_row)

    def __len__(self) -> int:
        return len(self._by_row)

    def __contains__(self, row: object) -> bool:
        return row in self._by_row

    def codes(self) -> Iterator[tuple[str, ...]]:
        """The codes of each row with issues (counting them needs no message)."""
        for found in self._by_row.values():
            yield tuple(code for code, _field, _value, _params in found)


@dataclass
class ValidationResult:
    """Rows as validated: ``frame`` (row_number, status, possible_duplicate, nik,
    full_name, village — the resolved code or null) and ``values`` (row_number and the
    normalised values, the typed text where a value could not be read)."""

    frame: pl.DataFrame
    values: pl.DataFrame
    issues: Mapping[int, list[dict[str, Any]]]
    candidates: dict[int, list[dict[str, Any]]]
    raw: pl.DataFrame | None = None

    def counts(self) -> dict[str, Any]:
        """The CLI ``--json`` shape: rows by status, possible duplicates, rows per code."""
        status = Counter(self.frame["status"].to_list())
        errors: Counter[str] = Counter()
        warnings: Counter[str] = Counter()
        codes = (
            self.issues.codes()
            if isinstance(self.issues, RowIssues)
            else (tuple(i["code"] for i in found) for found in self.issues.values())
        )
        for found in codes:
            errors.update({c for c in found if CODES[c].severity == ERROR})
            warnings.update({c for c in found if CODES[c].severity == WARNING})
        return {
            "rows": self.frame.height,
            "valid": status[ProposalRow.Status.VALID],
            "invalid": status[ProposalRow.Status.INVALID],
            "duplicate_in_file": status[ProposalRow.Status.DUPLICATE_IN_FILE],
            "already_registered": status[ProposalRow.Status.ALREADY_REGISTERED],
            "possible_duplicates": len(self.candidates),
            "errors": dict(sorted(errors.items())),
            "warnings": dict(sorted(warnings.items())),
        }

    def row_check(self, row_number: int) -> RowCheck:
        found = self.frame.filter(pl.col("row_number") == row_number).row(0, named=True)
        values = self.values.filter(pl.col("row_number") == row_number).row(0, named=True)
        del values["row_number"]
        return RowCheck(
            status=found["status"],
            issues=list(self.issues.get(row_number, [])),
            values={k: v for k, v in values.items() if v is not None and v != ""},
            candidates=list(self.candidates.get(row_number, [])),
            village=found["village"],
        )


# --- single-value helpers (decided once per distinct value) ---------------------------


def sex_parse(raw: str | None) -> str | None:
    if raw is None:
        return None
    return SEX_VALUES.get(_SEX_NOISE.sub("", raw.lower()))


def income_parse(raw: str | None) -> int | None:
    """``"Rp 1.500.000"``, ``"1,500,000"``, ``"1500000"``, ``"1500000.00"`` → 1500000."""
    if raw is None:
        return None
    text = raw.lower().replace("rp", "").replace(" ", "").strip()
    if _INCOME_GROUPED.fullmatch(text):
        text = text.replace(".", "").replace(",", "")
    text = re.sub(r"[.,]0{1,2}$", "", text)
    return int(text) if text.isdigit() and 0 < int(text) < 10**12 else None


def _name_or_none(raw: str) -> str | None:
    return name_normalise(raw) or None


def _mapped(series: pl.Series, decide: Callable[[Any], Any], dtype: pl.DataType) -> pl.Series:
    """``decide`` applied once per distinct non-null value, mapped back to every row."""
    distinct = series.drop_nulls().unique().to_list()
    mapping = {value: decide(value) for value in distinct}
    return series.replace_strict(mapping, default=None, return_dtype=dtype)


# --- the pipeline ----------------------------------------------------------------------


def _prepare(table: ProposalTable, context: ValidationContext) -> pl.DataFrame:
    frame = table.rows_take()
    missing = [f for f in FIELDS if f not in frame.columns]
    if missing:
        frame = frame.with_columns(pl.lit(None, pl.String).alias(f) for f in missing)
    if context.region.level == Region.Level.VILLAGE:
        frame = frame.with_columns(pl.col("village").fill_null(context.region.code))
    return frame.select("row_number", *FIELDS)


def _check_formulas(frame: pl.DataFrame, issues: Issues) -> None:
    for name in FIELDS:
        issues.add_where(frame, pl.col(name).str.contains(FORMULA_LIKE), "formula_like_value", name)


def _check_required(frame: pl.DataFrame, issues: Issues) -> None:
    for name in REQUIRED:
        issues.add_where(frame, pl.col(name).is_null(), "required_missing", name)


def _names(frame: pl.DataFrame, issues: Issues) -> pl.DataFrame:
    frame = frame.with_columns(
        names_normalise(frame["full_name"]).alias("n_full_name"),
        names_normalise(frame["mother_name"]).alias("n_mother_name"),
        _mapped(frame["birth_place"], _name_or_none, pl.String).alias("n_birth_place"),
        pl.col("address").str.replace_all(r"\s+", " ").alias("n_address"),
    )
    issues.add_where(
        frame,
        pl.col("n_full_name").str.contains(r"[0-9]")
        | ~pl.col("n_full_name").str.contains(r"\p{L}"),
        "full_name_invalid",
        "full_name",
    )
    for name, limit in MAX_LENGTH.items():
        issues.add_where(
            frame, pl.col(f"n_{name}").str.len_chars() > limit, "value_too_long", name, limit=limit
        )
    issues.add_where(frame, pl.col("birth_place").is_null(), "birth_place_missing", "birth_place")
    issues.add_where(frame, pl.col("mother_name").is_null(), "mother_name_missing", "mother_name")
    return frame


def _birth_dates(frame: pl.DataFrame, issues: Issues, context: ValidationContext) -> pl.DataFrame:
    parsed = dates_parse(frame["birth_date"], today=context.today)
    frame = frame.with_columns(parsed.alias("parsed_birth"))
    born = pl.col("parsed_birth")
    unreadable = pl.col("birth_date").is_not_null() & (born.is_null() | (born < EARLIEST_BIRTH))
    future = born > context.today
    issues.add_where(frame, unreadable, "birth_date_invalid", "birth_date")
    issues.add_where(frame, future, "birth_date_future", "birth_date")
    ok = born.is_not_null() & (born >= EARLIEST_BIRTH) & (born <= context.today)
    return frame.with_columns(pl.when(ok).then(born).alias("n_birth_date"))


def _sexes(frame: pl.DataFrame, issues: Issues) -> pl.DataFrame:
    frame = frame.with_columns(_mapped(frame["sex"], sex_parse, pl.String).alias("n_sex"))
    issues.add_where(
        frame, pl.col("sex").is_not_null() & pl.col("n_sex").is_null(), "sex_invalid", "sex"
    )
    return frame


def _ages(frame: pl.DataFrame, issues: Issues, context: ValidationContext) -> pl.DataFrame:
    start = context.coverage_start
    born = pl.col("n_birth_date")
    before_birthday = (born.dt.month() > start.month) | (
        (born.dt.month() == start.month) & (born.dt.day() > start.day)
    )
    frame = frame.with_columns(
        (start.year - born.dt.year() - before_birthday.cast(pl.Int32)).alias("age")
    )
    rule = context.rule
    common = {"coverage_start": start.strftime("%d-%m-%Y"), "basis": rule.legal_basis}

    def age(row: dict[str, Any]) -> dict[str, Any]:
        return {"age": row["age"]}

    issues.add_where(
        frame,
        pl.col("age") < rule.min_age,
        "age_below_minimum",
        "birth_date",
        params=age,
        min_age=rule.min_age,
        **common,
    )
    issues.add_where(
        frame,
        pl.col("age") >= rule.max_age_exclusive,
        "age_above_maximum",
        "birth_date",
        params=age,
        max_age=rule.max_age_exclusive,
        **common,
    )
    return frame


def _nik_fast(frame: pl.DataFrame, context: ValidationContext) -> pl.DataFrame:
    """Clean NIKs and prove the common case right without ``nik_parse``."""
    nik = pl.col("nik").str.strip_chars().str.strip_prefix("'").str.replace_all(_NIK_NOISE, "")
    frame = frame.with_columns(nik.alias("n_nik"))
    frame = frame.with_columns(
        pl.col("n_nik").str.contains(r"^[0-9]{16}$").fill_null(False).alias("nik16")
    )
    prefixes = frame.filter("nik16")["n_nik"].str.slice(0, 6).unique().to_list()
    known6 = [p for p in prefixes if context.codebook.name(p) and context.codebook.name(p[:2])]
    born = pl.col("n_birth_date")
    day = born.dt.day() + pl.when(pl.col("n_sex") == "P").then(40).otherwise(0)
    expected = pl.format(
        "{}{}{}",
        day.cast(pl.String).str.zfill(2),
        born.dt.month().cast(pl.String).str.zfill(2),
        (born.dt.year() % 100).cast(pl.String).str.zfill(2),
    )
    fast = (
        pl.col("nik16")
        & pl.col("n_nik").str.slice(0, 6).is_in(known6)
        & (pl.col("n_nik").str.slice(6, 6) == expected)
        & (pl.col("n_nik").str.slice(12, 4) != "0000")
    )
    return frame.with_columns(fast.fill_null(False).alias("nik_fast"))


def _nik_slow(frame: pl.DataFrame, issues: Issues, context: ValidationContext) -> None:
    """Exact codes, from ``nik_parse``, for every NIK the fast path could not prove."""
    slow = frame.filter(pl.col("nik").is_not_null() & ~pl.col("nik_fast"))
    for row in slow.select("row_number", "nik", "n_birth_date", "n_sex").iter_rows():
        number, raw, born, sex = row
        result = nik_rules.nik_parse(
            raw, codebook=context.codebook, birth_date=born, sex=sex, today=context.today
        )
        for code in (*result.errors, *result.warnings):
            if code == nik_rules.NIK_FORMAT and _SCIENTIFIC.match(raw):
                issues.add(number, "nik_excel_number", "nik", raw)
                continue
            issues.add(number, code, "nik", raw, **result.message_params(code))


def _nik_excel_cells(frame: pl.DataFrame, issues: Issues, table: ProposalTable) -> None:
    """A NIK cell stored as an Excel number: its 16th digit may have become 0."""
    if not table.numeric_nik_cells:
        return
    cells = table.numeric_nik_cells
    flagged = frame.filter(pl.col("row_number").is_in(list(cells)))
    for number, raw in flagged.select("row_number", "nik").iter_rows():
        issues.add(number, "nik_excel_rounded", "nik", raw, cell=cells[number])


def _nik_region(frame: pl.DataFrame, issues: Issues, context: ValidationContext) -> None:
    prefix = context.nik_prefix
    outside = pl.col("nik16") & ~pl.col("n_nik").str.starts_with(prefix)
    issues.add_where(
        frame,
        outside,
        "nik_outside_region",
        "nik",
        params=lambda row: {"prefix": row["n_nik"][: len(prefix)]},
        region=context.region.name,
    )


def _answers(
    frame: pl.DataFrame,
    keys: list[str],
    ask: Callable[..., Answer],
    issues: Issues,
    field_key: str,
) -> pl.Series:
    """Ask once per distinct key combination; report findings on every row having it.

    One join maps the answers back; rows are visited only when their value had findings.
    """
    distinct = frame.select(keys).filter(pl.col(keys[0]).is_not_null()).unique(maintain_order=True)
    answers = [ask(*values) for values in distinct.iter_rows()]
    lookup = distinct.with_columns(
        pl.Series("resolved", [a.value for a in answers], pl.String),
        pl.Series("answer", range(len(answers)), pl.Int64),
    )
    joined = frame.select("row_number", *keys).join(
        lookup, on=keys, how="left", nulls_equal=True, maintain_order="left"
    )
    with_findings = [i for i, a in enumerate(answers) if a.findings]
    if with_findings:
        flagged = joined.filter(pl.col("answer").is_in(with_findings))
        for number, value, index in flagged.select("row_number", keys[0], "answer").iter_rows():
            for finding in answers[index].findings:
                issues.add(number, finding.code, field_key, value, **finding.params)
    return joined["resolved"]


def _villages(frame: pl.DataFrame, issues: Issues, context: ValidationContext) -> pl.DataFrame:
    resolved = _answers(frame, ["village", "district"], context.villages.answer, issues, "village")
    return frame.with_columns(resolved.alias("n_village"))


def _occupations(frame: pl.DataFrame, issues: Issues, context: ValidationContext) -> pl.DataFrame:
    resolved = _answers(frame, ["occupation"], context.occupations.answer, issues, "occupation")
    return frame.with_columns(resolved.alias("n_occupation"))


def _contacts(frame: pl.DataFrame, issues: Issues, context: ValidationContext) -> pl.DataFrame:
    kk = pl.col("family_card_number").str.replace_all(_NIK_NOISE, "").str.strip_prefix("'")
    frame = frame.with_columns(
        phones_normalise(frame["phone"]).alias("n_phone"),
        pl.when(kk.str.contains(r"^[0-9]{16}$")).then(kk).alias("n_family_card_number"),
        _mapped(frame["declared_income"], income_parse, pl.Int64).alias("n_declared_income"),
    )
    pairs = (
        ("phone", "phone_invalid"),
        ("family_card_number", "family_card_invalid"),
        ("declared_income", "income_invalid"),
    )
    for name, code in pairs:
        issues.add_where(
            frame, pl.col(name).is_not_null() & pl.col(f"n_{name}").is_null(), code, name
        )
    _income_brackets(frame, issues, context)
    return frame


def _income_brackets(frame: pl.DataFrame, issues: Issues, context: ValidationContext) -> None:
    """A declared income that is no BPU bracket value: BPU contributions and benefits
    follow the bracket paid for, not the income typed (issue 9), so say which applies."""
    brackets = context.income_brackets
    if not brackets:
        return

    def applied(row: dict[str, Any]) -> dict[str, Any]:
        income = row["n_declared_income"]
        below = [b for b in brackets if b <= income]
        return {"bracket": rupiah(below[-1] if below else brackets[0])}

    issues.add_where(
        frame,
        pl.col("n_declared_income").is_not_null() & ~pl.col("n_declared_income").is_in(brackets),
        "income_not_bracket",
        "declared_income",
        params=applied,
        basis=context.income_basis,
    )


def _statuses(frame: pl.DataFrame, issues: Issues, context: ValidationContext) -> pl.DataFrame:
    # Rows come in row order, so the first row of a NIK is its first occurrence.
    repeated = pl.col("nik_number").is_not_null() & ~pl.col("nik_number").is_first_distinct()
    frame = frame.with_columns(repeated.alias("repeated"))
    repeats = frame.filter("repeated")
    first_rows = (
        frame.filter(pl.col("nik_number").is_in(repeats["nik_number"].unique().implode()))
        .group_by("nik_number")
        .agg(pl.col("row_number").min().alias("first_row"))
    )
    niks = frame["nik_number"].drop_nulls().unique()
    registered: dict[str, tuple[int, str]] = {}
    # In slices, as numbers until then: a million NIKs as strings at once cost 150 MB.
    for start in range(0, len(niks), NIK_LOOKUP_SLICE):
        part = niks.slice(start, NIK_LOOKUP_SLICE).cast(pl.String).str.zfill(16)
        registered.update(context.registry.existing(part.to_list()))
    del niks
    frame = frame.with_columns(pl.col("n_nik").is_in(list(registered)).alias("registered"))
    status = (
        pl.when("has_error")
        .then(pl.lit(ProposalRow.Status.INVALID.value))
        .when("repeated")
        .then(pl.lit(ProposalRow.Status.DUPLICATE_IN_FILE.value))
        .when("registered")
        .then(pl.lit(ProposalRow.Status.ALREADY_REGISTERED.value))
        .otherwise(pl.lit(ProposalRow.Status.VALID.value))
    )
    frame = frame.with_columns(status.alias("status"))
    issues.add_where(
        repeats.join(first_rows, on="nik_number", how="left", maintain_order="left"),
        pl.lit(True),
        "duplicate_in_file",
        "nik",
        value_column="n_nik",
        params=lambda row: {"first_row": row["first_row"]},
    )
    issues.add_where(
        frame,
        pl.col("registered") & ~pl.col("repeated"),
        "already_registered",
        "nik",
        value_column="n_nik",
        params=lambda row: {"name": registered[row["n_nik"]][1]},
    )
    return frame


def _slim(frame: pl.DataFrame, issues: Issues) -> pl.DataFrame:
    """Only what the whole-file steps (statuses, duplicates) and the result need of
    each row, so the working columns are freed before them: whether the row has an
    error, its NIK as a number (16 digits fit an Int64: grouping a million strings costs
    150 MB more than integers) and its name key for duplicate search."""
    errors = list(issues.error_rows)
    return frame.select(
        "row_number",
        "nik16",
        "n_nik",
        "n_full_name",
        "n_birth_date",
        "n_sex",
        "n_village",
        "n_event_code",
        pl.col("row_number").is_in(errors).alias("has_error"),
        pl.when(pl.col("nik16"))
        .then(pl.col("n_nik").cast(pl.Int64, strict=False))
        .alias("nik_number"),
    ).with_columns(names_key(frame["n_full_name"], fold=True).alias("key"))


def _dedup_people(frame: pl.DataFrame) -> pl.DataFrame:
    """The rows as duplicate search sees them. A row it must not pair (no birth date or
    name, or a repeated NIK) gets no birth date rather than being filtered out: pairs
    are only ever made on a birth date (the same, or day and month transposed), and
    filtering would copy every column of a million rows (issue 10)."""
    searched = (
        pl.col("n_birth_date").is_not_null()
        & pl.col("n_full_name").is_not_null()
        & (pl.col("status") != ProposalRow.Status.DUPLICATE_IN_FILE.value)
    )
    return frame.select(
        pl.col("row_number").alias("ref"),
        pl.when("nik16").then(pl.col("n_nik")).alias("nik"),
        pl.col("key"),
        pl.col("n_full_name").alias("name"),
        pl.when(searched).then(pl.col("n_birth_date")).alias("birth_date"),
        pl.col("n_sex").alias("sex"),
        pl.col("n_village").alias("village"),
    )


def _duplicates(
    frame: pl.DataFrame, issues: Issues, context: ValidationContext
) -> dict[int, list[dict[str, Any]]]:
    people = _dedup_people(frame)
    dates = dedup.lookup_dates(people["birth_date"]).to_list()
    registry = context.registry.people_born_on(dates) if dates else None
    candidates = dedup.possible_duplicates(people, registry)
    names = dict(
        frame.filter(pl.col("row_number").is_in(list(candidates)))
        .select("row_number", "n_full_name")
        .iter_rows()
    )
    for row, found in candidates.items():
        issues.add(
            row,
            "possible_duplicate",
            "full_name",
            names.get(row),
            candidate=candidate_text(found[0]),
        )
    return candidates


def _values(frame: pl.DataFrame) -> pl.DataFrame:
    """Normalised values, or the typed text where a value could not be read."""

    def either(name: str) -> pl.Expr:
        return pl.coalesce(pl.col(f"n_{name}").cast(pl.String), pl.col(name)).alias(name)

    return frame.select(
        "row_number",
        pl.col("n_nik").alias("nik"),
        pl.col("n_full_name").alias("full_name"),
        pl.col("n_birth_place").alias("birth_place"),
        either("birth_date"),
        either("sex"),
        pl.col("n_mother_name").alias("mother_name"),
        pl.col("n_address").alias("address"),
        pl.col("district"),
        either("village"),
        either("occupation"),
        pl.col("n_phone").alias("phone"),
        pl.col("n_family_card_number").alias("family_card_number"),
        pl.col("n_declared_income").alias("declared_income"),
        pl.col("n_event_code").alias("event_code"),
    )


def _event_codes(frame: pl.DataFrame, issues: Issues) -> pl.DataFrame:
    """A "Kode Kegiatan" column links the row to a sosialisasi event (SOS-00012, ``sos 12``
    or ``12``). An unknown or malformed code is a warning and is not kept: it never stops
    the person being proposed."""
    from jamsos.lib.errors import DomainError
    from jamsos.outreach.models import OutreachEvent
    from jamsos.outreach.services import event_code_normalise

    def normalise(raw: str) -> str | None:
        try:
            return event_code_normalise(raw) or None
        except DomainError:
            return "?"

    frame = frame.with_columns(
        _mapped(frame["event_code"], normalise, pl.String).alias("n_event_code")
    )
    wanted = set(frame["n_event_code"].drop_nulls().unique().to_list()) - {"?"}
    known = (
        list(OutreachEvent.objects.filter(code__in=wanted).values_list("code", flat=True))
        if wanted
        else []
    )
    unknown = pl.col("n_event_code").is_not_null() & ~pl.col("n_event_code").is_in(known)
    issues.add_where(frame, unknown, "event_code_unknown", "event_code")
    return frame.with_columns(
        pl.when(unknown).then(None).otherwise(pl.col("n_event_code")).alias("n_event_code")
    )


def proposals_validate(table: ProposalTable, *, context: ValidationContext) -> ValidationResult:
    """Validate every row of ``table`` (see the module docstring for the steps)."""
    issues = Issues(table)
    frame = _prepare(table, context)
    _check_formulas(frame, issues)
    _check_required(frame, issues)
    frame = _names(frame, issues)
    frame = _birth_dates(frame, issues, context)
    frame = _sexes(frame, issues)
    frame = _ages(frame, issues, context)
    frame = _nik_fast(frame, context)
    _nik_slow(frame, issues, context)
    _nik_excel_cells(frame, issues, table)
    _nik_region(frame, issues, context)
    frame = _villages(frame, issues, context)
    frame = _occupations(frame, issues, context)
    frame = _contacts(frame, issues, context)
    frame = _event_codes(frame, issues)
    # The normalised values are kept; of the working columns only what the whole-file
    # steps need (the rest is freed before them: issue 10, bounded memory).
    values = _values(frame)
    frame = _slim(frame, issues)
    frame = _statuses(frame, issues, context)
    candidates = _duplicates(frame, issues, context)
    result_frame = frame.select(
        "row_number",
        "status",
        pl.col("row_number").is_in(list(candidates)).alias("possible_duplicate"),
        pl.col("n_nik").fill_null("").alias("nik"),
        pl.col("n_full_name").fill_null("").alias("full_name"),
        pl.col("n_village").alias("village"),
        pl.col("n_event_code").fill_null("").alias("event_code"),
    )
    return ValidationResult(
        frame=result_frame,
        values=values,
        issues=issues.sorted(),
        candidates=candidates,
        raw=table.raw,
    )


def row_check_in_batch(
    check: RowCheck, *, row: ProposalRow, context: ValidationContext
) -> RowCheck:
    """Add what one re-validated row owes to the rest of its batch: an earlier row with
    the same NIK (``duplicate_in_file``) and possible duplicates among the other rows."""
    others = ProposalRow.objects.filter(batch_id=row.batch_id).exclude(pk=row.pk)
    nik = check.values.get("nik", "")
    label = row.batch.column_mapping and {v: k for k, v in row.batch.column_mapping.items()}
    column = (label or {}).get("nik", "NIK")
    if check.status != ProposalRow.Status.INVALID and len(nik) == 16:
        first = others.filter(nik=nik, row_number__lt=row.row_number).order_by("row_number").first()
        if first is not None:
            check.status = ProposalRow.Status.DUPLICATE_IN_FILE
            check.issues = [i for i in check.issues if i["code"] != "already_registered"]
            check.issues.append(
                issue(
                    "duplicate_in_file",
                    row=row.row_number,
                    field="nik",
                    column=column,
                    value=nik,
                    first_row=first.row_number,
                )
            )
    born = check.values.get("birth_date", "")
    if check.status == ProposalRow.Status.DUPLICATE_IN_FILE or not _is_iso(born):
        return check
    mine = dedup.Person(
        row.row_number,
        nik,
        name_key(check.values.get("full_name", ""), fold=True),
        check.values.get("full_name", ""),
        dt.date.fromisoformat(born),
        check.values.get("sex", ""),
        check.village or "",
    )
    # The same day, or day and month transposed (as the bulk search).
    swapped = dedup.transposed_date(mine.birth_date)
    dates = [born, swapped.isoformat()] if swapped else [born]
    peers = [
        dedup.Person(
            number,
            values.get("nik") or "",
            name_key(values.get("full_name") or "", fold=True),
            values.get("full_name") or "",
            dt.date.fromisoformat(values["birth_date"]),
            values.get("sex") or "",
            village or "",
        )
        for number, values, village in others.filter(values__birth_date__in=dates).values_list(
            "row_number", "values", "village_id"
        )
    ]
    found = _pair_candidates(mine, peers)
    if found and not check.candidates:
        check.issues.append(
            issue(
                "possible_duplicate",
                row=row.row_number,
                field="full_name",
                column=(label or {}).get("full_name", "Nama Lengkap"),
                value=mine.name,
                candidate=candidate_text(found[0]),
            )
        )
    check.candidates = sorted([*check.candidates, *found], key=lambda c: -c["score"])[
        : dedup.MAX_CANDIDATES
    ]
    return check


def candidate_text(candidate: dict[str, Any]) -> str:
    where = (
        f"baris {candidate['row_number']}" if candidate["source"] == "file" else "peserta terdaftar"
    )
    return f"{candidate['name']} ({where}, NIK {candidate['nik']})"


def _is_iso(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        return False
    return True


def _pair_candidates(mine: dedup.Person, peers: Iterable[dedup.Person]) -> list[dict[str, Any]]:
    found = []
    for peer in peers:
        if peer.nik and peer.nik == mine.nik:
            continue
        if peer.sex != mine.sex and peer.village != mine.village:
            continue
        score = dedup.name_score(mine.key, peer.key)
        if score >= dedup.name_limit(mine.village, peer.village):
            found.append(
                {
                    "source": "file",
                    "row_number": peer.ref,
                    "nik": nik_rules.nik_mask(peer.nik),
                    "name": peer.name,
                    "birth_date": peer.birth_date.isoformat(),
                    "village": peer.village,
                    "score": round(score, 1),
                }
            )
    return found
