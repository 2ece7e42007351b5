"""Write the audit chain's head to the private storage and to the log: an anchor (see `consent.anchors`).

Run it at a set interval (a systemd timer or cron, every 15 minutes): `verify_audit_chain` compares
the chain with every anchor, so a chain changed and rebuilt afterwards fails, naming the anchor.
Before writing, it checks that the chain still holds the latest anchor and links on from it (or,
with no anchor yet, checks the whole chain): an anchor never vouches for a chain that doesn't
extend the last one, and a rebuilt chain is reported within one interval (exit 1, and an ERROR in
the log).
"""

from __future__ import annotations

import datetime
import logging

from django.core.management.base import BaseCommand, CommandError

from consent.anchors import Anchor, AnchorError, anchor_line, anchor_mismatch, anchor_names, read_anchor, write_anchor
from consent.audit import check_chain
from consent.models import AuditEvent
from consent.storage import private_storage

logger = logging.getLogger("consent.anchors")

CHUNK_SIZE = 2000


class Command(BaseCommand):
    help = (
        "Write the audit chain's head (last event's id, sequence and hash, the number of events, the time) as "
        "a small JSON file to the private storage under anchors/<UTC time>.json, never over another, and to the "
        "log at INFO. Run it at a set interval (e.g. every 15 minutes); verify_audit_chain compares the chain "
        "with every anchor. Refuses (exit 1) if the chain no longer holds the latest anchor or is broken after it."
    )

    def handle(self, *args, **options):
        storage = private_storage()
        try:
            names = anchor_names(storage)
            latest = read_anchor(names[-1], storage) if names else None
        except AnchorError as error:
            raise CommandError(f"Not anchored: {error}") from None
        except Exception as error:  # the storage is unreachable or refuses
            raise CommandError(f"Not anchored: the private storage can't be read ({type(error).__name__}).") from None
        problem, head = self._check_since(latest)
        if problem:
            logger.error("Audit chain not anchored: %s", problem)
            raise CommandError(f"Not anchored: {problem}")
        if head is None:
            self.stdout.write("The audit chain is empty: nothing to anchor.")
            return
        anchor = Anchor(
            event_id=head.pk,
            sequence=head.sequence,
            hash=head.hash,
            count=AuditEvent.objects.filter(sequence__lte=head.sequence).count(),
            anchored_at=datetime.datetime.now(datetime.UTC).isoformat(timespec="microseconds"),
        )
        try:
            anchor = write_anchor(anchor, storage)
        except AnchorError as error:
            raise CommandError(f"Not anchored: {error}") from None
        self.stdout.write(anchor_line(anchor))

    @staticmethod
    def _check_since(latest: Anchor | None) -> tuple[str, AuditEvent | None]:
        """Whether the chain still holds the latest anchor and links on from it ("" if so), and its last event.

        The head anchored is the last event this walk checked, so every anchored event has been checked.
        """
        events = AuditEvent.objects.order_by("sequence")
        if latest is None:
            result = check_chain(events.iterator(chunk_size=CHUNK_SIZE))
        else:
            anchored = AuditEvent.objects.filter(sequence=latest.sequence).first()
            found = None
            if anchored is not None:
                count = AuditEvent.objects.filter(sequence__lte=latest.sequence).count()
                found = (anchored.pk, anchored.hash, count)
            chain_end = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first() or 0
            if mismatch := anchor_mismatch(latest, found, chain_end=chain_end):
                return f"the chain does not match the latest anchor {latest.description}: {mismatch}", None
            result = check_chain(
                events.filter(sequence__gte=latest.sequence).iterator(chunk_size=CHUNK_SIZE),
                start=(latest.sequence, anchored.previous_hash),
            )
        if result.broken:
            event = result.broken
            return f"the audit chain is broken at event #{event.sequence} (id {event.pk}): {result.problem}", None
        return "", result.last
