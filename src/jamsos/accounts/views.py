from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jamsos.accounts.access import user_list_for


@login_required
@permission_required("accounts.manage_users", raise_exception=True)
def user_list(request: HttpRequest) -> HttpResponse:
    users = user_list_for(request.user)
    return render(request, "accounts/user_list.html", {"users": users})
