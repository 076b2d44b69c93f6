"""Demo leads: a few citizens who signed up on the public portal, in the demo agent's
nagari and elsewhere in the kabupaten, one already followed up, so the agent's and the
Camat's queues show something."""

from __future__ import annotations

from typing import TYPE_CHECKING

from jamsos.demo.registry import demo_step
from jamsos.portal import services
from jamsos.portal.models import Lead
from jamsos.regions.models import Region

if TYPE_CHECKING:
    from jamsos.demo.registry import DemoContext

NAMES = ["Rosmaini", "Zulkifli", "Yuliarti", "Erman Sutan Bagindo", "Nurlela", "Afrizal"]
JOBS = ["Petani karet", "Pedagang sayur", "Buruh tani", "Ojek", "Penjahit", "Peternak"]


@demo_step("portal_leads", order=85)
def demo_step_portal_leads(ctx: DemoContext) -> int:
    if Lead.objects.exists():
        return 0
    agent = ctx.users.get("agen")
    villages = list(
        Region.objects.filter(
            level=Region.Level.VILLAGE, code__startswith=ctx.regency.code + "."
        ).order_by("code")
    )
    if not villages:
        return 0
    rng = ctx.rng("portal_leads")
    home = agent.region if agent is not None and agent.region is not None else villages[0]
    made = []
    for n, name in enumerate(NAMES):
        village = home if n < 3 else rng.choice(villages)
        made.append(
            services.lead_create(
                full_name=name,
                village=village,
                occupation=JOBS[n],
                phone=f"+62812{rng.randint(10_000_000, 99_999_999)}",
                for_someone_else=n % 2 == 1,
            )
        )
    if agent is not None:
        services.lead_follow_up(
            lead=made[0],
            status=Lead.Status.CONTACTED,
            note="Ditelepon, akan datang ke kantor wali nagari membawa KTP.",
            acting_user=agent,
        )
    return len(made)
