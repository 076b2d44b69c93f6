"""Reconciliation with the BPJS statement: planted discrepancies are found, bad files are
refused with row/column/value, imports are atomic and idempotent, resolutions audited."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import xlsxwriter

from jamsos.audit.models import AuditEvent
from jamsos.contributions import services
from jamsos.contributions.models import (
    Bill,
    Discrepancy,
    StatementImport,
    StatementRow,
)
from jamsos.contributions.services import StatementInvalid
from jamsos.lib.errors import DomainError, InvalidTransition, PermissionDenied
from jamsos.lib.periods import Month

pytestmark = pytest.mark.django_db

QUARTER = 3 * 16_800  # 50,400: one member, January–March


@pytest.fixture
def quarter(sijunjung, apbd, make_members):
    """Five members billed January–March 2025 (three issued monthly bills), all paid."""
    members = make_members(5, apbd)
    for month in (1, 2, 3):
        result = services.billing_run(regency=sijunjung, month=Month(2025, month), acting_user=None)
        bill = services.bill_issue(bill=result.bills[0].bill, acting_user=None)
        services.payment_record(
            bill=bill,
            sp2d_number=f"900/{month}/2025",
            paid_on=dt.date(2025, month, 20),
            amount=bill.total,
            treasury_account="RKUD",
            acting_user=None,
        )
    return members


def csv_bytes(rows: list[tuple[str, str, str, str]], *, title: bool = True) -> bytes:
    lines = ["Rekening Iuran Kolektif Pemkab Sijunjung;;;"] if title else []
    lines.append("No KPJ;Nama Peserta;Bulan Dibayar;Jumlah Iuran")
    lines += [";".join(row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def import_csv(regency, rows, *, name="rekening-q1.csv", acting_user=None, **kwargs):
    return services.statement_import(
        regency=regency,
        file_name=name,
        data=csv_bytes(rows),
        acting_user=acting_user,
        **kwargs,
    )


def test_a_matching_statement_reconciles_the_paid_bills(sijunjung, quarter):
    rows = [(m.kpj_number, "x", "2025-01 s.d. 2025-03", str(QUARTER)) for m in quarter]
    result = import_csv(sijunjung, rows)
    assert result.created
    statement = result.statement
    assert (Month.from_date(statement.first_month), Month.from_date(statement.last_month)) == (
        Month(2025, 1),
        Month(2025, 3),
    )
    assert statement.total == statement.our_total == 5 * QUARTER
    assert not Discrepancy.objects.exists()
    assert result.reconciled == 3
    assert set(Bill.objects.values_list("status", flat=True)) == {Bill.Status.RECONCILED}


def test_planted_discrepancies_are_found(sijunjung, quarter):
    ok, short, absent, wrong_months, _fifth = quarter
    rows = [
        (ok.kpj_number, "Sesuai", "2025-01..2025-03", "Rp 50.400"),
        (short.kpj_number, "Kurang bayar", "Jan 2025 - Mar 2025", "33600"),
        (wrong_months.kpj_number, "Bulan beda", "2025-01, 2025-02", "33600"),
        ("99999999999", "Tidak dikenal", "01/2025", "16800"),
        (_fifth.kpj_number, "Sesuai", "2025-01", "16800"),
        (_fifth.kpj_number, "Sesuai", "2025-02 sd 2025-03", "33600"),
    ]
    statement = import_csv(sijunjung, rows).statement
    found = {(d.kpj_number, d.kind): d for d in Discrepancy.objects.filter(statement=statement)}
    assert set(found) == {
        (short.kpj_number, "amount_differs"),
        (absent.kpj_number, "missing"),
        (wrong_months.kpj_number, "missing"),
        ("99999999999", "extra"),
    }
    differs = found[(short.kpj_number, "amount_differs")]
    assert (differs.our_amount, differs.their_amount) == (QUARTER, 33_600)
    assert differs.membership_id == short.pk
    missing = found[(absent.kpj_number, "missing")]
    assert missing.our_months == ["2025-01", "2025-02", "2025-03"]
    assert missing.their_months == []
    assert missing.full_name == absent.person.full_name
    partial = found[(wrong_months.kpj_number, "missing")]
    assert partial.their_months == ["2025-01", "2025-02"]
    extra = found[("99999999999", "extra")]
    assert (extra.membership_id, extra.their_amount, extra.region_id) == (None, 16_800, "13.03")
    # bills with members in open discrepancies stay paid; none is reconciled
    assert set(Bill.objects.values_list("status", flat=True)) == {Bill.Status.PAID}
    assert StatementRow.objects.filter(statement=statement).count() == 6


def test_resolving_the_last_discrepancy_reconciles(sijunjung, quarter, personas):
    rows = [(m.kpj_number, "", "2025-01 s.d. 2025-03", str(QUARTER)) for m in quarter[1:]]
    statement = import_csv(sijunjung, rows).statement
    (discrepancy,) = Discrepancy.objects.filter(statement=statement)
    assert discrepancy.kind == "missing"
    bill = Bill.objects.first()
    with pytest.raises(InvalidTransition) as exc:
        services.bill_reconcile(bill=bill, acting_user=personas.bpjs_officer)
    assert exc.value.code == "discrepancies_open"
    with pytest.raises(DomainError) as exc:
        services.discrepancy_resolve(
            discrepancy=discrepancy, note="ok", acting_user=personas.dinas_operator
        )
    assert exc.value.code == "resolution_required"
    with pytest.raises(PermissionDenied):
        services.discrepancy_resolve(
            discrepancy=discrepancy, note="sudah dibayar", acting_user=personas.dinas_head
        )
    resolved = services.discrepancy_resolve(
        discrepancy=discrepancy,
        note="Iuran terbayar lewat SP2D 900/1-3; BPJS mengoreksi KPJ",
        acting_user=personas.dinas_operator,
    )
    assert resolved.status == Discrepancy.Status.RESOLVED
    assert resolved.resolved_by == personas.dinas_operator
    event = AuditEvent.objects.get(action="contributions.discrepancy.resolved")
    assert event.after["resolution_note"].startswith("Iuran terbayar")
    assert event.actor == personas.dinas_operator
    assert set(Bill.objects.values_list("status", flat=True)) == {Bill.Status.RECONCILED}
    with pytest.raises(InvalidTransition):
        services.discrepancy_resolve(
            discrepancy=resolved, note="sekali lagi", acting_user=personas.dinas_operator
        )


def test_the_same_file_twice_adds_nothing(sijunjung, quarter):
    rows = [(m.kpj_number, "", "2025-01 s.d. 2025-03", str(QUARTER)) for m in quarter[:2]]
    first = import_csv(sijunjung, rows)
    second = import_csv(sijunjung, rows, name="salinan.csv")
    assert first.created and not second.created
    assert second.statement.pk == first.statement.pk
    assert StatementImport.objects.count() == 1
    assert Discrepancy.objects.count() == 3


def test_bad_rows_are_named_and_nothing_is_stored(sijunjung, quarter):
    rows = [
        (quarter[0].kpj_number, "Benar", "2025-01", "16800"),
        ("12 34", "KPJ pendek", "2025-01", "16800"),
        (quarter[1].kpj_number, "Bulan salah", "2025-13", "16800"),
        (quarter[2].kpj_number, "Jumlah salah", "2025-01", "enam belas ribu"),
        (quarter[0].kpj_number, "Dobel", "2025-01", "16800"),
    ]
    with pytest.raises(StatementInvalid) as exc:
        import_csv(sijunjung, rows)
    message = exc.value.message
    errors = exc.value.params["errors"]
    assert len(errors) == 4
    # the title line is row 1 and the header row 2, so data starts at row 3
    assert 'Baris 4, kolom "No KPJ": "12 34" bukan nomor KPJ' in message
    assert 'Baris 5, kolom "Bulan Dibayar": "2025-13" bukan bulan' in message
    assert 'Baris 6, kolom "Jumlah Iuran": "enam belas ribu" bukan jumlah rupiah' in message
    assert f'Baris 7, kolom "Bulan Dibayar": KPJ {quarter[0].kpj_number} bulan 2025-01' in message
    assert "sudah ada di baris 3" in message
    assert not StatementImport.objects.exists()
    assert not StatementRow.objects.exists()
    assert not Discrepancy.objects.exists()


def test_missing_columns_are_named(sijunjung):
    data = b"KPJ;Nama\n12345678901;Ani\n"
    with pytest.raises(StatementInvalid) as exc:
        services.statement_import(regency=sijunjung, file_name="r.csv", data=data, acting_user=None)
    assert exc.value.code in ("statement_columns", "header_not_found")


def test_xlsx_statement(sijunjung, quarter):
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["Rekening iuran BPJS Ketenagakerjaan Cabang Solok"])
    sheet.write_row(2, 0, ["No", "KPJ", "Nama", "Periode Iuran", "Iuran"])
    for i, member in enumerate(quarter, start=1):
        sheet.write_number(2 + i, 0, i)
        sheet.write_number(2 + i, 1, int(member.kpj_number))  # Excel stores it as a number
        sheet.write_string(2 + i, 2, member.person.full_name)
        sheet.write_string(2 + i, 3, "2025-01 s.d. 2025-03")
        sheet.write_number(2 + i, 4, QUARTER if i != 5 else QUARTER + 1)
    book.close()
    result = services.statement_import(
        regency=sijunjung, file_name="rekening.xlsx", data=buffer.getvalue(), acting_user=None
    )
    (differs,) = Discrepancy.objects.filter(statement=result.statement)
    assert (differs.kind, differs.kpj_number) == ("amount_differs", quarter[4].kpj_number)
    assert differs.difference == 1


def test_only_sent_bills_are_compared(sijunjung, apbd, make_members):
    (member,) = make_members(1, apbd)
    services.billing_run(regency=sijunjung, month=Month(2025, 1), acting_user=None)  # draft
    statement = import_csv(sijunjung, [(member.kpj_number, "", "2025-01", "16800")]).statement
    (extra,) = Discrepancy.objects.filter(statement=statement)
    assert extra.kind == "extra"
    assert extra.membership_id == member.pk  # a known KPJ, billed only in a draft


def test_who_may_import(sijunjung, quarter, personas):
    rows = [(quarter[0].kpj_number, "", "2025-01", "16800")]
    for user in (personas.dinas_head, personas.agent, personas.outsider, personas.dprd):
        with pytest.raises(PermissionDenied):
            import_csv(sijunjung, rows, acting_user=user)
    result = import_csv(sijunjung, rows, acting_user=personas.bpjs_officer)
    event = AuditEvent.objects.get(action="contributions.statement.imported")
    assert event.actor == personas.bpjs_officer
    assert event.object_id == str(result.statement.pk)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-01", ["2025-01"]),
        ("2025-01 s.d. 2025-03", ["2025-01", "2025-02", "2025-03"]),
        ("2025-11..2026-01", ["2025-11", "2025-12", "2026-01"]),
        ("01/2025 - 02/2025", ["2025-01", "2025-02"]),
        ("Januari 2025 sampai Maret 2025", ["2025-01", "2025-02", "2025-03"]),
        ("Jan 2025, Mar 2025; Mei 2025", ["2025-01", "2025-03", "2025-05"]),
        ("2025-02-01", ["2025-02"]),
    ],
)
def test_months_parse(text, expected):
    assert [str(m) for m in services.months_parse(text)] == expected


@pytest.mark.parametrize("text", ["", "2025-13", "Maret", "2025-03 s.d. 2025-01", "1/2/2025"])
def test_months_parse_refuses(text):
    with pytest.raises(ValueError):
        services.months_parse(text)
