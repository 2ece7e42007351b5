"""Check that the audit trail is whole: no event changed, removed or slipped in since it was written.

Walks every event in chain order, recomputes its hash and checks its link to
the event before. Prints "Audit chain intact: N events" and exits 0, or names
the first broken link and exits 1, so cron or monitoring notices. The chain
cannot show events cut off its end; compare the count and last hash printed
with an earlier run to see that.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.management.base import BaseCommand, CommandError

from consent.models import AuditEvent

CHUNK_SIZE = 2000


@dataclass
class ChainCheck:
    count: int = 0  # events checked (all of them, when the chain is intact)
    last: AuditEvent | None = None  # the last good event
    broken: AuditEvent | None = None  # the first event whose number, content or link is wrong
    problem: str = ""


def check_chain(events: Iterable[AuditEvent]) -> ChainCheck:
    """Walk the events in sequence order; stop at the first broken link and say what is wrong with it."""
    result = ChainCheck()
    expected_sequence, expected_previous = 1, AuditEvent.GENESIS_HASH
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
        expected_sequence, expected_previous = event.sequence + 1, event.hash
    return result


class Command(BaseCommand):
    help = "Verify the audit events' hash chain and name the first broken link, if any."

    def handle(self, *args, **options):
        result = check_chain(AuditEvent.objects.order_by("sequence").iterator(chunk_size=CHUNK_SIZE))
        if result.broken:
            event = result.broken
            raise CommandError(f"Audit chain broken at event #{event.sequence} (id {event.pk}): {result.problem}")
        summary = f"Audit chain intact: {result.count} events"
        if result.last:
            summary += f" (last #{result.last.sequence}, hash {result.last.hash})"
        self.stdout.write(summary)
