"""Collaboration fixtures: the kabupaten forum of Sijunjung with the personas' agencies."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jamsos.accounts.models import Agency
from jamsos.collaboration import services
from jamsos.collaboration.models import Forum, ForumMembership
from jamsos.testing.factories import region

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "bukti.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@dataclass
class World:
    forum: Forum
    dinas: Agency
    bpjs: Agency
    camat: Agency
    bupati: Agency
    dprd: Agency


@pytest.fixture
def world(personas) -> World:
    op = personas.dinas_operator
    dinas = op.agency
    bpjs = personas.bpjs_officer.agency
    camat = personas.kecamatan_operator.agency
    bupati = personas.executive.agency
    dprd = personas.dprd.agency
    forum = services.forum_create(
        region=region("13.03"),
        name="Forum Komunikasi Jamsos Sijunjung",
        convening_agency=dinas,
        cadence=Forum.Cadence.MONTHLY,
        members=[
            (dinas, ForumMembership.Role.CORE),
            (bpjs, ForumMembership.Role.CORE),
            (bupati, ForumMembership.Role.CORE),
            (dprd, ForumMembership.Role.INVITED),
        ],
        valid_from=dt.date(2022, 1, 1),
        acting_user=op,
    )
    return World(forum=forum, dinas=dinas, bpjs=bpjs, camat=camat, bupati=bupati, dprd=dprd)
