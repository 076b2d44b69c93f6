"""Demo step: proposal batches in every state a reviewer meets.

Kecamatan Tanjung Gadang's operator uploads lists, the agent of Nagari Timbulun proposes
one person from the phone form, the Dinas operator reviews and submits, the head approves
or rejects. The result: a batch waiting for validation, one ready for review (with an
invalid row, a duplicate within the file, an already registered NIK and a possible
duplicate), one submitted, one applied, one rejected, one file that could not be read,
and an agent's one-person proposal. ("validating" is a passing state and is not kept.)

The decided batches are history: the services stamp them "now", so the step restamps
them with the days they represent (``HISTORY``) — the rejected list in September 2022
(the APBD-P phase II round), the applied one in April 2023 — so the scorecard's
proposal duty (D1) and kecamatan indicator (ID-2) have data over the years. The batches
still waiting for someone stay in the present.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.utils import timezone

from jamsos.demo import catalogue as c
from jamsos.demo.registry import demo_step
from jamsos.intake import services
from jamsos.intake.models import ProposalBatch, ProposalRow
from jamsos.lib.nik import nik_build
from jamsos.regions.models import Region
from jamsos.registry.models import Person

if TYPE_CHECKING:
    from jamsos.demo.registry import DemoContext

HEADER = [
    "NIK",
    "Nama Lengkap",
    "Tempat Lahir",
    "Tanggal Lahir",
    "Jenis Kelamin",
    "Alamat",
    "Nagari",
    "Kecamatan",
    "Pekerjaan",
    "No HP",
    "Nama Ibu Kandung",
]
OCCUPATIONS = ["Petani", "Pedagang kaki lima", "Guru TPQ", "Garin", "Imam", "Pekebun"]
# Serials far above the persons step's, so the demo's NIKs never collide by accident.
FIRST_SERIAL = 9000
# Title → (uploaded, submitted, decided) of a decided batch (demo dates).
HISTORY = {
    "Usulan susulan tanpa verifikasi wali nagari": (
        dt.date(2022, 9, 5),
        dt.date(2022, 9, 7),
        dt.date(2022, 9, 12),
    ),
    "Usulan Camat Tanjung Gadang tahap I": (
        dt.date(2023, 4, 3),
        dt.date(2023, 4, 10),
        dt.date(2023, 4, 17),
    ),
}


class _People:
    """New, valid proposal rows for Kecamatan Tanjung Gadang, never seen before."""

    def __init__(self, rng: random.Random, villages: list[Region]) -> None:
        self.rng = rng
        self.villages = villages
        self.serial = FIRST_SERIAL
        self.taken = set(Person.objects.values_list("nik", flat=True))

    def row(self) -> list[str]:
        rng = self.rng
        sex = "P" if rng.random() < c.FEMALE_SHARE else "L"
        given = rng.choice(c.FEMALE_GIVEN if sex == "P" else c.MALE_GIVEN)
        second = rng.choice(c.SECOND_NAMES_FEMALE if sex == "P" else c.SECOND_NAMES_MALE)
        born = dt.date(rng.randint(1966, 2000), rng.randint(1, 12), rng.randint(1, 28))
        while True:
            self.serial += 1
            nik = nik_build(c.CAMAT_DISTRICT, born, sex, self.serial)
            if nik not in self.taken:
                self.taken.add(nik)
                break
        village = rng.choice(self.villages)
        return [
            nik,
            f"{given} {second}",
            "Sijunjung",
            born.strftime("%d-%m-%Y"),
            sex,
            f"Jorong {rng.choice(c.JORONG_NAMES)}",
            village.name,
            "Tanjung Gadang",
            rng.choice(OCCUPATIONS),
            f"08{rng.randint(1100000000, 1399999999)}",
            rng.choice(c.MOTHER_NAMES),
        ]


def _csv(rows: list[list[str]], *, header: list[str] = HEADER) -> bytes:
    lines = ["USULAN PEKERJA RENTAN KECAMATAN TANJUNG GADANG", ";".join(header)]
    lines += [";".join(row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def _stage(ctx: DemoContext, title: str, content: bytes, *, validate: bool) -> ProposalBatch:
    batch = services.batch_stage_upload(
        upload=ContentFile(content),
        file_name=f"{title.lower().replace(' ', '-')}.csv",
        region=Region.objects.get(pk=c.CAMAT_DISTRICT),
        acting_user=ctx.users["camat"],
        title=title,
        enqueue=False,
    )
    return services.batch_validate(batch=batch) if validate else batch


def _decide_possible_duplicates(batch: ProposalBatch, ctx: DemoContext) -> None:
    for row in ProposalRow.objects.filter(
        batch=batch, possible_duplicate=True, decision=ProposalRow.Decision.PENDING
    ):
        services.row_decide(
            row=row,
            decision=ProposalRow.Decision.ACCEPTED,
            reason="Orang berbeda (dicek ke wali nagari)",
            acting_user=ctx.users["operator"],
        )


def _restamp(batch: ProposalBatch, as_of: dt.date) -> None:
    """Move a decided batch's clock to the days it represents (never after the demo date)."""

    def at(day: dt.date, hour: int) -> dt.datetime:
        moment = timezone.make_aware(dt.datetime.combine(min(day, as_of), dt.time(hour)))
        return min(moment, timezone.now())

    batch.refresh_from_db()
    uploaded, submitted, decided = HISTORY[batch.title]
    ProposalBatch.objects.filter(pk=batch.pk).update(
        created_at=at(uploaded, 9),
        validated_at=at(uploaded, 10),
        submitted_at=at(submitted, 10),
        decided_at=at(decided, 14),
        applied_at=at(decided, 14) if batch.applied_at else None,
    )
    ProposalRow.objects.filter(batch=batch, decided_at__isnull=False).update(
        decided_at=at(submitted, 9)
    )


@demo_step("proposals", order=70)
def demo_step_proposals(ctx: DemoContext) -> int:
    rng = ctx.rng("proposals")
    villages = list(Region.objects.filter(parent_id=c.CAMAT_DISTRICT, level=Region.Level.VILLAGE))
    people = _People(rng, villages)
    operator, head = ctx.users["operator"], ctx.users["kadis"]
    batches = []

    batches.append(
        _stage(
            ctx,
            "Usulan Jorong Koto (belum divalidasi)",
            _csv([people.row() for _ in range(4)]),
            validate=False,
        )
    )

    # Ready for review, with one example of each problem a reviewer resolves.
    rows = [people.row() for _ in range(6)]
    rows.append(list(rows[0]))  # the same NIK twice: duplicate in the file
    bad = people.row()
    bad[3] = "31-02-1980"  # no such date
    rows.append(bad)
    if ctx.persons:
        known = ctx.persons[0]
        rows.append(
            [
                known.nik,
                known.full_name,
                "Sijunjung",
                known.birth_date.strftime("%d-%m-%Y"),
                known.sex,
                "",
                known.village.name,
                "",
                "Petani",
                "",
                "",
            ]
        )
        twin = ctx.persons[1] if len(ctx.persons) > 1 else known
        rows.append(
            [
                nik_build(twin.nik[:6], twin.birth_date, twin.sex, 9999),
                twin.full_name.upper(),
                "Sijunjung",
                twin.birth_date.strftime("%d-%m-%Y"),
                twin.sex,
                "",
                twin.village.name,
                "",
                "Petani",
                "",
                "",
            ]
        )
    batches.append(_stage(ctx, "Usulan KUA Tanjung Gadang", _csv(rows), validate=True))

    submitted = _stage(
        ctx, "Usulan BPP Tanjung Gadang", _csv([people.row() for _ in range(5)]), validate=True
    )
    _decide_possible_duplicates(submitted, ctx)
    batches.append(services.batch_submit(batch=submitted, acting_user=operator))

    applied = _stage(
        ctx,
        "Usulan Camat Tanjung Gadang tahap I",
        _csv([people.row() for _ in range(8)]),
        validate=True,
    )
    _decide_possible_duplicates(applied, ctx)
    services.batch_submit(batch=applied, acting_user=operator)
    applied = services.batch_approve(batch=applied, acting_user=head)
    # The demo applies in-process rather than waiting for a worker (the queued task
    # finds the batch applied and does nothing).
    batches.append(services.batch_apply_run(batch=applied))
    _restamp(batches[-1], ctx.as_of)

    rejected = _stage(
        ctx,
        "Usulan susulan tanpa verifikasi wali nagari",
        _csv([people.row() for _ in range(3)]),
        validate=True,
    )
    _decide_possible_duplicates(rejected, ctx)
    services.batch_submit(batch=rejected, acting_user=operator)
    batches.append(
        services.batch_reject(
            batch=rejected,
            reason="Belum ditandatangani wali nagari; ajukan ulang.",
            acting_user=head,
        )
    )
    _restamp(batches[-1], ctx.as_of)

    # A list without a NIK column cannot be read: the batch fails with the reason.
    no_nik = [row[1:] for row in (people.row() for _ in range(2))]
    batches.append(
        _stage(ctx, "Daftar tanpa kolom NIK", _csv(no_nik, header=HEADER[1:]), validate=True)
    )

    agent_row = people.row()
    proposal = services.person_propose(
        values={
            "nik": agent_row[0],
            "full_name": agent_row[1],
            "birth_place": agent_row[2],
            "birth_date": dt.datetime.strptime(agent_row[3], "%d-%m-%Y").date().isoformat(),
            "sex": agent_row[4],
            "address": agent_row[5],
            "village": c.AGENT_NAGARI,
            "occupation": "garin",
            "phone": agent_row[9],
            "mother_name": agent_row[10],
        },
        acting_user=ctx.users["agen"],
    )
    return len(batches) + 1 if proposal else len(batches)
