"""The API documentation page: swagger-ui from our own static files, behind log-in.

django-ninja renders its docs with swagger-ui from a CDN (no integrity hashes) unless
``ninja`` is an installed app; we serve the vendored copy (``web/static/vendor/
swagger-ui``, version and licence in its README) with a page script instead of inline
code, so the page works under ``script-src 'self'``, and only to people logged in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import Swagger

if TYPE_CHECKING:
    from ninja import NinjaAPI


class LocalSwagger(Swagger):
    template = "web/api_docs.html"

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        # Only the page: ninja's docs_decorator would also close /api/openapi.json, which
        # API clients and the schema tests read without a session.
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        return render(request, self.template, {"api": api, "swagger_settings": settings})
