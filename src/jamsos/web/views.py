from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from jamsos.reports.home import home_panel
from jamsos.web.forms import LoginForm
from jamsos.web.navigation import ROLE_INTROS, cards_for

# What the browser forgets of this site when someone logs out: its HTTP cache and its
# storage, which holds the agent app's service worker, its cached shell (the agent's
# name and lists) and the IndexedDB queue of people it proposed. A shared phone must not
# show the next person (or a thief, offline) the last agent's pages or its recruits' NIKs.
CLEAR_SITE_DATA = '"cache", "storage"'


class LogoutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = CLEAR_SITE_DATA
        return response


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "web/home.html",
        {
            "cards": cards_for(user),
            "role_intro": ROLE_INTROS.get(user.role, ""),
            "panel": home_panel(user),
        },
    )


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability for load balancers and monitoring."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        db_ok = True
    except Exception:  # any DB failure means "not healthy"
        db_ok = False
    return JsonResponse(
        {"status": "ok" if db_ok else "error", "database": db_ok}, status=200 if db_ok else 503
    )
