"""Send a user whose password an administrator chose to "change your password" first.

Design goal: an administrator who sets a password (new account, reset) never gets to use
it as that person. Until the owner has chosen their own, every page redirects to the
password form on "Profil saya" and the API answers 403; log-out, the password form
itself and static files stay reachable.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not self._allowed(request.path)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "detail": _("Ganti kata sandi Anda terlebih dahulu."),
                        "code": "password_change_required",
                    },
                    status=403,
                )
            return redirect(reverse("accounts:password_change_required"))
        return self.get_response(request)

    @staticmethod
    def _allowed(path: str) -> bool:
        allowed = (
            reverse("accounts:password_change_required"),
            reverse("web:logout"),
            settings.STATIC_URL,
        )
        return any(path.startswith(prefix) for prefix in allowed)
