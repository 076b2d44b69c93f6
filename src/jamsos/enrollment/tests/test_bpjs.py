"""The BPJS round trip: export, results on screen and from a file, memberships, and the
money of rejected persons back to the pagu."""

from __future__ import annotations

import datetime as dt
import io
from unittest import mock

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from jamsos.audit.models import AuditEvent
from jamsos.budget.models import Reservation
from jamsos.enrollment import bpjs_layout, services
from jamsos.enrollment.models import BpjsResultImport, DecreeLine, Membership, RejectionReason
from jamsos.enrollment.services import bpjs as bpjs_services
from jamsos.enrollment.tests.conftest import issued_decree, make_persons, reserve
from jamsos.lib.errors import InvalidTransition, PermissionDenied
from jamsos.lib.periods import Month

pytestmark = pytest.mark.django_db

ACCEPTED = DecreeLine.BpjsStatus.ACCEPTED
REJECTED = DecreeLine.BpjsStatus.REJECTED


def accept(line_or_person, kpj: str, start=dt.date(2022, 3, 1), row=None):
    return services.BpjsResult(
        nik=line_or_person.nik, status=ACCEPTED, kpj_number=kpj, coverage_start=start, row=row
    )


def reject(line_or_person, reason: str, row=None):
    return services.BpjsResult(nik=line_or_person.nik, status=REJECTED, reason=reason, row=row)


def test_accepted_lines_become_memberships_with_kpj_and_funding(decree, personas, persons):
    summary = services.bpjs_results_record(
        decree=decree,
        results=[
            accept(persons[0], "13000000001"),
            accept(persons[1], "13000000002", dt.date(2022, 5, 1)),
        ],
        acting_user=personas.bpjs_officer,
        as_of=Month(2022, 4),
    )
    assert (summary.accepted, summary.rejected, summary.memberships) == (2, 0, 2)
    first = Membership.objects.get(person=persons[0])
    assert first.kpj_number == "13000000001"
    assert first.funding_source == decree.reservation.allocation.source
    assert first.programmes == ["jkk", "jkm"]
    assert (first.first_month, first.last_month) == (dt.date(2022, 3, 1), dt.date(2022, 11, 1))
    assert first.status == Membership.Status.ACTIVE
    assert first.decree_line.bpjs_status == ACCEPTED
    # Coverage from May: still pending in April.
    later = Membership.objects.get(person=persons[1])
    assert later.first_month == dt.date(2022, 5, 1) and later.status == Membership.Status.PENDING
    line = DecreeLine.objects.get(decree=decree, person=persons[0])
    assert line.bpjs_recorded_by == personas.bpjs_officer and line.kpj_number == "13000000001"
    events = AuditEvent.objects.filter(action="enrollment.decree_line.accepted")
    assert events.count() == 2
    assert events.filter(object_id=str(line.pk), region_code=line.village_id).exists()


def test_only_the_bpjs_officer_records_results(decree, personas, persons):
    for user in (personas.dinas_operator, personas.dinas_head, personas.kecamatan_operator):
        with pytest.raises(PermissionDenied):
            services.bpjs_results_record(
                decree=decree, results=[accept(persons[0], "13000000001")], acting_user=user
            )
    assert not Membership.objects.exists()


def test_results_only_for_issued_decrees(named_reservation, personas, persons):
    draft = services.decree_draft_from_reservation(
        reservation=named_reservation, acting_user=personas.dinas_operator
    )
    with pytest.raises(InvalidTransition):
        services.bpjs_results_record(
            decree=draft,
            results=[accept(persons[0], "13000000001")],
            acting_user=personas.bpjs_officer,
        )


def test_rejection_keeps_its_reason_and_returns_the_money(
    decree, personas, persons, django_capture_on_commit_callbacks
):
    reservation = decree.reservation
    amount_before = reservation.amount
    with django_capture_on_commit_callbacks(execute=True):
        summary = services.bpjs_results_record(
            decree=decree,
            results=[
                reject(persons[0], "Sudah terdaftar sebagai peserta PU (perusahaan)"),
                reject(persons[1], "NIK tidak dikenal di Dukcapil"),
                accept(persons[2], "13000000003"),
            ],
            acting_user=personas.bpjs_officer,
        )
    assert (summary.accepted, summary.rejected) == (1, 2)
    rejected = DecreeLine.objects.get(decree=decree, person=persons[0])
    assert rejected.bpjs_status == REJECTED
    assert rejected.bpjs_reason_code == RejectionReason.REGISTERED_PU
    assert DecreeLine.objects.get(person=persons[1]).bpjs_reason_code == RejectionReason.NIK_UNKNOWN
    assert not Membership.objects.filter(person__in=persons[:2]).exists()
    reservation.refresh_from_db()
    assert reservation.persons == 4
    assert reservation.amount == amount_before - 2 * 9 * 16_800
    assert not reservation.lines.filter(person__in=persons[:2]).exists()
    assert rejected.budget_return_ref
    rejected.refresh_from_db()
    assert rejected.budget_returned_at is not None
    assert AuditEvent.objects.filter(action="budget.reservation.reduced").count() == 1
    assert AuditEvent.objects.filter(action="enrollment.budget.returned").count() == 1


def test_count_only_reservation_is_reduced_by_the_count(
    pagu_2022, phase_1, personas, django_capture_on_commit_callbacks
):
    people = make_persons(3)
    reservation = reserve(pagu_2022, count=3, phase=phase_1)
    decree = issued_decree(reservation, personas, persons=people)
    with django_capture_on_commit_callbacks(execute=True):
        services.bpjs_results_record(
            decree=decree,
            results=[reject(people[0], "Usia di atas batas")],
            acting_user=personas.bpjs_officer,
        )
    reservation.refresh_from_db()
    assert (reservation.persons, reservation.amount) == (2, 2 * 9 * 16_800)


def test_everyone_rejected_releases_the_reservation(
    pagu_2022, phase_1, personas, django_capture_on_commit_callbacks
):
    people = make_persons(2)
    reservation = reserve(pagu_2022, persons=people, phase=phase_1)
    decree = issued_decree(reservation, personas)
    with django_capture_on_commit_callbacks(execute=True):
        services.bpjs_results_record(
            decree=decree,
            results=[reject(p, "NIK tidak dikenal di Dukcapil") for p in people],
            acting_user=personas.bpjs_officer,
        )
    reservation.refresh_from_db()
    assert reservation.status == Reservation.Status.RELEASED


def test_money_is_returned_once_even_if_marking_failed(
    decree, personas, persons, django_capture_on_commit_callbacks
):
    # The reduction commits, then marking the lines fails (a crash between the two).
    with (
        mock.patch.object(bpjs_services, "_mark_returned", side_effect=RuntimeError("crash")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.bpjs_results_record(
            decree=decree, results=[reject(persons[0], "Usia")], acting_user=personas.bpjs_officer
        )
    reservation = Reservation.objects.get(pk=decree.reservation_id)
    assert reservation.persons == 5
    line = DecreeLine.objects.get(decree=decree, person=persons[0])
    assert line.budget_returned_at is None
    # The retry (jamsos membership_refresh) sees the reduction in the audit trail.
    assert services.decree_budget_returns_flush() == 1
    reservation.refresh_from_db()
    assert reservation.persons == 5
    assert AuditEvent.objects.filter(action="budget.reservation.reduced").count() == 1
    line.refresh_from_db()
    assert line.budget_returned_at is not None


def test_recording_the_same_results_twice_changes_nothing(decree, personas, persons):
    results = [accept(persons[0], "13000000001"), reject(persons[1], "Usia")]
    services.bpjs_results_record(decree=decree, results=results, acting_user=personas.bpjs_officer)
    again = services.bpjs_results_record(
        decree=decree, results=results, acting_user=personas.bpjs_officer
    )
    assert (again.accepted, again.rejected, again.unchanged) == (0, 0, 2)
    assert Membership.objects.count() == 1


def test_a_recorded_result_is_not_overwritten(decree, personas, persons):
    services.bpjs_results_record(
        decree=decree,
        results=[accept(persons[0], "13000000001")],
        acting_user=personas.bpjs_officer,
    )
    with pytest.raises(services.BpjsResultsInvalid) as excinfo:
        services.bpjs_results_record(
            decree=decree,
            results=[reject(persons[0], "Usia", row=7)],
            acting_user=personas.bpjs_officer,
        )
    assert "Baris 7, kolom STATUS" in excinfo.value.message
    assert "sudah dicatat DITERIMA (KPJ 13000000001)" in excinfo.value.message


def test_bad_rows_are_named_and_nothing_is_written(decree, personas, persons):
    results = [
        accept(persons[0], "13000000001", row=2),
        accept(persons[1], "12AB", row=3),
        services.BpjsResult(
            nik="1303030101800999",
            status=ACCEPTED,
            kpj_number="13000000009",
            coverage_start=dt.date(2022, 3, 1),
            row=4,
        ),
        accept(persons[2], "13000000003", dt.date(2023, 1, 1), row=5),
        reject(persons[3], "", row=6),
    ]
    with pytest.raises(services.BpjsResultsInvalid) as excinfo:
        services.bpjs_results_record(
            decree=decree, results=results, acting_user=personas.bpjs_officer
        )
    texts = [e["text"] for e in excinfo.value.params["errors"]]
    assert texts == [
        'Baris 3, kolom NO KPJ "12AB": nomor KPJ harus 11 angka untuk peserta yang diterima.',
        'Baris 4, kolom NIK "1303030101800999": tidak ada di antara penerima SK ini.',
        'Baris 5, kolom TGL MULAI KEPESERTAAN "1 Januari 2023": di luar masa SK '
        "(2022-03 s.d. 2022-11).",
        "Baris 6, kolom ALASAN PENOLAKAN: wajib diisi untuk peserta yang ditolak.",
    ]
    assert excinfo.value.message.startswith("4 kesalahan, tidak ada yang disimpan.")
    assert not Membership.objects.exists()
    assert not DecreeLine.objects.exclude(bpjs_status=DecreeLine.BpjsStatus.PENDING).exists()


def test_a_kpj_belongs_to_one_person(decree, personas, persons):
    with pytest.raises(services.BpjsResultsInvalid) as excinfo:
        services.bpjs_results_record(
            decree=decree,
            results=[
                accept(persons[0], "13000000001", row=2),
                accept(persons[1], "13000000001", row=3),
            ],
            acting_user=personas.bpjs_officer,
        )
    assert "dipakai untuk dua NIK berbeda" in excinfo.value.message


# --- Files ---------------------------------------------------------------------------------------


def _sheet_rows(data: bytes) -> list[list[str]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return book.get_sheet_by_name("Pendaftaran").to_python()


def test_export_has_the_documented_columns_and_full_nik_as_text(decree, persons):
    rows = _sheet_rows(bpjs_layout.bpjs_export_xlsx(decree))
    assert rows[0] == bpjs_layout.HEADERS
    assert len(rows) == 1 + 6
    niks = {row[2] for row in rows[1:]}
    assert niks == {p.nik for p in persons}
    row = rows[1]
    assert row[9] == row[9].strip() and len(row[9]) == 10 and row[9].isdigit()
    assert row[17] == "JKK, JKM" and row[18] == "2022-03" and int(row[19]) == 9
    assert row[21] == decree.number
    csv_text = bpjs_layout.bpjs_export_csv(decree).decode("utf-8-sig")
    assert csv_text.splitlines()[0] == ";".join(bpjs_layout.HEADERS)


def _answer(decree, answers: dict[str, tuple[str, str, str, str]]) -> bytes:
    """The export as the branch sends it back: STATUS/KPJ/TGL/ALASAN filled in."""
    rows = _sheet_rows(bpjs_layout.bpjs_export_xlsx(decree))
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = book.add_worksheet("Hasil")
    sheet.write_string(0, 0, "HASIL VERIFIKASI KEPESERTAAN BPU - KC SOLOK")
    for r, row in enumerate(rows):
        values = [str(v) for v in row]
        if r and values[2] in answers:
            values[22:26] = answers[values[2]]
        for c, value in enumerate(values):
            sheet.write_string(r + 2, c, value)
    book.close()
    return output.getvalue()


def test_result_file_round_trip(decree, personas, persons, django_capture_on_commit_callbacks):
    data = _answer(
        decree,
        {
            persons[0].nik: ("DITERIMA", "13000000001", "01-03-2022", ""),
            persons[1].nik: ("Diterima", "1300-0000-002", "2022-03-01", ""),
            persons[2].nik: ("DITOLAK", "", "", "Sudah terdaftar sebagai peserta PU"),
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        summary = services.bpjs_results_import(
            decree=decree,
            data=data,
            file_name="hasil-kc-solok.xlsx",
            acting_user=personas.bpjs_officer,
        )
    assert (summary.accepted, summary.rejected, summary.skipped) == (2, 1, 3)
    assert Membership.objects.get(person=persons[1]).kpj_number == "13000000002"
    record = BpjsResultImport.objects.get()
    assert (record.rows_total, record.accepted, record.rejected) == (6, 2, 1)
    # The same file again adds nothing.
    again = services.bpjs_results_import(
        decree=decree, data=data, file_name="hasil-kc-solok.xlsx", acting_user=personas.bpjs_officer
    )
    assert again.duplicate_file and again.import_id == record.pk
    assert Membership.objects.count() == 2 and BpjsResultImport.objects.count() == 1


def test_result_file_with_bad_rows_writes_nothing(decree, personas, persons):
    data = _answer(
        decree,
        {
            persons[0].nik: ("DITERIMA", "13000000001", "01-03-2022", ""),
            persons[1].nik: ("DITERIMA", "ABC", "01-03-2022", ""),
            persons[2].nik: ("MUNGKIN", "", "", ""),
            persons[3].nik: ("DITERIMA", "13000000004", "31-02-2022", ""),
        },
    )
    with pytest.raises(services.BpjsResultsInvalid) as excinfo:
        services.bpjs_results_import(
            decree=decree, data=data, file_name="hasil.xlsx", acting_user=personas.bpjs_officer
        )
    texts = [e["text"] for e in excinfo.value.params["errors"]]
    row_of = {
        row[2]: i + 4 for i, row in enumerate(_sheet_rows(bpjs_layout.bpjs_export_xlsx(decree))[1:])
    }
    assert (
        f'Baris {row_of[persons[1].nik]}, kolom NO KPJ "ABC": nomor KPJ harus 11 angka'
        in " | ".join(texts)
    )
    assert (
        f'Baris {row_of[persons[2].nik]}, kolom STATUS "MUNGKIN": harus DITERIMA atau DITOLAK.'
        in texts
    )
    assert any(
        t.startswith(f'Baris {row_of[persons[3].nik]}, kolom TGL MULAI KEPESERTAAN "31-02-2022"')
        for t in texts
    )
    assert not Membership.objects.exists() and not BpjsResultImport.objects.exists()


def test_result_file_without_a_status_column_is_refused(decree, personas):
    data = b"NIK;NAMA\n1303030101800001;Budi\n"
    with pytest.raises(services.BpjsResultsInvalid) as excinfo:
        services.bpjs_results_import(
            decree=decree, data=data, file_name="hasil.csv", acting_user=personas.bpjs_officer
        )
    assert "kolom STATUS: kolom wajib tidak ditemukan" in excinfo.value.message


def test_a_person_cannot_be_accepted_twice_for_overlapping_months(
    pagu_2022, decree, personas, persons
):
    services.bpjs_results_record(
        decree=decree,
        results=[accept(persons[0], "13000000001")],
        acting_user=personas.bpjs_officer,
    )
    # Someone bypassed the draft checks (e.g. two decrees drafted before either was
    # answered): the membership layer still refuses the overlap.
    other = reserve(pagu_2022, count=1)
    second = services.decree_draft_from_reservation(
        reservation=other, persons=make_persons(1), acting_user=personas.dinas_operator
    )
    DecreeLine.objects.filter(decree=second).update(person=persons[0], nik=persons[0].nik)
    second = services.decree_approve(decree=second, acting_user=personas.dinas_head)
    second = services.decree_issue(
        decree=second, number="188.45/9/X", decree_date=dt.date(2022, 4, 1), acting_user=None
    )
    with pytest.raises(services.BpjsResultsInvalid) as excinfo:
        services.bpjs_results_record(
            decree=second,
            results=[accept(persons[0], "13000000001", row=2)],
            acting_user=personas.bpjs_officer,
        )
    assert "tidak dapat diterima dua kali" in excinfo.value.message


def test_csv_export_writes_formula_like_values_as_text(decree, persons):
    """CSV injection: Excel opens the registration CSV directly; nothing in it may run."""
    import csv as csv_module

    line = DecreeLine.objects.filter(decree=decree).order_by("pk").first()
    DecreeLine.objects.filter(pk=line.pk).update(full_name='=HYPERLINK("http://x.test","klik")')
    type(line.person).objects.filter(pk=line.person_id).update(
        mother_name="@SUM(A1:A9)", birth_place="+Andi", address="-2+3", phone="+6281234567890"
    )
    text = bpjs_layout.bpjs_export_csv(decree).decode("utf-8-sig")
    rows = list(csv_module.reader(io.StringIO(text), delimiter=";"))
    row = next(r for r in rows[1:] if r[1] == str(line.pk))
    assert row[3] == '\'=HYPERLINK("http://x.test","klik")'
    assert row[4] == "'+Andi"
    assert row[7] == "'@SUM(A1:A9)"
    assert row[8] == "'-2+3"
    assert row[12] == "+6281234567890"  # a plain number stays as it is
    assert row[0] == "1" and row[19] == "9"


def _csv(rows: list[list[str]]) -> bytes:
    header = [
        "NIK",
        "STATUS",
        "NO KPJ",
        "TGL MULAI KEPESERTAAN",
        "ALASAN",
        "UPAH",
        "KELOMPOK RISIKO",
    ]
    return "\n".join(";".join(r) for r in [header, *rows]).encode()


def test_result_file_records_a_pu_members_wage_and_risk_group(decree, personas, persons):
    """Optional UPAH and KELOMPOK RISIKO columns (issue 9, PU members are billed from the
    wage): an accepted PU member's membership gets them; a BPU one with a wage, a bad
    wage, an unknown group or one without the other is named by row, column and value."""
    from jamsos.enrollment.models import DecreeLine

    DecreeLine.objects.filter(decree=decree, person__in=persons[:2]).update(segment="pu")
    bad = _csv(
        [
            [persons[0].nik, "DITERIMA", "13000000001", "01-03-2022", "", "2.500.000", "Sedang"],
            [persons[1].nik, "DITERIMA", "13000000002", "01-03-2022", "", "dua juta", "rendah"],
            [persons[2].nik, "DITERIMA", "13000000003", "01-03-2022", "", "2500000", "Sedang"],
            [persons[3].nik, "DITERIMA", "13000000004", "01-03-2022", "", "", "tinggi"],
            [persons[4].nik, "DITERIMA", "13000000005", "01-03-2022", "", "100", "ekstrem"],
        ]
    )
    with pytest.raises(services.BpjsResultsInvalid) as excinfo:
        services.bpjs_results_import(
            decree=decree, data=bad, file_name="hasil.csv", acting_user=personas.bpjs_officer
        )
    texts = " | ".join(e["text"] for e in excinfo.value.params["errors"])
    assert 'Baris 3, kolom UPAH "dua juta": bukan upah sebulan yang sah' in texts
    assert "Baris 4, kolom UPAH" in texts and "hanya untuk peserta penerima upah" in texts
    assert "Baris 5, kolom UPAH" in texts and "wajib diisi bila KELOMPOK RISIKO" in texts
    assert 'Baris 6, kolom KELOMPOK RISIKO "ekstrem": kelompok risiko harus' in texts
    assert not Membership.objects.exists()

    good = _csv(
        [
            [persons[0].nik, "DITERIMA", "13000000001", "01-03-2022", "", "Rp 2.500.000", "Sedang"],
            [persons[1].nik, "DITERIMA", "13000000002", "01-03-2022", "", "", ""],
            [persons[2].nik, "DITERIMA", "13000000003", "01-03-2022", "", "", ""],
        ]
    )
    services.bpjs_results_import(
        decree=decree, data=good, file_name="hasil.csv", acting_user=personas.bpjs_officer
    )
    pu = Membership.objects.get(person=persons[0])
    assert (pu.segment, pu.wage, pu.risk_group) == ("pu", 2_500_000, "sedang")
    assert Membership.objects.get(person=persons[1]).wage is None  # PU, not billed until set
    assert Membership.objects.get(person=persons[2]).wage is None


def test_operator_records_a_pu_wage_on_the_page_and_over_the_api(client, decree, personas, persons):
    from django.urls import reverse

    from jamsos.enrollment.models import DecreeLine

    DecreeLine.objects.filter(decree=decree, person=persons[0]).update(segment="pu")
    services.bpjs_results_record(
        decree=decree,
        results=[accept(persons[0], "13000000001"), accept(persons[1], "13000000002")],
        acting_user=personas.bpjs_officer,
    )
    pu = Membership.objects.get(person=persons[0])
    bpu = Membership.objects.get(person=persons[1])
    client.force_login(personas.dinas_operator)
    page = client.get(reverse("enrollment:membership_detail", args=[pu.pk])).content.decode()
    assert 'data-testid="wage-form"' in page
    assert "belum dicatat" in page
    bpu_page = client.get(reverse("enrollment:membership_detail", args=[bpu.pk])).content.decode()
    assert 'data-testid="wage-form"' not in bpu_page
    url = reverse("enrollment:membership_wage", args=[pu.pk])
    refused = client.post(url, {"wage": "nol", "risk_group": "sedang"})
    assert refused.status_code == 400
    assert 'data-testid="error-wage"' in refused.content.decode()
    saved = client.post(url, {"wage": "Rp 3.100.000", "risk_group": "tinggi"})
    assert saved.status_code == 302
    pu.refresh_from_db()
    assert (pu.wage, pu.risk_group) == (3_100_000, "tinggi")
    # The API: the fields, and the same write with bounded input.
    api = f"/api/enrollment/memberships/{pu.pk}"
    assert client.get(api).json()["wage"] == 3_100_000
    ok = client.post(
        f"{api}/wage", {"wage": 2_800_000, "risk_group": "rendah"}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["risk_group"] == "rendah"
    bad = client.post(
        f"{api}/wage", {"wage": 0, "risk_group": "ekstrem"}, content_type="application/json"
    )
    assert bad.status_code == 422
    not_pu = client.post(
        f"/api/enrollment/memberships/{bpu.pk}/wage",
        {"wage": 2_800_000, "risk_group": "rendah"},
        content_type="application/json",
    )
    assert not_pu.status_code == 400 and not_pu.json()["code"] == "wage_only_pu"
    # Those who do not record wages are not offered the form and cannot post it.
    client.force_login(personas.dinas_head)
    page = client.get(reverse("enrollment:membership_detail", args=[pu.pk])).content.decode()
    assert 'data-testid="wage-form"' not in page
    assert client.post(url, {"wage": "1000000", "risk_group": "tinggi"}).status_code == 403
