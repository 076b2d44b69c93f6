"""User management (admins), agencies (admins) and "Profil saya" (everyone).

Views parse the form, fetch through ``access_*``, call one service and redirect
(POST/redirect/GET). Service errors are shown on the form next to their field.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jamsos.accounts import services
from jamsos.accounts.access import access_own_api_token, access_role_grant, access_user
from jamsos.accounts.forms import (
    AdminSetPasswordForm,
    AgencyFilterForm,
    AgencyForm,
    ApiTokenForm,
    OwnPasswordChangeForm,
    UserCreateForm,
    UserFilterForm,
    UserUpdateForm,
    form_add_errors,
)
from jamsos.accounts.models import User
from jamsos.accounts.selectors import (
    agency_list,
    api_token_list,
    region_choices,
    role_grant_list,
    user_list,
)
from jamsos.lib.errors import DomainError, NotFoundOrForbidden

PAGE_SIZE = 50
_NEW_TOKEN_SESSION_KEY = "accounts_new_api_token"  # noqa: S105 (a session key name)


def _viewer(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _managed_user_or_404(request: HttpRequest, pk: int, *, for_write: bool = False) -> User:
    try:
        return access_user(_viewer(request), pk, for_write=for_write)
    except NotFoundOrForbidden as exc:
        raise Http404(exc.message) from exc


# --- Users ---------------------------------------------------------------------------


@require_GET
@login_required
@permission_required("accounts.manage_users", raise_exception=True)
def user_list_view(request: HttpRequest) -> HttpResponse:
    form = UserFilterForm(request.GET or None, viewer=_viewer(request))
    if form.is_bound and not form.is_valid():
        users = User.objects.none()
    else:
        filters = form.filters() if form.is_bound else None
        users = user_list(viewer=_viewer(request), filters=filters)
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {"form": form, "page": page})


@login_required
@permission_required("accounts.manage_users", raise_exception=True)
def user_create_view(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    form = UserCreateForm(request.POST or None, viewer=viewer)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                username=data["username"],
                full_name=data["full_name"],
                email=data["email"],
                phone=data["phone"],
                role=data["role"],
                agency=data["agency"],
                region=data["region"],
                password=data["password1"],
                acting_user=viewer,
            )
        except (ValidationError, DomainError) as exc:
            form_add_errors(form, exc)
        else:
            if user.is_active:
                messages.success(request, _("Pengguna %(name)s dibuat.") % {"name": user.username})
            else:
                messages.warning(
                    request,
                    _(
                        "Pengguna %(name)s dibuat, belum aktif: peran %(role)s menunggu "
                        "persetujuan administrator lain atau Kepala Dinas."
                    )
                    % {"name": user.username, "role": user.get_role_display()},
                )
            return redirect("accounts:user_list")
    return render(
        request,
        "accounts/user_form.html",
        {"form": form, "regions": region_choices(viewer=viewer), "target": None},
    )


@login_required
@permission_required("accounts.manage_users", raise_exception=True)
def user_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    target = _managed_user_or_404(request, pk)
    form = UserUpdateForm(request.POST or None, viewer=viewer, instance=target)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                locked = _managed_user_or_404(request, pk, for_write=True)
                services.user_update(user=locked, acting_user=viewer, **form.cleaned_data)
        except (ValidationError, DomainError) as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("Perubahan disimpan."))
            if locked.role != form.cleaned_data.get("role", locked.role):
                messages.warning(
                    request,
                    _("Perubahan peran menunggu persetujuan administrator lain atau Kepala Dinas."),
                )
            return redirect("accounts:user_list")
    return render(
        request,
        "accounts/user_form.html",
        {"form": form, "regions": region_choices(viewer=viewer), "target": target},
    )


@require_POST
@login_required
@permission_required("accounts.manage_users", raise_exception=True)
def user_deactivate_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        with transaction.atomic():
            target = _managed_user_or_404(request, pk, for_write=True)
            services.user_deactivate(user=target, acting_user=_viewer(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Pengguna %(name)s dinonaktifkan.") % {"name": target})
    return redirect("accounts:user_edit", pk=pk)


@require_POST
@login_required
@permission_required("accounts.manage_users", raise_exception=True)
def user_activate_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        with transaction.atomic():
            target = _managed_user_or_404(request, pk, for_write=True)
            services.user_activate(user=target, acting_user=_viewer(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Pengguna %(name)s diaktifkan kembali.") % {"name": target})
    return redirect("accounts:user_edit", pk=pk)


@login_required
@permission_required("accounts.manage_users", raise_exception=True)
def user_password_view(request: HttpRequest, pk: int) -> HttpResponse:
    target = _managed_user_or_404(request, pk)
    form = AdminSetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_set_password(
                user=target, password=form.cleaned_data["password1"], acting_user=_viewer(request)
            )
        except (ValidationError, DomainError) as exc:
            form_add_errors(form, exc)
        else:
            messages.success(
                request, _("Kata sandi %(name)s telah diganti.") % {"name": target.username}
            )
            if not target.is_active:
                messages.warning(
                    request,
                    _(
                        "Akun %(name)s nonaktif sampai administrator lain atau Kepala Dinas "
                        "menyetujui penggantian ini."
                    )
                    % {"name": target.username},
                )
            return redirect("accounts:user_edit", pk=pk)
    return render(request, "accounts/user_password.html", {"form": form, "target": target})


# --- Role grants (maker-checker) ------------------------------------------------------


@require_GET
@login_required
@permission_required("accounts.approve_role_grant", raise_exception=True)
def role_grant_list_view(request: HttpRequest) -> HttpResponse:
    grants = role_grant_list(viewer=_viewer(request))
    page = Paginator(grants, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/role_grant_list.html", {"page": page})


@require_POST
@login_required
@permission_required("accounts.approve_role_grant", raise_exception=True)
def role_grant_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    try:
        grant = access_role_grant(viewer, pk)
    except NotFoundOrForbidden as exc:
        raise Http404(exc.message) from exc
    decision = request.POST.get("decision")
    try:
        if decision == "approve":
            services.role_grant_approve(grant=grant, acting_user=viewer)
            messages.success(request, _("Peran %(name)s disetujui.") % {"name": grant.user})
        elif decision == "reject":
            services.role_grant_reject(grant=grant, acting_user=viewer)
            messages.success(
                request, _("Permohonan peran %(name)s ditolak.") % {"name": grant.user}
            )
        else:
            messages.error(request, _("Pilih setujui atau tolak."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("accounts:role_grant_list")


# --- Agencies ------------------------------------------------------------------------


@require_GET
@login_required
@permission_required("accounts.manage_users", raise_exception=True)
def agency_list_view(request: HttpRequest) -> HttpResponse:
    form = AgencyFilterForm(request.GET or None)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    agencies = agency_list(viewer=_viewer(request), search=search)
    page = Paginator(agencies, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/agency_list.html", {"page": page, "q": search, "form": form})


@login_required
@permission_required("accounts.manage_users", raise_exception=True)
def agency_create_view(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    form = AgencyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            agency = services.agency_create(acting_user=viewer, **form.cleaned_data)
        except (ValidationError, DomainError) as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("Instansi %(name)s dibuat.") % {"name": agency.name})
            return redirect("accounts:agency_list")
    return render(
        request,
        "accounts/agency_form.html",
        {"form": form, "regions": region_choices(viewer=viewer)},
    )


# --- Profil saya ---------------------------------------------------------------------


def _render_profile(
    request: HttpRequest,
    *,
    password_form: OwnPasswordChangeForm | None = None,
    token_form: ApiTokenForm | None = None,
) -> HttpResponse:
    viewer = _viewer(request)
    return render(
        request,
        "accounts/profile.html",
        {
            "password_form": password_form or OwnPasswordChangeForm(viewer),
            "token_form": token_form or ApiTokenForm(),
            "tokens": api_token_list(user=viewer),
            # Shown once: popped from the session by the GET that follows the create.
            "new_token_key": request.session.pop(_NEW_TOKEN_SESSION_KEY, None),
        },
    )


@login_required
def password_change_required_view(request: HttpRequest) -> HttpResponse:
    """The page every request of a user with an admin-set password is sent to."""
    viewer = _viewer(request)
    if not viewer.must_change_password:
        return redirect("accounts:profile")
    form = OwnPasswordChangeForm(viewer, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_set_password(
                user=viewer, password=form.cleaned_data["new_password1"], acting_user=viewer
            )
        except (ValidationError, DomainError) as exc:
            form_add_errors(form, exc)
        else:
            update_session_auth_hash(request, viewer)
            messages.success(request, _("Kata sandi Anda telah diganti."))
            return redirect("/")
    return render(request, "accounts/password_change_required.html", {"form": form})


@require_GET
@login_required
def profile_view(request: HttpRequest) -> HttpResponse:
    return _render_profile(request)


@require_POST
@login_required
def profile_password_view(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    form = OwnPasswordChangeForm(viewer, request.POST)
    if form.is_valid():
        try:
            services.user_set_password(
                user=viewer, password=form.cleaned_data["new_password1"], acting_user=viewer
            )
        except (ValidationError, DomainError) as exc:
            form_add_errors(form, exc)
        else:
            # Keep this session; the new hash ends the user's other sessions.
            update_session_auth_hash(request, viewer)
            messages.success(request, _("Kata sandi Anda telah diganti."))
            return redirect("accounts:profile")
    return _render_profile(request, password_form=form)


@require_POST
@login_required
def token_create_view(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            _token, key = services.api_token_create(
                user=viewer, name=form.cleaned_data["name"], acting_user=viewer
            )
        except (ValidationError, DomainError) as exc:
            form_add_errors(form, exc)
        else:
            request.session[_NEW_TOKEN_SESSION_KEY] = key
            return redirect("accounts:profile")
    return _render_profile(request, token_form=form)


@require_POST
@login_required
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    try:
        token = access_own_api_token(viewer, pk)
    except NotFoundOrForbidden as exc:
        raise Http404(exc.message) from exc
    services.api_token_revoke(token=token, acting_user=viewer)
    messages.success(request, _("Token %(name)s dicabut.") % {"name": token.name})
    return redirect("accounts:profile")
