"""The API documentation page: swagger-ui from our own static files, behind log-in.

django-ninja renders its docs with swagger-ui from a CDN (no integrity hashes) unless
``ninja`` is an installed app; we serve the vendored copy (``web/static/vendor/
swagger-ui``, version and licence in its README) with a page script instead of inline
code, so the page works under ``script-src 'self'``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import Swagger

if TYPE_CHECKING:
    from ninja import NinjaAPI


class LocalSwagger(Swagger):
    template = "web/api_docs.html"

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        return render(request, self.template, {"api": api, "swagger_settings": settings})
