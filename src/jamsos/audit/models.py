from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an audit event."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit events cannot be changed.")

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise AppendOnlyError("Audit events cannot be deleted.")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit events cannot be changed.")

    def update_or_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit events cannot be changed.")

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[AuditEvent]:
        """Chain the events (``audit.chain``) under the append lock, then insert them."""
        from jamsos.audit.chain import chain_seal_events

        objs = list(objs)
        with transaction.atomic(using=self.db):
            chain_seal_events(objs, using=self.db)
            return super().bulk_create(objs, *args, **kwargs)

    def for_object(self, obj: models.Model) -> AuditEventQuerySet:
        """Events about ``obj``: those naming it, and those naming a range of ids of its
        type that holds it (``AuditObjectRange``: an intake batch's persons)."""
        object_type = obj._meta.label_lower
        in_ranges = list(
            AuditObjectRange.objects.holding(object_type, obj.pk).values_list("event_id", flat=True)
        )
        named = models.Q(object_type=object_type, object_id=str(obj.pk))
        return self.filter(named | models.Q(pk__in=in_ranges) if in_ranges else named)


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Log rows cannot be changed.")

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise AppendOnlyError("Log rows cannot be deleted.")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Log rows cannot be changed.")


class AuditEvent(models.Model):
    """One thing that happened, written by the service that did it, in its transaction.

    Rows are append-only three times over: this model refuses updates and deletes, its
    queryset refuses bulk ones, and a database trigger (migration 0002) refuses raw SQL.
    Actor and agency names are copied in, so the row stays readable if those change.
    """

    occurred_at = models.DateTimeField(_("waktu"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    actor_label = models.CharField(_("pelaku"), max_length=200, blank=True)
    agency_label = models.CharField(_("instansi"), max_length=200, blank=True)
    action = models.CharField(_("aksi"), max_length=80, db_index=True)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(_("objek"), max_length=200, blank=True)
    # Region of the object, for scoping who may read the event.
    region_code = models.CharField(max_length=13, blank=True, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # The hash chain (audit.chain). Null only on events written before it existed, until
    # migration 0005 chains them; ``audit_verify`` reports any event still without.
    seq = models.BigIntegerField(null=True, blank=True, editable=False)
    prev_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)  # noqa: DJ001
    hash = models.CharField(max_length=64, null=True, blank=True, editable=False)  # noqa: DJ001

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        # Django's plain base manager (used for related access and internal updates)
        # would bypass the refusing queryset above.
        base_manager_name = "objects"
        verbose_name = _("peristiwa audit")
        verbose_name_plural = _("jejak audit")
        indexes = [
            # Serves "history of this object" on detail pages.
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
        ]
        constraints = [
            # One event per place in the chain; also serves "the head" (ORDER BY seq DESC
            # LIMIT 1) and the verification walk. Partial, so that SQLite adds it without
            # rebuilding the table (which would drop the append-only triggers).
            models.UniqueConstraint(
                fields=["seq"], condition=models.Q(seq__isnull=False), name="audit_chain_seq_uniq"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("Audit events cannot be changed.")
        from jamsos.audit.chain import chain_seal_events

        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            chain_seal_events([self], using=using)
            super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit events cannot be deleted.")

    @property
    def action_label(self) -> str:
        from jamsos.audit.actions import action_label

        return action_label(self.action)


class PersonalDataAccess(models.Model):
    """One read of personal data: a person's page or API record, or an export listing
    persons. Who, when, what (fields) and why (the page or endpoint); the persons are in
    ``items``, each with a keyed digest of the NIK instead of the NIK (``audit.pseudonyms``).

    Append-only like the audit trail (this model refuses updates and deletes). Kept apart
    from ``AuditEvent`` because reads outnumber writes by far and the citizen's question
    ("who looked at my data") needs an index on the person, not a scan of the trail.
    """

    occurred_at = models.DateTimeField(_("waktu"), default=timezone.now, db_index=True)
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="personal_data_reads"
    )
    viewer_label = models.CharField(_("pengakses"), max_length=200)
    agency_label = models.CharField(_("instansi"), max_length=200, blank=True)
    purpose = models.CharField(_("keperluan"), max_length=200)
    path = models.CharField(_("halaman"), max_length=300, blank=True)
    fields = models.JSONField(_("data"), default=list)
    person_count = models.PositiveIntegerField(default=1)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # The log's own hash chain (audit.access_chain): place, previous hash, own hash.
    seq = models.BigIntegerField(null=True, blank=True, editable=False)
    prev_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)  # noqa: DJ001
    hash = models.CharField(max_length=64, null=True, blank=True, editable=False)  # noqa: DJ001

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        base_manager_name = "objects"
        verbose_name = _("akses data pribadi")
        verbose_name_plural = _("log akses data pribadi")
        constraints = [
            models.UniqueConstraint(
                fields=["seq"], condition=models.Q(seq__isnull=False), name="audit_access_seq_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.viewer_label} {self.purpose}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("Access log rows cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Access log rows cannot be deleted.")


class PersonalDataAccessItem(models.Model):
    """One person in one ``PersonalDataAccess`` (one for a page, thousands for an export)."""

    access = models.ForeignKey(PersonalDataAccess, on_delete=models.PROTECT, related_name="items")
    # No foreign key: the log outlives any change to the registry and never blocks it.
    person_id = models.BigIntegerField(db_index=True)
    # HMAC of the NIK (audit.pseudonyms.nik_digest): finds the reads by NIK without it.
    nik_digest = models.CharField(max_length=64, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        base_manager_name = "objects"
        verbose_name = _("orang yang diakses")
        verbose_name_plural = _("orang yang diakses")

    def __str__(self) -> str:
        return f"{self.access_id}:{self.person_id}"


class AuditObjectRangeQuerySet(AppendOnlyQuerySet):
    def holding(self, object_type: str, pk: Any) -> AuditObjectRangeQuerySet:
        """Ranges of ``object_type`` (any type if empty) that hold the id ``pk``; none for
        what is not an id (not an integer, or beyond a 64-bit column)."""
        try:
            number = int(pk)
        except (TypeError, ValueError):
            return self.none()
        if not 0 < number < 2**63:
            return self.none()
        ranges = self.filter(first_id__lte=number, last_id__gte=number)
        return ranges.filter(object_type=object_type) if object_type else ranges


class AuditObjectRange(models.Model):
    """The objects one event is about when it is about many: ids ``first_id``…``last_id``
    of ``object_type``, all in ``region_code``.

    One event for a batch of 100,000 persons instead of 100,000 events (issue 15): the
    event's ``data["ranges"]`` lists the same ranges and is covered by the hash chain;
    these rows are its index, so that a person's history (``AuditEvent.objects.
    for_object``) and the audit list's search by id find the event that created them.
    Each range lies in one region, so an event's visibility per object follows the
    object's region, as it would for an event of its own. Append-only like the trail.
    """

    event = models.ForeignKey(AuditEvent, on_delete=models.PROTECT, related_name="object_ranges")
    object_type = models.CharField(max_length=80)
    first_id = models.BigIntegerField()
    last_id = models.BigIntegerField()
    region_code = models.CharField(max_length=13, blank=True)

    objects = AuditObjectRangeQuerySet.as_manager()

    class Meta:
        base_manager_name = "objects"
        verbose_name = _("rentang objek peristiwa audit")
        verbose_name_plural = _("rentang objek peristiwa audit")
        indexes = [
            models.Index(fields=["object_type", "first_id", "last_id"], name="audit_range_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(first_id__lte=models.F("last_id")), name="audit_range_ordered"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_id}: {self.object_type} {self.first_id}–{self.last_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("Audit object ranges cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit object ranges cannot be deleted.")
