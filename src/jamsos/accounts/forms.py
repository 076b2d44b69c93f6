"""Forms of the user-management and profile pages. They parse input; services decide."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jamsos.accounts.models import Agency, User
from jamsos.accounts.roles import ROLE_SCOPE_LEVELS, Role
from jamsos.accounts.selectors import UserFilters, agency_choices
from jamsos.lib.errors import DomainError
from jamsos.regions.models import Region

_REGION_CODE = re.compile(r"\b\d{2}(?:\.\d{2}(?:\.\d{2}(?:\.\d{4})?)?)?\b")


def bootstrap(form: forms.Form) -> None:
    """Give every widget its Bootstrap class once, instead of per template."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs.setdefault("class", css)


def form_add_errors(form: forms.Form, exc: ValidationError | DomainError) -> None:
    """Show a service's error next to the field it names, else above the form.

    A form whose fields are named differently from the service's arguments maps them in
    ``service_fields`` (the services report password rules under ``"password"``).
    """
    renames: dict[str, str] = getattr(form, "service_fields", {})

    def target(name: object) -> str | None:
        field = renames.get(str(name), str(name))
        return field if field in form.fields else None

    if isinstance(exc, DomainError):
        form.add_error(target(exc.params.get("field")), exc.message)
        return
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.message_dict.items():
        form.add_error(target(name), errors)


class RegionCodeField(forms.CharField):
    """A region typed or picked by code ("13.03.03"), or "Name (13.03.03)" from the list."""

    default_error_messages = {
        "unknown": _("Kode wilayah “%(value)s” tidak ditemukan."),
        "shape": _("“%(value)s” bukan kode wilayah (contoh: 13.03 atau 13.03.03.2001)."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 150)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        return value.code if isinstance(value, Region) else value

    def clean(self, value: Any) -> Region | None:  # type: ignore[override]
        raw = super().clean(value)
        if not raw:
            return None
        match = _REGION_CODE.search(raw)
        if match is None:
            raise ValidationError(self.error_messages["shape"], params={"value": raw})
        region = Region.objects.filter(pk=match.group(0)).first()
        if region is None:
            raise ValidationError(self.error_messages["unknown"], params={"value": match[0]})
        return region


def _scope_help() -> str:
    """ "Desa/Nagari/Kelurahan: Agen Perisai · Kecamatan: Operator Kecamatan · …", grouping
    roles that share the same allowed levels, from ``ROLE_SCOPE_LEVELS``."""
    groups: dict[frozenset[str], list[str]] = {}
    for role, levels in ROLE_SCOPE_LEVELS.items():
        groups.setdefault(levels, []).append(str(Role(role).label))
    parts = []
    for levels, roles in sorted(groups.items(), key=lambda item: len(item[1])):
        names = " atau ".join(str(lbl) for value, lbl in Region.Level.choices if value in levels)
        who = ", ".join(roles) if len(roles) <= 2 else str(_("peran lainnya"))
        parts.append(f"{names}: {who}")
    return " · ".join(parts)


class AgencyFilterForm(forms.Form):
    q = forms.CharField(label=_("Cari"), required=False, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("nama atau kode")


class UserFilterForm(forms.Form):
    q = forms.CharField(label=_("Cari"), required=False, max_length=100)
    role = forms.ChoiceField(
        label=_("Peran"), required=False, choices=[("", _("Semua peran")), *Role.choices]
    )
    agency = forms.ModelChoiceField(
        label=_("Instansi"),
        required=False,
        queryset=Agency.objects.none(),
        empty_label=_("Semua instansi"),
    )
    active = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Semua")), ("1", _("Aktif")), ("0", _("Nonaktif"))],
    )

    def __init__(self, *args: Any, viewer: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agency_choices(viewer=viewer)
        self.fields["q"].widget.attrs["placeholder"] = _("nama, nama pengguna, email")
        bootstrap(self)

    def filters(self) -> UserFilters:
        data = self.cleaned_data
        agency = data.get("agency")
        active = data.get("active")
        return UserFilters(
            search=data.get("q") or "",
            role=data.get("role") or "",
            agency_id=agency.pk if agency else None,
            is_active=None if not active else active == "1",
        )


class _UserFieldsForm(forms.Form):
    full_name = forms.CharField(label=_("Nama lengkap"), max_length=150)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Nomor HP"), required=False, max_length=20)
    role = forms.ChoiceField(label=_("Peran"), choices=Role.choices)
    agency = forms.ModelChoiceField(
        label=_("Instansi"), queryset=Agency.objects.none(), empty_label=_("— pilih instansi —")
    )
    region = RegionCodeField(
        label=_("Cakupan wilayah"),
        help_text=_("Ketik nama atau kode wilayah."),
    )

    def __init__(self, *args: Any, viewer: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agency_choices(viewer=viewer)
        self.fields["region"].widget.attrs.update({"list": "region-choices", "autocomplete": "off"})
        self.fields["region"].help_text = f"{self.fields['region'].help_text} {_scope_help()}"
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})
        bootstrap(self)


class UserCreateForm(_UserFieldsForm):
    username = forms.RegexField(
        label=_("Nama pengguna"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        error_messages={
            "invalid": _("Hanya huruf, angka, dan @ . + - _ tanpa spasi."),
        },
    )
    password1 = forms.CharField(
        label=_("Kata sandi awal"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Minimal 10 karakter, bukan kata sandi umum, tidak hanya angka."),
    )
    password2 = forms.CharField(
        label=_("Ulangi kata sandi"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    field_order = ["username", "full_name", "email", "phone", "role", "agency", "region"]
    service_fields = {"password": "password1"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocapitalize": "none"})

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("password1") and data.get("password2") != data["password1"]:
            self.add_error("password2", _("Kedua kata sandi tidak sama."))
        return data


class UserUpdateForm(_UserFieldsForm):
    def __init__(self, *args: Any, instance: User, **kwargs: Any) -> None:
        initial = {
            "full_name": instance.full_name,
            "email": instance.email,
            "phone": instance.phone,
            "role": instance.role,
            "agency": instance.agency_id,
            "region": instance.region_id,
        }
        super().__init__(*args, initial=initial, **kwargs)


class AdminSetPasswordForm(forms.Form):
    service_fields = {"password": "password1"}

    password1 = forms.CharField(
        label=_("Kata sandi baru"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Ulangi kata sandi baru"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("password1") and data.get("password2") != data["password1"]:
            self.add_error("password2", _("Kedua kata sandi tidak sama."))
        return data


class OwnPasswordChangeForm(PasswordChangeForm):
    """Django's form (checks the old password and the validators), in our labels."""

    service_fields = {"password": "new_password1"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("Kata sandi sekarang")
        self.fields["new_password1"].label = _("Kata sandi baru")
        self.fields["new_password1"].help_text = _(
            "Minimal 10 karakter, bukan kata sandi umum, tidak hanya angka."
        )
        self.fields["new_password2"].label = _("Ulangi kata sandi baru")
        self.fields["new_password2"].help_text = ""
        self.fields["old_password"].widget.attrs.pop("autofocus", None)
        bootstrap(self)


class AgencyForm(forms.Form):
    code = forms.SlugField(
        label=_("Kode"),
        max_length=60,
        help_text=_("Huruf kecil, angka, dan tanda hubung, mis. disnakertrans-sijunjung."),
    )
    name = forms.CharField(label=_("Nama instansi"), max_length=200)
    kind = forms.ChoiceField(label=_("Jenis"), choices=Agency.Kind.choices)
    region = RegionCodeField(label=_("Wilayah"), help_text=_("Ketik nama atau kode wilayah."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].widget.attrs.update({"list": "region-choices", "autocomplete": "off"})
        bootstrap(self)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Nama token"),
        max_length=100,
        help_text=_("Untuk apa token ini, mis. “skrip impor Excel”."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)
