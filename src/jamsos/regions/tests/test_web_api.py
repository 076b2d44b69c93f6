"""The Cek NIK page and the regions API, end to end, with permission and anonymous cases."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGE = "/wilayah/cek-nik/"
VALID_WOMAN = "1303034503900001"
JSON_KEYS = [
    "nik",
    "valid",
    "errors",
    "warnings",
    "province",
    "regency",
    "district",
    "birth_date",
    "sex",
]


def test_url_name():
    assert reverse("regions:nik_check") == PAGE


class TestNikCheckPage:
    def test_anonymous_is_sent_to_login(self, client):
        response = client.get(PAGE)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("web:login"))
        assert client.post(PAGE, {"nik": VALID_WOMAN}).status_code == 302

    @pytest.mark.parametrize("role", ["dprd", "executive", "bpjs_officer", "admin"])
    def test_roles_that_do_not_propose_are_refused(self, client, personas, role):
        client.force_login(getattr(personas, role))
        assert client.get(PAGE).status_code == 403
        assert client.post(PAGE, {"nik": VALID_WOMAN}).status_code == 403

    @pytest.mark.parametrize("role", ["agent", "kecamatan_operator", "dinas_operator"])
    def test_proposers_see_the_form_and_the_menu_item(self, client, personas, role):
        client.force_login(getattr(personas, role))
        page = client.get(PAGE).content.decode()
        assert 'name="nik"' in page and 'hx-trigger="keyup changed delay:300ms' in page
        assert 'inputmode="numeric"' in page
        assert f'href="{PAGE}"' in page  # the navigation links here

    def test_htmx_answers_with_the_result_only(self, client, personas):
        client.force_login(personas.agent)
        response = client.post(
            PAGE,
            {"nik": "1303 0345 0390 0001", "birth_date": "", "sex": ""},
            HTTP_HX_REQUEST="true",
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert "<html" not in html
        assert "SAH" in html and "TIDAK SAH" not in html
        assert "Tanjung Gadang" in html and "Kabupaten Sijunjung" in html
        assert "5 Maret 1990" in html and "Perempuan" in html
        assert "1303 0345 0390 0001" in html

    def test_errors_and_warnings_in_indonesian(self, client, personas):
        client.force_login(personas.agent)
        html = client.post(
            PAGE,
            {"nik": "1303994503900001", "birth_date": "1991-03-05", "sex": "L"},
            HTTP_HX_REQUEST="true",
        ).content.decode()
        assert "TIDAK SAH" in html
        assert 'data-code="nik_birthdate_mismatch"' in html
        assert "Tanggal lahir pada NIK (05-03-1990) berbeda" in html
        assert 'data-code="nik_sex_mismatch"' in html
        assert 'data-code="nik_district_unknown"' in html
        assert "13.03.99" in html
        # the codes stay in data-code for scripts and tests; people read only the text
        assert ">nik_birthdate_mismatch<" not in html and ">nik_sex_mismatch<" not in html

    def test_without_htmx_the_whole_page_carries_the_result(self, client, personas):
        client.force_login(personas.dinas_operator)
        html = client.post(PAGE, {"nik": "123"}).content.decode()
        assert "<html" in html and 'data-code="nik_format"' in html
        assert 'value="123"' in html  # the form keeps what was typed

    def test_empty_and_malformed_input(self, client, personas):
        client.force_login(personas.agent)
        empty = client.post(PAGE, {"nik": "  "}, HTTP_HX_REQUEST="true").content.decode()
        assert 'data-testid="nik-empty"' in empty
        bad = client.post(
            PAGE, {"nik": VALID_WOMAN, "birth_date": "kemarin"}, HTTP_HX_REQUEST="true"
        ).content.decode()
        assert "Tanggal lahir harus berbentuk" in bad


class TestNikApi:
    url = "/api/regions/nik/"

    def test_same_json_as_the_cli(self, client, personas):
        client.force_login(personas.agent)
        response = client.get(self.url + "1303-0345-0390-0001")
        assert response.status_code == 200
        data = response.json()
        assert list(data) == JSON_KEYS
        assert data["nik"] == VALID_WOMAN and data["birth_date"] == "1990-03-05"
        assert data["sex"] == "P" and data["district"] == "Tanjung Gadang"

    def test_declared_values(self, client, personas):
        client.force_login(personas.kecamatan_operator)
        data = client.get(
            self.url + "1303030101200001", {"birth_date": "1920-01-01", "sex": "P"}
        ).json()
        assert data["birth_date"] == "1920-01-01"
        assert data["valid"] is False and data["errors"] == ["nik_sex_mismatch"]

    def test_invalid_nik_is_still_200(self, client, personas):
        client.force_login(personas.agent)
        response = client.get(self.url + "abc")
        assert response.status_code == 200
        assert response.json()["errors"] == ["nik_format"]

    def test_bad_query_parameters_are_422(self, client, personas):
        client.force_login(personas.agent)
        assert client.get(self.url + VALID_WOMAN, {"sex": "X"}).status_code == 422
        assert client.get(self.url + VALID_WOMAN, {"birth_date": "kemarin"}).status_code == 422

    def test_permission_and_anonymous(self, client, personas):
        assert client.get(self.url + VALID_WOMAN).status_code == 401
        client.force_login(personas.dprd)
        response = client.get(self.url + VALID_WOMAN)
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"


class TestRegionApi:
    def test_by_code_plain_or_dotted(self, client, personas):
        client.force_login(personas.dprd)  # reference data: any signed-in user
        data = client.get("/api/regions/1303062004").json()
        assert data == {
            "code": "13.03.06.2004",
            "name": "Aie Amo",
            "level": "village",
            "kind": "nagari",
            "parent": "13.03.06",
            "path": ["Sumatera Barat", "Kabupaten Sijunjung", "Kamang Baru", "Aie Amo"],
            "current": True,
            "first_seen": None,
            "last_seen": None,
        }
        assert client.get("/api/regions/13.03").json()["name"] == "Kabupaten Sijunjung"

    def test_historical_code(self, client, personas):
        client.force_login(personas.agent)
        data = client.get("/api/regions/91.01.01").json()
        assert data["current"] is False and data["last_seen"] == 2022
        assert data["path"] == ["Papua", "Kabupaten Merauke", "Merauke"]

    def test_unknown_code_is_404(self, client, personas):
        client.force_login(personas.agent)
        response = client.get("/api/regions/99.99.99")
        assert response.status_code == 404 and response.json()["code"] == "not_found"

    def test_search(self, client, personas):
        client.force_login(personas.agent)
        data = client.get("/api/regions/search", {"q": "Nagari Air Amo", "parent": "1303"}).json()
        assert data["found"] is True and data["match"]["code"] == "13.03.06.2004"
        assert data["score"] == 98 and data["parent"] == "13.03"
        tie = client.get("/api/regions/search", {"q": "Solok", "level": "regency"}).json()
        assert tie["ambiguous"] is True and len(tie["candidates"]) == 2
        none = client.get("/api/regions/search", {"q": "Xyzzy Qwerty"}).json()
        assert none["found"] is False and none["candidates"] == []

    def test_search_queries_do_not_grow_with_candidates(
        self, client, personas, django_assert_max_num_queries
    ):
        client.force_login(personas.agent)
        # "Tanjung" names hundreds of villages: 20 candidates, each with its path.
        with django_assert_max_num_queries(6):
            data = client.get("/api/regions/search", {"q": "Tanjung"}).json()
        assert data["ambiguous"] is True and len(data["candidates"]) == 20
        assert all(len(c["path"]) == 4 for c in data["candidates"])

    def test_search_errors(self, client, personas):
        client.force_login(personas.agent)
        response = client.get("/api/regions/search", {"q": "Aie Amo", "parent": "99.99"})
        assert response.status_code == 400
        assert response.json()["code"] == "region_parent_unknown"
        assert client.get("/api/regions/search", {"q": "x", "level": "nagari"}).status_code == 422
        assert client.get("/api/regions/search").status_code == 422

    def test_anonymous(self, client):
        assert client.get("/api/regions/13.03").status_code == 401
        assert client.get("/api/regions/search", {"q": "Aie Amo"}).status_code == 401


def test_the_answer_reads_in_english_and_the_api_keeps_indonesian(client, personas):
    """The page follows the reader's language; the API and the CLI keep one language."""
    client.force_login(personas.agent)
    client.cookies["django_language"] = "en"
    html = client.post(
        PAGE,
        {"nik": VALID_WOMAN, "birth_date": "01-01-1990", "sex": "L"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "differs from" in html and "berbeda dengan" not in html
    assert "(female)" in html and "(male)" in html
    assert "Female" in html  # the sex shown under the verdict
    from jamsos.lib.nik import MESSAGES, NIK_SEX_MISMATCH

    assert MESSAGES[NIK_SEX_MISMATCH].startswith("Jenis kelamin pada NIK")
