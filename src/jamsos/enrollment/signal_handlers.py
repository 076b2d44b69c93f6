"""The one signal the enrollment app listens to: a guard, not a workflow step.

``budget.services.reservation_release`` knows nothing of decrees (budget comes before
enrollment), yet a reservation an issued decree uses must not be released. The check
runs on the reservation's save, inside the budget's own transaction and after its pagu
and reservation locks, so every path — page, API, shell — is covered and the answer
cannot go stale before the release commits. STYLE.md keeps signals for extension points
like this one; the workflow itself calls services explicitly.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import pre_save

from jamsos.budget.models import Reservation


def reservation_pre_save(sender: type[Reservation], instance: Reservation, **kwargs: Any) -> None:
    if instance.pk is None or instance.status != Reservation.Status.RELEASED:
        return
    fields = kwargs.get("update_fields")
    if fields is not None and "status" not in fields:
        return
    stored = Reservation.objects.filter(pk=instance.pk).values_list("status", flat=True).first()
    if stored != Reservation.Status.ACTIVE:
        return
    from jamsos.enrollment.services.decrees import reservation_release_guard

    reservation_release_guard(instance)


def connect() -> None:
    pre_save.connect(
        reservation_pre_save, sender=Reservation, dispatch_uid="enrollment_reservation_release"
    )
