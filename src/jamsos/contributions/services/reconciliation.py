"""Reconciliation: compare the BPJS branch's statement with our bills.

``statement_import`` algorithm:

1. The same file (SHA-256) already imported for this kabupaten → return that import:
   importing twice adds nothing.
2. Read the .xlsx/.csv (``jamsos.lib.tabular``): find the header row, map the columns
   KPJ, Nama, Bulan dibayar, Jumlah by their usual names.
3. Validate every row; collect every error with row, column and value (Bahasa
   Indonesia). Any error → ``StatementInvalid`` listing them, and nothing is stored.
4. The period compared is the first to the last month in the file (or the one given).
5. Our side: the lines of the kabupaten's sent bills for months of the period, per KPJ
   (a KPJ that spans a lapse and its reactivation is one KPJ).
6. Per KPJ: billed but absent from the statement → ``missing``; in the statement but not
   billed → ``extra``; the same months with different amounts → ``amount_differs``; when
   the months differ, ``missing`` and/or ``extra`` carrying both sides' months.
7. Store the import, its rows and the discrepancies in one transaction with the audit
   event; paid bills of the period without an open discrepancy become ``reconciled``.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from jamsos.accounts.models import User
from jamsos.audit.services import audit_record
from jamsos.contributions.models import (
    Bill,
    BillLine,
    Discrepancy,
    StatementImport,
    StatementRow,
)
from jamsos.contributions.services.common import StatementInvalid, require
from jamsos.contributions.services.payments import _mark_reconciled, open_discrepancies_for
from jamsos.enrollment.models import Membership
from jamsos.lib.errors import DomainError, InvalidTransition
from jamsos.lib.formats import MONTHS, angka, rupiah_parse
from jamsos.lib.periods import Month, month_range
from jamsos.lib.tabular import table_read
from jamsos.regions.models import Region

MAX_ERRORS_SHOWN = 20
CHUNK = 5_000

# Header names branch offices use, normalised (lower case, letters and digits only).
COLUMNS: dict[str, tuple[str, ...]] = {
    "kpj": ("kpj", "nokpj", "nomorkpj", "nokartu", "nomorpeserta", "nopeserta"),
    "name": ("nama", "namapeserta", "namatenagakerja", "namatk"),
    "months": (
        "bulandibayar",
        "bulan",
        "periode",
        "periodeiuran",
        "masaiuran",
        "bulaniuran",
        "bulanterbayar",
    ),
    "amount": ("jumlah", "iuran", "jumlahiuran", "nominal", "jumlahbayar", "total", "dibayar"),
}
LABELS = {"kpj": "KPJ", "name": "Nama", "months": "Bulan dibayar", "amount": "Jumlah"}
REQUIRED = ("kpj", "months", "amount")

_KPJ = re.compile(r"^[0-9A-Za-z]{5,20}$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})(?:-\d{1,2})?$")
_MM_YYYY = re.compile(r"^(\d{1,2})[/.-](\d{4})$")
_NAMED = re.compile(r"^([A-Za-z]+)\.?\s+(\d{4})$")
_RANGE = re.compile(r"\s*(?:\.\.|s\.?\s?d\.?|sampai|–|—|\s-\s)\s*", re.IGNORECASE)
_MONTH_NAMES = {name.lower(): i + 1 for i, name in enumerate(MONTHS["id"])} | {
    name.lower()[:3]: i + 1 for i, name in enumerate(MONTHS["id"])
}
_MONTH_NAMES |= {"agu": 8, "ags": 8, "okt": 10, "des": 12, "mei": 5, "peb": 2}


def _norm(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def _header_score(cells: list[str]) -> int:
    normalised = {_norm(c) for c in cells}
    return sum(1 for names in COLUMNS.values() if normalised & set(names))


def _one_month(token: str) -> Month:
    token = token.strip()
    if match := _ISO.fullmatch(token):
        year, month = int(match[1]), int(match[2])
    elif match := _MM_YYYY.fullmatch(token):
        month, year = int(match[1]), int(match[2])
    elif (match := _NAMED.fullmatch(token)) and match[1].lower() in _MONTH_NAMES:
        month, year = _MONTH_NAMES[match[1].lower()], int(match[2])
    else:
        raise ValueError(token)
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise ValueError(token)
    return Month(year, month)


def months_parse(text: str) -> list[Month]:
    """``"2025-01"``, ``"2025-01 s.d. 2025-03"``, ``"01/2025..03/2025"``, ``"Jan 2025,
    Feb 2025"``, ``"Januari 2025 - Maret 2025"`` → the months, sorted, without repeats.
    Raises ``ValueError`` naming the part that is not a month."""
    months: set[Month] = set()
    for part in re.split(r"[,;]", text):
        part = part.strip()
        if not part:
            continue
        bounds = _RANGE.split(part)
        if len(bounds) == 2:
            first, last = _one_month(bounds[0]), _one_month(bounds[1])
            if last < first:
                raise ValueError(part)
            months.update(month_range(first, last))
        elif len(bounds) == 1:
            months.add(_one_month(part))
        else:
            raise ValueError(part)
    if not months:
        raise ValueError(text)
    return sorted(months)


def _number_text(value: str) -> str:
    """Excel numbers read as text may end in ".0"."""
    value = value.strip()
    return value[:-2] if value.endswith(".0") and value[:-2].isdigit() else value


@dataclass
class ParsedRow:
    row_no: int
    kpj: str
    name: str
    months: list[Month]
    amount: int


@dataclass
class ParsedStatement:
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _columns(headers: list[str], file_name: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for header in headers:
        key = _norm(header)
        for column, names in COLUMNS.items():
            if key in names and column not in found:
                found[column] = header
    missing = [LABELS[c] for c in REQUIRED if c not in found]
    if missing:
        raise StatementInvalid(
            gettext(
                'Kolom wajib %(missing)s tidak ditemukan di "%(file_name)s". Judul kolom '
                "yang ada: %(headers)s."
            )
            % {
                "missing": ", ".join(missing),
                "file_name": file_name,
                "headers": ", ".join(headers),
            },
            code="statement_columns",
            missing=missing,
        )
    return found


def _parse_row(
    values: dict[str, str | None], row_no: int, columns: dict[str, str], errors: list[str]
) -> ParsedRow | None:
    def cell(column: str) -> str:
        return (values.get(columns[column]) or "").strip() if column in columns else ""

    before = len(errors)
    kpj = _number_text(cell("kpj")).replace(" ", "")
    if not _KPJ.fullmatch(kpj):
        errors.append(
            gettext(
                'Baris %(row_no)s, kolom "%(kpj)s": "%(value)s" bukan nomor KPJ (5–20 huruf/angka).'
            )
            % {"row_no": row_no, "kpj": columns["kpj"], "value": cell("kpj")}
        )
    months: list[Month] = []
    try:
        months = months_parse(cell("months"))
    except ValueError as exc:
        errors.append(
            gettext(
                'Baris %(row_no)s, kolom "%(months)s": "%(value)s" bukan bulan (contoh: '
                "2025-01, 2025-01 s.d. 2025-03, Jan 2025)."
            )
            % {
                "row_no": row_no,
                "months": columns["months"],
                "value": exc.args[0] or cell("months"),
            }
        )
    amount = 0
    try:
        amount = rupiah_parse(_number_text(cell("amount")))
        if amount <= 0:
            raise DomainError(gettext("not positive"))
    except DomainError:
        errors.append(
            gettext(
                'Baris %(row_no)s, kolom "%(amount)s": "%(value)s" bukan jumlah rupiah '
                "lebih dari 0 (contoh: 50400 atau Rp 50.400)."
            )
            % {"row_no": row_no, "amount": columns["amount"], "value": cell("amount")}
        )
    if len(errors) > before:
        return None
    return ParsedRow(row_no, kpj, cell("name")[:150], months, amount)


def statement_parse(data: bytes, *, file_name: str) -> ParsedStatement:
    """Read and validate every row (steps 2–3); errors are collected, not raised."""
    table = table_read(data, file_name=file_name, header_score=_header_score, min_score=2)
    columns = _columns(table.headers, file_name)
    parsed = ParsedStatement()
    seen: dict[str, tuple[int, set[Month]]] = {}
    for offset, values in enumerate(table.frame.iter_rows(named=True)):
        if not any((v or "").strip() for v in values.values()):
            continue  # blank lines between blocks
        row_no = table.first_row + offset
        row = _parse_row(values, row_no, columns, parsed.errors)
        if row is None:
            continue
        earlier = seen.get(row.kpj)
        if earlier and earlier[1] & set(row.months):
            overlap = ", ".join(str(m) for m in sorted(earlier[1] & set(row.months)))
            parsed.errors.append(
                gettext(
                    'Baris %(row_no)s, kolom "%(months)s": KPJ %(kpj)s bulan %(overlap)s '
                    "sudah ada di baris %(value)s."
                )
                % {
                    "row_no": row_no,
                    "months": columns["months"],
                    "kpj": row.kpj,
                    "overlap": overlap,
                    "value": earlier[0],
                }
            )
            continue
        seen[row.kpj] = (row_no, (earlier[1] if earlier else set()) | set(row.months))
        parsed.rows.append(row)
    if not parsed.rows and not parsed.errors:
        parsed.errors.append(
            gettext('Berkas "%(file_name)s" tidak berisi baris data di bawah judul kolom.')
            % {"file_name": file_name}
        )
    return parsed


# --- Comparison ---------------------------------------------------------------------------------


@dataclass
class Side:
    months: set[Month] = field(default_factory=set)
    amount: int = 0
    name: str = ""
    membership_id: int | None = None
    region_id: str | None = None


def _chunks(values: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _ours(regency: Region, first: Month, last: Month) -> dict[str, Side]:
    """Per KPJ (or ``#<membership id>`` when it has none): months billed, amount."""
    per_membership: dict[int, Side] = defaultdict(Side)
    lines = BillLine.objects.filter(
        bill__regency=regency,
        bill__status__in=Bill.SENT,
        month__gte=first.first_day(),
        month__lte=last.first_day(),
    ).values_list("membership_id", "month", "amount")
    for membership_id, month, amount in lines.iterator(chunk_size=20_000):
        side = per_membership[membership_id]
        side.months.add(Month.from_date(month))
        side.amount += amount
    ours: dict[str, Side] = {}
    ids = sorted(per_membership)
    for chunk in _chunks(ids):
        members = Membership.objects.filter(pk__in=chunk).values_list(
            "pk", "kpj_number", "person__full_name", "village_id"
        )
        for pk, kpj, name, village in members:
            side = per_membership[pk]
            key = kpj or f"#{pk}"
            merged = ours.setdefault(key, Side())
            merged.months |= side.months
            merged.amount += side.amount
            merged.name = name
            if merged.membership_id is None or pk > merged.membership_id:
                merged.membership_id, merged.region_id = pk, village
    return ours


def _theirs(rows: list[ParsedRow], first: Month, last: Month) -> dict[str, Side]:
    theirs: dict[str, Side] = {}
    for row in rows:
        side = theirs.setdefault(row.kpj, Side(name=row.name))
        side.months |= {m for m in row.months if first <= m <= last}
        side.amount += row.amount
    return theirs


def _kpj_members(regency: Region, kpjs: list[str]) -> dict[str, tuple[int, str, str]]:
    """KPJ → (latest membership, its nagari, name) for KPJs of this kabupaten."""
    found: dict[str, tuple[int, str, str]] = {}
    for chunk in _chunks(kpjs):
        rows = (
            Membership.objects.filter(
                kpj_number__in=chunk, village__code__startswith=regency.code + "."
            )
            .order_by("pk")
            .values_list("kpj_number", "pk", "village_id", "person__full_name")
        )
        for kpj, pk, village, name in rows:
            found[kpj] = (pk, village, name)
    return found


def _labels(months: set[Month]) -> list[str]:
    return [str(m) for m in sorted(months)]


def discrepancies_find(
    *, regency: Region, ours: dict[str, Side], theirs: dict[str, Side]
) -> list[Discrepancy]:
    """Step 6, unsaved (``statement`` is set by the caller)."""
    known = _kpj_members(regency, sorted(set(theirs) - set(ours)))
    found: list[Discrepancy] = []

    def add(kind: str, kpj: str, our: Side | None, their: Side | None) -> None:
        membership_id = our.membership_id if our else None
        region_id = our.region_id if our else None
        name = (our.name if our else "") or (their.name if their else "")
        if membership_id is None and kpj in known:
            membership_id, region_id, name = known[kpj]
        found.append(
            Discrepancy(
                kind=kind,
                kpj_number="" if kpj.startswith("#") else kpj,
                full_name=name[:150],
                membership_id=membership_id,
                region_id=region_id or regency.code,
                our_months=_labels(our.months) if our else [],
                their_months=_labels(their.months) if their else [],
                our_amount=our.amount if our else 0,
                their_amount=their.amount if their else 0,
            )
        )

    for kpj in sorted(set(ours) | set(theirs)):
        our, their = ours.get(kpj), theirs.get(kpj)
        if their is None or not their.months:
            add(Discrepancy.Kind.MISSING, kpj, our, their)
        elif our is None:
            add(Discrepancy.Kind.EXTRA, kpj, None, their)
        elif our.months == their.months:
            if our.amount != their.amount:
                add(Discrepancy.Kind.AMOUNT_DIFFERS, kpj, our, their)
        else:
            if our.months - their.months:
                add(Discrepancy.Kind.MISSING, kpj, our, their)
            if their.months - our.months:
                add(Discrepancy.Kind.EXTRA, kpj, our, their)
    return found


@dataclass
class ImportResult:
    statement: StatementImport
    created: bool
    reconciled: int = 0


def statement_import(
    *,
    regency: Region,
    file_name: str,
    data: bytes,
    first_month: Month | None = None,
    last_month: Month | None = None,
    acting_user: User | None,
) -> ImportResult:
    """Import a BPJS statement and list where it disagrees with our bills."""
    require(acting_user, "contributions.reconcile", regency.code)
    digest = hashlib.sha256(data).hexdigest()
    existing = StatementImport.objects.filter(regency=regency, sha256=digest).first()
    if existing is not None:
        return ImportResult(statement=existing, created=False)
    parsed = statement_parse(data, file_name=file_name)
    if parsed.errors:
        shown = parsed.errors[:MAX_ERRORS_SHOWN]
        more = len(parsed.errors) - len(shown)
        raise StatementInvalid(
            f"Rekening tidak diimpor: {angka(len(parsed.errors))} kesalahan. "
            + " ".join(shown)
            + (f" … dan {angka(more)} kesalahan lain." if more else ""),
            errors=parsed.errors,
        )
    in_file = sorted({m for row in parsed.rows for m in row.months})
    first = first_month or in_file[0]
    last = last_month or in_file[-1]
    if last < first:
        raise DomainError(
            gettext("Periode rekonsiliasi: bulan akhir sebelum bulan awal."), code="period"
        )
    theirs = _theirs(parsed.rows, first, last)
    with transaction.atomic():
        ours = _ours(regency, first, last)
        statement = StatementImport.objects.create(
            regency=regency,
            file_name=file_name[:255],
            sha256=digest,
            first_month=first.first_day(),
            last_month=last.first_day(),
            rows=len(parsed.rows),
            total=sum(row.amount for row in parsed.rows),
            our_total=sum(side.amount for side in ours.values()),
            uploaded_by=acting_user,
        )
        StatementRow.objects.bulk_create(
            (
                StatementRow(
                    statement=statement,
                    row_no=row.row_no,
                    kpj_number=row.kpj,
                    full_name=row.name,
                    months=[str(m) for m in row.months],
                    amount=row.amount,
                )
                for row in parsed.rows
            ),
            batch_size=5_000,
        )
        found = discrepancies_find(regency=regency, ours=ours, theirs=theirs)
        for discrepancy in found:
            discrepancy.statement = statement
        Discrepancy.objects.bulk_create(found, batch_size=5_000)
        counts = {kind: sum(1 for d in found if d.kind == kind) for kind in Discrepancy.Kind}
        audit_record(
            action="contributions.statement.imported",
            acting_user=acting_user,
            obj=statement,
            data={
                "file_name": file_name,
                "sha256": digest,
                "period": [str(first), str(last)],
                "rows": len(parsed.rows),
                "their_total": statement.total,
                "our_total": statement.our_total,
                "discrepancies": {str(k): v for k, v in counts.items()},
            },
        )
        reconciled = bills_reconcile_clean(statement=statement, acting_user=acting_user)
    return ImportResult(statement=statement, created=True, reconciled=reconciled)


def bills_reconcile_clean(*, statement: StatementImport, acting_user: User | None) -> int:
    """Mark reconciled the paid bills inside the statement's period with no open
    discrepancy about their members; return how many."""
    bills = Bill.objects.select_for_update().filter(
        regency_id=statement.regency_id,
        status=Bill.Status.PAID,
        first_month__gte=statement.first_month,
        last_month__lte=statement.last_month,
    )
    count = 0
    for bill in bills.order_by("pk"):
        if not open_discrepancies_for(bill).exists():
            _mark_reconciled(bill, acting_user=acting_user)
            count += 1
    return count


@transaction.atomic
def discrepancy_resolve(
    *, discrepancy: Discrepancy, note: str, acting_user: User | None
) -> Discrepancy:
    """Record how a discrepancy was settled (e.g. "SP2D susulan 900/12", "KPJ salah
    ketik di BPJS, dikoreksi"); then reconcile the bills it was holding back."""
    require(acting_user, "contributions.reconcile", discrepancy.region_id)
    discrepancy = Discrepancy.objects.select_for_update().get(pk=discrepancy.pk)
    if discrepancy.status != Discrepancy.Status.OPEN:
        raise InvalidTransition(
            gettext("Selisih ini sudah diselesaikan."), status=discrepancy.status
        )
    note = note.strip()
    if len(note) < 5:
        raise DomainError(
            gettext(
                "Tuliskan penyelesaiannya (paling sedikit 5 huruf), misalnya nomor SP2D "
                "susulan atau koreksi data di BPJS."
            ),
            code="resolution_required",
        )
    discrepancy.status = Discrepancy.Status.RESOLVED
    discrepancy.resolution_note = note
    discrepancy.resolved_by = acting_user
    discrepancy.resolved_at = timezone.now()
    discrepancy.save(update_fields=["status", "resolution_note", "resolved_by", "resolved_at"])
    audit_record(
        action="contributions.discrepancy.resolved",
        acting_user=acting_user,
        obj=discrepancy,
        before={"status": Discrepancy.Status.OPEN},
        after={"status": discrepancy.status, "resolution_note": note},
        data={
            "kind": discrepancy.kind,
            "kpj_number": discrepancy.kpj_number,
            "statement": discrepancy.statement_id,
        },
    )
    bills_reconcile_clean(statement=discrepancy.statement, acting_user=acting_user)
    return discrepancy
