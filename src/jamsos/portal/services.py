"""Writes of the public portal: the membership check (limits, then the look-up, then the
log) and the leads citizens leave, with their follow-up by agents and Camat operators."""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import time
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jamsos.accounts.access import region_in_scope, require_perm
from jamsos.accounts.models import User
from jamsos.audit.pseudonyms import nik_digest
from jamsos.audit.services import audit_record, audit_record_about_many, id_ranges
from jamsos.lib.errors import DomainError, InvalidTransition
from jamsos.lib.ratelimit import RateLimited, rate_limit_hit, rate_limit_peek
from jamsos.portal.lookup import LookupAnswer, membership_check
from jamsos.portal.models import Lead, LookupLog
from jamsos.regions.models import Region

MINUTE, HOUR, DAY = 60, 3600, 86400


def ip_prefix(ip: str | None) -> str:
    """``"203.0.113.77"`` → ``"203.0.113.0/24"`` (IPv6: the /48): what the log keeps."""
    if not ip:
        return ""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ""
    bits = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{bits}", strict=False))


@dataclass(frozen=True)
class CheckResult:
    answer: LookupAnswer | None
    outcome: str


def _address_limits(ip: str) -> None:
    """Per client address: every attempt counts, whatever its outcome."""
    rate_limit_hit(
        key=f"portal:ip:m:{ip}", limit=settings.PORTAL_LOOKUP_IP_PER_MINUTE, window=MINUTE
    )
    rate_limit_hit(key=f"portal:ip:h:{ip}", limit=settings.PORTAL_LOOKUP_IP_PER_HOUR, window=HOUR)
    rate_limit_hit(key=f"portal:ip:d:{ip}", limit=settings.PORTAL_LOOKUP_IP_PER_DAY, window=DAY)


def lookup_perform(*, nik: str, full_name: str, ip: str | None, session: str = "") -> CheckResult:
    """One public membership check (design-governance.md §4.3): layered limits, the
    look-up, the log. Raises ``RateLimited`` (429, Retry-After) past a limit; the attempt
    is logged either way, with the NIK only as its keyed digest. ``session``: an id the
    view keeps in the visitor's session (every attempt of it counts, whatever the
    outcome: PORTAL_LOOKUP_SESSION_PER_HOUR)."""
    started = time.monotonic()
    digest = nik_digest(nik)
    address = ip or "unknown"
    outcome = LookupLog.Outcome.NO_MATCH
    try:
        try:
            _address_limits(address)
        except RateLimited:
            outcome = LookupLog.Outcome.LIMITED_IP
            raise
        if session:
            try:
                rate_limit_hit(
                    key=f"portal:session:h:{session}",
                    limit=settings.PORTAL_LOOKUP_SESSION_PER_HOUR,
                    window=HOUR,
                )
            except RateLimited:
                outcome = LookupLog.Outcome.LIMITED_SESSION
                raise
        try:
            rate_limit_peek(
                key="portal:fail:global",
                limit=settings.PORTAL_LOOKUP_GLOBAL_FAILED_PER_HOUR,
                window=HOUR,
            )
        except RateLimited:
            outcome = LookupLog.Outcome.LIMITED_GLOBAL
            raise
        try:
            rate_limit_peek(
                key=f"portal:fail:nik:h:{digest}",
                limit=settings.PORTAL_LOOKUP_NIK_FAILED_PER_HOUR,
                window=HOUR,
            )
            rate_limit_peek(
                key=f"portal:fail:nik:d:{digest}",
                limit=settings.PORTAL_LOOKUP_NIK_FAILED_PER_DAY,
                window=DAY,
            )
        except RateLimited:
            outcome = LookupLog.Outcome.LIMITED_NIK
            raise
        answer = membership_check(nik=nik, full_name=full_name)
        if answer is None:
            _count_failure(digest)
        else:
            outcome = LookupLog.Outcome.MATCH
        _pad(started)
        return CheckResult(answer=answer, outcome=outcome)
    finally:
        LookupLog.objects.create(
            nik_digest=digest,
            outcome=outcome,
            ip_prefix=ip_prefix(ip),
            duration_ms=int((time.monotonic() - started) * 1000),
        )


def _pad(started: float) -> None:
    """Hold the answer until PORTAL_LOOKUP_MIN_MS have passed since ``started``: a
    found-but-other-name and an unknown NIK then take the same time (the database work
    differs by a few milliseconds, far less than the floor)."""
    remaining = settings.PORTAL_LOOKUP_MIN_MS / 1000 - (time.monotonic() - started)
    if remaining > 0:
        time.sleep(remaining)


def _count_failure(digest: str) -> None:
    """Count a failed look-up for this NIK and for everyone. The answer is already
    decided; a counter passing its limit here only blocks the next attempt."""
    for key, limit, window in (
        (f"portal:fail:nik:h:{digest}", settings.PORTAL_LOOKUP_NIK_FAILED_PER_HOUR, HOUR),
        (f"portal:fail:nik:d:{digest}", settings.PORTAL_LOOKUP_NIK_FAILED_PER_DAY, DAY),
        ("portal:fail:global", settings.PORTAL_LOOKUP_GLOBAL_FAILED_PER_HOUR, HOUR),
    ):
        with contextlib.suppress(RateLimited):
            rate_limit_hit(key=key, limit=limit, window=window)
    limit = settings.PORTAL_LOOKUP_GLOBAL_FAILED_PER_HOUR
    try:
        rate_limit_peek(key="portal:fail:global", limit=limit, window=HOUR)
    except RateLimited as exc:
        global_limit_alert(limit=limit, retry_after=exc.retry_after)


def global_limit_alert(*, limit: int, retry_after: int) -> bool:
    """The global failed-lookup limit has tripped: the portal now refuses every check
    (possible enumeration). Record it (audit event) and tell the admins (messaging
    outbox), once per tripped window; returns whether this call raised the alert."""
    from django.core.cache import cache

    from jamsos.messaging.services import message_enqueue

    now = timezone.now()
    if not cache.add("portal:fail:global:alerted", now.isoformat(), timeout=max(retry_after, 1)):
        return False
    with transaction.atomic():
        audit_record(
            action="portal.lookup.global_limit_tripped",
            acting_user=None,
            data={"limit_per_hour": limit, "retry_after_s": retry_after},
        )
        message_enqueue(
            "portal.lookup.global_limit_tripped",
            {"limit": limit, "at": now, "retry_after": retry_after},
        )
    return True


def lookup_log_purge(*, now: dt.datetime | None = None) -> int:
    """Delete look-up logs older than PORTAL_LOOKUP_LOG_RETENTION_DAYS; returns how many."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.PORTAL_LOOKUP_LOG_RETENTION_DAYS)
    deleted, _detail = LookupLog.objects.filter(created_at__lt=cutoff).delete()
    return deleted


# --- Leads ------------------------------------------------------------------------------------


def lead_rate_limit(*, ip: str | None) -> None:
    rate_limit_hit(
        key=f"portal:lead:ip:{ip or 'unknown'}", limit=settings.PORTAL_LEAD_IP_PER_HOUR, window=HOUR
    )


@transaction.atomic
def lead_create(
    *,
    full_name: str,
    village: Region,
    occupation: str,
    phone: str,
    for_someone_else: bool,
) -> Lead:
    """A citizen's self-nomination from the open web (no user: ``acting_user`` None)."""
    if village.level != Region.Level.VILLAGE:
        raise DomainError(_("Pilih nagari/desa."), code="lead_village_level")
    lead = Lead(
        full_name=full_name.strip(),
        village=village,
        occupation=occupation.strip(),
        phone=phone,
        for_someone_else=for_someone_else,
        consent_at=timezone.now(),
    )
    lead.full_clean()
    lead.save()
    audit_record(
        action="portal.lead.created",
        acting_user=None,
        obj=lead,
        data={"village": village.code, "for_someone_else": for_someone_else},
        region_code=village.code,
    )
    return lead


_ACTIONS = {
    Lead.Status.CONTACTED: "portal.lead.followed_up",
    Lead.Status.PROPOSED: "portal.lead.proposed",
    Lead.Status.UNREACHABLE: "portal.lead.unreachable",
}


@transaction.atomic
def leads_viewed_record(*, viewer: User, leads: Sequence[Lead], where: str) -> None:
    """Record that ``viewer`` was shown the names and phone numbers of ``leads`` (a page
    of the queue, one lead, the API): citizens left them trusting the portal's privacy
    notice, which promises to say who saw them. The access log is keyed by NIK and a
    lead has none, so this is the audit trail: one lead's page is an event about that
    lead; a page of many is one event naming them as id ranges
    (``audit_record_about_many``), so each lead's history and the audit list's search by
    its id find it."""
    if not leads:
        return
    if len(leads) == 1:
        audit_record(
            action="portal.lead.viewed", acting_user=viewer, obj=leads[0], data={"where": where}
        )
        return
    audit_record_about_many(
        action="portal.lead.viewed",
        acting_user=viewer,
        object_type=Lead._meta.label_lower,
        ranges=id_ranges(sorted((lead.pk, lead.village_id) for lead in leads)),
        count=len(leads),
        object_repr=_("%(n)s calon peserta") % {"n": len(leads)},
        data={"where": where},
    )


def lead_follow_up(*, lead: Lead, status: str, note: str, acting_user: User) -> Lead:
    """Record a follow-up: contacted (still open), proposed or unreachable (closed).
    ``lead`` comes from ``access_lead(..., for_write=True)``; the permission and the
    lead's nagari are checked here too, whoever calls."""
    from jamsos.lib.errors import NotFoundOrForbidden
    from jamsos.portal.access import FOLLOW_UP_LEADS

    require_perm(acting_user, FOLLOW_UP_LEADS)
    if not region_in_scope(acting_user, lead.village_id):
        raise NotFoundOrForbidden(_("Calon peserta tidak ditemukan."))
    if status not in _ACTIONS:
        raise DomainError(_("Status tindak lanjut tidak dikenal."), code="lead_status_unknown")
    if not lead.is_open:
        raise InvalidTransition(
            _("Calon peserta ini sudah selesai ditindaklanjuti."), code="lead_closed"
        )
    before = {"status": lead.status}
    lead.status = status
    if note.strip():
        stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        entry = f"[{stamp} {acting_user.get_username()}] {note.strip()}"
        lead.note = f"{lead.note}\n{entry}".strip()
    lead.handled_by = acting_user
    lead.handled_at = timezone.now()
    lead.full_clean()
    lead.save()
    audit_record(
        action=_ACTIONS[status],
        acting_user=acting_user,
        obj=lead,
        before=before,
        after={"status": status},
    )
    return lead


def lead_purge(*, now: dt.datetime | None = None) -> int:
    """Delete closed leads (proposed or unreachable) older than PORTAL_LEAD_RETENTION_DAYS,
    and open ones nobody followed up in that time; returns how many."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.PORTAL_LEAD_RETENTION_DAYS)
    with transaction.atomic():
        deleted, _detail = Lead.objects.filter(created_at__lt=cutoff).delete()
        if deleted:
            audit_record(
                action="portal.lead.purged",
                acting_user=None,
                data={"count": deleted, "retention_days": settings.PORTAL_LEAD_RETENTION_DAYS},
            )
    return deleted
