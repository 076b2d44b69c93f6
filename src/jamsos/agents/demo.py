"""Demo step: Agen Perisai of Kabupaten Sijunjung.

Runs after the proposals step (order 70), so the demo agent's one-person proposal exists.
What it makes:

1. two institutions (a koperasi and a BUMNag) holding the agency agreement;
2. the demo login ``agen`` as an active agent of Nagari Timbulun (its earlier one-person
   proposal is attributed to it), and four more agents of other nagari: one perangkat
   nagari, one appointed recently, one that resigned (maker-checker: the operator asks,
   the head approves; it may rejoin after the rule's months);
3. recruits: part of each agent's nagari's memberships are attributed to it, and six
   self-paid (mandiri) members recruited by ``agen`` whose dues BPJS reconciled for the
   last three months — the only dues that earn a fee under the default rule;
4. ``agen``'s fee statement of two months ago, drafted by the operator and approved by the
   head, and last month's, drafted and waiting for approval;
5. the inactivity check of last month, which proposes ending (or warns) idle agents.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from jamsos.agents import services
from jamsos.agents.models import Agent, AgentInstitution
from jamsos.budget import services as budget_services
from jamsos.budget.models import FundingSource, Segment
from jamsos.contributions.models import Bill, BillLine
from jamsos.demo.registry import demo_step
from jamsos.enrollment.models import Membership
from jamsos.intake.models import ProposalBatch, ProposalRow
from jamsos.lib.nik import nik_build
from jamsos.lib.periods import Month
from jamsos.regions.models import Region

if TYPE_CHECKING:
    from jamsos.demo.registry import DemoContext

AGENT_NAGARI = "13.03.03.2001"  # Timbulun, the demo agent's nagari
MANDIRI_MEMBERS = 6
MANDIRI_DUES = 16_800  # the lowest BPU bracket's JKK + JKM in the demo's rate table
OTHER_AGENTS = [
    # (name, sex, birth date, months since appointment, perangkat nagari, resigned)
    ("Syafrizal Dt. Rajo Mudo", "L", dt.date(1976, 3, 14), 14, True, False),
    ("Desi Ratnasari", "P", dt.date(1990, 9, 2), 2, False, False),
    ("Hendra Gunawan", "L", dt.date(1984, 12, 20), 10, False, False),
    ("Nurhasanah", "P", dt.date(1982, 6, 11), 12, False, True),
]


def _person(name: str, sex: str, born: dt.date, village: Region, serial: int):
    return services.AgentPersonData(
        nik=nik_build(village.parent_id, born, sex, serial),
        full_name=name,
        birth_date=born,
        sex=sex,
        village=village.pk,
        phone=f"08127{serial:07d}",
    )


def _months_ago(ctx: DemoContext, months: int) -> dt.date:
    return (Month.from_date(ctx.as_of) - months).first_day()  # type: ignore[union-attr]


@demo_step("agents", order=80)
def demo_step_agents(ctx: DemoContext) -> int:
    operator, head = ctx.users.get("operator"), ctx.users.get("kadis")
    agen = ctx.users.get("agen")
    if operator is None or head is None or agen is None:
        return 0
    regency = ctx.regency
    koperasi = services.institution_create(
        name="Koperasi Serba Usaha Saiyo Sakato",
        kind=AgentInstitution.Kind.KOPERASI,
        region=regency,
        bpjs_agreement_number="PKS/AGEN/2024/017",
        acting_user=operator,
    )
    bumnag = services.institution_create(
        name="BUMNag Timbulun Sejahtera",
        kind=AgentInstitution.Kind.BUMNAG,
        region=regency,
        bpjs_agreement_number="PKS/AGEN/2025/004",
        acting_user=operator,
    )
    home = Region.objects.get(pk=AGENT_NAGARI)
    made: list[Agent] = []
    main = _agent(
        ctx,
        person=_person("Rahmat Hidayat Caniago", "L", dt.date(1986, 5, 17), home, 8701),
        nagari=home,
        institution=bumnag,
        months=8,
        code="AGN-1303-0001",
        user=agen,
    )
    made.append(main)
    villages = list(
        Region.objects.filter(level=Region.Level.VILLAGE, code__startswith=regency.pk + ".")
        .exclude(pk=AGENT_NAGARI)
        .order_by("code")[::9][: len(OTHER_AGENTS)]
    )
    for i, ((name, sex, born, months, perangkat, resigned), village) in enumerate(
        zip(OTHER_AGENTS, villages, strict=False), start=2
    ):
        agent = _agent(
            ctx,
            person=_person(name, sex, born, village, 8700 + i),
            nagari=village,
            institution=koperasi,
            months=months,
            code=f"AGN-1303-{i:04d}",
            perangkat=perangkat,
        )
        made.append(agent)
        if resigned:
            change = services.agent_status_request(
                agent=agent,
                to_status=Agent.Status.ENDED,
                end_reason=Agent.EndReason.RESIGNED,
                effective_on=_months_ago(ctx, 1),
                note="Pindah ke luar kabupaten",
                acting_user=operator,
            )
            services.agent_status_decide(change=change, approve=True, acting_user=head)
    made[1].substitute = made[3]
    made[1].save(update_fields=["substitute"])
    # The demo agent's one-person proposal (intake step) was made before it was an agent.
    ProposalBatch.objects.filter(proposer=agen, agent__isnull=True).update(agent=main)
    ProposalRow.objects.filter(batch__proposer=agen, agent__isnull=True).update(agent=main)
    _attribute_memberships(ctx, made)
    _mandiri_recruits(ctx, main)
    for months_back in (2, 1):
        statement = services.statement_draft(
            agent=main, month=Month.from_date(_months_ago(ctx, months_back)), acting_user=operator
        )
        if months_back == 2:
            services.statement_approve(statement=statement, acting_user=head)
    services.inactivity_check_run(month=Month.from_date(_months_ago(ctx, 1)), region=regency.pk)
    return len(made)


def _agent(
    ctx: DemoContext,
    *,
    person: services.AgentPersonData,
    nagari: Region,
    institution: AgentInstitution,
    months: int,
    code: str,
    user=None,
    perangkat: bool = False,
) -> Agent:
    operator, head = ctx.users["operator"], ctx.users["kadis"]
    appointed = _months_ago(ctx, months)
    agent = services.agent_create(
        person=person,
        region=ctx.regency,
        institution=institution,
        bpjs_code=code,
        appointment_number=f"SK/AGEN/{appointed:%Y}/{code[-4:]}",
        appointment_date=appointed,
        is_perangkat_nagari=perangkat,
        user=user,
        acting_user=operator,
    )
    change = services.agent_status_request(
        agent=agent, to_status=Agent.Status.ACTIVE, effective_on=appointed, acting_user=operator
    )
    services.agent_status_decide(change=change, approve=True, acting_user=head)
    services.assignment_add(
        agent=agent, nagari=nagari, valid_from=appointed, is_primary=True, acting_user=operator
    )
    services.training_add(
        agent=agent,
        topic="kepesertaan",
        title="Pelatihan agen Perisai: kepesertaan BPU dan PDP",
        held_on=appointed,
        provider="BPJS Ketenagakerjaan Cabang Solok",
        acting_user=operator,
    )
    agent.refresh_from_db()
    return agent


def _attribute_memberships(ctx: DemoContext, agents: list[Agent]) -> None:
    """About a third of each agent's nagari's memberships came through the agent."""
    rng = ctx.rng("agents")
    for agent in agents:
        nagari = agent.assignments.values_list("nagari_id", flat=True)
        ids = list(
            Membership.objects.filter(village_id__in=list(nagari), agent__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        chosen = [pk for pk in ids if rng.random() < 0.35]
        Membership.objects.filter(pk__in=chosen).update(agent=agent)


def _mandiri_recruits(ctx: DemoContext, agent: Agent) -> None:
    """Self-paid members the agent recruited, with three reconciled months of dues."""
    source = budget_services.funding_source_create(
        region=ctx.regency,
        kind=FundingSource.Kind.MANDIRI,
        name="Peserta mandiri (iuran sendiri)",
        acting_user=None,
    )
    covered = set(Membership.objects.values_list("person_id", flat=True))
    free = [p for p in ctx.persons if p.pk not in covered and not p.is_deceased]
    # Neighbours first: the agent's nagari, then its kecamatan, then anywhere.
    district = AGENT_NAGARI.rsplit(".", 1)[0]
    free.sort(key=lambda p: (p.village_id != AGENT_NAGARI, not p.village_id.startswith(district)))
    persons = free[:MANDIRI_MEMBERS]
    first = Month.from_date(_months_ago(ctx, 3))
    members = [
        Membership.objects.create(
            person=person,
            segment=Segment.BPU,
            programmes=["jkk", "jkm"],
            funding_source=source,
            village_id=person.village_id,
            kpj_number=f"29{person.pk:09d}",
            first_month=first.first_day(),
            last_month=Month(ctx.as_of.year, 12).first_day(),
            status=Membership.Status.ACTIVE,
            status_reason="Demo: peserta mandiri direkrut agen",
            agent=agent,
        )
        for person in persons
    ]
    for back in (3, 2, 1):
        month = Month.from_date(_months_ago(ctx, back))
        bill = Bill.objects.create(
            number=f"IUR-MANDIRI/1303/{month.year}{month.month:02d}",
            regency=ctx.regency,
            region=ctx.regency,
            funding_source=source,
            first_month=month.first_day(),
            last_month=month.first_day(),
            status=Bill.Status.RECONCILED,
            members=len(members),
            person_months=len(members),
            total=MANDIRI_DUES * len(members),
            paid_amount=MANDIRI_DUES * len(members),
        )
        BillLine.objects.bulk_create(
            BillLine(bill=bill, membership=m, month=month.first_day(), amount=MANDIRI_DUES)
            for m in members
        )
