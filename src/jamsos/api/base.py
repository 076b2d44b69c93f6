"""The REST API: one NinjaAPI, session or bearer-token auth, one error mapping."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI
from ninja.security import APIKeyHeader, SessionAuth

from jamsos.accounts.models import ApiToken, User
from jamsos.lib.errors import DomainError


class BearerToken(APIKeyHeader):
    """``Authorization: Bearer jms_…``; the key is compared by its SHA-256."""

    param_name = "Authorization"
    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        if not key or not key.startswith("Bearer "):
            return None
        digest = ApiToken.hash_key(key.removeprefix("Bearer ").strip())
        token = (
            ApiToken.objects.select_related("user", "user__agency", "user__region")
            .filter(key_hash=digest, revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if token is None:
            return None
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        request.user = token.user
        return token.user


api = NinjaAPI(
    title="Jamsos API",
    version="1",
    description="Program jaminan sosial ketenagakerjaan yang didanai daerah.",
    auth=[SessionAuth(), BearerToken()],
    urls_namespace="api",
)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(
        request,
        {"code": exc.code, "message": exc.message, "params": exc.params},
        status=exc.http_status,
    )


@api.get("/me", tags=["akun"], summary="Pengguna yang sedang masuk")
def me(request: HttpRequest) -> dict[str, object]:
    user: User = request.user  # type: ignore[assignment]
    return {
        "username": user.username,
        "full_name": user.full_name,
        "role": user.role,
        "agency": user.agency.name if user.agency else None,
        "region": user.region_id,
    }
