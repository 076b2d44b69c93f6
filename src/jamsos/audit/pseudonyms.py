"""Keyed digests that stand for personal data in the audit trail and the access log.

Design goal: the logs must let the Dinas find "everything about NIK x" and let an
administrator follow "the same person" through the trail, without either log holding the
NIK or the name. A keyed HMAC-SHA256 gives a stable stand-in that cannot be reversed by
trying all 10^16 NIKs without the key (a plain hash could: the NIK space is small).

The key is ``settings.ACCESS_LOG_KEY`` or, when unset, derived from ``SECRET_KEY``
(``salted_hmac`` with its own salt), so rotating SECRET_KEY without setting
ACCESS_LOG_KEY first makes older access-log rows unfindable by NIK (docs/operations.md).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

# Objects whose name (``object_repr``) is a person's name.
PERSONAL_OBJECT_TYPES = frozenset(
    {
        "registry.person",
        "registry.heir",
        "claims.claimheir",
        "enrollment.decreeline",
        "enrollment.membership",
        "intake.proposalrow",
        "contributions.statementrow",
        "contributions.discrepancy",
    }
)
# Keys in before/after/data whose values identify or describe a person.
PERSONAL_KEYS = frozenset(
    {
        "nik",
        "full_name",
        "mother_name",
        "birth_date",
        "birth_place",
        "address",
        "phone",
        "family_card_number",
        "declared_income",
        "kpj_number",
        "bank_account",
        "account_number",
        "account_name",
        "heir_name",
        "persons",
    }
)
HIDDEN = "•••"


def _key() -> bytes:
    configured = getattr(settings, "ACCESS_LOG_KEY", "")
    if configured:
        return configured.encode()
    return salted_hmac("jamsos.audit.pseudonyms", "key", algorithm="sha256").digest()


def nik_digest(nik: str) -> str:
    """The access log's stand-in for a NIK (64 hex characters)."""
    return hmac.new(_key(), f"nik:{nik.strip()}".encode(), hashlib.sha256).hexdigest()


def object_pseudonym(object_type: str, object_id: str) -> str:
    """A stable name for one personal object, e.g. "Peserta ·3f9a1c2d"."""
    tag = hmac.new(_key(), f"{object_type}:{object_id}".encode(), hashlib.sha256).hexdigest()
    return _("Orang ·%(tag)s") % {"tag": tag[:8]}


def _hide(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: HIDDEN if k in PERSONAL_KEYS else _hide(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_hide(v) for v in value]
    return value


def event_pseudonymise(event: Any) -> Any:
    """Replace, in memory, the person's name and personal values of one event."""
    if event.object_type in PERSONAL_OBJECT_TYPES and event.object_id:
        event.object_repr = object_pseudonym(event.object_type, event.object_id)
    event.before = _hide(event.before)
    event.after = _hide(event.after)
    event.data = _hide(event.data)
    return event
