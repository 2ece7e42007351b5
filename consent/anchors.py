"""Anchors: the audit chain's head, written outside the database at a set interval.

The chain shows any change to an event, unless whoever changed it also recomputed every hash
after it: a PostgreSQL superuser can switch the triggers off and do exactly that, and the chain
then checks out on its own. An anchor is a small JSON file holding the chain's head at one moment
(its last event's id, sequence number and hash, how many events lead up to it, and when), written
to the private storage under `anchors/<UTC time>.json` (an object store with Object Lock retention
in production, so no one can change or delete it) and to the log (shipped off the box).
`manage.py anchor_audit_chain` writes one; `manage.py verify_audit_chain` compares the chain with
every anchor, so a rebuilt chain fails naming the anchor it no longer matches.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import logging
import re

from django.core.files.base import ContentFile
from django.core.files.storage import Storage

from consent.storage import private_storage

logger = logging.getLogger(__name__)

ANCHOR_FOLDER = "anchors"
ANCHOR_FORMAT = 1
HEX_SHA256 = re.compile(r"[0-9a-f]{64}")


class AnchorError(Exception):
    """An anchor that can't be written, or read back as one."""


@dataclasses.dataclass(frozen=True)
class Anchor:
    """The chain's head at one moment: its last event (id, sequence, hash) and the number of events up to it."""

    event_id: int
    sequence: int
    hash: str
    count: int
    anchored_at: str  # ISO 8601, UTC
    name: str = ""  # where it is kept in the storage (not part of its content)

    def as_json(self) -> str:
        content = {
            "format": ANCHOR_FORMAT,
            "event_id": self.event_id,
            "sequence": self.sequence,
            "hash": self.hash,
            "count": self.count,
            "anchored_at": self.anchored_at,
        }
        return json.dumps(content, sort_keys=True, separators=(",", ":"))

    @property
    def description(self) -> str:
        return f"{self.name} (written {self.anchored_at}, event #{self.sequence}, id {self.event_id})"


def anchor_name(at: datetime.datetime) -> str:
    """`anchors/20261204T081649.123456Z.json`: names sort in the order they were written."""
    return f"{ANCHOR_FOLDER}/{at.astimezone(datetime.UTC):%Y%m%dT%H%M%S.%fZ}.json"


def anchor_names(storage: Storage | None = None) -> list[str]:
    """Every anchor in the storage, oldest first."""
    storage = storage or private_storage()
    try:
        _, files = storage.listdir(ANCHOR_FOLDER)
    except FileNotFoundError:  # a local folder not made yet: no anchor written
        return []
    return sorted(f"{ANCHOR_FOLDER}/{file}" for file in files if file.endswith(".json"))


def read_anchor(name: str, storage: Storage | None = None) -> Anchor:
    """The anchor stored under `name`; AnchorError naming it if it is not one."""
    storage = storage or private_storage()
    with storage.open(name, "rb") as handle:
        data = handle.read()
    try:
        content = json.loads(data)
        anchor = Anchor(
            event_id=content["event_id"],
            sequence=content["sequence"],
            hash=content["hash"],
            count=content["count"],
            anchored_at=content["anchored_at"],
            name=name,
        )
    except (ValueError, TypeError, KeyError) as error:
        raise AnchorError(f"Anchor {name} can't be read as an anchor ({type(error).__name__}).") from None
    if not (
        all(type(value) is int and value > 0 for value in (anchor.event_id, anchor.sequence, anchor.count))
        and isinstance(anchor.hash, str)
        and HEX_SHA256.fullmatch(anchor.hash)
        and isinstance(anchor.anchored_at, str)
    ):
        raise AnchorError(f"Anchor {name} can't be read as an anchor (a value is missing or of the wrong kind).")
    return anchor


def read_anchors(storage: Storage | None = None) -> list[Anchor]:
    """Every anchor in the storage, oldest first."""
    storage = storage or private_storage()
    return [read_anchor(name, storage) for name in anchor_names(storage)]


def write_anchor(anchor: Anchor, storage: Storage | None = None) -> Anchor:
    """Keep the anchor under `anchors/<its time>.json`, never over another; log the same line at INFO.

    Returns the anchor with the name it was stored under.
    """
    storage = storage or private_storage()
    name = anchor_name(datetime.datetime.fromisoformat(anchor.anchored_at))
    if storage.exists(name):
        raise AnchorError(f"Anchor {name} exists already; an anchor is never overwritten.")
    stored = dataclasses.replace(anchor, name=storage.save(name, ContentFile((anchor.as_json() + "\n").encode())))
    logger.info(anchor_line(stored))
    return stored


def anchor_line(anchor: Anchor) -> str:
    """The line that says an anchor was written (the log's and the command's)."""
    return f"Audit chain anchored in {anchor.name}: {anchor.as_json()}"


def anchor_mismatch(anchor: Anchor, found: tuple[int, str, int] | None, *, chain_end: int) -> str:
    """What no longer matches the anchor ("" if all does).

    `found` is the event now at the anchored sequence number (its id, its hash and the number of
    events up to it), or None if the chain, which ends at `chain_end`, has none there.
    """
    if found is None:
        now = f"now ends at #{chain_end}" if chain_end else "is now empty"
        return (
            f"the anchored event #{anchor.sequence} (id {anchor.event_id}) is no longer in the chain, which {now}: "
            "events were removed"
        )
    event_id, event_hash, count = found
    problems = []
    if event_id != anchor.event_id:
        problems.append(f"event #{anchor.sequence} is now id {event_id}, anchored as id {anchor.event_id}")
    if event_hash != anchor.hash:
        problems.append(f"event #{anchor.sequence} now has hash {event_hash}, anchored as {anchor.hash}")
    if count != anchor.count:
        problems.append(f"{count} events lead up to it, anchored as {anchor.count}")
    if not problems:
        return ""
    return "; ".join(problems) + " (the chain was changed and its hashes recomputed after the anchor was written)"
