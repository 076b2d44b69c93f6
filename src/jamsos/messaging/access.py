"""Permission-checked fetches of messages (STYLE.md 15, 17): missing and forbidden look
the same."""

from __future__ import annotations

from django.utils.translation import gettext

from jamsos.accounts.access import region_q
from jamsos.accounts.models import User
from jamsos.lib.errors import NotFoundOrForbidden
from jamsos.messaging.models import Message


def access_message(viewer: User, pk: int) -> Message:
    if not viewer.has_perm("messaging.view_messages"):
        raise NotFoundOrForbidden(gettext("Pesan tidak ditemukan."))
    message = Message.objects.filter(region_q(viewer, "region"), pk=pk).first()
    if message is None:
        raise NotFoundOrForbidden(gettext("Pesan tidak ditemukan."))
    return message
