"""Public forms (plain HTML, labelled for screen readers) and the staff follow-up form."""

from __future__ import annotations

import time
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.utils.translation import gettext_lazy as _

from jamsos.claims.models import EducationLevel
from jamsos.lib.nik import nik_clean
from jamsos.lib.phone import phone_normalise
from jamsos.portal.models import Lead
from jamsos.regions.models import Region

_TOKEN_SALT = "jamsos.portal.lead-form"  # noqa: S105 (a salt, not a secret)


class LookupForm(forms.Form):
    nik = forms.CharField(
        label=_("NIK (16 angka, seperti di KTP)"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    full_name = forms.CharField(
        label=_("Nama lengkap seperti di KTP"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def clean_nik(self) -> str:
        nik = nik_clean(self.cleaned_data["nik"])
        if len(nik) != 16 or not nik.isdigit():
            raise forms.ValidationError(_("NIK terdiri dari 16 angka."))
        return nik


def lead_form_token() -> str:
    """A signed stamp of when the form was served: a bot posting at once fails."""
    return signing.dumps({"t": time.time()}, salt=_TOKEN_SALT)


class CalculatorForm(forms.Form):
    """ "Jika suami/istri saya meninggal, apa yang kami terima?" — read from the tables."""

    CAUSES = [
        ("jkm", _("Sakit atau sebab lain (bukan kecelakaan kerja)")),
        ("jkk_death", _("Kecelakaan kerja (termasuk di jalan pergi/pulang kerja)")),
    ]
    cause = forms.ChoiceField(
        label=_("Meninggal karena"), choices=CAUSES, initial="jkm", widget=forms.RadioSelect
    )
    months_paid = forms.IntegerField(
        label=_("Sudah berapa bulan terdaftar dan iurannya dibayar?"),
        min_value=0,
        max_value=600,
        required=False,
        help_text=_("Kosongkan bila tidak tahu."),
    )
    children_tk_sd = forms.IntegerField(
        label=_("Anak sekolah TK/SD"), min_value=0, max_value=9, required=False
    )
    children_smp = forms.IntegerField(
        label=_("Anak sekolah SMP"), min_value=0, max_value=9, required=False
    )
    children_sma = forms.IntegerField(
        label=_("Anak sekolah SMA"), min_value=0, max_value=9, required=False
    )
    children_pt = forms.IntegerField(
        label=_("Anak kuliah atau pelatihan"), min_value=0, max_value=9, required=False
    )

    def child_levels(self) -> list[tuple[str, str]]:
        levels: list[tuple[str, str]] = []
        for level in EducationLevel.values:
            count = self.cleaned_data.get(f"children_{level}") or 0
            for _child in range(count):
                levels.append((f"{_('Anak')} {len(levels) + 1}", level))
        return levels


def nagari_choices(regency_code: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Nagari/desa of the kabupaten, grouped by kecamatan (for an <optgroup> select)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    names: dict[str, str] = {}
    villages = Region.objects.filter(
        level=Region.Level.VILLAGE, code__startswith=regency_code + "."
    ).select_related("parent")
    for village in villages.order_by("parent__name", "name"):
        parent = village.parent
        assert parent is not None
        names[parent.code] = parent.label
        groups.setdefault(parent.code, []).append((village.code, village.name))
    return [(names[code], items) for code, items in groups.items()]


class LeadForm(forms.Form):
    full_name = forms.CharField(label=_("Nama"), max_length=150)
    village = forms.ChoiceField(label=_("Nagari/desa tempat tinggal"))
    occupation = forms.CharField(
        label=_("Pekerjaan"), max_length=100, help_text=_("Contoh: petani karet, pedagang, ojek.")
    )
    phone = forms.CharField(
        label=_("Nomor HP/WhatsApp"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    for_someone_else = forms.BooleanField(
        label=_("Saya mendaftarkan orang lain (tetangga atau kerabat) dengan izinnya"),
        required=False,
    )
    consent = forms.BooleanField(
        label=_(
            "Saya setuju nama, nagari, pekerjaan dan nomor HP ini dipakai petugas nagari, "
            "agen dan kantor camat untuk menghubungi dan mengusulkan kepesertaan."
        ),
        required=True,
    )
    # Spam guard: a field people do not see (bots fill it), and the signed serving time.
    website = forms.CharField(label=_("Jangan diisi"), required=False, max_length=200)
    token = forms.CharField(widget=forms.HiddenInput, max_length=300)

    def __init__(self, *args: Any, regency_code: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[Any] = [("", _("— pilih nagari —"))]
        choices.extend(nagari_choices(regency_code))
        self.fields["village"].choices = choices
        self.regency_code = regency_code
        if not self.is_bound:
            self.initial["token"] = lead_form_token()

    def clean_phone(self) -> str:
        phone = phone_normalise(self.cleaned_data["phone"])
        if phone is None:
            raise forms.ValidationError(_("Nomor HP tidak dikenali. Contoh: 0812 3456 7890."))
        return phone

    def clean_village(self) -> Region:
        code = self.cleaned_data["village"]
        village = Region.objects.filter(
            code=code, level=Region.Level.VILLAGE, code__startswith=self.regency_code + "."
        ).first()
        if village is None:
            raise forms.ValidationError(_("Pilih nagari/desa dari daftar."))
        return village

    def is_spam(self) -> bool:
        """The honeypot is filled, or the token is forged, too old or too fresh."""
        if self.data.get("website"):
            return True
        try:
            stamp = signing.loads(
                self.data.get("token", ""),
                salt=_TOKEN_SALT,
                max_age=settings.PORTAL_LEAD_MAX_FORM_AGE_SECONDS,
            )
        except signing.BadSignature:
            return True
        age = time.time() - float(stamp.get("t", 0))
        return age < settings.PORTAL_LEAD_MIN_FILL_SECONDS


class FollowUpForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Hasil tindak lanjut"),
        choices=[
            (Lead.Status.CONTACTED, _("Sudah dihubungi, masih diproses")),
            (Lead.Status.PROPOSED, _("Sudah diusulkan lewat usulan")),
            (Lead.Status.UNREACHABLE, _("Tidak dapat dihubungi")),
        ],
    )
    note = forms.CharField(
        label=_("Catatan"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
