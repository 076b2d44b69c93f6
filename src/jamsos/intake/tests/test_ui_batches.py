"""Intake pages: batch list, upload, batch detail with progress, rows, maker-checker.

Batches for read-only pages are built directly (``make_batch``/``make_row``); every
action goes through the real services, as the pages do.
"""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jamsos.intake.models import ProposalBatch, ProposalRow
from jamsos.lib.nik import nik_build, nik_mask
from jamsos.regions.models import Region
from jamsos.registry.models import Person
from jamsos.testing.factories import AgencyFactory, UserFactory
from jamsos.testing.personas import AGENT_NAGARI

pytestmark = pytest.mark.django_db

Status = ProposalBatch.Status


# -- builders (shared with the API tests) ------------------------------------------------


def person_values(serial: int = 1, **overrides: str) -> dict[str, str]:
    """The values of one valid person of the agent's nagari, as a form would send them."""
    born = dt.date(1985, 5, 17)
    values = {
        "nik": nik_build("13.03.03", born, "L", serial),
        "full_name": f"Ahmad Yani {chr(64 + serial)}",
        "birth_place": "Sijunjung",
        "birth_date": born.isoformat(),
        "sex": "L",
        "mother_name": "Siti Aminah",
        "address": "Jorong Koto",
        "village": AGENT_NAGARI,
        "occupation": "petani",
        "phone": "081234567890",
    }
    values.update(overrides)
    return values


def make_batch(proposer, *, region: str | None = None, status: str = Status.VALIDATED, **kw):
    batch = ProposalBatch.objects.create(
        title=kw.pop("title", ""),
        source=kw.pop("source", ProposalBatch.Source.UPLOAD),
        status=status,
        proposer=proposer,
        agency=proposer.agency,
        region_id=region or proposer.region_id,
        **kw,
    )
    return batch


def make_row(batch, number: int, *, status: str = ProposalRow.Status.VALID, **kw) -> ProposalRow:
    values = kw.pop("values", None) or person_values(number)
    issues = kw.pop("issues", [])
    return ProposalRow.objects.create(
        batch=batch,
        row_number=number,
        raw=kw.pop("raw", {"NIK": values.get("nik", ""), "Nama": values.get("full_name", "")}),
        values=values,
        nik=values.get("nik", ""),
        full_name=values.get("full_name", ""),
        village_id=kw.pop("village", AGENT_NAGARI),
        status=status,
        issues=issues,
        issue_codes=" " + " ".join(i["code"] for i in issues) + " " if issues else "",
        **kw,
    )


def issue(code: str, field: str, message: str, severity: str = "error") -> dict[str, str]:
    return {
        "code": code,
        "severity": severity,
        "field": field,
        "column": field,
        "value": "x",
        "message": message,
    }


def other_agent():
    village = Region.objects.filter(level="village", code__startswith="13.03.03.").exclude(
        pk=AGENT_NAGARI
    )[0]
    agency = AgencyFactory(code="nagari-lain", name="Nagari lain", region=village)
    return UserFactory(username="agent_lain", role="agent", agency=agency)


def csv_upload(lines: list[str], name: str = "usulan.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, "\n".join(lines).encode(), content_type="text/csv")


CSV_HEADER = (
    "NIK,Nama Lengkap,Tempat Lahir,Tanggal Lahir,Jenis Kelamin,Nama Ibu Kandung,Alamat,"
    "Nagari,Pekerjaan,No HP"
)


def csv_line(values: dict[str, str]) -> str:
    village = Region.objects.get(pk=values["village"]).name
    try:
        born = dt.date.fromisoformat(values["birth_date"]).strftime("%d-%m-%Y")
    except ValueError:  # a deliberately bad date goes into the file as typed
        born = values["birth_date"]
    return ",".join(
        [
            values["nik"],
            values["full_name"],
            values["birth_place"],
            born,
            values["sex"],
            values["mother_name"],
            values["address"],
            village,
            "Petani",
            values["phone"],
        ]
    )


def login(client, user):
    client.force_login(user)
    return client


# -- batch list ---------------------------------------------------------------------------


LIST = reverse("intake:batch_list")


def test_agent_sees_only_own_batches(client, personas):
    mine = make_batch(personas.agent, title="Usulan saya")
    make_batch(other_agent(), title="Usulan nagari lain")
    make_batch(personas.kecamatan_operator, title="Usulan kecamatan")
    response = login(client, personas.agent).get(LIST)
    assert response.status_code == 200
    assert [b.pk for b in response.context["page"]] == [mine.pk]
    assert "Usulan nagari lain" not in response.content.decode()


def test_kecamatan_operator_and_dinas_see_their_region(client, personas):
    make_batch(personas.agent, title="Agen")
    make_batch(personas.kecamatan_operator, title="Camat")
    make_batch(personas.dinas_operator, title="Dinas")  # whole regency
    make_batch(personas.outsider, title="Padang")
    camat = {b.title for b in login(client, personas.kecamatan_operator).get(LIST).context["page"]}
    assert camat == {"Agen", "Camat"}
    dinas = {b.title for b in login(client, personas.dinas_operator).get(LIST).context["page"]}
    assert dinas == {"Agen", "Camat", "Dinas"}
    outsider = {b.title for b in login(client, personas.outsider).get(LIST).context["page"]}
    assert outsider == {"Padang"}


def test_batch_list_shows_status_badge_counts_and_filters(client, personas):
    make_batch(
        personas.agent, title="Sedang", status=Status.VALIDATING, rows_total=10, rows_processed=4
    )
    make_batch(personas.agent, title="Siap", rows_total=7, rows_valid=5, rows_invalid=2)
    login(client, personas.dinas_operator)
    html = client.get(LIST).content.decode()
    assert "Sedang divalidasi" in html and "40 %" in html
    assert "Siap diperiksa" in html
    only = client.get(LIST, {"status": "validated"})
    assert [b.title for b in only.context["page"]] == ["Siap"]


@pytest.mark.parametrize("role", ["dprd", "executive"])
def test_aggregate_roles_get_404_on_intake(client, personas, role):
    batch = make_batch(personas.agent)
    login(client, getattr(personas, role))
    assert client.get(LIST).status_code == 404
    assert client.get(reverse("intake:batch_detail", args=[batch.pk])).status_code == 404


def test_batch_list_queries_do_not_grow_with_batches(
    client, personas, django_assert_max_num_queries
):
    for i in range(30):
        make_batch(personas.agent, title=f"B{i}")
    login(client, personas.dinas_operator)
    with django_assert_max_num_queries(8):
        response = client.get(LIST)
    assert len(response.context["page"]) == 25


# -- batch detail, rows, progress -------------------------------------------------------


def detail_url(batch) -> str:
    return reverse("intake:batch_detail", args=[batch.pk])


@pytest.fixture
def reviewed_batch(personas):
    batch = make_batch(
        personas.agent,
        title="Usulan Maret",
        rows_total=3,
        rows_processed=3,
        rows_valid=2,
        rows_invalid=1,
        rows_possible_duplicate=1,
        summary={"errors": {"nik_format": 1}, "warnings": {"possible_duplicate": 1}},
    )
    make_row(batch, 1)
    make_row(
        batch,
        2,
        status=ProposalRow.Status.INVALID,
        values=person_values(2, nik="12345"),
        issues=[issue("nik_format", "nik", 'Baris 2, kolom "NIK": "12345" NIK harus 16 angka.')],
    )
    make_row(
        batch,
        3,
        possible_duplicate=True,
        issues=[issue("possible_duplicate", "full_name", "Mungkin orang yang sama.", "warning")],
        duplicate_candidates=[
            {
                "source": "file",
                "row_number": 1,
                "nik": nik_mask(person_values(1)["nik"]),
                "name": "Ahmad Yani A",
                "birth_date": "1985-05-17",
                "village": AGENT_NAGARI,
                "score": 96,
            }
        ],
    )
    return batch


def test_batch_detail_shows_counts_codes_and_rows(client, personas, reviewed_batch):
    response = login(client, personas.dinas_operator).get(detail_url(reviewed_batch))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="count-invalid">1<' in html
    assert "Format NIK salah · 1" in html and "Kemungkinan ganda · 1" in html
    assert "?code=nik_format" in html
    assert '<option value="nik_format">Format NIK salah</option>' in html  # filter by label
    assert "NIK harus 16 angka" in html
    assert [r.row_number for r in response.context["page"]] == [1, 2, 3]
    assert 'data-testid="submit-batch"' in html  # a reviewer may submit a validated batch
    assert 'data-testid="approve-batch"' not in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "invalid"}, [2]),
        ({"code": "nik_format"}, [2]),
        ({"possible_duplicate": "1"}, [3]),
        ({"possible_duplicate": "0"}, [1, 2]),
        ({"decision": "rejected"}, []),
        ({"q": "Yani C"}, [3]),
    ],
)
def test_row_filters(client, personas, reviewed_batch, params, expected):
    response = login(client, personas.dinas_operator).get(detail_url(reviewed_batch), params)
    assert [r.row_number for r in response.context["page"]] == expected


def test_row_table_htmx_returns_only_the_table(client, personas, reviewed_batch):
    login(client, personas.dinas_operator)
    response = client.get(detail_url(reviewed_batch), {"status": "invalid"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'data-testid="row-table"' in html and "<html" not in html


def test_row_list_queries_do_not_grow_with_rows(client, personas, django_assert_max_num_queries):
    batch = make_batch(personas.agent)
    for n in range(1, 61):
        make_row(batch, n, values=person_values(n % 26 + 1))
    login(client, personas.dinas_operator)
    with django_assert_max_num_queries(12):
        response = client.get(detail_url(batch))
    assert len(response.context["page"]) == 50


def test_batch_detail_hidden_from_outsider_and_other_agent(client, personas, reviewed_batch):
    assert login(client, personas.outsider).get(detail_url(reviewed_batch)).status_code == 404
    assert login(client, other_agent()).get(detail_url(reviewed_batch)).status_code == 404
    row = reviewed_batch.rows.first()
    assert client.get(reverse("intake:row_detail", args=[row.pk])).status_code == 404


def test_progress_partial_polls_while_validating_and_stops_when_done(client, personas):
    batch = make_batch(personas.agent, status=Status.VALIDATING, rows_total=200, rows_processed=50)
    url = reverse("intake:batch_progress", args=[batch.pk])
    login(client, personas.agent)
    page = client.get(detail_url(batch)).content.decode()
    assert 'hx-trigger="every 1s"' in page and "25%" in page
    polling = client.get(url, HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in polling.content.decode()
    assert "HX-Refresh" not in polling
    ProposalBatch.objects.filter(pk=batch.pk).update(status=Status.VALIDATED, rows_processed=200)
    done = client.get(url, HTTP_HX_REQUEST="true")
    assert "hx-trigger" not in done.content.decode()
    assert "Validasi selesai" in done.content.decode()
    assert done["HX-Refresh"] == "true"
    assert "every 1s" not in client.get(detail_url(batch)).content.decode()


def test_failed_batch_shows_the_reason(client, personas):
    batch = make_batch(
        personas.agent, status=Status.FAILED, failure_message="Baris judul kolom tidak ditemukan."
    )
    html = login(client, personas.agent).get(detail_url(batch)).content.decode()
    assert "Baris judul kolom tidak ditemukan." in html


# -- upload --------------------------------------------------------------------------------


UPLOAD = reverse("intake:batch_upload")


def test_upload_region_choices_are_limited_to_scope(client, personas):
    response = login(client, personas.kecamatan_operator).get(UPLOAD)
    codes = {r.code for r in response.context["form"].fields["region"].queryset}
    assert "13.03.03" in codes and AGENT_NAGARI in codes
    assert all(c == "13.03.03" or c.startswith("13.03.03.") for c in codes)
    agent = login(client, personas.agent).get(UPLOAD).context["form"]
    assert [r.code for r in agent.fields["region"].queryset] == [AGENT_NAGARI]


def test_upload_refuses_wrong_file_type_and_writes_nothing(client, personas):
    login(client, personas.kecamatan_operator)
    response = client.post(
        UPLOAD,
        {"region": "13.03.03", "file": SimpleUploadedFile("usulan.pdf", b"%PDF-1.4 ...")},
    )
    assert response.status_code == 200
    assert (
        ".xlsx" in response.content.decode()
        and 'data-testid="upload-error"' in response.content.decode()
    )
    assert ProposalBatch.objects.count() == 0


def test_upload_refuses_region_outside_scope(client, personas):
    login(client, personas.kecamatan_operator)
    response = client.post(UPLOAD, {"region": "13.03.04", "file": csv_upload([CSV_HEADER])})
    assert response.status_code == 200
    assert response.context["form"].errors["region"]
    assert ProposalBatch.objects.count() == 0


def test_upload_is_refused_to_roles_that_cannot_propose(client, personas):
    login(client, personas.dinas_head)
    assert client.get(UPLOAD).status_code == 403
    assert client.get(reverse("intake:person_propose")).status_code == 403


def test_upload_validates_and_redirects_to_the_batch(
    client, personas, django_capture_on_commit_callbacks
):
    login(client, personas.kecamatan_operator)
    good, twin = person_values(1), person_values(1)
    bad = person_values(3, birth_date="1985-13-45")
    lines = [CSV_HEADER, csv_line(good), csv_line(twin), csv_line(bad)]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(UPLOAD, {"region": "13.03.03", "file": csv_upload(lines)})
    batch = ProposalBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(batch)
    batch.refresh_from_db()
    assert batch.status == Status.VALIDATED
    assert (batch.rows_valid, batch.rows_duplicate_in_file, batch.rows_invalid) == (1, 1, 1)
    page = client.get(detail_url(batch))
    assert 'data-testid="count-duplicate">1<' in page.content.decode()


def test_template_download_is_an_xlsx_for_a_region_in_scope(client, personas):
    login(client, personas.kecamatan_operator)
    url = reverse("intake:template_download")
    response = client.get(url, {"region": AGENT_NAGARI})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert "Usulan" in book.sheetnames
    assert client.get(url, {"region": "13.03.04"}).status_code == 404


# -- rows: decide, fix -------------------------------------------------------------------


def decide_url(row) -> str:
    return reverse("intake:row_decide", args=[row.pk])


def test_agent_sees_the_fate_of_own_row_but_cannot_review(client, personas, reviewed_batch):
    row = reviewed_batch.rows.get(row_number=2)
    login(client, personas.agent)
    page = client.get(reverse("intake:row_detail", args=[row.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "NIK harus 16 angka" in html and "Tidak valid" in html
    assert "Format NIK salah" in html and ">nik_format<" not in html  # label, not code
    assert 'data-testid="fix-form"' not in html and 'data-testid="reject-row"' not in html
    response = client.post(decide_url(row), {"decision": "rejected", "reason": "x"})
    assert response.status_code == 403
    assert client.post(reverse("intake:batch_submit", args=[reviewed_batch.pk])).status_code == 403


def test_operator_resolves_possible_duplicate_side_by_side(client, personas, reviewed_batch):
    row = reviewed_batch.rows.get(row_number=3)
    login(client, personas.dinas_operator)
    page = client.get(reverse("intake:row_detail", args=[row.pk])).content.decode()
    assert 'data-testid="duplicate-compare"' in page
    assert nik_mask(person_values(1)["nik"]) in page
    assert person_values(3)["nik"] not in page  # NIKs masked on the review page too
    assert "<td>17-05-1985</td><td>17-05-1985</td>" in page
    assert "<td>Timbulun</td><td>Timbulun</td>" in page  # the candidate's code, named
    response = client.post(decide_url(row), {"decision": "same_person"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'id="row-panel"' in response.content.decode()
    row.refresh_from_db()
    assert row.decision == ProposalRow.Decision.SAME_PERSON
    assert row.decided_by == personas.dinas_operator


def test_row_reject_needs_a_reason(client, personas, reviewed_batch):
    row = reviewed_batch.rows.get(row_number=1)
    login(client, personas.dinas_operator)
    response = client.post(decide_url(row), {"decision": "rejected", "reason": ""}, follow=True)
    assert "Alasan penolakan wajib diisi" in response.content.decode()
    row.refresh_from_db()
    assert row.decision == ProposalRow.Decision.PENDING
    client.post(decide_url(row), {"decision": "rejected", "reason": "Sudah pindah"})
    row.refresh_from_db()
    assert (row.decision, row.decision_reason) == ("rejected", "Sudah pindah")


def test_operator_fixes_an_invalid_row_in_place(client, personas, reviewed_batch):
    row = reviewed_batch.rows.get(row_number=2)
    login(client, personas.dinas_operator)
    values = person_values(2)
    response = client.post(reverse("intake:row_fix", args=[row.pk]), values, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'data-testid="row-fixed"' in response.content.decode()
    row.refresh_from_db()
    assert row.status == ProposalRow.Status.VALID
    assert row.nik == values["nik"]


def test_outsider_cannot_touch_rows(client, personas, reviewed_batch):
    row = reviewed_batch.rows.get(row_number=1)
    login(client, personas.outsider)  # a Dinas operator, of another kabupaten
    assert client.post(decide_url(row), {"decision": "accepted"}).status_code == 404
    assert client.post(reverse("intake:row_fix", args=[row.pk]), {}).status_code == 404


# -- maker-checker ---------------------------------------------------------------------------


@pytest.fixture
def proposed(personas):
    from jamsos.intake import services

    row = services.person_propose(values=person_values(1), acting_user=personas.agent)
    return row.batch


def test_submit_then_head_approves_and_registry_grows(
    client, personas, proposed, django_capture_on_commit_callbacks
):
    login(client, personas.dinas_operator)
    client.post(reverse("intake:batch_submit", args=[proposed.pk]))
    proposed.refresh_from_db()
    assert proposed.status == Status.SUBMITTED
    # the operator may not approve
    assert client.post(reverse("intake:batch_approve", args=[proposed.pk])).status_code == 403
    before = Person.objects.count()
    login(client, personas.dinas_head)
    page = client.get(detail_url(proposed)).content.decode()
    assert 'data-testid="approve-batch"' in page
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("intake:batch_approve", args=[proposed.pk]), follow=True)
    page = response.content.decode()
    assert "disetujui" in page
    # the request returned before the persons were written: the page polls the progress
    proposed.refresh_from_db()
    assert proposed.status == Status.APPLYING
    assert 'data-testid="apply-progress-text"' in page and "0 / 1" in page
    assert Person.objects.count() == before
    for callback in callbacks:  # the commit queues the task; the immediate backend runs it
        callback()
    proposed.refresh_from_db()
    assert proposed.status == Status.APPLIED
    assert Person.objects.count() == before + 1
    progress = client.get(
        reverse("intake:batch_progress", args=[proposed.pk]), HTTP_HX_REQUEST="true"
    )
    assert progress["HX-Refresh"] == "true"  # done: the page reloads with the counts


def test_head_cannot_approve_what_they_submitted(client, personas, proposed):
    login(client, personas.dinas_head)
    client.post(reverse("intake:batch_submit", args=[proposed.pk]))
    proposed.refresh_from_db()
    assert proposed.status == Status.SUBMITTED
    page = client.get(detail_url(proposed)).content.decode()
    assert 'data-testid="approve-batch"' not in page
    response = client.post(reverse("intake:batch_approve", args=[proposed.pk]), follow=True)
    assert "harus disetujui orang lain" in response.content.decode()
    proposed.refresh_from_db()
    assert proposed.status == Status.SUBMITTED


def test_head_rejects_with_a_reason(client, personas, proposed):
    login(client, personas.dinas_operator)
    client.post(reverse("intake:batch_submit", args=[proposed.pk]))
    login(client, personas.dinas_head)
    url = reverse("intake:batch_reject", args=[proposed.pk])
    client.post(url, {"reason": ""})
    proposed.refresh_from_db()
    assert proposed.status == Status.SUBMITTED
    client.post(url, {"reason": "Data ganda dengan usulan Maret"})
    proposed.refresh_from_db()
    assert proposed.status == Status.REJECTED
    agent_view = login(client, personas.agent).get(detail_url(proposed)).content.decode()
    assert "Data ganda dengan usulan Maret" in agent_view


def test_submit_refused_while_duplicates_undecided(client, personas, reviewed_batch):
    login(client, personas.dinas_operator)
    response = client.post(reverse("intake:batch_submit", args=[reviewed_batch.pk]), follow=True)
    assert "belum diputuskan" in response.content.decode()
    reviewed_batch.refresh_from_db()
    assert reviewed_batch.status == Status.VALIDATED


def test_rejection_report_download(client, personas, reviewed_batch):
    login(client, personas.agent)
    response = client.get(reverse("intake:rejection_report", args=[reviewed_batch.pk]))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    issues = book["Masalah"]
    assert [c.value for c in issues[2]][:4] == [2, "nik", "x", "nik_format"]
    assert (
        login(client, personas.outsider)
        .get(reverse("intake:rejection_report", args=[reviewed_batch.pk]))
        .status_code
        == 404
    )


def test_reading_a_proposal_row_logs_its_person(client, personas, reviewed_batch):
    """A row shows what the file said about one person: the read is logged (issue 10),
    by the NIK's digest (the row may name no registered person yet)."""
    from jamsos.audit.models import PersonalDataAccess
    from jamsos.audit.pseudonyms import nik_digest

    row = reviewed_batch.rows.get(row_number=3)
    login(client, personas.dinas_operator)
    url = reverse("intake:row_detail", args=[row.pk])
    assert client.get(url).status_code == 200
    (access,) = PersonalDataAccess.objects.filter(path=url)
    assert access.viewer == personas.dinas_operator
    assert list(access.items.values_list("person_id", "nik_digest")) == [
        (row.person_id or 0, nik_digest(row.nik))
    ]
    api = client.get(f"/api/intake/batches/{reviewed_batch.pk}/rows")
    assert api.status_code == 200
    (listed,) = PersonalDataAccess.objects.filter(purpose__startswith="api:intake.batch_rows")
    assert listed.person_count == len(api.json()["items"]) > 1
