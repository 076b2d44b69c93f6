"""Content-Security-Policy, Permissions-Policy and Referrer-Policy on every response;
no template with inline script or handler attributes; API docs local and behind log-in."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

SRC = Path(__file__).resolve().parents[2]
HEADERS = ("Content-Security-Policy", "Permissions-Policy", "Referrer-Policy")

# <script> without src= that is not a JSON data block (json_script) runs inline code.
INLINE_SCRIPT = re.compile(
    r"<script\b(?![^>]*\bsrc=)(?![^>]*type=[\"']application/(?:ld\+)?json[\"'])[^>]*>", re.I
)
# on…= handler attributes (onclick, onsubmit, …) and htmx's hx-on (evaluated with eval).
HANDLER = re.compile(r"<[a-z][^>]*?\s(?:on[a-z]+|hx-on[:\w-]*|data-hx-on[:\w-]*)\s*=", re.I | re.S)
JS_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']\s*javascript:""", re.I)


def templates() -> list[Path]:
    return sorted(p for p in SRC.glob("**/templates/**/*.html"))


def test_the_policy_forbids_inline_script():
    policy = dict(
        part.strip().split(" ", 1) for part in settings.CONTENT_SECURITY_POLICY.split(";")
    )
    assert policy["script-src"] == "'self'"
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["default-src"] + policy["script-src"]
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/masuk/", "/healthz", "/tidak-ada/", "/api/accounts/me"])
def test_every_response_carries_the_headers(client, path):
    response = client.get(path)
    for name in HEADERS:
        assert response[name], name
    assert response["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY
    assert "camera=()" in response["Permissions-Policy"]
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_a_logged_in_page_carries_the_headers(client, personas):
    client.force_login(personas.dinas_operator)
    response = client.get("/")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY


def test_a_response_with_its_own_policy_keeps_it(rf):
    from django.http import HttpResponse

    from jamsos.web.security import SecurityHeadersMiddleware

    def sandboxed(request):
        response = HttpResponse(b"%PDF-1.4")
        response["Content-Security-Policy"] = "sandbox"
        return response

    response = SecurityHeadersMiddleware(sandboxed)(rf.get("/"))
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["Permissions-Policy"] == settings.PERMISSIONS_POLICY


def test_no_template_has_inline_script_or_handler_attributes():
    found = []
    for path in templates():
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, HANDLER, JS_URL):
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(SRC)}:{line}: {match.group(0)[:80]}")
    assert templates()
    assert found == []


def test_the_checks_catch_what_they_look_for():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert INLINE_SCRIPT.search('<script type="module">x()</script>')
    assert not INLINE_SCRIPT.search('<script src="/static/a.js" defer></script>')
    assert not INLINE_SCRIPT.search('<script id="d" type="application/json">{}</script>')
    assert HANDLER.search('<form method="post"\n      onsubmit="return confirm(1)">')
    assert HANDLER.search('<button hx-on:click="x()">')
    assert not HANDLER.search('<form data-confirm="Yakin?" action="/x">')
    assert not HANDLER.search('<button aria-controls="mainnav" data-bs-toggle="collapse">')
    assert JS_URL.search('<a href="javascript:void(0)">')


def test_page_scripts_exist_as_static_files():
    for name in ("web/jamsos.js", "web/api_docs.js", "vendor/swagger-ui/swagger-ui-bundle.js"):
        assert finders.find(name), name
    vendor = Path(finders.find("vendor/swagger-ui/swagger-ui-bundle.js")).parent
    assert (vendor / "LICENSE").exists()
    readme = (vendor.parent / "README.md").read_text(encoding="utf-8")
    assert "swagger-ui-dist" in readme and "Apache-2.0" in readme


@pytest.mark.django_db
def test_api_docs_need_a_login(client):
    response = client.get("/api/docs")
    assert response.status_code == 302
    assert response["Location"] == "/masuk/?next=/api/docs"


@pytest.mark.django_db
def test_api_docs_load_only_local_assets(client, personas):
    client.force_login(personas.dinas_operator)
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert assets
    assert all(a.startswith("/static/") for a in assets), assets
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in assets
    assert "/static/web/api_docs.js" in assets
    assert not INLINE_SCRIPT.search(html)
    assert "://" not in html  # no CDN, no other origin
    assert client.get("/api/openapi.json").status_code == 200
