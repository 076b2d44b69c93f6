from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from jamsos.accounts.models import Agency
from jamsos.collaboration.models import (
    Agreement,
    Attendance,
    Decision,
    Forum,
    Meeting,
    Obligation,
    RequestKind,
)
from jamsos.collaboration.quarters import Quarter
from jamsos.lib.errors import DomainError

EVIDENCE_HELP = _("PDF, JPG atau PNG.")


class _AgencyForm(forms.Form):
    agency_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.agency_fields:
            self.fields[name].queryset = agencies  # type: ignore[attr-defined]


class MeetingForm(_AgencyForm):
    agency_fields = ("convened_by",)

    kind = forms.ChoiceField(label=_("Jenis rapat"), choices=Meeting.Kind.choices)
    mode = forms.ChoiceField(label=_("Cara rapat"), choices=Meeting.Mode.choices)
    title = forms.CharField(label=_("Acara"), max_length=200)
    starts_at = forms.DateTimeField(
        label=_("Waktu"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    place = forms.CharField(label=_("Tempat atau tautan"), max_length=200, required=False)
    convened_by = forms.ModelChoiceField(label=_("Pengundang"), queryset=Agency.objects.none())
    chair_name = forms.CharField(label=_("Pimpinan rapat"), max_length=150, required=False)


class AttendanceForm(_AgencyForm):
    agency_fields = ("agency",)

    agency = forms.ModelChoiceField(label=_("Instansi"), queryset=Agency.objects.none())
    level = forms.ChoiceField(label=_("Tingkat"), choices=Attendance.Level.choices)
    count = forms.IntegerField(label=_("Jumlah orang"), min_value=1, max_value=500, initial=1)


class AgendaForm(_AgencyForm):
    agency_fields = ("proposed_by",)

    title = forms.CharField(label=_("Agenda"), max_length=300)
    proposed_by = forms.ModelChoiceField(label=_("Diusulkan oleh"), queryset=Agency.objects.none())


class DecisionForm(_AgencyForm):
    agency_fields = ("proposed_by",)

    text = forms.CharField(label=_("Keputusan"), widget=forms.Textarea(attrs={"rows": 2}))
    kind = forms.ChoiceField(label=_("Cara memutuskan"), choices=Decision.Kind.choices)
    proposed_by = forms.ModelChoiceField(label=_("Diusulkan oleh"), queryset=Agency.objects.none())
    decree = forms.ModelChoiceField(
        label=_("Terkait SK penetapan"), queryset=Agency.objects.none(), required=False
    )
    agreement = forms.ModelChoiceField(
        label=_("Terkait perjanjian"), queryset=Agency.objects.none(), required=False
    )

    def __init__(
        self,
        *args: Any,
        decrees: QuerySet[Any],
        agreements: QuerySet[Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decree"].queryset = decrees  # type: ignore[attr-defined]
        self.fields["agreement"].queryset = (  # type: ignore[attr-defined]
            agreements if agreements is not None else Agreement.objects.none()
        )


class ActionItemForm(_AgencyForm):
    agency_fields = ("owner_agency",)

    title = forms.CharField(label=_("Tindak lanjut"), max_length=300)
    owner_agency = forms.ModelChoiceField(
        label=_("Instansi penanggung jawab"), queryset=Agency.objects.none()
    )
    owner_name = forms.CharField(
        label=_("Nama/jabatan penanggung jawab"), max_length=150, required=False
    )
    due_on = forms.DateField(label=_("Tenggat"), widget=forms.DateInput(attrs={"type": "date"}))
    decision = forms.ModelChoiceField(
        label=_("Dari keputusan"), queryset=Decision.objects.none(), required=False
    )

    def __init__(self, *args: Any, decisions: QuerySet[Decision], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision"].queryset = decisions  # type: ignore[attr-defined]


class EvidenceForm(forms.Form):
    evidence = forms.FileField(label=_("Berkas bukti"), required=False, help_text=EVIDENCE_HELP)
    note = forms.CharField(
        label=_("Keterangan"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MinutesForm(forms.Form):
    minutes = forms.FileField(label=_("Berkas notulen"), help_text=EVIDENCE_HELP)


class DueChangeForm(forms.Form):
    due_on = forms.DateField(
        label=_("Tenggat baru"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("Alasan"), max_length=300)


class RequestForm(_AgencyForm):
    agency_fields = ("to_agency",)

    to_agency = forms.ModelChoiceField(label=_("Kepada"), queryset=Agency.objects.none())
    kind = forms.ChoiceField(label=_("Jenis"), choices=RequestKind.choices)
    subject = forms.CharField(label=_("Perihal"), max_length=300)
    body = forms.CharField(label=_("Isi"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ResolveForm(forms.Form):
    outcome = forms.CharField(label=_("Hasil"), widget=forms.Textarea(attrs={"rows": 2}))


class WaiverForm(forms.Form):
    reason = forms.CharField(label=_("Alasan pengecualian"), max_length=500)


def _period_choices() -> list[tuple[str, str]]:
    from django.utils import timezone

    current = Quarter.of(timezone.localdate())
    return [(str(q), q.label) for q in reversed(current.last(16))]


class ScorecardForm(forms.Form):
    region = forms.ChoiceField(label=_("Kabupaten"))
    period = forms.ChoiceField(label=_("Triwulan"))

    def __init__(self, *args: Any, regions: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.code, r.name) for r in regions]
        self.fields["period"].choices = _period_choices()

    def clean_period(self) -> Quarter:
        try:
            return Quarter.parse(self.cleaned_data["period"])
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc


class ReplyForm(forms.Form):
    indicator = forms.ChoiceField(label=_("Indikator"), required=False)
    text = forms.CharField(label=_("Tanggapan"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, codes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [("", _("Rapor secara keseluruhan")), *codes]


class AgreementForm(forms.Form):
    kind = forms.ChoiceField(label=_("Jenis perjanjian"), choices=Agreement.Kind.choices)
    title = forms.CharField(label=_("Judul"), max_length=400)
    amends = forms.ModelChoiceField(
        label=_("Mengubah perjanjian (untuk adendum)"),
        queryset=Agreement.objects.none(),
        required=False,
    )
    signed_on = forms.DateField(
        label=_("Tanggal tanda tangan"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    effective_from = forms.DateField(
        label=_("Berlaku sejak"), widget=forms.DateInput(attrs={"type": "date"})
    )
    effective_to = forms.DateField(
        label=_("Berlaku sampai"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    party1 = forms.ModelChoiceField(label=_("Pihak pertama"), queryset=Agency.objects.none())
    number1 = forms.CharField(label=_("Nomor pihak pertama"), max_length=120, required=False)
    party2 = forms.ModelChoiceField(label=_("Pihak kedua"), queryset=Agency.objects.none())
    number2 = forms.CharField(label=_("Nomor pihak kedua"), max_length=120, required=False)
    legal_bases = forms.ModelMultipleChoiceField(
        label=_("Dasar hukum"), queryset=Agency.objects.none(), required=False
    )

    def __init__(
        self,
        *args: Any,
        agencies: QuerySet[Agency],
        agreements: QuerySet[Agreement],
        legal_bases: QuerySet[Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["party1"].queryset = agencies  # type: ignore[attr-defined]
        self.fields["party2"].queryset = agencies  # type: ignore[attr-defined]
        self.fields["amends"].queryset = agreements  # type: ignore[attr-defined]
        self.fields["legal_bases"].queryset = legal_bases  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("party1") and data.get("party1") == data.get("party2"):
            raise forms.ValidationError(_("Para pihak harus dua instansi yang berbeda."))
        start, end = data.get("effective_from"), data.get("effective_to")
        if start and end and end < start:
            raise forms.ValidationError(_("Tanggal berakhir sebelum tanggal berlaku."))
        return data


class ObligationForm(forms.Form):
    party = forms.ModelChoiceField(
        label=_("Pihak yang berkewajiban"), queryset=Agency.objects.none()
    )
    code = forms.CharField(label=_("Kode"), max_length=10)
    description = forms.CharField(label=_("Kewajiban"), max_length=400)
    frequency = forms.ChoiceField(label=_("Frekuensi"), choices=Obligation.Frequency.choices)
    evidence_rule = forms.ChoiceField(label=_("Cara menilai"), choices=Obligation.Evidence.choices)
    sla_days = forms.IntegerField(
        label=_("SLA (hari)"),
        required=False,
        min_value=0,
        max_value=365,
        help_text=_("Kosongkan bila belum disepakati."),
    )
    request_kind = forms.ChoiceField(
        label=_("Berlaku untuk permintaan jenis"),
        choices=[("", "—"), *RequestKind.choices],
        required=False,
    )
    due_rule = forms.CharField(label=_("Aturan tenggat"), max_length=200, required=False)

    def __init__(self, *args: Any, parties: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = parties  # type: ignore[attr-defined]


class ForumForm(forms.Form):
    name = forms.CharField(label=_("Nama forum"), max_length=200)
    region = forms.ModelChoiceField(label=_("Wilayah"), queryset=Agency.objects.none())
    convening_agency = forms.ModelChoiceField(
        label=_("Penyelenggara"), queryset=Agency.objects.none()
    )
    cadence = forms.ChoiceField(label=_("Jadwal rencana"), choices=Forum.Cadence.choices)
    core = forms.ModelMultipleChoiceField(
        label=_("Anggota inti"), queryset=Agency.objects.none(), required=False
    )
    invited = forms.ModelMultipleChoiceField(
        label=_("Undangan tetap"), queryset=Agency.objects.none(), required=False
    )
    valid_from = forms.DateField(
        label=_("Dibentuk sejak"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self, *args: Any, regions: QuerySet[Any], agencies: QuerySet[Agency], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]
        for name in ("convening_agency", "core", "invited"):
            self.fields[name].queryset = agencies  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if set(data.get("core") or []) & set(data.get("invited") or []):
            raise forms.ValidationError(_("Satu instansi tidak bisa anggota inti dan undangan."))
        return data
