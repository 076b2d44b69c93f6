"""Demo outreach: sosialisasi events, deaths followed up, and an outbox with every fate.

Runs after the claims (60) and proposals (70) steps, whose services already queued
messages (claim stages, submitted batches, issued bills). This step:

1. records events over the last 15 months in about half of the nagari, by BPJS, the
   Dinas and the agent, so some nagari show as not reached; a few of the agent's later
   proposals carry the agent's event code (conversion);
2. reports two deaths in the agent's nagari (one closed with a reason) and imports a
   small Dukcapil list through the real import (members elsewhere, non-members);
3. records heirs' consent, then gives the outbox a history without any network: the
   oldest messages sent, some failed with a gateway error (visible on "Pesan"), the rest
   queued. The demo never contacts an SMTP server or a gateway.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from jamsos.demo.registry import demo_step
from jamsos.enrollment.models import Membership
from jamsos.intake.models import ProposalRow
from jamsos.messaging import services as messaging_services
from jamsos.messaging.models import Consent, Message
from jamsos.outreach import services
from jamsos.outreach.models import AudienceSegment, EventKind, FollowUp
from jamsos.regions.models import Region

if TYPE_CHECKING:
    from jamsos.demo.registry import DemoContext

TITLES = {
    EventKind.SOSIALISASI: "Sosialisasi perlindungan JKK-JKM bagi pekerja rentan",
    EventKind.PENYERAHAN_SANTUNAN: "Penyerahan santunan JKM kepada ahli waris",
    EventKind.PELATIHAN_AGEN: "Pelatihan Agen Perisai",
    EventKind.RAKOR_NAGARI: "Rapat koordinasi nagari: pendataan pekerja rentan",
}


@demo_step("outreach", order=90)
def demo_step_outreach(ctx: DemoContext) -> int:
    users = ctx.users
    if any(name not in users for name in ("operator", "bpjs", "agen")):
        return 0
    created = _events(ctx) + _followups(ctx) + _outbox(ctx)
    return created


def _events(ctx: DemoContext) -> int:
    rng = ctx.rng("outreach-events")
    agent = ctx.users["agen"]
    villages = list(
        Region.objects.filter(
            level=Region.Level.VILLAGE, code__startswith=ctx.regency.code + "."
        ).order_by("code")
    )
    if not villages:
        return 0
    bpjs = ctx.users["bpjs"]
    operator = ctx.users["operator"]
    reached = rng.sample(villages, k=max(1, len(villages) // 2))
    count = 0
    for village in reached:
        user = rng.choice([bpjs, operator])
        kind = rng.choice(list(TITLES))
        male = rng.randrange(10, 80)
        female = rng.randrange(10, 80)
        services.event_create(
            acting_user=user,
            title=TITLES[kind],
            kind=kind,
            held_on=ctx.as_of - dt.timedelta(days=rng.randrange(20, 450)),
            place=rng.choice(["Kantor Wali Nagari", "Masjid Raya", "Balai Adat", "Aula Kecamatan"]),
            village=village,
            organiser=user.agency,
            obligation_code="B3" if user is bpjs else "",
            audience_segments=rng.sample(list(AudienceSegment.values), k=3),
            attendance_male=male,
            attendance_female=female,
            attendance_total=male + female + rng.randrange(0, 5),
        )
        count += 1
    # The agent's own sosialisasi a month ago; some of its later proposals carry the code.
    event = services.event_create(
        acting_user=agent,
        title="Sosialisasi di Masjid Nurul Iman bersama wali nagari",
        kind=EventKind.SOSIALISASI,
        held_on=ctx.as_of - dt.timedelta(days=30),
        place="Masjid Nurul Iman",
        village=agent.region,
        organiser=agent.agency,
        audience_segments=[AudienceSegment.PETANI, AudienceSegment.IMAM],
        attendance_male=34,
        attendance_female=21,
    )
    rows = list(
        ProposalRow.objects.filter(village_id=agent.region_id, batch__proposer=agent)
        .order_by("pk")
        .values_list("pk", flat=True)[:3]
    )
    # Demo history only: the proposals step ran before the event existed.
    ProposalRow.objects.filter(pk__in=rows).update(event_code=event.code)
    return count + 1


def _followups(ctx: DemoContext) -> int:
    agent = ctx.users["agen"]
    today = ctx.as_of  # the demo's "today" (its memberships run around it)
    month = today.replace(day=1)
    claimed = set(
        FollowUp.objects.values_list("person_id", flat=True)
    )  # deaths the claims step filed
    running = (
        Membership.objects.filter(
            status=Membership.Status.ACTIVE,
            person__is_deceased=False,
            first_month__lte=month - dt.timedelta(days=40),
            last_month__gte=month,
        )
        .exclude(person_id__in=claimed)
        .order_by("pk")
    )
    mine = list(running.filter(village_id=agent.region_id).select_related("person")[:2])
    count = 0
    for i, membership in enumerate(mine):
        followup = services.death_report(
            person=membership.person,
            died_on=today - dt.timedelta(days=6 + 9 * i),
            acting_user=agent,
            note="Dilaporkan wali jorong",
        )
        if i == 1:
            services.followup_close(
                followup=followup,
                reason=FollowUp.Reason.CLAIMED_ELSEWHERE,
                note="Sudah diklaim lewat perusahaan tempat bekerja",
                acting_user=agent,
            )
        count += 1
    others = list(
        running.exclude(village_id=agent.region_id)
        .exclude(person_id__in=[m.person_id for m in mine])
        .select_related("person")
        .order_by("pk")[:3]
    )
    lines = ["NIK;NAMA;TANGGAL_MENINGGAL"]
    for j, membership in enumerate(others):
        died = today - dt.timedelta(days=12 + 5 * j)
        lines.append(f"{membership.person.nik};{membership.person.full_name};{died:%d-%m-%Y}")
    lines.append(f"1303019999990001;Bukan Peserta;{today - dt.timedelta(days=15):%d-%m-%Y}")
    if others:
        summary = services.deaths_import(
            data=("\n".join(lines) + "\n").encode(),
            file_name=f"dukcapil-kematian-{today:%Y-%m}.csv",
            acting_user=ctx.users["operator"],
        )
        count += summary.followups_opened
    if not FollowUp.objects.filter(status=FollowUp.Status.CLOSED).exists():
        followup = FollowUp.objects.filter(status=FollowUp.Status.OPEN).order_by("-pk").first()
        if followup is not None:
            services.followup_close(
                followup=followup,
                reason=FollowUp.Reason.NO_HEIR,
                note="Hidup sendiri; tidak ada ahli waris",
                acting_user=ctx.users["operator"],
            )
    return count


def _outbox(ctx: DemoContext) -> int:
    heirs = list(
        Message.objects.filter(needs_consent=True)
        .values_list("recipient_address", flat=True)
        .distinct()
        .order_by("recipient_address")
    )
    for address in heirs[: max(1, len(heirs) // 2)]:
        messaging_services.consent_record(
            address=address,
            status="granted",
            source="claim_form",
            acting_user=None,
            note="Formulir klaim (demo)",
        )
    now = timezone.now()
    granted = set(Consent.objects.filter(status="granted").values_list("address", flat=True))
    ids = list(
        Message.objects.order_by("created_at", "pk").values_list(
            "pk", "needs_consent", "recipient_address"
        )
    )
    sent, failed, refused = [], [], []
    for n, (pk, needs_consent, address) in enumerate(ids[: len(ids) * 2 // 3]):
        if needs_consent and address not in granted:
            refused.append(pk)
        else:
            # About one in six fails, the first time early on, so the page shows one.
            (failed if n % 6 == 2 else sent).append(pk)
    # Demo history without a network: the states the sender would have left.
    Message.objects.filter(pk__in=sent).update(
        status=Message.Status.SENT, attempts=1, sent_at=now, provider_reference="demo"
    )
    Message.objects.filter(pk__in=failed).update(
        status=Message.Status.FAILED,
        attempts=6,
        last_error="Gateway HTTP 503: layanan penyedia sedang gangguan (demo)",
    )
    Message.objects.filter(pk__in=refused).update(
        status=Message.Status.CANCELLED,
        attempts=1,
        cancelled_reason="Belum ada persetujuan penerima untuk menerima pesan.",
    )
    return len(ids)
