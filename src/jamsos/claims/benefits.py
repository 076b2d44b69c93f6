"""The benefit calculator: what a claim pays, line by line, from the benefit tables.

Algorithm of ``benefit_estimate``:

1. Take the month of the event (default: this month) and load the ``BenefitRule`` rows of
   the benefit valid then, and the ``ClaimParameter`` rows it needs.
2. Resolve the income: the given monthly income or wage, else the lowest BPU declared
   income valid that month (budget's ``IncomeBracket``).
3. Compute each line: a flat amount; a multiple of income (JKK death 48×); a percentage of
   income per day of incapacity (STMB: days are split into months of
   ``stmb_days_per_month`` days, 100 % for months 1-12 and 50 % after); an amount per
   child per year (scholarship); a table percentage × multiple × income (disability);
   actual costs, capped or not (medical care, transport). Each line is rounded half-up
   to the rupiah once (``jamsos.lib.money``).
4. Total = Σ lines. Every line carries its legal basis and whether the row is confirmed;
   unconfirmed rows and parameters are listed apart.

Input errors raise ``BenefitInputError`` (CLI exit 2); a missing table row raises
``RuleMissing`` (CLI exit 1).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext, gettext_noop

from jamsos.claims import rules as r
from jamsos.claims.models import BenefitRule, ClaimParameter, ClaimType, EducationLevel
from jamsos.lib.errors import DomainError
from jamsos.lib.formats import rupiah
from jamsos.lib.money import round_rupiah
from jamsos.lib.periods import Month

if TYPE_CHECKING:
    from jamsos.budget.models import IncomeBracket

# The calculator's own names for some types (the CLI's ``--type stmb``).
TYPE_ALIASES: dict[str, str] = {
    "stmb": ClaimType.JKK_STMB,
    "disability": ClaimType.JKK_DISABILITY,
    "medical": ClaimType.JKK_MEDICAL,
}
MAX_DAYS = 36_500
MAX_YEARS = 50
_HUNDRED = Decimal(100)
Kind = BenefitRule.Kind
Key = ClaimParameter.Key


class BenefitInputError(DomainError):
    code = "benefit_input_invalid"


class Note(str):
    """A note or a line's detail: the text in the active language when it was made, which
    keeps its Bahasa Indonesia text (a msgid) and the values it names, so that a stored
    estimate (``Claim.estimate``) is shown again in its reader's language
    (``estimate_shown``). A ``str``, so the CLI, the JSON and callers see plain text."""

    text: str
    params: dict[str, str]

    def __new__(cls, text: str, **params: object) -> Note:
        values = {key: str(value) for key, value in params.items()}
        note = super().__new__(cls, _render(text, values))
        note.text = text
        note.params = values
        return note

    def source(self) -> dict[str, Any]:
        return {"text": self.text, "params": dict(self.params)}


def _render(text: str, params: Mapping[str, str]) -> str:
    return gettext(text) % dict(params) if params else gettext(text)


def _source(text: str) -> dict[str, Any]:
    if isinstance(text, Note):
        return text.source()
    return {"text": str(text), "params": {}}  # gettext returns a text it does not know


def _shown(source: Any, stored: str) -> str:
    """A stored note again in the active language, or as stored when it cannot be."""
    if not isinstance(source, dict) or not isinstance(source.get("params"), dict):
        return stored
    try:
        return _render(str(source.get("text", "")), source["params"])
    except (KeyError, TypeError, ValueError):
        return stored


def estimate_shown(data: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A stored estimate (``BenefitEstimate.as_dict``) with its notes and line details in
    the active language; one stored before their sources were kept shows its text."""
    if not data:
        return None
    shown = dict(data)
    notes = list(data.get("notes") or [])
    sources = data.get("note_sources")
    if isinstance(sources, list) and len(sources) == len(notes):
        shown["notes"] = [_shown(src, note) for src, note in zip(sources, notes, strict=True)]
    lines = []
    for line in data.get("lines") or []:
        if isinstance(line, dict) and "detail_source" in line:
            line = {**line, "detail": _shown(line["detail_source"], str(line.get("detail", "")))}
        lines.append(line)
    shown["lines"] = lines
    return shown


@dataclass(frozen=True)
class BenefitLine:
    code: str
    label: str
    amount: int
    legal_basis: str
    confirmed: bool
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "amount": self.amount,
            "legal_basis": self.legal_basis,
            "label": self.label,
            "detail": self.detail,
            "detail_source": _source(self.detail),
            "confirmed": self.confirmed,
        }


@dataclass(frozen=True)
class BenefitEstimate:
    benefit_type: str
    lines: tuple[BenefitLine, ...]
    month: Month
    inputs: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    unconfirmed_parameters: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)

    @property
    def unconfirmed(self) -> tuple[str, ...]:
        rows = [f"{line.label} ({line.code})" for line in self.lines if not line.confirmed]
        return tuple(dict.fromkeys([*rows, *self.unconfirmed_parameters]))

    @property
    def legal_basis(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(line.legal_basis for line in self.lines))

    def as_dict(self, *, type_name: str | None = None) -> dict[str, Any]:
        return {
            "type": type_name or self.benefit_type,
            "total": self.total,
            "lines": [line.as_dict() for line in self.lines],
            "month": str(self.month),
            "inputs": self.inputs,
            "unconfirmed": list(self.unconfirmed),
            "notes": list(self.notes),
            "note_sources": [_source(note) for note in self.notes],
        }


@dataclass
class _Work:
    """What one calculation collects on its way."""

    month: Month
    lines: list[BenefitLine] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    params: list[str] = field(default_factory=list)
    inputs: dict[str, Any] = field(default_factory=dict)

    def parameter(self, key: str) -> int:
        row = r.parameter_row(key, self.month)
        if not row.confirmed:
            self.params.append(str(row))
        return int(row.value)

    def add(self, rule: BenefitRule, amount: int, detail: str = "", *, suffix: str = "") -> None:
        label = rule.label + (f" — {rule.variant_label}" if rule.variant_label else "")
        code = rule.code + (f"_{rule.variant}" if rule.variant else "") + suffix
        self.lines.append(
            BenefitLine(
                code=code,
                label=label,
                amount=amount,
                legal_basis=rule.legal_basis,
                confirmed=rule.confirmed,
                detail=detail,
            )
        )


def normalise_type(name: str) -> str:
    value = TYPE_ALIASES.get(name, name)
    if value not in ClaimType.values:
        choices = ", ".join([*ClaimType.values, *TYPE_ALIASES])
        raise BenefitInputError(
            gettext('Jenis manfaat "%(name)s" tidak dikenal; pilih salah satu: %(choices)s.')
            % {"name": name, "choices": choices},
            code="benefit_type_unknown",
            value=name,
        )
    return value


def _rules(work: _Work, benefit: str) -> list[BenefitRule]:
    rows = r.benefit_rules(benefit, work.month)
    if not rows:
        raise r.RuleMissing(
            gettext(
                "Tidak ada aturan manfaat %(label)s yang berlaku pada %(month)s. "
                "Tambahkan di tabel aturan manfaat."
            )
            % {"label": ClaimType(benefit).label, "month": work.month},
            benefit=benefit,
            month=str(work.month),
        )
    return rows


def _positive(value: int | None, name: str, *, upper: int | None = None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise BenefitInputError(
            gettext("%(name)s harus bilangan bulat ≥ 1 (diberikan: %(value)s).")
            % {"name": name, "value": value}
        )
    if upper is not None and value > upper:
        raise BenefitInputError(
            gettext("%(name)s paling banyak %(upper)s (diberikan: %(value)s).")
            % {"name": name, "upper": upper, "value": value}
        )


def _income(work: _Work, income: int | None) -> int:
    if income is not None:
        _positive(income, "Penghasilan sebulan")
        work.inputs["income"] = income
        return income
    bracket: IncomeBracket = r.lowest_income(work.month)
    work.inputs["income"] = bracket.declared_income
    work.notes.append(
        Note(
            gettext_noop("Penghasilan sebulan: nilai terendah BPU %(income)s (%(basis)s)."),
            income=rupiah(bracket.declared_income),
            basis=bracket.legal_basis,
        )
    )
    if not bracket.confirmed:
        work.params.append(str(bracket))
    return int(bracket.declared_income)


def _flat(work: _Work, rule: BenefitRule) -> None:
    work.add(rule, int(rule.amount or 0))


def _jkm(work: _Work, *, months_paid: int | None) -> None:
    threshold = work.parameter(Key.JKM_FULL_MIN_MONTHS)
    if months_paid is None:
        condition = BenefitRule.MembershipCondition.FULL
        work.notes.append(
            Note(
                gettext_noop("Masa iur dianggap sudah %(months)s bulan atau lebih."),
                months=threshold,
            )
        )
    else:
        _zero_or_more(months_paid, "Masa iur (bulan)")
        work.inputs["months_paid"] = months_paid
        short = months_paid < threshold
        condition = (
            BenefitRule.MembershipCondition.SHORT if short else BenefitRule.MembershipCondition.FULL
        )
        if short:
            work.notes.append(
                Note(
                    gettext_noop(
                        "Masa iur %(paid)s bulan, kurang dari %(months)s bulan: hanya "
                        "santunan untuk masa iur pendek yang dibayar."
                    ),
                    paid=months_paid,
                    months=threshold,
                )
            )
    for rule in _rules(work, ClaimType.JKM):
        if rule.membership in ("", condition):
            _flat(work, rule)


def _zero_or_more(value: int, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise BenefitInputError(
            gettext("%(name)s harus bilangan bulat ≥ 0 (diberikan: %(value)s).")
            % {"name": name, "value": value}
        )


def _multiple(income: int, multiplier: Decimal | None) -> int:
    return round_rupiah(Decimal(income) * (multiplier or Decimal(0)))


def _jkk_death(work: _Work, *, income: int | None) -> None:
    base = _income(work, income)
    for rule in _rules(work, ClaimType.JKK_DEATH):
        if rule.kind == Kind.INCOME_MULTIPLE:
            detail = f"{rule.multiplier.normalize():f} × {rupiah(base)}"  # type: ignore[union-attr]
            work.add(rule, _multiple(base, rule.multiplier), detail)
        else:
            _flat(work, rule)


def _stmb(work: _Work, *, income: int | None, days: int | None) -> None:
    if days is None:
        raise BenefitInputError(
            gettext("STMB memerlukan jumlah hari tidak mampu bekerja (--days)."),
            code="stmb_days_required",
        )
    _positive(days, "Jumlah hari", upper=MAX_DAYS)
    work.inputs["days"] = days
    base = _income(work, income)
    per_month = work.parameter(Key.STMB_DAYS_PER_MONTH)
    for rule in _rules(work, ClaimType.JKK_STMB):
        if rule.kind != Kind.STMB_PERCENT:
            _flat(work, rule)
            continue
        first_day = ((rule.from_month_no or 1) - 1) * per_month + 1
        last_day = rule.to_month_no * per_month if rule.to_month_no else days
        covered = max(0, min(days, last_day) - first_day + 1)
        if covered == 0:
            continue
        percent = rule.percent or Decimal(0)
        amount = round_rupiah(Decimal(base) * percent / _HUNDRED * covered / per_month)
        detail = Note(
            gettext_noop("%(percent)s %% × %(income)s × %(days)s/%(per_month)s bulan"),
            percent=f"{percent.normalize():f}",
            income=rupiah(base),
            days=covered,
            per_month=per_month,
        )
        work.add(rule, amount, detail)


def _beasiswa_rules(work: _Work) -> dict[str, BenefitRule]:
    rules = {
        rule.variant: rule
        for rule in _rules(work, ClaimType.BEASISWA)
        if rule.kind == Kind.PER_CHILD_YEAR
    }
    return rules


def _beasiswa_level(work: _Work, rules: dict[str, BenefitRule], level: str) -> BenefitRule:
    if level not in rules:
        raise BenefitInputError(
            gettext('Jenjang "%(level)s" tidak dikenal; pilih salah satu: %(rules)s.')
            % {"level": level, "rules": ", ".join(rules)},
            code="beasiswa_level_unknown",
            value=level,
        )
    return rules[level]


def _beasiswa(
    work: _Work,
    *,
    level: str | None,
    years: int | None,
    children: int | None,
    child_levels: Sequence[tuple[str, str]] | None,
) -> None:
    max_children = work.parameter(Key.BEASISWA_MAX_CHILDREN)
    rules = _beasiswa_rules(work)
    if child_levels is not None:
        _beasiswa_children(work, rules, child_levels, max_children)
        return
    count = 1 if children is None else children
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= max_children:
        raise BenefitInputError(
            gettext(
                "Beasiswa diberikan untuk 1 sampai %(max_children)s anak (diberikan: %(count)s)."
            )
            % {"max_children": max_children, "count": count},
            code="beasiswa_children",
            value=count,
        )
    work.inputs["children"] = count
    if level is None:
        if years is not None:
            raise BenefitInputError(
                gettext("Jumlah tahun (--years) hanya bersama jenjang (--level)."),
                code="beasiswa_years_without_level",
            )
        work.notes.append(
            Note(gettext_noop("Tanpa jenjang: jumlah paling banyak untuk seluruh jenjang."))
        )
        for rule in rules.values():
            _beasiswa_line(work, rule, rule.max_years or 0, count)
        return
    rule = _beasiswa_level(work, rules, level)
    count_years = 1 if years is None else years
    if not isinstance(count_years, int) or not 1 <= count_years <= (rule.max_years or 0):
        raise BenefitInputError(
            gettext(
                "Beasiswa %(variant_label)s paling lama %(max_years)s tahun (diberikan: "
                "%(count_years)s)."
            )
            % {
                "variant_label": rule.variant_label,
                "max_years": rule.max_years,
                "count_years": count_years,
            },
            code="beasiswa_years",
            value=count_years,
        )
    work.inputs.update(level=level, years=count_years)
    _beasiswa_line(work, rule, count_years, count)


def _beasiswa_line(work: _Work, rule: BenefitRule, years: int, children: int, **kw: Any) -> None:
    amount = int(rule.amount or 0) * years * children
    detail = Note(
        gettext_noop("%(amount)s × %(years)s tahun × %(children)s anak"),
        amount=rupiah(int(rule.amount or 0)),
        years=years,
        children=children,
    )
    work.add(rule, amount, detail, **kw)


def _beasiswa_children(
    work: _Work,
    rules: dict[str, BenefitRule],
    child_levels: Sequence[tuple[str, str]],
    max_children: int,
) -> None:
    """One year at each child's level (the scholarship is claimed each year)."""
    if not child_levels:
        work.notes.append(
            Note(gettext_noop("Belum ada anak dengan jenjang pendidikan pada klaim ini."))
        )
    for index, (name, level) in enumerate(child_levels, start=1):
        if index > max_children:
            work.notes.append(
                Note(
                    gettext_noop("%(name)s tidak dihitung: beasiswa paling banyak %(max)s anak."),
                    name=name,
                    max=max_children,
                )
            )
            continue
        rule = _beasiswa_level(work, rules, level)
        _beasiswa_line(work, rule, 1, 1, suffix=f"-anak{index}")
        line = work.lines[-1]
        work.lines[-1] = BenefitLine(
            line.code, f"{line.label}: {name}", line.amount, line.legal_basis, line.confirmed,
            line.detail,
        )  # fmt: skip
    work.inputs["children"] = [level for _name, level in child_levels]


def _disability(work: _Work, *, income: int | None, disability: str | None) -> None:
    rules = {
        rule.variant: rule
        for rule in _rules(work, ClaimType.JKK_DISABILITY)
        if rule.kind == Kind.DISABILITY_PERCENT
    }
    if not disability or disability not in rules:
        raise BenefitInputError(
            gettext('Jenis cacat "%(value)s" tidak ada di tabel; pilih salah satu: %(rules)s.')
            % {"value": disability or "", "rules": ", ".join(rules)},
            code="disability_unknown",
            value=disability or "",
        )
    base = _income(work, income)
    rule = rules[disability]
    work.inputs["disability"] = disability
    percent = rule.percent or Decimal(0)
    multiplier = rule.multiplier or Decimal(0)
    amount = round_rupiah(Decimal(base) * percent / _HUNDRED * multiplier)
    detail = f"{percent.normalize():f} % × {multiplier.normalize():f} × {rupiah(base)}"
    work.add(rule, amount, detail)
    for other in _rules(work, ClaimType.JKK_DISABILITY):
        if other.kind == Kind.FLAT:
            _flat(work, other)


def _medical(
    work: _Work, *, medical_costs: int | None, transport: str | None, transport_costs: int | None
) -> None:
    for rule in _rules(work, ClaimType.JKK_MEDICAL):
        if rule.kind == Kind.ACTUAL_COST:
            costs = medical_costs or 0
            work.inputs["medical_costs"] = costs
            work.add(rule, costs, Note(gettext_noop("sesuai kuitansi, tanpa batas atas")))
        elif rule.kind == Kind.CAP and transport and rule.variant == transport:
            costs = transport_costs or 0
            capped = min(costs, int(rule.amount or 0))
            work.inputs.update(transport=transport, transport_costs=costs)
            detail = Note(
                gettext_noop("biaya %(costs)s, paling banyak %(cap)s"),
                costs=rupiah(costs),
                cap=rupiah(rule.amount or 0),
            )
            work.add(rule, capped, detail)
        elif rule.kind == Kind.FLAT:
            _flat(work, rule)


def benefit_estimate(
    *,
    benefit_type: str,
    on: dt.date | Month | None = None,
    months_paid: int | None = None,
    income: int | None = None,
    days: int | None = None,
    level: str | None = None,
    years: int | None = None,
    children: int | None = None,
    child_levels: Sequence[tuple[str, str]] | None = None,
    disability: str | None = None,
    medical_costs: int | None = None,
    transport: str | None = None,
    transport_costs: int | None = None,
) -> BenefitEstimate:
    """The benefit of one claim type in the month of ``on`` (see module docstring)."""
    benefit = normalise_type(benefit_type)
    work = _Work(month=r.as_month(on))
    if level is not None and level not in EducationLevel.values:
        raise BenefitInputError(
            gettext('Jenjang "%(level)s" tidak dikenal; pilih salah satu: %(values)s.')
            % {"level": level, "values": ", ".join(EducationLevel.values)},
            code="beasiswa_level_unknown",
            value=level,
        )
    _positive(years, "Jumlah tahun", upper=MAX_YEARS)
    match benefit:
        case ClaimType.JKM:
            _jkm(work, months_paid=months_paid)
        case ClaimType.JKK_DEATH:
            _jkk_death(work, income=income)
        case ClaimType.JKK_STMB:
            _stmb(work, income=income, days=days)
        case ClaimType.BEASISWA:
            _beasiswa(work, level=level, years=years, children=children, child_levels=child_levels)
        case ClaimType.JKK_DISABILITY:
            _disability(work, income=income, disability=disability)
        case _:
            _medical(
                work,
                medical_costs=medical_costs,
                transport=transport,
                transport_costs=transport_costs,
            )
    return BenefitEstimate(
        benefit_type=benefit,
        lines=tuple(work.lines),
        month=work.month,
        inputs=work.inputs,
        notes=tuple(dict.fromkeys(work.notes)),
        unconfirmed_parameters=tuple(dict.fromkeys(work.params)),
    )
