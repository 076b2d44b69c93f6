"""No death goes unclaimed: a follow-up opens on an agent's report or a Dukcapil list,
closes when a claim is filed or a reason is recorded, and reopens if the claim fails."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
import xlsxwriter
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from jamsos.audit.models import AuditEvent
from jamsos.claims import services as claim_services
from jamsos.enrollment.models import Membership
from jamsos.lib.errors import DomainError, InvalidTransition, NotFoundOrForbidden
from jamsos.messaging.models import Message
from jamsos.outreach import access, selectors, services
from jamsos.outreach.models import DeathImport, FollowUp
from jamsos.registry.models import Person
from jamsos.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db

OTHER_NAGARI = "13.03.04.2001"


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


def test_agent_report_opens_a_followup_and_tells_the_agent(membership, personas):
    person = membership.person
    followup = services.death_report(
        person=person, died_on=days_ago(3), acting_user=personas.agent, note="kata wali nagari"
    )
    assert followup.status == FollowUp.Status.OPEN
    assert followup.village_id == person.village_id
    # A report is not proof: the registry and the cover are unchanged.
    person.refresh_from_db()
    membership.refresh_from_db()
    assert not person.is_deceased
    assert membership.status == Membership.Status.ACTIVE
    message = Message.objects.get(event="outreach.followup.opened")
    assert message.recipient_user_id == personas.agent.pk
    assert person.full_name in message.body
    # A second report finds the same follow-up.
    again = services.death_report(person=person, died_on=days_ago(3), acting_user=personas.agent)
    assert again.pk == followup.pk
    assert FollowUp.objects.count() == 1


def test_report_refuses_non_members_future_dates_and_other_nagari(make_membership, personas):
    stranger = PersonFactory()
    with pytest.raises(DomainError, match="bukan peserta"):
        services.death_report(person=stranger, died_on=days_ago(1), acting_user=personas.agent)
    member = make_membership().person
    with pytest.raises(DomainError, match="masa depan"):
        services.death_report(
            person=member,
            died_on=timezone.localdate() + dt.timedelta(days=1),
            acting_user=personas.agent,
        )
    elsewhere = make_membership(village=OTHER_NAGARI).person
    with pytest.raises(NotFoundOrForbidden):
        services.death_report(person=elsewhere, died_on=days_ago(1), acting_user=personas.agent)
    assert not FollowUp.objects.exists()


def test_a_filed_claim_closes_it_and_a_rejected_claim_reopens_it(membership, personas):
    followup = services.death_report(
        person=membership.person, died_on=days_ago(5), acting_user=personas.agent
    )
    claim = claim_services.claim_report(
        membership=membership, claim_type="jkm", event_date=days_ago(5), acting_user=personas.agent
    )
    followup.refresh_from_db()
    assert (followup.status, followup.claim_id) == (FollowUp.Status.CLAIMED, claim.pk)
    assert AuditEvent.objects.filter(action="outreach.followup.closed").count() == 1

    claim_services.claim_withdraw(
        claim=claim, reason="salah orang", acting_user=personas.dinas_operator
    )
    followup.refresh_from_db()
    assert followup.status == FollowUp.Status.OPEN


def test_claim_first_records_a_claimed_followup(membership, personas):
    claim = claim_services.claim_report(
        membership=membership, claim_type="jkm", event_date=days_ago(2), acting_user=personas.agent
    )
    followup = FollowUp.objects.get(person=membership.person)
    assert (followup.status, followup.source, followup.claim_id) == ("claimed", "claim", claim.pk)
    assert not Message.objects.filter(event="outreach.followup.opened").exists()


def test_close_with_a_reason(membership, personas):
    followup = services.death_report(
        person=membership.person, died_on=days_ago(5), acting_user=personas.agent
    )
    with pytest.raises(DomainError, match="keterangan"):
        services.followup_close(followup=followup, reason="other", acting_user=personas.agent)
    services.followup_close(
        followup=followup, reason="no_heir", note="hidup sendiri", acting_user=personas.agent
    )
    followup.refresh_from_db()
    assert (followup.status, followup.reason) == ("closed", "no_heir")
    with pytest.raises(InvalidTransition):
        services.followup_close(followup=followup, reason="no_heir", acting_user=personas.agent)
    with pytest.raises(NotFoundOrForbidden):
        services.followup_close(followup=followup, reason="no_heir", acting_user=personas.outsider)


# --- Dukcapil list --------------------------------------------------------------------------


def csv_bytes(rows: list[tuple[str, str, str]]) -> bytes:
    lines = ["NIK;NAMA;TANGGAL_MENINGGAL", *(";".join(r) for r in rows)]
    return ("\n".join(lines) + "\n").encode()


def test_import_ends_cover_and_opens_followups(make_membership, personas):
    member = make_membership().person
    other_member = make_membership(village=OTHER_NAGARI).person
    non_member = PersonFactory()
    died = days_ago(20)
    data = csv_bytes(
        [
            (member.nik, member.full_name, died.strftime("%d-%m-%Y")),
            (other_member.nik, other_member.full_name, died.isoformat()),
            (non_member.nik, non_member.full_name, died.isoformat()),
            ("1303030101800099", "Orang Lain", died.isoformat()),
        ]
    )
    summary = services.deaths_import(
        data=data, file_name="kematian-2026-11.csv", acting_user=personas.dinas_operator
    )
    assert summary.as_dict() == {
        "rows": 4,
        "members_found": 2,
        "followups_opened": 2,
        "not_members": 2,
        "already_known": 0,
        "duplicate_file": False,
    }
    member.refresh_from_db()
    assert (member.is_deceased, member.deceased_on) == (True, died)
    assert Membership.objects.get(person=member).status == Membership.Status.DECEASED
    assert not Person.objects.get(pk=non_member.pk).is_deceased
    assert FollowUp.objects.filter(source="dukcapil").count() == 2
    assert AuditEvent.objects.filter(action="outreach.deaths.imported").count() == 1

    again = services.deaths_import(
        data=data, file_name="kematian-2026-11.csv", acting_user=personas.dinas_operator
    )
    assert again.duplicate_file
    assert FollowUp.objects.count() == 2


def test_import_errors_name_row_column_value_and_write_nothing(make_membership, personas):
    member = make_membership().person
    second = make_membership().person
    data = csv_bytes(
        [
            (member.nik, member.full_name, "31-02-2026"),
            ("12345", "Pendek", "01-01-2026"),
            (
                second.nik,
                second.full_name,
                (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
            ),
            (second.nik, second.full_name, "01-01-2020"),
            (second.nik, second.full_name, "02-01-2020"),
        ]
    )
    with pytest.raises(services.DeathListInvalid) as caught:
        services.deaths_import(
            data=data, file_name="salah.csv", acting_user=personas.dinas_operator
        )
    messages = [str(e) for e in caught.value.errors]
    assert (
        messages[0]
        == 'Baris 2, kolom "TANGGAL_MENINGGAL": "31-02-2026" bukan tanggal (mis. 31-01-2026).'
    )
    assert messages[1] == 'Baris 3, kolom "NIK": "12345" bukan NIK (16 angka).'
    assert "Baris 4" in messages[2] and "di masa depan" in messages[2]
    assert "Baris 6" in messages[3] and "berbeda dengan baris 5" in messages[3]
    assert len(messages) == 4
    member.refresh_from_db()
    assert not member.is_deceased
    assert not FollowUp.objects.exists()
    assert not DeathImport.objects.exists()


def test_import_xlsx_and_missing_columns(make_membership, personas):
    member = make_membership().person
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["Daftar kematian Nagari, November 2026"])
    sheet.write_row(2, 0, ["No", "NIK", "Nama", "Tgl Kematian"])
    sheet.write_row(3, 0, ["1", member.nik, member.full_name, days_ago(9).strftime("%d/%m/%Y")])
    book.close()
    summary = services.deaths_import(
        data=buffer.getvalue(), file_name="dukcapil.xlsx", acting_user=personas.dinas_operator
    )
    assert (summary.members_found, summary.followups_opened) == (1, 1)

    with pytest.raises(DomainError) as caught:
        services.deaths_import(
            data=b"NIK;NAMA\n1303030101800099;X\n", file_name="x.csv", acting_user=None
        )
    assert not isinstance(caught.value, services.DeathListInvalid)


def test_import_needs_permission(personas):
    from jamsos.lib.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.deaths_import(data=b"x", file_name="x.csv", acting_user=personas.agent)


def test_import_refuses_a_file_over_the_upload_cap_before_reading_it(
    make_membership, personas, settings, tmp_path, client
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jamsos.lib.tabular import FileTooLarge, size_text

    settings.INTAKE_UPLOAD_MAX_BYTES = 1024
    member = make_membership().person
    # A valid list (the same death repeated), only too big.
    data = csv_bytes([(member.nik, member.full_name, days_ago(3).isoformat())] * 40)
    assert len(data) > 1024
    expected = (
        f'Berkas "kematian.csv" berukuran {size_text(len(data))}; batas unggah 1 KB. '
        "Bagi daftar menjadi beberapa berkas."
    )
    upload = SimpleUploadedFile("kematian.csv", data)
    with pytest.raises(FileTooLarge) as caught:
        services.deaths_import(
            data=upload, file_name=upload.name, acting_user=personas.dinas_operator
        )
    assert caught.value.message == expected
    assert upload.tell() == 0  # refused on its declared size: not a byte was read

    path = tmp_path / "kematian.csv"
    path.write_bytes(data)
    with pytest.raises(CommandError) as command_error:
        call_command("import_deaths", str(path))
    assert expected in str(command_error.value)

    client.force_login(personas.dinas_operator)
    page = client.post(
        "/sosialisasi/tindak-lanjut/impor-kematian/",
        {"file": SimpleUploadedFile("kematian.csv", data)},
    ).content.decode()
    assert "batas unggah 1 KB" in page

    member.refresh_from_db()
    assert not member.is_deceased
    assert not FollowUp.objects.exists()
    assert not DeathImport.objects.exists()
    assert not AuditEvent.objects.filter(action="outreach.deaths.imported").exists()


def test_cli_import_deaths(make_membership, tmp_path, capsys):
    member = make_membership().person
    good = tmp_path / "mati.csv"
    good.write_bytes(csv_bytes([(member.nik, member.full_name, days_ago(4).isoformat())]))
    call_command("import_deaths", str(good), "--json")
    out = json.loads(capsys.readouterr().out)
    assert (out["members_found"], out["followups_opened"]) == (1, 1)

    bad = tmp_path / "salah.csv"
    bad.write_bytes(csv_bytes([("123", "X", "kemarin")]))
    with pytest.raises(CommandError) as caught:
        call_command("import_deaths", str(bad), "--json")
    assert caught.value.returncode == 1
    errors = json.loads(capsys.readouterr().out)["errors"]
    assert errors[0]["row"] == 2 and errors[0]["column"] == "NIK"


# --- Scope -------------------------------------------------------------------------------------


def test_agent_sees_only_its_nagari_and_never_claim_amounts(make_membership, personas, client):
    mine = make_membership()
    theirs = make_membership(village=OTHER_NAGARI)
    services.death_report(person=mine.person, died_on=days_ago(3), acting_user=personas.agent)
    other = services.death_report(
        person=theirs.person, died_on=days_ago(3), acting_user=personas.dinas_operator
    )
    claim = claim_services.claim_report(
        membership=mine, claim_type="jkm", event_date=days_ago(3), acting_user=personas.agent
    )
    claim.estimated_amount = 42_000_000
    claim.save()

    assert [f.person_id for f in selectors.followup_list(viewer=personas.agent)] == [mine.person_id]
    with pytest.raises(NotFoundOrForbidden):
        access.access_followup(personas.agent, other.pk)
    assert selectors.followup_list(viewer=personas.dinas_operator).count() == 2
    assert selectors.followup_list(viewer=personas.outsider).count() == 0
    with pytest.raises(NotFoundOrForbidden):
        access.access_followup(personas.dprd, other.pk)

    client.force_login(personas.agent)
    page = client.get("/sosialisasi/tindak-lanjut/?status=semua").content.decode()
    assert mine.person.full_name in page
    assert theirs.person.full_name not in page
    assert claim.reference in page
    assert "42.000.000" not in page and "42000000" not in page
    api = client.get("/api/outreach/followups").json()
    assert [i["person_name"] for i in api["items"]] == [mine.person.full_name]
    assert "amount" not in json.dumps(api)
    assert (
        client.post(
            f"/sosialisasi/tindak-lanjut/{other.pk}/tutup/", {"reason": "no_heir"}
        ).status_code
        == 404
    )


def test_pages_report_and_import(make_membership, personas, client):
    member = make_membership().person
    client.force_login(personas.agent)
    response = client.post(
        "/sosialisasi/tindak-lanjut/lapor-kematian/",
        {"nik": member.nik, "died_on": days_ago(2).isoformat()},
    )
    assert response.status_code == 302
    assert FollowUp.objects.filter(person=member).exists()
    assert client.get("/sosialisasi/tindak-lanjut/impor-kematian/").status_code == 403

    client.force_login(personas.dinas_operator)
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("mati.csv", csv_bytes([("99", "X", "01-01-2026")]))
    page = client.post("/sosialisasi/tindak-lanjut/impor-kematian/", {"file": bad}).content.decode()
    assert "bukan NIK (16 angka)" in page
