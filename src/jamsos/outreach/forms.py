"""Forms of the outreach pages (phone-sized: one column, native date inputs)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jamsos.accounts.models import Agency, User
from jamsos.outreach.models import (
    AudienceSegment,
    EventKind,
    EventMaterial,
    FollowUp,
    OutreachEvent,
)
from jamsos.outreach.services import EVENT_EDITABLE
from jamsos.registry import selectors as registry_selectors


def _bootstrap(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", css)


class BaseForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)
        # A missing value names its field, as the services' errors do (not Django's
        # bare "This field is required" under a field the phone may have scrolled off).
        for field in self.fields.values():
            if field.label:
                field.error_messages["required"] = gettext('Kolom "%(label)s" wajib diisi.') % {
                    "label": field.label
                }


def _date() -> forms.DateField:
    return forms.DateField(widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))


def _count(label: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=100_000,
        initial=0,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class EventForm(BaseForm):
    title = forms.CharField(label=_("Judul kegiatan"), max_length=200)
    kind = forms.ChoiceField(label=_("Jenis"), choices=EventKind.choices)
    held_on = _date()
    held_on.label = _("Tanggal")
    village = forms.ChoiceField(label=_("Nagari"))
    place = forms.CharField(label=_("Tempat"), max_length=200)
    organiser = forms.ModelChoiceField(label=_("Penyelenggara"), queryset=Agency.objects.none())
    co_organisers = forms.ModelMultipleChoiceField(
        label=_("Penyelenggara bersama"),
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    obligation_code = forms.CharField(
        label=_("Kewajiban PKS yang dipenuhi"),
        max_length=20,
        required=False,
        help_text=_("Mis. B3 (sosialisasi oleh BPJS Ketenagakerjaan)."),
    )
    audience_segments = forms.MultipleChoiceField(
        label=_("Sasaran"),
        choices=AudienceSegment.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    attendance_male = _count(_("Hadir laki-laki"))
    attendance_female = _count(_("Hadir perempuan"))
    attendance_total = _count(_("Jumlah hadir (kosong = laki-laki + perempuan)"))
    officials = forms.CharField(
        label=_("Pejabat hadir"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Satu baris per pejabat: kode instansi; tingkat (pimpinan/pejabat/staf); jabatan. "
            "Mis. bpjs-solok; pimpinan; Kepala Cabang"
        ),
    )
    notes = forms.CharField(
        label=_("Catatan"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        villages = registry_selectors.village_choices(viewer=user)
        choices = [(v.code, f"{v.name} · {v.parent.name}") for v in villages]
        self.fields["village"].choices = choices if len(choices) == 1 else [("", "—"), *choices]
        agencies = Agency.objects.filter(is_active=True).order_by("name")
        self.fields["organiser"].queryset = agencies
        self.fields["co_organisers"].queryset = agencies
        if user.agency_id and not self.is_bound:
            self.initial.setdefault("organiser", user.agency_id)

    def clean_officials(self) -> list[tuple[str, str, str]]:
        rows = []
        for number, line in enumerate(self.cleaned_data.get("officials", "").splitlines(), 1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(";")]
            if len(parts) < 2:
                raise forms.ValidationError(
                    _("Baris %(n)s: tulis kode instansi; tingkat; jabatan.") % {"n": number}
                )
            agency = Agency.objects.filter(code=parts[0]).first()
            if agency is None:
                raise forms.ValidationError(
                    _('Baris %(n)s: instansi "%(code)s" tidak dikenal.')
                    % {"n": number, "code": parts[0]}
                )
            rows.append((str(agency.pk), parts[1].lower(), parts[2] if len(parts) > 2 else ""))
        return rows


class EventEditForm(EventForm):
    """The fields an operator may correct after recording (``services.EVENT_EDITABLE``),
    filled from the event."""

    def __init__(self, *args: Any, user: User, event: OutreachEvent, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        for name in list(self.fields):
            if name not in EVENT_EDITABLE:
                del self.fields[name]
        if not self.is_bound:
            self.initial.update(
                title=event.title,
                held_on=event.held_on,
                place=event.place,
                village=event.village_id,
                organiser=event.organiser_id,
                co_organisers=[a.pk for a in event.co_organisers.all()],
                notes=event.notes,
            )


class MaterialForm(BaseForm):
    kind = forms.ChoiceField(label=_("Jenis berkas"), choices=EventMaterial.Kind.choices)
    title = forms.CharField(label=_("Judul"), max_length=200, required=False)
    file = forms.FileField(label=_("Berkas (PDF, JPG, PNG, PPTX, DOCX; ≤ 10 MB)"))


class FollowUpCloseForm(BaseForm):
    reason = forms.ChoiceField(
        label=_("Alasan tidak ada klaim"),
        choices=[("", _("— pilih alasan —")), *FollowUp.Reason.choices],
    )
    note = forms.CharField(label=_("Keterangan"), max_length=255, required=False)


class DeathReportForm(BaseForm):
    nik = forms.CharField(
        label=_("NIK peserta yang meninggal"),
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    died_on = _date()
    died_on.label = _("Tanggal meninggal")
    note = forms.CharField(label=_("Keterangan"), max_length=255, required=False)


class DeathImportForm(BaseForm):
    file = forms.FileField(label=_("Daftar kematian Dukcapil (.xlsx atau .csv)"))
    dry_run = forms.BooleanField(label=_("Periksa saja, jangan simpan"), required=False)
