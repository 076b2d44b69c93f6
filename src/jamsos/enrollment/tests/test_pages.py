"""Pages end to end with the personas: the decree flow, downloads, BPJS screens,
memberships and cards, and who may see or do what."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import xlsxwriter
from django.urls import reverse
from python_calamine import CalamineWorkbook

from jamsos.audit.models import AuditEvent
from jamsos.enrollment import services
from jamsos.enrollment.models import Decree, DecreeLine, Membership
from jamsos.enrollment.tests.conftest import OTHER_NAGARI, make_persons, reserve
from jamsos.enrollment.tests.test_documents import pdf_text
from jamsos.lib.periods import Month

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


APRIL_2022 = Month(2022, 4)


def accept_all(decree, personas, as_of=APRIL_2022):
    return services.bpjs_results_record(
        decree=decree,
        results=[
            services.BpjsResult(
                nik=line.nik,
                status=DecreeLine.BpjsStatus.ACCEPTED,
                # 11 digits whatever the primary key (PostgreSQL sequences keep growing
                # across rolled-back tests).
                kpj_number=f"13{line.pk % 10**9:09d}",
                coverage_start=dt.date(2022, 3, 1),
            )
            for line in decree.lines.all()
        ],
        acting_user=personas.bpjs_officer,
        as_of=as_of,
    )


def test_operator_drafts_head_approves_operator_issues(client, pagu_2022, phase_1, personas):
    make_persons(3)
    reservation = reserve(pagu_2022, count=3, phase=phase_1)
    login(client, personas.dinas_operator)
    page = client.get(reverse("enrollment:decree_create"))
    assert page.status_code == 200 and f"#{reservation.pk}" in page.content.decode()
    response = client.post(
        reverse("enrollment:decree_create"),
        {"reservation": reservation.pk, "mode": "auto", "persons": 3, "title": ""},
    )
    decree = Decree.objects.get()
    assert response.status_code == 302 and decree.lines.count() == 3
    detail = client.get(reverse("enrollment:decree_detail", args=[decree.pk])).content.decode()
    assert 'data-testid="decree-edit"' in detail and 'data-testid="decree-approve"' not in detail
    # The operator may not approve, not even by posting directly.
    assert client.post(reverse("enrollment:decree_approve", args=[decree.pk])).status_code == 403
    login(client, personas.dinas_head)
    client.post(reverse("enrollment:decree_approve", args=[decree.pk]))
    decree.refresh_from_db()
    assert decree.status == Decree.Status.APPROVED
    login(client, personas.dinas_operator)
    client.post(
        reverse("enrollment:decree_issue", args=[decree.pk]),
        {"number": "188.45/131/KPTS-BPT-2022", "decree_date": "2022-03-15"},
    )
    decree.refresh_from_db()
    assert (decree.status, decree.number) == (Decree.Status.ISSUED, "188.45/131/KPTS-BPT-2022")


def test_self_drafted_decree_shows_the_maker_checker_note(client, named_reservation, personas):
    decree = services.decree_draft_from_reservation(
        reservation=named_reservation, acting_user=personas.dinas_operator
    )
    Decree.objects.filter(pk=decree.pk).update(created_by=personas.dinas_head)
    login(client, personas.dinas_head)
    response = client.post(reverse("enrollment:decree_approve", args=[decree.pk]), follow=True)
    assert "harus disetujui oleh orang lain" in response.content.decode()
    decree.refresh_from_db()
    assert decree.status == Decree.Status.DRAFT


def test_texts_are_edited_one_item_per_line(client, named_reservation, personas):
    decree = services.decree_draft_from_reservation(
        reservation=named_reservation, acting_user=personas.dinas_operator
    )
    login(client, personas.dinas_operator)
    url = reverse("enrollment:decree_edit", args=[decree.pk])
    form = client.get(url).context["form"]
    data = {
        **form.initial,
        "legal_bases": form.initial["legal_bases"] + "\nPerbup Sijunjung 5/2022",
    }
    client.post(url, data)
    decree.refresh_from_db()
    assert decree.legal_bases[-1] == "Perbup Sijunjung 5/2022"


def test_downloads_official_public_and_xlsx(client, decree, personas, persons):
    login(client, personas.dinas_operator)
    official = client.get(reverse("enrollment:decree_download", args=[decree.pk, "resmi"]))
    assert official["Content-Type"] == "application/pdf"
    assert persons[0].nik in pdf_text(official.content)
    xlsx = client.get(reverse("enrollment:decree_download", args=[decree.pk, "lampiran"]))
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(xlsx.content))
        .get_sheet_by_name("Lampiran")
        .to_python()
    )
    assert any(row[1] == persons[0].nik for row in rows)
    assert AuditEvent.objects.filter(action="enrollment.decree.downloaded").count() == 2
    # The Camat sees the public copy only.
    login(client, personas.kecamatan_operator)
    assert (
        client.get(reverse("enrollment:decree_download", args=[decree.pk, "resmi"])).status_code
        == 403
    )
    public = client.get(reverse("enrollment:decree_download", args=[decree.pk, "publik"]))
    assert persons[0].nik not in pdf_text(public.content)
    login(client, personas.dprd)
    assert (
        client.get(reverse("enrollment:decree_download", args=[decree.pk, "publik"])).status_code
        == 403
    )


def test_camat_sees_only_its_kecamatans_lines(client, decree, personas, persons):
    login(client, personas.kecamatan_operator)
    page = client.get(reverse("enrollment:decree_detail", args=[decree.pk]))
    names = {line.full_name for line in page.context["page"]}
    assert names == {p.full_name for p in persons[:4]}  # Tanjung Gadang, not Sijunjung
    assert page.context["counts"].persons == 4
    assert 'data-testid="bpjs-panel"' not in page.content.decode()


def test_dprd_sees_decree_totals_only(client, decree, personas, persons):
    login(client, personas.dprd)
    listing = client.get(reverse("enrollment:decree_list")).content.decode()
    assert decree.number in listing
    page = client.get(reverse("enrollment:decree_detail", args=[decree.pk]))
    html = page.content.decode()
    assert page.context["counts"].persons == 6
    assert 'data-testid="totals-only"' in html
    assert all(p.full_name not in html for p in persons)


def test_outsider_cannot_see_the_decree(client, decree, personas):
    login(client, personas.outsider)
    assert client.get(reverse("enrollment:decree_detail", args=[decree.pk])).status_code == 404
    login(client, personas.agent)
    assert client.get(reverse("enrollment:decree_detail", args=[decree.pk])).status_code == 403


def test_bpjs_export_import_and_errors_page(client, decree, personas, persons):
    login(client, personas.bpjs_officer)
    export = client.get(reverse("enrollment:bpjs_export", args=[decree.pk, "xlsx"]))
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(export.content))
        .get_sheet_by_name("Pendaftaran")
        .to_python()
    )
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        values = [str(v) for v in row]
        if r:
            values[22:26] = ["DITERIMA", f"130000000{r:02d}", "01-03-2022", ""]
        if r == 2:
            values[22:26] = ["DITERIMA", "999", "01-03-2022", ""]
        for c, value in enumerate(values):
            sheet.write_string(r, c, value)
    book.close()
    upload = io.BytesIO(output.getvalue())
    upload.name = "hasil.xlsx"
    bad = client.post(reverse("enrollment:bpjs_import", args=[decree.pk]), {"file": upload})
    assert bad.status_code == 422
    [error] = bad.context["errors"]
    assert (error.row, error.column, error.value) == (3, "NO KPJ", "999")
    assert "nomor KPJ harus 11 angka" in bad.content.decode()
    assert not Membership.objects.exists()
    # Fixed file: everyone accepted.
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        values = [str(v) for v in row]
        if r:
            values[22:26] = ["DITERIMA", f"130000000{r:02d}", "01-03-2022", ""]
        for c, value in enumerate(values):
            sheet.write_string(r, c, value)
    book.close()
    upload = io.BytesIO(output.getvalue())
    upload.name = "hasil.xlsx"
    good = client.post(
        reverse("enrollment:bpjs_import", args=[decree.pk]), {"file": upload}, follow=True
    )
    assert "6 diterima" in good.content.decode()
    assert Membership.objects.count() == 6


def test_only_bpjs_records_results_on_screen(client, decree, personas, persons):
    line = decree.lines.get(person=persons[0])
    data = {"line": line.pk, "status": "rejected", "reason": "Sudah terdaftar sebagai peserta PU"}
    login(client, personas.dinas_operator)
    assert client.post(reverse("enrollment:bpjs_record", args=[decree.pk]), data).status_code == 403
    login(client, personas.bpjs_officer)
    page = client.get(reverse("enrollment:bpjs_record", args=[decree.pk]))
    assert len(page.context["page"]) == 6
    response = client.post(
        reverse("enrollment:bpjs_record", args=[decree.pk]), data, HTTP_HX_REQUEST="true"
    )
    assert "Ditolak BPJS" in response.content.decode()
    line.refresh_from_db()
    assert line.bpjs_status == DecreeLine.BpjsStatus.REJECTED
    bad = client.post(
        reverse("enrollment:bpjs_record", args=[decree.pk]),
        {"line": decree.lines.get(person=persons[1]).pk, "status": "accepted", "kpj_number": "12"},
        HTTP_HX_REQUEST="true",
    )
    assert "nomor KPJ harus 11 angka" in bad.content.decode()


def test_rejected_persons_are_visible_to_their_proposer(client, decree, personas, persons):
    services.bpjs_results_record(
        decree=decree,
        results=[
            services.BpjsResult(
                nik=persons[0].nik, status=DecreeLine.BpjsStatus.REJECTED, reason="Usia 66 tahun"
            ),
            services.BpjsResult(
                nik=persons[4].nik,
                status=DecreeLine.BpjsStatus.REJECTED,
                reason="NIK tidak dikenal",
            ),
        ],
        acting_user=personas.bpjs_officer,
    )
    login(client, personas.kecamatan_operator)
    html = client.get(reverse("enrollment:rejection_list")).content.decode()
    assert "Usia 66 tahun" in html and persons[0].full_name in html
    assert persons[4].full_name not in html  # another kecamatan
    from jamsos.enrollment.selectors import person_bpjs_rejections

    found = person_bpjs_rejections(person_ids=[persons[0].pk, persons[1].pk])
    assert [r.reason for r in found[persons[0].pk]] == ["Usia 66 tahun"]
    assert persons[1].pk not in found


def test_membership_list_scopes_and_card(client, decree, personas, persons):
    accept_all(decree, personas)
    login(client, personas.kecamatan_operator)
    page = client.get(reverse("enrollment:membership_list"))
    assert {m.person_id for m in page.context["page"]} == {p.pk for p in persons[:4]}
    membership = Membership.objects.get(person=persons[0])
    card = client.get(reverse("enrollment:membership_card", args=[membership.pk]))
    text = pdf_text(card.content)
    assert membership.kpj_number in text and persons[0].nik not in text
    other = Membership.objects.get(person=persons[4])
    assert client.get(reverse("enrollment:membership_detail", args=[other.pk])).status_code == 404
    login(client, personas.dinas_operator)
    full = client.get(reverse("enrollment:membership_card", args=[membership.pk]) + "?nik=lengkap")
    assert persons[0].nik in pdf_text(full.content)
    assert AuditEvent.objects.filter(action="registry.person.nik_viewed").exists()


def test_dprd_sees_membership_totals_only(client, decree, personas, persons):
    accept_all(decree, personas)
    login(client, personas.dprd)
    page = client.get(reverse("enrollment:membership_list"))
    assert page.context["page"] is None
    assert page.context["totals"].total == 6
    html = page.content.decode()
    assert "Tanjung Gadang" in html and all(p.full_name not in html for p in persons)
    membership = Membership.objects.first()
    assert (
        client.get(reverse("enrollment:membership_detail", args=[membership.pk])).status_code == 404
    )


def test_amend_page_creates_the_amendment(client, pagu_2022, phase_1, personas):
    from jamsos.enrollment.tests.conftest import issued_decree

    people = make_persons(3)
    reservation = reserve(pagu_2022, count=3, phase=phase_1)
    decree = issued_decree(reservation, personas, persons=people[:2])
    login(client, personas.dinas_operator)
    response = client.post(
        reverse("enrollment:decree_amend", args=[decree.pk]),
        {"add_niks": people[2].nik, "remove_niks": people[0].nik, "note": "Pindah domisili"},
    )
    amendment = Decree.objects.get(amends=decree)
    assert response.status_code == 302
    detail = client.get(reverse("enrollment:decree_detail", args=[amendment.pk])).content.decode()
    assert "menambah 1 orang" in detail and "mencoret 1 orang" in detail


def test_renewal_page_proposes_next_year(client, decree, personas, sijunjung):
    from jamsos.budget import services as budget

    accept_all(decree, personas)
    year = budget.fiscal_year_create(region=sijunjung, year=2023, acting_user=None)
    login(client, personas.dinas_operator)
    response = client.post(
        reverse("enrollment:renewal_list"), {"fiscal_year": year.pk}, follow=True
    )
    assert "6 orang diusulkan" in response.content.decode()


def test_pages_render_for_every_persona(client, decree, personas):
    urls = [
        reverse("enrollment:decree_list"),
        reverse("enrollment:membership_list"),
        reverse("enrollment:renewal_list"),
        reverse("enrollment:decree_setting"),
        reverse("enrollment:rejection_list"),
    ]
    for user in personas.all().values():
        login(client, user)
        for url in urls:
            assert client.get(url).status_code in (200, 403, 404), (user.role, url)


def test_other_kecamatan_person_is_not_auto_picked_for_a_nagari(pagu_2022, personas):
    from jamsos.enrollment.selectors import decree_candidates

    reservation = reserve(pagu_2022, count=5)
    here = make_persons(2)
    make_persons(2, OTHER_NAGARI)
    picked = decree_candidates(
        reservation=reservation, viewer=personas.dinas_operator, village=here[0].village, limit=5
    )
    assert sorted(picked) == sorted(p.pk for p in here)
