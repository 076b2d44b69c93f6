"""A database that cannot take a write now answers 503 "coba lagi", never 500.

SQLite lets one writer at a time: a long write (a backup, a 100,000-row import) makes
other writers wait up to ``SQLITE_BUSY_TIMEOUT`` seconds (the busy timeout retries with
back-off) and then fail with "database is locked". That is not a bug in the request:
the person should try again in a moment, and a client should be told when
(``Retry-After``). Three places turn it into the same answer:

- ``DatabaseBusyMiddleware.process_exception``: a page or API view raised it;
- ``server_error`` (``handler500``): a middleware raised it (the session saved after
  the view, the log-in lockout's records);
- the API's exception handler (``jamsos.api.base``), as JSON in the API's error shape.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.conf import settings
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import defaults

logger = logging.getLogger(__name__)


def is_database_busy(exc: BaseException | None) -> bool:
    """SQLite's "database is locked"/"database table is locked", or MySQL's lock wait
    timeout; PostgreSQL's lock_timeout ("canceling statement due to lock timeout")."""
    if not isinstance(exc, OperationalError):
        return False
    message = str(exc).lower()
    return "is locked" in message or "lock timeout" in message or "lock wait timeout" in message


def busy_response(request: HttpRequest) -> HttpResponse:
    retry_after = int(settings.DATABASE_BUSY_RETRY_AFTER)
    message = _("Sistem sedang sibuk menyimpan data lain. Coba lagi dalam beberapa detik.")
    logger.warning("database busy: %s %s answered 503", request.method, request.path)
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"code": "database_busy", "message": message, "params": {"retry_after": retry_after}},
            status=503,
        )
    else:
        # No context processors: they may read the database the request could not write.
        html = render_to_string(
            "web/busy.html", {"message": message, "retry_after": retry_after, "path": request.path}
        )
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseBusyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_database_busy(exception):
            return busy_response(request)
        return None


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """``handler500``: Django calls it inside its ``except`` block, so the exception that
    broke the request is ``sys.exc_info()``; a busy database still gets its 503."""
    if is_database_busy(sys.exc_info()[1]):
        return busy_response(request)
    return defaults.server_error(request, template_name)
