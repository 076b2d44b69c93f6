"""The contributions pages end to end with the personas: what each role sees and may do."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.urls import reverse

from jamsos.contributions import services
from jamsos.contributions.models import Bill, Discrepancy, Payment
from jamsos.enrollment.models import Membership
from jamsos.lib.periods import Month

pytestmark = pytest.mark.django_db


@pytest.fixture
def bills(sijunjung, apbd, apb_nagari, make_members):
    make_members(3, apbd)
    make_members(2, apb_nagari)
    result = services.billing_run(regency=sijunjung, month=Month(2025, 1), acting_user=None)
    return {o.bill.funding_source_id: o.bill for o in result.bills}


def login(client, user):
    client.force_login(user)
    return client


def test_bill_list_by_role(client, personas, bills, apbd, apb_nagari):
    url = reverse("contributions:bill_list")
    page = login(client, personas.dinas_operator).get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert bills[apbd.pk].number in body and bills[apb_nagari.pk].number in body
    assert 'data-testid="run-billing-form"' in body
    # the agent of Timbulun sees its nagari's APB Nagari bill only, and cannot run billing
    body = login(client, personas.agent).get(url).content.decode()
    assert bills[apb_nagari.pk].number in body
    assert bills[apbd.pk].number not in body
    assert "run-billing-form" not in body
    # another kabupaten's operator sees nothing of Sijunjung
    body = login(client, personas.outsider).get(url).content.decode()
    assert bills[apbd.pk].number not in body
    assert login(client, personas.dprd).get(url).status_code == 403


def test_the_menu_entry_leads_each_role_to_its_page(client, personas):
    url = reverse("contributions:index")
    assert login(client, personas.bpjs_officer).get(url).url == reverse("contributions:bill_list")
    assert login(client, personas.dprd).get(url).url == reverse("contributions:transparency")
    assert login(client, personas.kecamatan_operator).get(url).status_code == 403


def test_bill_detail_scope_and_persons(client, personas, bills, apbd, apb_nagari):
    nagari_url = reverse("contributions:bill_detail", args=[bills[apb_nagari.pk].pk])
    apbd_url = reverse("contributions:bill_detail", args=[bills[apbd.pk].pk])
    body = login(client, personas.dinas_operator).get(apbd_url).content.decode()
    assert 'data-testid="line-table"' in body
    member = Membership.objects.filter(funding_source=apbd).select_related("person").first()
    assert member.person.full_name in body
    assert member.person.nik not in body  # masked
    agent = login(client, personas.agent)
    assert agent.get(apbd_url).status_code == 404
    body = agent.get(nagari_url).content.decode()
    assert "line-table" not in body  # totals only: the agent may not see persons
    assert login(client, personas.outsider).get(apbd_url).status_code == 404


def test_run_issue_and_pay_through_the_pages(client, personas, sijunjung, apbd, make_members):
    make_members(2, apbd)
    operator = login(client, personas.dinas_operator)
    response = operator.post(
        reverse("contributions:billing_run"),
        {"regency": "13.03", "month": "2025-02", "months": "1", "source": ""},
        follow=True,
    )
    assert "1 tagihan baru" in response.content.decode()
    bill = Bill.objects.get()
    # the Dinas does not issue bills; BPJS does
    assert operator.post(reverse("contributions:bill_issue", args=[bill.pk])).status_code == 403
    bpjs = login(client, personas.bpjs_officer)
    bpjs.post(reverse("contributions:bill_issue", args=[bill.pk]))
    bill.refresh_from_db()
    assert bill.status == Bill.Status.ISSUED
    pay_url = reverse("contributions:payment_create", args=[bill.pk])
    assert bpjs.get(pay_url).status_code == 403
    operator = login(client, personas.dinas_operator)
    response = operator.post(
        pay_url,
        {
            "sp2d_number": "900/5/SP2D-LS/2025",
            "paid_on": "2025-02-20",
            "amount": "Rp 40.000",
            "treasury_account": "RKUD Sijunjung",
        },
        follow=True,
    )
    body = response.content.decode()
    assert "Kelebihan Rp 6.400 menjadi kredit" in body
    bill.refresh_from_db()
    assert bill.status == Bill.Status.PAID
    # a duplicate SP2D comes back on the form with the reason
    response = operator.post(
        pay_url,
        {
            "sp2d_number": "900/5/SP2D-LS/2025",
            "paid_on": "2025-02-20",
            "amount": "100",
            "treasury_account": "RKUD",
        },
    )
    assert response.status_code == 200
    assert Payment.objects.count() == 1


def test_bad_billing_run_input_is_reported(client, personas, bills):
    response = login(client, personas.dinas_operator).post(
        reverse("contributions:billing_run"),
        {"regency": "13.03", "month": "2025-12", "months": "3"},
        follow=True,
    )
    assert "melewati Desember 2025" in response.content.decode()


def test_transparency_page_and_export(client, personas, bills):
    services.bill_issue(bill=next(iter(bills.values())), acting_user=None)
    for user in (personas.dprd, personas.executive, personas.dinas_head, personas.bpjs_officer):
        response = login(client, user).get(reverse("contributions:transparency"), {"year": 2025})
        assert response.status_code == 200
        assert 'data-testid="transparency-table"' in response.content.decode()
    export = login(client, personas.dprd).get(
        reverse("contributions:transparency_export"), {"regency": "13.03", "year": 2025}
    )
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert export.content[:2] == b"PK"
    assert (
        login(client, personas.agent).get(reverse("contributions:transparency")).status_code == 403
    )


def test_bill_list_query_count(client, personas, bills, django_assert_max_num_queries):
    operator = login(client, personas.dinas_operator)
    operator.get(reverse("contributions:bill_list"))  # warm the session and menu caches
    with django_assert_max_num_queries(14):
        operator.get(reverse("contributions:bill_list"))


def test_reconciliation_pages(client, personas, sijunjung, apbd, make_members):
    (member,) = make_members(1, apbd)
    result = services.billing_run(regency=sijunjung, month=Month(2025, 1), acting_user=None)
    services.bill_issue(bill=result.bills[0].bill, acting_user=None)
    bpjs = login(client, personas.bpjs_officer)
    upload = bpjs.post(
        reverse("contributions:statement_list"),
        {
            "regency": "13.03",
            "file": _file(
                "rekening.csv", f"KPJ;Nama;Bulan;Jumlah\n{member.kpj_number};A;2025-01;16000\n"
            ),
        },
        follow=True,
    )
    body = upload.content.decode()
    assert "diimpor" in body
    assert "Jumlah berbeda" in body
    discrepancy = Discrepancy.objects.get()
    resolved = bpjs.post(
        reverse("contributions:discrepancy_resolve", args=[discrepancy.pk]),
        {"note": "BPJS memotong Rp 800 karena pembulatan; dikoreksi"},
        HTTP_HX_REQUEST="true",
    )
    assert resolved.status_code == 200
    assert "dikoreksi" in resolved.content.decode()
    discrepancy.refresh_from_db()
    assert discrepancy.status == Discrepancy.Status.RESOLVED
    bad = bpjs.post(
        reverse("contributions:statement_list"),
        {"regency": "13.03", "file": _file("r.csv", "KPJ;Bulan;Jumlah\nabc;2025-99;x\n")},
    )
    assert 'Baris 2, kolom "KPJ": "abc" bukan nomor KPJ' in html.unescape(bad.content.decode())
    # DPRD and the agent never see statements (they name persons)
    assert (
        login(client, personas.agent).get(reverse("contributions:statement_list")).status_code
        == 403
    )
    statement_url = reverse("contributions:statement_detail", args=[discrepancy.statement_id])
    assert login(client, personas.agent).get(statement_url).status_code == 404


def test_arrears_page_and_reactivation(client, personas, sijunjung, apbd, make_members):
    (member,) = make_members(1, apbd)
    for month in (1, 2, 3):
        result = services.billing_run(regency=sijunjung, month=Month(2025, month), acting_user=None)
        services.bill_issue(bill=result.bills[0].bill, acting_user=None)
    operator = login(client, personas.dinas_operator)
    page = operator.get(reverse("contributions:arrears"), {"regency": "13.03", "as_of": "2025-03"})
    body = page.content.decode()
    assert member.person.full_name in body
    assert "Akan nonaktif (1)" in body
    services.arrears_check(as_of=Month(2025, 3), acting_user=None)
    page = operator.get(reverse("contributions:arrears"), {"regency": "13.03", "as_of": "2025-03"})
    assert 'data-testid="lapsed-table"' in page.content.decode()
    response = operator.post(
        reverse("contributions:membership_reactivate", args=[member.pk]),
        {"first_month": "2025-06"},
        follow=True,
    )
    assert "aktif kembali mulai Juni 2025" in response.content.decode()
    new = Membership.objects.filter(person=member.person).exclude(pk=member.pk).get()
    assert new.first_month == dt.date(2025, 6, 1)
    assert (
        login(client, personas.dinas_head).get(reverse("contributions:arrears")).status_code == 403
    )


def test_arrears_page_shows_its_lists_in_pages(
    client, personas, sijunjung, apbd, make_members, monkeypatch
):
    """Thousands in arrears: each list is paged (its heading keeps the whole count)."""
    from jamsos.contributions import views

    monkeypatch.setattr(views, "ARREARS_PAGE_SIZE", 2)
    members = make_members(3, apbd)
    for month in (1, 2, 3):
        result = services.billing_run(regency=sijunjung, month=Month(2025, month), acting_user=None)
        services.bill_issue(bill=result.bills[0].bill, acting_user=None)
    operator = login(client, personas.dinas_operator)
    url = reverse("contributions:arrears")
    names = []
    for number in (1, 2):
        page = operator.get(url, {"regency": "13.03", "as_of": "2025-03", "lapsing_page": number})
        body = page.content.decode()
        assert "Akan nonaktif (3)" in body
        assert len(page.context["lapsing"]) == (2 if number == 1 else 1)
        names += [e.full_name for e in page.context["lapsing"]]
        assert ('data-testid="lapsing_page-pagination"' in body) is True
    assert sorted(names) == sorted(m.person.full_name for m in members)
    assert (
        "lapsing_page=2"
        in operator.get(url, {"regency": "13.03", "as_of": "2025-03"}).content.decode()
    )


def _file(name: str, text: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")
