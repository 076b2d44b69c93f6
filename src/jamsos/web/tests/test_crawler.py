"""The persona crawl's own checks: it finds what it is meant to find (so a passing crawl
means something)."""

from __future__ import annotations

from django.http import HttpResponse, HttpResponseRedirect

from jamsos.web.tests.test_persona_crawl import crawl, offered


class FakeSite:
    def __init__(self, pages: dict[str, HttpResponse]) -> None:
        self.pages = pages
        self.asked: list[str] = []
        self.posted: list[str] = []

    def get(self, url: str) -> HttpResponse:
        self.asked.append(url)
        return self.pages.get(url) or HttpResponse(status=404)

    def post(self, url: str, data: dict) -> HttpResponse:
        self.posted.append(url)
        return self.pages.get("POST " + url) or HttpResponse(status=404)


def html(body: str) -> HttpResponse:
    return HttpResponse(f"<html><body>{body}</body></html>", content_type="text/html")


def test_offered_links_forms_and_hx_get():
    page = html(
        '<a href="/a/">a</a><a href="#top">top</a><div hx-get="/frag/"></div>'
        '<form method="get" action="/search/"><input name="q" value="x">'
        '<select name="s"><option value="1">1</option><option value="2" selected>2</option>'
        '</select><input type="checkbox" name="c" value="y"><button>Cari</button></form>'
        '<form method="post" action="/write/"><input name="z"></form>'
        '<form method="post" action="/prepare/"><input type="hidden" name="semua" value="1">'
        '<button data-testid="file-prepare">Siapkan</button></form>'
    ).content.decode()
    links, prepares = offered("/", page)
    assert links == ["/a/", "#top", "/frag/", "/search/?q=x&s=2"]
    # only a form that prepares a file is posted, never another post form
    assert [(f.action, f.values()) for f in prepares] == [("/prepare/", [("semua", "1")])]


def test_crawl_prepares_a_file_and_checks_the_file_it_leads_to():
    site = FakeSite(
        {
            "/": html(
                '<form method="post" action="/siapkan/"><button data-testid="x-prepare">'
                "Siapkan</button></form>"
                '<form method="post" action="/hapus/"><button>Hapus</button></form>'
            ),
            "POST /siapkan/": HttpResponseRedirect("/berkas/1/"),
            "/berkas/1/": html('<a href="/berkas/1/file.csv">unduh</a>'),
            "/berkas/1/file.csv": HttpResponse(
                "Nama\r\n+Andi\r\n", content_type="text/csv; charset=utf-8"
            ),
        }
    )
    failures, _visited = crawl(site, "/")
    assert site.posted == ["/siapkan/"]
    assert "/berkas/1/file.csv" in site.asked
    assert failures == ["/berkas/1/file.csv: row 2 column 1: '+Andi'"]


def test_crawl_reports_refusals_errors_logins_and_formulas():
    site = FakeSite(
        {
            "/": html(
                '<a href="/ok/">ok</a><a href="/forbidden/">x</a><a href="/broken/">x</a>'
                '<a href="/login-please/">x</a><a href="/export.csv">csv</a>'
                '<a href="/keluar/">logout</a><a href="https://example.org/">out</a>'
            ),
            "/ok/": html('<a href="/">home</a>'),
            "/forbidden/": HttpResponse(status=403),
            "/broken/": HttpResponse(status=500),
            "/login-please/": HttpResponseRedirect("/masuk/?next=/login-please/"),
            "/export.csv": HttpResponse(
                '\ufeffNama;Jumlah\r\n=HYPERLINK("x");-5\r\n\'@SUM(A1);3\r\n',
                content_type="text/csv; charset=utf-8",
            ),
        }
    )
    failures, visited = crawl(site, "/")
    text = "\n".join(failures)
    assert "/ offers /forbidden/, which answers 403" in text
    assert "/broken/ (offered by /) answered 500" in text
    assert "/ offers /login-please/, which sends the viewer to log in" in text
    assert "row 2 column 1: '=HYPERLINK(\"x\")'" in text
    assert len(failures) == 4  # "-5" is a number, "'@SUM(A1)" is already text
    assert "/keluar/" not in site.asked and visited == len(site.asked)
