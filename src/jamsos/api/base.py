"""The REST API: one NinjaAPI, bearer-token or session auth, one error mapping.

Every error leaves the API as ``ErrorOut`` (``{"code", "message", "params"}``):
- 400 a programme rule was broken (``DomainError``; ``code`` says which);
- 401 no valid session or token (a revoked or unknown token, an inactive user);
- 403 authenticated but not allowed (a missing permission, a failed CSRF check);
- 404 not found, or not visible to this user (the two look the same);
- 409 a state transition that is not allowed now;
- 422 the request does not have the required shape, or a field fails validation.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, APIKeyHeader

from jamsos.accounts.models import ApiToken, User
from jamsos.api.throttling import AddressThrottle, UserThrottle
from jamsos.lib.errors import DomainError
from jamsos.web.apidocs import LocalSwagger
from jamsos.web.busy import busy_response, is_database_busy

# Writing last_used_at on every call would turn each GET into a write; once a while is
# enough to tell a live token from a forgotten one.
TOKEN_TOUCH_INTERVAL = dt.timedelta(minutes=5)


class BearerToken(APIKeyHeader):
    """``Authorization: Bearer jms_…``; the key is looked up by its SHA-256.

    Design goal: a stolen database does not yield usable keys (only hashes are stored),
    a revoked token or a deactivated user fails at once, and a header-borne token needs
    no CSRF check (a browser never adds it to a cross-site request by itself).
    """

    param_name = "Authorization"
    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        if not key or not key.startswith("Bearer "):
            return None
        digest = ApiToken.hash_key(key.removeprefix("Bearer ").strip())
        token = (
            ApiToken.objects.select_related("user", "user__agency", "user__region")
            .filter(
                key_hash=digest,
                revoked_at__isnull=True,
                user__is_active=True,
                # Expired after API_TOKEN_MAX_AGE_DAYS (default 90).
                created_at__gt=timezone.now() - ApiToken.max_age(),
            )
            .first()
        )
        if token is None:
            return None
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > TOKEN_TOUCH_INTERVAL:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        request.user = token.user
        return token.user


class SessionAuth(APIKeyCookie):
    """The browser session, CSRF-checked, tried after the bearer token.

    ninja's own SessionAuth checks CSRF before knowing whether a session exists, which
    would answer a token client's POST with 403 instead of trying the token (or 401).
    """

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        if request.user.is_authenticated:
            return request.user  # type: ignore[return-value]
        return None


api = NinjaAPI(
    title="Jamsos API",
    version="1",
    description=(
        "Program jaminan sosial ketenagakerjaan yang didanai daerah. "
        "Autentikasi: header `Authorization: Bearer <token>` (buat di Profil saya) "
        "atau sesi peramban dengan CSRF."
    ),
    auth=[BearerToken(), SessionAuth()],
    throttle=[UserThrottle(), AddressThrottle()],
    # swagger-ui from our static files (not a CDN), only for people who are logged in.
    docs=LocalSwagger(),
    urls_namespace="api",
)

_HTTP_CODES = {
    401: ("unauthenticated", "Masuk terlebih dahulu atau kirim token API yang berlaku."),
    403: ("forbidden", "Anda tidak berwenang untuk tindakan ini."),
    404: ("not_found", "Tidak ditemukan."),
    429: ("throttled", "Terlalu banyak permintaan."),
}


def _error(
    request: HttpRequest, status: int, code: str, message: str, /, **params: object
) -> HttpResponse:
    # Positional-only: a domain error's params may themselves be named "status" or "code"
    # (InvalidTransition carries the batch's status).
    return api.create_response(
        request, {"code": code, "message": message, "params": params}, status=status
    )


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _error(request, exc.http_status, exc.code, exc.message, **exc.params)


@api.exception_handler(DjangoValidationError)
def _model_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    fields = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    message = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in fields.items())
    return _error(request, 422, "invalid", message, fields=fields)


@api.exception_handler(NinjaValidationError)
def _request_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    return _error(request, 422, "invalid_request", "Permintaan tidak valid.", errors=exc.errors)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code, message = _HTTP_CODES.get(exc.status_code, ("http_error", str(exc)))
    return _error(request, exc.status_code, code, message)


@api.exception_handler(OperationalError)
def _database_error(request: HttpRequest, exc: OperationalError) -> HttpResponse:
    if is_database_busy(exc):
        return busy_response(request)
    raise exc


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    code, message = _HTTP_CODES[404]
    return _error(request, 404, code, message)
