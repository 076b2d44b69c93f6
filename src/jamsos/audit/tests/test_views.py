from __future__ import annotations

import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jamsos.audit.services import audit_record

pytestmark = pytest.mark.django_db

URL = reverse("audit:event_list")


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("web:login") in response["Location"]


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("admin", 200),
        ("dinas_head", 200),
        ("dinas_operator", 403),
        ("bpjs_officer", 403),
        ("kecamatan_operator", 403),
        ("agent", 403),
        ("executive", 403),
        ("dprd", 403),
        ("outsider", 403),
    ],
)
def test_page_permission_per_persona(client, personas, name, status):
    client.force_login(getattr(personas, name))
    assert client.get(URL).status_code == status


def test_rows_show_labels_and_expandable_before_after(client, personas):
    audit_record(
        action="accounts.user.updated",
        acting_user=personas.admin,
        obj=personas.agent,
        before={"full_name": "Lama Sekali"},
        after={"full_name": "Baru Sekali"},
    )
    client.force_login(personas.dinas_head)
    body = html.unescape(client.get(URL, {"action": "accounts.user.updated"}).content.decode())
    assert "Pengguna diubah" in body
    assert 'id="ev-' in body and 'data-testid="audit-detail"' in body
    assert '"full_name": "Lama Sekali"' in body
    assert '"full_name": "Baru Sekali"' in body


def test_outsider_rows_are_not_listed(client, personas, padang_auditors, trail):
    client.force_login(padang_auditors[1])
    body = client.get(URL).content.decode()
    assert str(personas.outsider) in body
    assert str(personas.agent) not in body


def test_invalid_filters_show_an_error_and_no_rows(client, personas, trail):
    client.force_login(personas.admin)
    response = client.get(URL, {"date_from": "2026-03-05", "date_to": "2026-03-01"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "lebih awal dari tanggal mulai" in body
    assert "Tidak ada peristiwa yang cocok" in body
    response = client.get(URL, {"action": "tidak.ada"})
    assert "Aksi" in response.content.decode()
    assert response.context["page"].paginator.count == 0


def test_pagination_keeps_filters(client, personas):
    for _ in range(55):
        audit_record(action="accounts.user.updated", acting_user=None, obj=personas.agent)
    client.force_login(personas.admin)
    response = client.get(URL, {"action": "accounts.user.updated"})
    page = response.context["page"]
    assert (page.paginator.count, len(page.object_list)) == (55, 50)
    assert "action=accounts.user.updated&amp;page=2" in response.content.decode()
    second = client.get(URL, {"action": "accounts.user.updated", "page": 2})
    assert len(second.context["page"].object_list) == 5


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL).status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_rows(client, personas, django_assert_max_num_queries):
    client.force_login(personas.admin)
    audit_record(action="accounts.user.updated", acting_user=personas.admin, obj=personas.agent)
    few = _queries(client)
    for user in personas.all().values():
        audit_record(action="accounts.user.updated", acting_user=user, obj=user)
    assert _queries(client) == few
    # The page shell costs 4 (session, user, the user's agency and region); the page
    # itself 3 or 4 (count, rows, filter choices).
    with django_assert_max_num_queries(8):
        client.get(URL)
