"""Records leaving the system in bulk: each export of the records archive is audited."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from consent.audit import audit
from consent.models import AuditAction, AuditEvent


def record_archive_export(
    *, user: AbstractBaseUser, filters: dict[str, str], searched: bool, row_count: int, ip: str | None
) -> AuditEvent:
    """One audit event for a CSV export of the records archive: who, which filters, how many rows.

    `filters` are the URL's filter values (no personal data). A search by name or record number
    is recorded only as having been used: its text names a patient, so it is never kept.
    """
    return audit(
        consent_request=None,
        action=AuditAction.RECORDS_EXPORTED,
        message=f"Exported {row_count} record{'' if row_count == 1 else 's'} from the records archive",
        user=user,
        ip=ip,
        detail={"filters": dict(sorted(filters.items())), "searched": searched, "rows": row_count},
    )
