"""Check that the audit trail is whole: no event changed, removed or slipped in since it was written.

Walks every event in chain order, recomputes its hash and checks its link to the event before,
then compares the chain with every anchor in the private storage (`consent.anchors`, written by
`manage.py anchor_audit_chain`): each anchored event must still be in the chain, with the same id
and hash and the same number of events up to it. So a chain changed and then rebuilt (every hash
recomputed, as someone who switched the database's triggers off could), or cut short, fails
naming the anchor. Prints "Audit chain intact: N events" and exits 0, or names the first broken
link or unmatched anchor and exits 1, so cron or monitoring notices. With no anchors it says so
(a warning, not a failure): the chain alone can't show a rebuild, or events cut off its end.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from consent.anchors import ANCHOR_FOLDER, AnchorError, anchor_mismatch, read_anchors
from consent.audit import ChainCheck, check_chain
from consent.models import AuditEvent

__all__ = ["ChainCheck", "Command", "check_chain"]

CHUNK_SIZE = 2000


class Command(BaseCommand):
    help = (
        "Verify the audit events' hash chain, and compare it with every anchor in the private storage "
        f"({ANCHOR_FOLDER}/, written by anchor_audit_chain): names the first broken link or the first anchor "
        "the chain no longer matches (a rebuilt or shortened chain) and exits 1. No anchors: a warning only."
    )

    def handle(self, *args, **options):
        try:
            anchors, anchor_error = read_anchors(), ""
        except AnchorError as error:
            anchors, anchor_error = [], str(error)
        except Exception as error:  # the storage is unreachable or refuses: still check the chain itself
            anchors, anchor_error = [], f"The anchors can't be read from the private storage ({type(error).__name__})."
        result = check_chain(
            AuditEvent.objects.order_by("sequence").iterator(chunk_size=CHUNK_SIZE),
            watch={anchor.sequence for anchor in anchors},
        )
        if result.broken:
            event = result.broken
            raise CommandError(f"Audit chain broken at event #{event.sequence} (id {event.pk}): {result.problem}")
        if anchor_error:
            events = f"{result.count} event" + ("" if result.count == 1 else "s")
            raise CommandError(f"{anchor_error} The chain itself is intact ({events}).")
        chain_end = result.last.sequence if result.last else 0
        for anchor in anchors:
            if problem := anchor_mismatch(anchor, result.watched.get(anchor.sequence), chain_end=chain_end):
                raise CommandError(f"Audit chain does not match anchor {anchor.description}: {problem}")
        summary = f"Audit chain intact: {result.count} events"
        if result.last:
            summary += f" (last #{result.last.sequence}, hash {result.last.hash})"
        self.stdout.write(summary)
        if anchors:
            latest = anchors[-1]
            count = f"all {len(anchors)} anchors" if len(anchors) > 1 else "its anchor"
            self.stdout.write(f"Matches {count} (the latest, {latest.name}, at event #{latest.sequence}).")
        else:
            self.stderr.write(
                self.style.WARNING(
                    f"Warning: no anchors in the private storage ({ANCHOR_FOLDER}/), so a chain rebuilt after "
                    "its events were changed would pass. Run `manage.py anchor_audit_chain` at a set interval."
                )
            )
