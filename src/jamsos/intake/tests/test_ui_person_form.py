"""The one-person form of agents and Camat operators, checked as typed (htmx)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jamsos.intake.models import ProposalBatch, ProposalRow
from jamsos.intake.tests.test_ui_batches import login, person_values
from jamsos.testing.personas import AGENT_NAGARI

pytestmark = pytest.mark.django_db

FORM = reverse("intake:person_propose")
CHECK = reverse("intake:person_check")


def field_block(html: str, field: str) -> str:
    """The out-of-band issues block of one field in a check response."""
    start = html.index(f'<div id="issues-{field}"')
    end = html.find('<div id="issues-', start + 1)
    return html[start : end if end != -1 else None]


def test_form_offers_only_the_agents_nagari_and_the_occupations(client, personas):
    response = login(client, personas.agent).get(FORM)
    assert response.status_code == 200
    form = response.context["form"]
    assert [code for code, _label in form.fields["village"].choices] == [AGENT_NAGARI]
    occupations = dict(form.fields["occupation"].choices)
    assert occupations["petani"] == "Petani" and "nelayan" in occupations
    html = response.content.decode()
    assert 'type="date"' in html
    assert f'hx-post="{CHECK}"' in html


def test_check_shows_each_issue_under_its_field(client, personas):
    login(client, personas.agent)
    values = person_values(1, nik="1303", birth_date="1985-05-17")
    response = client.post(CHECK, values, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    nik_block = field_block(html, "nik")
    assert "16 angka" in nik_block
    name_block = field_block(html, "full_name")
    assert "text-danger" not in name_block
    assert 'hx-swap-oob="true"' in html
    assert ProposalRow.objects.count() == 0  # checking writes nothing


def test_check_is_quiet_about_fields_not_yet_filled(client, personas):
    login(client, personas.agent)
    response = client.post(CHECK, {"nik": "1303035705850001"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    name_block = field_block(html, "full_name")
    assert "wajib" not in name_block


def test_check_reports_a_valid_person(client, personas):
    login(client, personas.agent)
    response = client.post(CHECK, person_values(1), HTTP_HX_REQUEST="true")
    assert "Data lengkap dan sah" in response.content.decode()


def test_submit_valid_person_shows_confirmation_with_status(client, personas):
    login(client, personas.agent)
    response = client.post(FORM, person_values(1), follow=True)
    assert response.status_code == 200
    row = ProposalRow.objects.get()
    assert row.batch.source == ProposalBatch.Source.FORM
    assert row.batch.proposer == personas.agent
    html = response.content.decode()
    assert 'data-testid="propose-confirmation"' in html
    assert 'data-testid="confirmation-status">Valid<' in html


def test_submit_invalid_person_keeps_the_form_with_issues(client, personas):
    login(client, personas.agent)
    response = client.post(FORM, person_values(1, birth_date="1990-01-01"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "berbeda" in html  # NIK birth date does not match the declared one
    assert ProposalRow.objects.count() == 0


def test_kecamatan_operator_may_propose_one_person(client, personas):
    login(client, personas.kecamatan_operator)
    client.post(FORM, person_values(2))
    row = ProposalRow.objects.get()
    assert row.batch.region_id == "13.03.03"
    assert row.village_id == AGENT_NAGARI
