"""The audit trail: every state change, one append-only event linked onto a hash chain.

`audit` writes an event under the chain's lock; `lock_audit_chain` is that lock, for writers (the
demo seeder) that link many events at once. `check_chain` walks the chain and names its first broken
link: `manage.py verify_audit_chain` runs it over every event and compares the result with the
anchors (`consent.anchors`), which `manage.py anchor_audit_chain` writes.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

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


@dataclass
class ChainCheck:
    count: int = 0  # events checked (all of them, when the chain is intact)
    last: AuditEvent | None = None  # the last good event
    broken: AuditEvent | None = None  # the first event whose number, content or link is wrong
    problem: str = ""
    # For each watched sequence number the walk reached: that event's id, its hash, and how many
    # events the walk had checked up to and including it.
    watched: dict[int, tuple[int, str, int]] = field(default_factory=dict)


def check_chain(
    events: Iterable[AuditEvent],
    *,
    start: tuple[int, str] = (1, AuditEvent.GENESIS_HASH),
    watch: Collection[int] = (),
) -> ChainCheck:
    """Walk the events in sequence order; stop at the first broken link and say what is wrong with it.

    `start` is the sequence number and previous hash the first event must have (the chain's own
    start unless the walk begins part way, after an event already known good); `watch` names
    sequence numbers whose event the result keeps in `watched` (the anchored ones).
    """
    result = ChainCheck()
    expected_sequence, expected_previous = start
    for event in events:
        problems = []
        if event.sequence != expected_sequence:
            problems.append(
                f"sequence gap (expected #{expected_sequence}, found #{event.sequence}: events are missing)"
            )
        if event.hash != event.compute_hash():
            problems.append("content changed (its hash no longer matches what it holds)")
        if event.previous_hash != expected_previous:
            problems.append("link to previous broken (previous_hash is not the hash of the event before)")
        if problems:
            result.broken, result.problem = event, "; ".join(problems)
            return result
        result.count += 1
        result.last = event
        if event.sequence in watch:
            result.watched[event.sequence] = (event.pk, event.hash, result.count)
        expected_sequence, expected_previous = event.sequence + 1, event.hash
    return result
