"""Framework hooks (login, logout, lockout) turned into audit events.

Signals are used here only because Django and django-axes announce these events that way;
our own workflows call services directly.
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from jamsos.accounts.models import User
from jamsos.audit.services import audit_record


def _known_user(username: str) -> User | None:
    """The account a failed login aimed at, so the event lands in that user's region.

    Failures under unknown names stay region-less (visible to admins only, see
    ``audit.selectors``).
    """
    if not username:
        return None
    return User.objects.filter(username=username).select_related("agency").first()


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(action="accounts.user.logged_in", acting_user=user, obj=user)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(action="accounts.user.logged_out", acting_user=user, obj=user)


@receiver(user_login_failed)
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username") or "")[:150]
    audit_record(
        action="accounts.user.login_failed",
        acting_user=None,
        obj=_known_user(username),
        data={"username": username},
    )


@receiver(user_locked_out)
def _locked_out(
    sender: Any,
    request: Any = None,
    username: str | None = None,
    ip_address: str | None = None,
    **kwargs: Any,
) -> None:
    name = (username or "")[:150]
    audit_record(
        action="accounts.user.locked_out",
        acting_user=None,
        obj=_known_user(name),
        data={"username": name, "ip": ip_address},
    )
