"""Every persona follows every link it is offered, and none of them fails.

Loads a small demo (the same data ``make run`` shows), logs in as each demo user and walks
the site breadth-first from the home page, following what a page offers without changing
state: ``<a href>``, GET forms (submitted with their default values), ``hx-get``. It never
follows the logout link and posts only one kind of form: one asking for a file to be
prepared in the background (its button's ``data-testid`` ends in ``-prepare``), which
changes none of the programme's data. With the in-request limits set to nothing, that
is how the walk reaches generated files (``worker.GeneratedFile``; the task runs at once
in tests) and checks their cells too. Each URL pattern is visited a bounded number of
times so the walk stays small whatever the data.

It fails on:
- any answer 5xx;
- any 403/404/405 (or a redirect to the login page) on a link a page offered: a page never
  offers what its viewer may not open;
- any CSV cell that a spreadsheet would run as a formula, and any XLSX formula cell.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from jamsos.accounts.models import User
from jamsos.demo.catalogue import DEMO_USERS
from jamsos.demo.services import demo_load
from jamsos.lib.csvio import cell_would_run

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PER_PATTERN = 3  # distinct URLs visited per URL pattern (route), per persona
MAX_PAGES = 400  # per persona: a safety net, never reached by the demo
FORBIDDEN = {403, 404, 405}
SKIP_PREFIXES = ("/static/", "/media/")  # files, not pages


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    selects: dict[str, str | None] = field(default_factory=dict)
    prepares_file: bool = False

    def values(self) -> list[tuple[str, str]]:
        return self.fields + [(k, v) for k, v in self.selects.items() if v is not None]


class Offers(HTMLParser):
    """The same-page links a page offers: a href, hx-get, and GET forms with defaults."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if "hx-get" in a:
            self.links.append(a["hx-get"])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = Form(action=a.get("action", ""), method=a.get("method", "get").lower())
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "select", "textarea", "button"):
            self._field(tag, a)
        elif tag == "option" and self._form is not None and self._select is not None:
            self._option(a)

    def _option(self, a: dict[str, str]) -> None:
        # The first option, or the one marked selected, is what the browser submits.
        assert self._form is not None and self._select is not None
        if self._form.selects.get(self._select) is None or "selected" in a:
            self._form.selects[self._select] = a.get("value", "")

    def _field(self, tag: str, a: dict[str, str]) -> None:
        assert self._form is not None
        name = a.get("name")
        if tag == "button" and a.get("data-testid", "").endswith("-prepare"):
            self._form.prepares_file = True
        if not name or "disabled" in a:
            return
        kind = a.get("type", "text").lower()
        if tag == "select":
            self._select = name
            self._form.selects.setdefault(name, None)
        elif tag == "input" and kind in ("checkbox", "radio"):
            if "checked" in a:
                self._form.fields.append((name, a.get("value", "on")))
        elif tag == "input" and kind not in ("submit", "button", "image", "file", "reset"):
            self._form.fields.append((name, a.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def offered(page: str, html: str) -> tuple[list[str], list[Form]]:
    """The GET links a page offers, and its forms that prepare a file (to be posted)."""
    parser = Offers()
    parser.feed(html)
    urls = list(parser.links)
    prepares = []
    for form in parser.forms:
        if form.method == "post" and form.prepares_file:
            form.action = urljoin(page, form.action or page)
            prepares.append(form)
        if form.method != "get":
            continue
        action = urljoin(page, form.action or page)
        urls.append(urlunsplit(urlsplit(action)._replace(query=urlencode(form.values()))))
    return urls, prepares


def same_site(page: str, href: str) -> str | None:
    href = href.strip()
    if not href or href.startswith(("#", "mailto:", "tel:", "javascript:", "data:")):
        return None
    parts = urlsplit(urljoin("http://testserver" + page, href))
    if parts.netloc != "testserver" or parts.path.startswith(SKIP_PREFIXES):
        return None
    return urlunsplit(("", "", parts.path, parts.query, ""))


def pattern_of(url: str) -> str:
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return url
    return match.route or match.view_name


def formula_cells(name: str, rows: list[list[str]]) -> list[str]:
    return [
        f"{name}: row {r} column {c}: {value!r}"
        for r, row in enumerate(rows, start=1)
        for c, value in enumerate(row, start=1)
        if cell_would_run(value)
    ]


DOWNLOADS_CHECKED: set[str] = set()  # "csv" / "xlsx": proof the cell check really ran
GENERATED_CHECKED: set[str] = set()  # content types of generated files whose cells ran


def check_download(url: str, resp) -> list[str]:
    kind = resp.get("Content-Type", "")
    if pattern_of(url) == "berkas/<int:pk>/unduh/":
        GENERATED_CHECKED.add(kind.split(";")[0])
    body = b"".join(resp.streaming_content) if resp.streaming else resp.content
    if kind.startswith("text/csv"):
        DOWNLOADS_CHECKED.add("csv")
        text = body.decode("utf-8-sig")
        delimiter = ";" if text.split("\n", 1)[0].count(";") else ","
        return formula_cells(url, list(csv.reader(io.StringIO(text), delimiter=delimiter)))
    if "spreadsheetml" in kind:
        from openpyxl import load_workbook

        DOWNLOADS_CHECKED.add("xlsx")
        book = load_workbook(io.BytesIO(body))
        return [
            f"{url}: sheet {sheet.title} cell {cell.coordinate} is a formula: {cell.value!r}"
            for sheet in book.worksheets
            for row in sheet.iter_rows()
            for cell in row
            if cell.data_type == "f"
        ]
    return []


def prepare_files(
    client: Client, page: str, forms: list[Form], seen: set[str], on_commit
) -> tuple[list[str], list[str]]:
    """Post each not yet posted form that prepares a file; returns the pages they lead
    to (the generated file's page) and the failures."""
    links, failures = [], []
    for form in forms:
        if form.action in seen:
            continue
        seen.add(form.action)
        with on_commit(execute=True):
            posted = client.post(form.action, dict(form.values()))
        if posted.status_code != 302:
            failures.append(f"{page} offers to prepare {form.action}: {posted.status_code}")
            continue
        links.append(posted["Location"])
    return links, failures


def no_capture(execute: bool = True):
    return contextlib.nullcontext()


def crawl(client: Client, start: str, on_commit=no_capture) -> tuple[list[str], int]:
    """Walk breadth-first from ``start``; returns (failures, pages visited). A form that
    prepares a file is posted (``on_commit`` runs its task once the request commits) and
    the page it leads to is walked like any other."""
    logout = reverse("web:logout")
    login = reverse("web:login")
    failures: list[str] = []
    seen: set[str] = {start}
    per_pattern: dict[str, int] = {}
    queue: deque[tuple[str, str]] = deque([(start, "(start)")])
    visited = 0
    while queue and visited < MAX_PAGES:
        url, origin = queue.popleft()
        visited += 1
        resp = client.get(url)
        status = resp.status_code
        if status >= 500:
            failures.append(f"{url} (offered by {origin}) answered {status}")
            continue
        if status in FORBIDDEN:
            failures.append(f"{origin} offers {url}, which answers {status}")
            continue
        if status in (301, 302, 303, 307, 308):
            target = same_site(url, resp["Location"])
            if target and urlsplit(target).path == login:
                failures.append(f"{origin} offers {url}, which sends the viewer to log in")
            elif target and target not in seen:
                seen.add(target)
                queue.append((target, f"{url} (redirect)"))
            continue
        failures += check_download(url, resp)
        if not resp.get("Content-Type", "").startswith("text/html"):
            continue
        links, prepares = offered(url, resp.content.decode())
        posted, failed = prepare_files(client, url, prepares, seen, on_commit)
        failures += failed
        links += posted
        for href in links:
            target = same_site(url, href)
            if target is None or target in seen or urlsplit(target).path == logout:
                continue
            seen.add(target)
            pattern = pattern_of(target)
            if per_pattern.get(pattern, 0) >= PER_PATTERN:
                continue
            per_pattern[pattern] = per_pattern.get(pattern, 0) + 1
            queue.append((target, url))
    return failures, visited


def test_every_persona_opens_every_link_it_is_offered(
    monkeypatch, django_capture_on_commit_callbacks
):
    # Every rejection report and BPJS registration file is "big": offered to be prepared
    # in the background, so the walk follows a generated file to its download.
    monkeypatch.setattr("jamsos.intake.exports.REPORT_SYNC_MAX_ROWS", 0)
    monkeypatch.setattr("jamsos.enrollment.exports.BPJS_SYNC_MAX_LINES", -1)
    # One small demo for all eight logins: loading it is most of this test's time.
    demo_load(people=40, seed=9, as_of=dt.date(2026, 5, 15))
    DOWNLOADS_CHECKED.clear()
    GENERATED_CHECKED.clear()
    report, pages = [], {}
    for demo_user in DEMO_USERS:
        client = Client()
        client.force_login(User.objects.get(username=demo_user.username))
        failures, pages[demo_user.username] = crawl(
            client, reverse("web:home"), django_capture_on_commit_callbacks
        )
        report += [f"{demo_user.username}: {failure}" for failure in failures]
    assert all(count > 3 for count in pages.values()), pages
    assert sorted(DOWNLOADS_CHECKED) == ["csv", "xlsx"]
    assert {"text/csv", XLSX} <= GENERATED_CHECKED, GENERATED_CHECKED
    assert not report, "\n".join(report)
