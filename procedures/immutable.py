"""Records that, once written, are never changed or deleted.

Published content versions, signatures, consent documents, checklist entries
and sign-offs, and audit events inherit from `ImmutableModel`. Saving an
existing row, deleting a row, and queryset-level update or delete all raise
`ImmutableRecordError`. On PostgreSQL a trigger on each of their tables also
refuses UPDATE and DELETE from any client (procedures 0004, consent 0006), so a
new append-only model needs its table added there by a migration too.
"""

from __future__ import annotations

from django.db import models


class ImmutableRecordError(Exception):
    """Raised on any attempt to change or delete a record that must never change."""


class ImmutableQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableRecordError(f"{self.model._meta.verbose_name_plural} cannot be changed.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise ImmutableRecordError(f"{self.model._meta.verbose_name_plural} cannot be changed.")

    def delete(self):
        raise ImmutableRecordError(f"{self.model._meta.verbose_name_plural} cannot be deleted.")

    delete.alters_data = True
    delete.queryset_only = True


class ImmutableModel(models.Model):
    objects = ImmutableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableRecordError(f"This {self._meta.verbose_name} cannot be changed once written.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecordError(f"This {self._meta.verbose_name} cannot be deleted.")
