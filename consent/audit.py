"""The audit trail: every state change, one append-only event linked onto a hash chain.

`audit` writes an event under the chain's lock; `lock_audit_chain` is that lock, for writers (the
demo seeder) that link many events at once. `manage.py verify_audit_chain` checks the chain.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from consent.models import AuditEvent, ConsentRequest


def audit(
    *,
    consent_request: ConsentRequest | None,
    action: str,
    message: str,
    actor: str | None = None,
    user: AbstractBaseUser | None = None,
    ip: str | None = None,
    detail: dict | None = None,
    at: datetime.datetime | None = None,
) -> AuditEvent:
    """Write one append-only audit event, linked onto the end of the audit chain.

    The actor is staff when a user is given, else the system. Takes the chain's
    lock (see `lock_audit_chain`), which is held until the caller's transaction ends.
    """
    with transaction.atomic():
        last_sequence, last_hash = lock_audit_chain()
        event = AuditEvent(
            request=consent_request,
            action=action,
            message=message,
            actor=actor or (AuditEvent.Actor.STAFF if user else AuditEvent.Actor.SYSTEM),
            user=user,
            ip_address=ip,
            detail=detail or {},
            created_at=at or timezone.now(),
            sequence=last_sequence + 1,
            previous_hash=last_hash,
        )
        event.hash = event.compute_hash()
        event.save()
    return event


# Any fixed number: the key of PostgreSQL's advisory lock on the end of the audit chain.
AUDIT_CHAIN_LOCK_KEY = 7_346_720_615


def lock_audit_chain() -> tuple[int, str]:
    """Lock the end of the audit chain until the transaction ends; return its last sequence and hash.

    Two writers that both read the same last event would fork the chain (and
    the second would then fail on the unique sequence), so writers queue here.
    On PostgreSQL that is a transaction-level advisory lock; SQLite lets one
    writer at a time into the database anyway. Call it inside `transaction.atomic()`.

    Other writers wait from here until the transaction ends, so audit last: a
    transaction that locks more rows after auditing (one request after another)
    can deadlock with one that holds such a row and is waiting to audit. Lock
    every row first (`select_for_update()` on the whole set), then audit.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("lock_audit_chain() needs a transaction: call it inside transaction.atomic().")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_CHAIN_LOCK_KEY])
    last = AuditEvent.objects.order_by("-sequence").values_list("sequence", "hash").first()
    return last or (0, AuditEvent.GENESIS_HASH)
