"""Demo forum life for Sijunjung, January 2022 to December 2023, through the real services.

The story (design-governance §1.2): a kabupaten forum komunikasi convened by Disnakertrans
meets roughly monthly, with a gap in mid-2022 (the seed: "tanpa jadwal yang sistematis");
an FGD with the kecamatan, an evaluation each December, a bilateral Dinas–BPJS meeting.
Decisions link to the 2022 decrees and the APBD-P 2022 pagu made by the enrollment step,
and to the 2023 addendum. Action items are done on time, late, or still open and overdue;
requests go both ways, some answered late; before the addendum no request kind has an SLA
("SLA belum disepakati"), after it three do. The addendum (560/316/Nakertrans-2023 and
PER/16/032023) replaces the first PKS's obligations with the 12 duties D1–D6 and B1–B6,
which are generated and judged from the records, so some are missed.

Numbers and dates that no source gives are marked as demo values: the first PKS's numbers,
the addendum's effective date and every SLA (design-governance §2.2: SLAs [UNCONFIRMED]).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jamsos.collaboration import services
from jamsos.collaboration.models import (
    ActionItem,
    Agreement,
    Forum,
    ForumMembership,
    Meeting,
    Obligation,
)
from jamsos.collaboration.obligations import (
    obligation_instances_generate,
    obligation_instances_judge,
)
from jamsos.demo.registry import demo_step

if TYPE_CHECKING:
    from jamsos.accounts.models import Agency
    from jamsos.demo.registry import DemoContext

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DEMO_NOTE = "nilai contoh demo; belum ditemukan di sumber"

# (date, kind, mode, title): rakor about monthly, none June–August 2022.
MEETINGS = [
    (dt.date(2022, 1, 12), "rakor", "tatap_muka", "Rakor persiapan program pekerja rentan 2022"),
    (dt.date(2022, 2, 9), "rakor", "tatap_muka", "Rakor pendataan calon penerima tahap I"),
    (dt.date(2022, 3, 10), "rakor", "hybrid", "Rakor penetapan penerima tahap I"),
    (dt.date(2022, 4, 13), "rakor", "daring", "Rakor hasil verifikasi BPJS tahap I"),
    (dt.date(2022, 5, 18), "rakor", "tatap_muka", "Rakor klaim dan sosialisasi"),
    (dt.date(2022, 8, 18), "fgd", "tatap_muka", "FGD pendataan bersama Camat dan Wali Nagari"),
    (dt.date(2022, 9, 14), "rakor", "tatap_muka", "Rakor usulan APBD-P 2022 (tahap II)"),
    (dt.date(2022, 10, 12), "rakor", "hybrid", "Rakor penetapan penerima tahap II"),
    (dt.date(2022, 11, 16), "rakor", "daring", "Rakor tagihan iuran dan SP2D"),
    (dt.date(2022, 12, 14), "evaluasi", "tatap_muka", "Evaluasi program 2022"),
    (dt.date(2023, 1, 18), "rakor", "tatap_muka", "Rakor rencana 2023"),
    (
        dt.date(2023, 2, 20),
        "bilateral",
        "tatap_muka",
        "Pertemuan Disnakertrans–BPJS: rancangan adendum",
    ),
    (dt.date(2023, 3, 15), "rakor", "tatap_muka", "Rakor penandatanganan adendum PKS"),
    (dt.date(2023, 4, 12), "rakor", "daring", "Rakor SLA layanan"),
    (dt.date(2023, 5, 17), "rakor", "tatap_muka", "Rakor pokir DPRD untuk iuran"),
    (dt.date(2023, 7, 19), "rakor", "hybrid", "Rakor serapan APBD tahap I 2023"),
    (dt.date(2023, 8, 16), "rakor", "tatap_muka", "Rakor sosialisasi nagari"),
    (dt.date(2023, 10, 11), "rakor", "daring", "Rakor perpanjangan 2024"),
    (dt.date(2023, 11, 15), "rakor", "tatap_muka", "Rakor dasar hukum: rancangan Perbup"),
    (dt.date(2023, 12, 13), "evaluasi", "tatap_muka", "Evaluasi program 2023"),
]
# Days after the meeting its minutes were shared (None: never uploaded).
MINUTES_AFTER = [3, 5, 2, 9, 4, 6, None, 3, 12, 5, 4, None, 2, 6, 3, 8, 4, None, 5, 3]
BPJS_LEADER_AT = {0, 2, 6, 7, 9, 12, 13, 16, 19}
DPRD_AT = {6, 14, 19}

ADDENDUM_FROM = dt.date(2023, 3, 15)  # demo date: signed at the rakor of that day

# code, party (d/b), description, frequency, evidence rule, SLA days, request kind
DUTIES = [
    ("D1", "d", "Mendata calon peserta yang diusulkan", "yearly", "auto_proposals", 14, "data"),
    ("D2", "d", "Merumuskan dan mengusulkan anggaran iuran", "yearly", "auto_allocation", None, ""),
    ("D3", "d", "Berkoordinasi dengan anggota DPRD untuk pokir", "yearly", "auto_dprd_meeting", None, ""),  # noqa: E501
    ("D4", "d", "Mengajukan klaim ke BPJS Cabang Solok", "per_claim", "auto_claim_submitted", 2, ""),  # noqa: E501
    ("D5", "d", "Melaporkan pelaksanaan kepada Bupati", "quarterly", "upload", None, ""),
    ("D6", "d", "Mengevaluasi program", "yearly", "auto_evaluation", None, ""),
    ("B1", "b", "Memverifikasi data usulan sebelum masuk sistem BPJS", "per_decree", "auto_bpjs_result", 14, "verifikasi"),  # noqa: E501
    ("B2", "b", "Memeriksa kelengkapan kepesertaan dan klaim", "per_claim", "auto_claim_decided", 7, ""),  # noqa: E501
    ("B3", "b", "Melaksanakan sosialisasi kepada masyarakat", "quarterly", "upload", None, "sosialisasi"),  # noqa: E501
    ("B4", "b", "Membayar klaim yang diajukan", "per_claim", "auto_claim_paid", 7, "klaim"),
    ("B5", "b", "Berkoordinasi dengan pemangku kepentingan", "quarterly", "auto_attendance", None, ""),  # noqa: E501
    ("B6", "b", "Mengevaluasi program", "yearly", "auto_evaluation", None, ""),
]  # fmt: skip
FIRST_PKS_DUTIES = ["D1", "D2", "D4", "B1", "B4", "B5"]


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _agreements(ctx: DemoContext, dinas: Agency, bpjs: Agency, forum: Forum) -> Agreement:
    from jamsos.enrollment.models import LegalBasis

    op = ctx.users["operator"]
    bases = LegalBasis.objects.filter(number__in=["2", "560/391.a/Nakertrans-2021"], kind=80)
    first = services.agreement_record(
        region=ctx.regency,
        kind=Agreement.Kind.PKS,
        title=(
            "Perjanjian Kerja Sama Kepesertaan Program Jaminan Sosial Ketenagakerjaan bagi "
            "Tenaga Kerja Mandiri/Sektor Informal di Kabupaten Sijunjung"
        ),
        effective_from=dt.date(2022, 1, 1),
        effective_to=dt.date(2023, 12, 31),
        signed_on=dt.date(2021, 12, 20),
        parties=[
            (dinas, "560/DEMO/Nakertrans-2021", "", "Kepala Dinas"),
            (bpjs, "PER/DEMO/122021", "", "Kepala Kantor Cabang"),
        ],
        legal_bases=bases,
        acting_user=op,
    )
    parties = {"d": dinas, "b": bpjs}
    for code, party, text, freq, rule, _sla, _kind in DUTIES:
        if code in FIRST_PKS_DUTIES:
            services.obligation_add(
                agreement=first,
                party=parties[party],
                code=code,
                description=text,
                kind=_kind_of(freq),
                frequency=freq,
                evidence_rule=rule,
                acting_user=op,
            )
    addendum = services.agreement_record(
        region=ctx.regency,
        kind=Agreement.Kind.ADDENDUM,
        title=(
            "Adendum Perjanjian Kerjasama tentang Kepesertaan Program Jaminan Sosial "
            "Ketenagakerjaan bagi Tenaga Kerja Mandiri/Sektor Informal di Kabupaten Sijunjung"
        ),
        effective_from=ADDENDUM_FROM,
        effective_to=None,
        signed_on=ADDENDUM_FROM,
        parties=[
            (dinas, "560/316/Nakertrans-2023", "", "Kepala Dinas"),
            (bpjs, "PER/16/032023", "", "Kepala Kantor Cabang"),
        ],
        legal_bases=bases,
        amends=first,
        acting_user=op,
    )
    duties = services.clause_add(
        agreement=addendum,
        number="Pasal hak dan kewajiban",
        heading="Hak dan kewajiban para pihak",
        category="hak_kewajiban",
        acting_user=op,
    )
    for heading, category in [
        ("Objek perjanjian", "objek"),
        ("Ruang lingkup", "ruang_lingkup"),
        ("Jumlah peserta", "jumlah_peserta"),
        ("Kartu peserta", "kartu"),
        ("Besaran iuran", "iuran"),
        ("Cara pembayaran", "pembayaran"),
        ("Prosedur pelayanan", "prosedur_layanan"),
        ("Jangka waktu", "jangka_waktu"),
        ("Keadaan kahar", "force_majeure"),
        ("Adendum", "adendum"),
    ]:
        services.clause_add(
            agreement=addendum, number="", heading=heading, category=category, acting_user=op
        )
    for code, party, text, freq, rule, sla, kind in DUTIES:
        services.obligation_add(
            agreement=addendum,
            clause=duties,
            party=parties[party],
            code=code,
            description=text,
            kind=_kind_of(freq),
            frequency=freq,
            evidence_rule=rule,
            sla_days=sla,
            due_rule=f"SLA {sla} hari ({DEMO_NOTE})" if sla else "",
            request_kind=kind,
            acting_user=op,
        )
    services.agreement_record(
        region=ctx.regency,
        kind=Agreement.Kind.INTEGRITY_PACT,
        title="Pakta integritas pelaksanaan program jaminan sosial ketenagakerjaan pekerja rentan",
        effective_from=ADDENDUM_FROM,
        effective_to=None,
        signed_on=ADDENDUM_FROM,
        parties=[(dinas, "", "", "Kepala Dinas"), (bpjs, "", "", "Kepala Kantor Cabang")],
        acting_user=op,
    )
    return addendum


def _kind_of(frequency: str) -> str:
    if frequency in ("per_decree", "per_claim"):
        return Obligation.Kind.PER_EVENT
    return Obligation.Kind.RECURRING


@demo_step("collaboration", order=95)
def demo_step_collaboration(ctx: DemoContext) -> int:  # noqa: C901
    """Two years of forum life for Sijunjung."""
    from jamsos.budget.models import Allocation
    from jamsos.enrollment.models import Decree

    if Forum.objects.filter(region=ctx.regency).exists():
        return 0
    op, kadis, bpjs_user = ctx.users["operator"], ctx.users["kadis"], ctx.users["bpjs"]
    camat_user = ctx.users.get("camat")
    a = ctx.agencies
    dinas, bpjs = a["disnakertrans-sijunjung"], a["bpjs-cabang-solok"]
    setda, dprd = a["setda-sijunjung"], a["dprd-sijunjung"]
    camat = camat_user.agency if camat_user else None
    rng = ctx.rng("collaboration")
    forum = services.forum_create(
        region=ctx.regency,
        name="Forum Komunikasi Program Jamsos Pekerja Rentan Kabupaten Sijunjung",
        convening_agency=dinas,
        cadence=Forum.Cadence.MONTHLY,
        members=[
            (dinas, ForumMembership.Role.CORE),
            (bpjs, ForumMembership.Role.CORE),
            (setda, ForumMembership.Role.CORE),
            (dprd, ForumMembership.Role.INVITED),
            *([(camat, ForumMembership.Role.INVITED)] if camat else []),
        ],
        valid_from=dt.date(2022, 1, 1),
        acting_user=op,
    )
    addendum = _agreements(ctx, dinas, bpjs, forum)
    decrees = {d.number: d for d in Decree.objects.filter(region=ctx.regency)}
    apbd_p = (
        Allocation.objects.filter(
            fiscal_year__region=ctx.regency, fiscal_year__year=2022, source__kind="apbd_p"
        )
        .order_by("pk")
        .first()
    )
    meetings: list[Meeting] = []
    for n, (day, kind, mode, title) in enumerate(MEETINGS):
        m = services.meeting_record(
            forum=forum,
            kind=kind,
            mode=mode,
            title=title,
            starts_at=_at(day),
            place="Aula Disnakertrans Sijunjung, Muaro Sijunjung" if mode != "daring" else "Zoom",
            convened_by=dinas,
            chair_name="Kepala Disnakertrans" if kind != "evaluasi" else "Sekretaris Daerah",
            acting_user=op,
        )
        meetings.append(m)
        services.attendance_record(
            meeting=m, agency=dinas, level="pimpinan", count=1, acting_user=op
        )
        services.attendance_record(
            meeting=m, agency=dinas, level="staf", count=rng.randint(2, 5), acting_user=op
        )
        services.attendance_record(
            meeting=m,
            agency=bpjs,
            level="pimpinan" if n in BPJS_LEADER_AT else "staf",
            count=rng.randint(1, 3),
            acting_user=op,
        )
        if kind == "evaluasi" or n % 3 == 0:
            services.attendance_record(
                meeting=m, agency=setda, level="pejabat", count=1, acting_user=op
            )
        if n in DPRD_AT:
            services.attendance_record(
                meeting=m, agency=dprd, level="pimpinan", count=2, acting_user=op
            )
        if kind == "fgd" and camat:
            services.attendance_record(
                meeting=m, agency=camat, level="pimpinan", count=1, acting_user=op
            )
        proposers = [dinas, dinas, bpjs] + ([dprd] if n in DPRD_AT else [])
        for i, who in enumerate(proposers[: rng.randint(2, len(proposers))]):
            services.agenda_item_add(
                meeting=m,
                title=f"{title}: pokok bahasan {i + 1}",
                proposed_by=who,
                acting_user=op,
            )
        after = MINUTES_AFTER[n]
        if after is not None:
            services.minutes_publish(
                meeting=m,
                upload=_pdf(f"notulen-{day:%Y%m%d}.pdf"),
                acting_user=op,
                at=_at(day + dt.timedelta(days=after), 15),
            )

    def decide(n: int, text: str, kind: str, who: Agency, links=()):
        return services.decision_record(
            meeting=meetings[n], text=text, kind=kind, proposed_by=who, links=links, acting_user=op
        )

    def item(decision, title, owner, due, *, done=None, evidence=True, escalated=None, user=None):
        it = services.action_item_assign(
            forum=forum,
            decision=decision,
            title=title,
            owner_agency=owner,
            owner_name="Kepala Bidang" if owner == dinas else "Kepala Bidang Kepesertaan",
            due_on=due,
            acting_user=op,
        )
        if escalated:
            services.action_item_escalate(
                item=it, note="Pengingat", acting_user=op, at=_at(escalated)
            )
        if done:
            services.action_item_complete(
                item=it,
                upload=_pdf("bukti.pdf") if evidence else None,
                note="" if evidence else "Disampaikan dalam rakor",
                acting_user=user or (bpjs_user if owner == bpjs else op),
                at=_at(done, 14),
            )
        return it

    d = decide(
        2,
        "Menetapkan penerima tahap I sesuai hasil pendataan",
        "konsensus",
        dinas,
        [("decree", decrees["188.45/131/KPTS-BPT-2022"])]
        if "188.45/131/KPTS-BPT-2022" in decrees
        else [],
    )
    item(
        d,
        "Kirim data penerima tahap I ke BPJS",
        dinas,
        dt.date(2022, 3, 25),
        done=dt.date(2022, 3, 22),
    )
    item(
        d,
        "Verifikasi data tahap I",
        bpjs,
        dt.date(2022, 4, 8),
        done=dt.date(2022, 4, 20),
        escalated=dt.date(2022, 4, 12),
    )
    d = decide(4, "Sosialisasi berkala ke setiap kecamatan", "arahan", setda)
    item(
        d, "Jadwal sosialisasi triwulan III", bpjs, dt.date(2022, 6, 30), done=dt.date(2022, 6, 28)
    )
    d = decide(
        6,
        "Mengusulkan tambahan pagu pada APBD-P 2022 untuk tahap II",
        "konsensus",
        dinas,
        [("allocation", apbd_p)] if apbd_p else [],
    )
    item(d, "Ajukan usulan APBD-P ke TAPD", dinas, dt.date(2022, 9, 30), done=dt.date(2022, 9, 29))
    d = decide(
        7,
        "Menetapkan penerima tahap II",
        "konsensus",
        bpjs,
        [("decree", decrees["188.45/399/KPTS-BPT-2022"])]
        if "188.45/399/KPTS-BPT-2022" in decrees
        else [],
    )
    item(d, "Verifikasi data tahap II", bpjs, dt.date(2022, 11, 2), done=dt.date(2022, 11, 1))
    d = decide(9, "Perbaikan pendataan NIK sebelum usulan 2023", "konsensus", bpjs)
    item(
        d,
        "Padankan NIK ditolak dengan Dukcapil",
        dinas,
        dt.date(2023, 1, 31),
        done=dt.date(2023, 2, 14),
        evidence=False,
    )
    d = decide(11, "Naskah adendum disepakati untuk ditandatangani", "konsensus", bpjs)
    d = decide(
        12,
        "Menandatangani adendum PKS dan pakta integritas",
        "konsensus",
        dinas,
        [("agreement", addendum)],
    )
    item(
        d,
        "Unggah salinan adendum bertanda tangan",
        dinas,
        dt.date(2023, 3, 31),
        done=dt.date(2023, 3, 20),
    )
    d = decide(
        13, "SLA verifikasi 14 hari dan pembayaran klaim 7 hari (contoh demo)", "voting", bpjs
    )
    item(
        d, "Laporan capaian SLA triwulan II", bpjs, dt.date(2023, 7, 15), done=dt.date(2023, 7, 12)
    )
    d = decide(14, "Meminta pokir DPRD untuk iuran pekerja rentan 2024", "konsensus", dprd)
    item(
        d,
        "Surat permintaan pokir ke pimpinan DPRD",
        dinas,
        dt.date(2023, 6, 30),
        done=dt.date(2023, 7, 10),
        evidence=False,
    )
    d = decide(16, "Sosialisasi di setiap nagari pada triwulan IV", "arahan", setda)
    item(d, "Sosialisasi di 10 nagari", bpjs, dt.date(2023, 10, 31), escalated=dt.date(2023, 11, 3))
    overdue = item(
        d, "Materi sosialisasi bersama", dinas, dt.date(2023, 9, 30), done=dt.date(2023, 9, 25)
    )
    d = decide(18, "Menyusun rancangan Perbup sebagai dasar hukum program", "konsensus", bpjs)
    perbup = item(d, "Rancangan Perbup ke Bagian Hukum", dinas, dt.date(2023, 12, 15))
    services.action_item_change_due(
        item=perbup, due_on=dt.date(2024, 3, 31), reason="Menunggu harmonisasi", acting_user=op
    )
    decide(19, "Program dilanjutkan 2024; target 1 Nagari 100 orang", "konsensus", dinas)
    del overdue

    kec = None
    if camat and camat_user:
        kec = services.forum_create(
            region=camat.region,
            name=f"Forum Kecamatan {camat.region.name}",
            convening_agency=camat,
            cadence=Forum.Cadence.QUARTERLY,
            members=[(camat, ForumMembership.Role.CORE), (dinas, ForumMembership.Role.INVITED)],
            valid_from=dt.date(2023, 1, 1),
            acting_user=camat_user,
        )
        for day in (dt.date(2023, 2, 8), dt.date(2023, 8, 9)):
            m = services.meeting_record(
                forum=kec,
                kind="rakor",
                mode="tatap_muka",
                title="Rakor kecamatan: pendataan nagari",
                starts_at=_at(day),
                place="Kantor Camat",
                convened_by=camat,
                acting_user=camat_user,
            )
            services.attendance_record(
                meeting=m, agency=camat, level="pimpinan", count=1, acting_user=camat_user
            )

    # Requests both ways, some answered late.
    def request(frm, to, kind, subject, sent, ack=None, resolved=None, where=forum):
        sender = bpjs_user if frm == bpjs else (camat_user if frm == camat else op)
        answer = bpjs_user if to == bpjs else op
        r = services.request_send(
            forum=where,
            to_agency=to,
            kind=kind,
            subject=subject,
            from_agency=frm,
            acting_user=sender,
            at=_at(sent),
        )
        if ack:
            services.request_acknowledge(request=r, acting_user=answer, at=_at(ack, 10))
        if resolved:
            services.request_resolve(
                request=r, outcome="Ditindaklanjuti", acting_user=answer, at=_at(resolved, 16)
            )
        return r

    D = dt.date
    request(
        dinas,
        bpjs,
        "klaim",
        "Percepat pencairan klaim JKM yang tertunda",
        D(2022, 5, 20),
        D(2022, 5, 23),
        D(2022, 6, 17),
    )
    request(
        dinas,
        bpjs,
        "sosialisasi",
        "Sosialisasi berkala dan menyeluruh",
        D(2022, 6, 2),
        D(2022, 6, 3),
        D(2022, 7, 11),
    )
    request(
        bpjs,
        dinas,
        "dasar_hukum",
        "Terbitkan dasar hukum penetapan peserta",
        D(2022, 1, 20),
        D(2022, 1, 21),
        D(2022, 3, 15),
    )
    request(
        bpjs,
        dinas,
        "data",
        "Perbaiki pendataan: NIK tidak padan Dukcapil",
        D(2022, 4, 15),
        D(2022, 4, 18),
        D(2022, 5, 30),
    )
    if kec is not None:
        request(
            camat,
            dinas,
            "data",
            "Format usulan pekerja rentan kecamatan",
            D(2023, 2, 9),
            D(2023, 2, 9),
            D(2023, 2, 13),
            where=kec,
        )
    # After the addendum, three kinds have an SLA (demo values).
    request(
        dinas,
        bpjs,
        "klaim",
        "Percepat pembayaran klaim JKK",
        D(2023, 4, 17),
        D(2023, 4, 17),
        D(2023, 4, 21),
    )
    request(
        dinas,
        bpjs,
        "klaim",
        "Konfirmasi status klaim JKM",
        D(2023, 5, 8),
        D(2023, 5, 9),
        D(2023, 5, 26),
    )
    request(
        dinas,
        bpjs,
        "verifikasi",
        "Percepat verifikasi usulan 2023",
        D(2023, 6, 5),
        D(2023, 6, 6),
        D(2023, 6, 14),
    )
    request(
        dinas,
        bpjs,
        "sosialisasi",
        "Sosialisasi di nagari baru APB Nagari",
        D(2023, 8, 21),
        D(2023, 8, 25),
        D(2023, 9, 29),
    )
    request(
        bpjs,
        dinas,
        "data",
        "Lengkapi data pekerjaan peserta",
        D(2023, 5, 2),
        D(2023, 5, 3),
        D(2023, 5, 10),
    )
    request(
        bpjs, dinas, "dasar_hukum", "Dasar hukum Perbup program", D(2023, 11, 20), D(2023, 11, 21)
    )
    request(dinas, bpjs, "data", "Rekap peserta aktif per nagari", D(2023, 12, 4))

    # Obligations: generate to the demo date and judge from the records; D5 and B3 are
    # proved by uploads (reports to the Bupati, sosialisasi reports), some quarters missing.
    today = ctx.as_of
    obligation_instances_generate(region=ctx.regency, until=today, acting_user=op)
    from jamsos.collaboration.models import ObligationInstance

    uploads = ObligationInstance.objects.filter(
        obligation__agreement=addendum, obligation__code__in=["D5", "B3"]
    ).order_by("due_on", "obligation__code")
    for n, instance in enumerate(uploads):
        if instance.due_on > dt.date(2023, 12, 31) or n % 3 == 2:
            continue
        user = bpjs_user if instance.obligation.code == "B3" else op
        late = n % 4 == 3
        when = instance.due_on + dt.timedelta(days=12 if late else -3)
        services.obligation_evidence_record(
            instance=instance,
            upload=_pdf(f"laporan-{instance.obligation.code}-{instance.key}.pdf"),
            note=f"Laporan {instance.key}",
            acting_user=user,
            at=_at(when),
        )
    waived = uploads.filter(status="pending", due_on__lte=dt.date(2023, 12, 31)).first()
    if waived is not None:
        services.obligation_waiver_request(
            instance=waived, reason="Banjir Desember: kegiatan ditunda", acting_user=op
        )
        services.obligation_waiver_approve(instance=waived, acting_user=kadis)
    obligation_instances_judge(region=ctx.regency, today=today, acting_user=op)

    return (
        Meeting.objects.filter(forum__region__code__startswith=ctx.regency.code).count()
        + ActionItem.objects.filter(forum=forum).count()
    )
