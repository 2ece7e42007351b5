"""Anchors of the audit chain's head: a chain changed and rebuilt afterwards no longer matches them.

`anchor_audit_chain` writes the head to the private storage (and the log); `verify_audit_chain`
compares the chain with every anchor. Tampering is done as in `tests.test_audit_chain`: on
PostgreSQL with the triggers switched off, as a superuser could.
"""

from __future__ import annotations

import json
import logging
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.core.management.base import CommandError

from consent.anchors import Anchor, AnchorError, read_anchors, write_anchor
from consent.audit import check_chain
from consent.integrity import SIGNATURE_DIGEST_KEY, signature_digest
from consent.models import AuditEvent, Signature
from tests.conftest import sign_case
from tests.test_audit_chain import GENESIS, tamper, write_events


@pytest.fixture(autouse=True)
def private(settings, tmp_path):
    """This test's own private storage, so no other test's `verify_audit_chain` reads its anchors."""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    return storages["private"]


def anchor():
    out = StringIO()
    call_command("anchor_audit_chain", stdout=out)
    return out.getvalue()


def anchor_fails():
    with pytest.raises(CommandError) as error:
        call_command("anchor_audit_chain", stdout=StringIO())
    assert error.value.returncode == 1
    return str(error.value)


def verify():
    out, err = StringIO(), StringIO()
    call_command("verify_audit_chain", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def verify_fails():
    with pytest.raises(CommandError) as error:
        call_command("verify_audit_chain", stdout=StringIO(), stderr=StringIO())
    assert error.value.returncode == 1
    return str(error.value)


def rebuild_chain_from(sequence: int, **changes) -> None:
    """Change event #sequence, then recompute its hash and every hash after it: the chain checks out again."""
    previous = AuditEvent.objects.get(sequence=sequence - 1).hash if sequence > 1 else GENESIS
    for event in AuditEvent.objects.filter(sequence__gte=sequence).order_by("sequence"):
        if event.sequence == sequence:
            for name, value in changes.items():
                setattr(event, name, value)
        event.previous_hash = previous
        event.hash = previous = event.compute_hash()
        tamper(
            "UPDATE consent_auditevent SET message = %s, detail = %s, previous_hash = %s, hash = %s WHERE id = %s",
            [event.message, json.dumps(event.detail), event.previous_hash, event.hash, event.pk],
        )


def whole_chain_checks_out() -> bool:
    return check_chain(AuditEvent.objects.order_by("sequence")).broken is None


# Writing anchors ------------------------------------------------------------------------------


def test_an_anchor_holds_the_chain_head_in_the_private_storage_and_the_log(db, private, caplog):
    events = write_events(3)

    with caplog.at_level(logging.INFO, logger="consent.anchors"):
        out = anchor()

    _, files = private.listdir("anchors")
    assert len(files) == 1 and files[0].endswith("Z.json")
    with private.open(f"anchors/{files[0]}") as handle:
        content = json.loads(handle.read())
    assert content == {
        "format": 1,
        "event_id": events[-1].pk,
        "sequence": 3,
        "hash": events[-1].hash,
        "count": 3,
        "anchored_at": content["anchored_at"],
    }
    assert content["anchored_at"].endswith("+00:00")
    line = f"Audit chain anchored in anchors/{files[0]}: {json.dumps(content, sort_keys=True, separators=(',', ':'))}"
    assert out == line + "\n"
    assert [(record.levelname, record.getMessage()) for record in caplog.records] == [("INFO", line)]


def test_each_run_writes_a_new_anchor_and_never_overwrites_one(db, private):
    write_events(2)
    anchor()
    write_events(1)
    anchor()

    anchors = read_anchors()
    assert [(a.sequence, a.count) for a in anchors] == [(2, 2), (3, 3)]

    first = anchors[0]
    with pytest.raises(AnchorError, match="exists already; an anchor is never overwritten"):
        write_anchor(Anchor(event_id=1, sequence=1, hash="0" * 64, count=1, anchored_at=first.anchored_at))
    assert read_anchors()[0] == first


def test_an_empty_chain_is_not_anchored(db, private):
    assert anchor() == "The audit chain is empty: nothing to anchor.\n"
    assert read_anchors() == []


# Verifying against anchors ----------------------------------------------------------------------


def test_without_anchors_the_chain_check_warns_but_passes(db):
    write_events(2)

    out, err = verify()

    assert out.startswith("Audit chain intact: 2 events")
    assert "Warning: no anchors in the private storage (anchors/)" in err
    assert "anchor_audit_chain" in err


def test_a_chain_that_extends_its_anchors_passes(db):
    write_events(2)
    anchor()
    write_events(3)
    anchor()
    write_events(1)

    out, err = verify()

    latest = read_anchors()[-1]
    assert out.splitlines() == [
        f"Audit chain intact: 6 events (last #6, hash {AuditEvent.objects.get(sequence=6).hash})",
        f"Matches all 2 anchors (the latest, {latest.name}, at event #5).",
    ]
    assert err == ""


def test_a_rebuilt_chain_passes_the_chain_check_but_not_its_anchor(db):
    events = write_events(5)
    anchor()
    anchored = read_anchors()[0]

    rebuild_chain_from(2, message="Nothing happened")

    assert whole_chain_checks_out()  # the hash chain alone can't tell
    new_hash = AuditEvent.objects.get(sequence=5).hash
    assert verify_fails() == (
        f"Audit chain does not match anchor {anchored.name} (written {anchored.anchored_at}, event #5, "
        f"id {events[-1].pk}): event #5 now has hash {new_hash}, anchored as {events[-1].hash} "
        "(the chain was changed and its hashes recomputed after the anchor was written)"
    )


def test_a_typed_name_changed_with_its_digest_and_the_chain_rebuilt_fails_against_the_anchor(case_a):
    """The whole forgery: the row changed, its digest recomputed in the event, the chain rebuilt after it.

    `verify_records` then finds nothing (the row matches its event); the anchor still does.
    """
    signature = sign_case(case_a)
    write_events(2)  # later events, after the signing
    anchor()
    tamper("UPDATE consent_signature SET typed_name = 'Mallory Forger' WHERE id = %s", [signature.pk])
    event = AuditEvent.objects.get(request=case_a.request, action="signed")
    forged = {**event.detail, SIGNATURE_DIGEST_KEY: signature_digest(Signature.objects.get(pk=signature.pk))}
    rebuild_chain_from(event.sequence, detail=forged)

    records = StringIO()
    call_command("verify_records", stdout=records)
    assert records.getvalue().startswith("Records intact: 1 signature")
    assert whole_chain_checks_out()
    message = verify_fails()
    assert message.startswith(f"Audit chain does not match anchor {read_anchors()[0].name} ")
    assert "now has hash" in message


def test_a_chain_cut_short_fails_against_its_anchor(db):
    events = write_events(5)
    anchor()
    tamper("DELETE FROM consent_auditevent WHERE sequence > 3")

    assert whole_chain_checks_out()
    assert verify_fails().endswith(
        f"event #5, id {events[-1].pk}): the anchored event #5 (id {events[-1].pk}) is no longer in the chain, "
        "which now ends at #3: events were removed"
    )


def test_a_renumbered_chain_fails_against_its_anchor(db):
    """An event removed and the ones after it renumbered and rehashed: the anchored number holds another event."""
    events = write_events(5)
    anchor()
    write_events(1)  # so the chain still reaches #5 after one is removed
    tamper("DELETE FROM consent_auditevent WHERE sequence = 2")
    for sequence in range(3, 7):  # one at a time, each into the number freed before it
        tamper("UPDATE consent_auditevent SET sequence = %s WHERE sequence = %s", [sequence - 1, sequence])
    rebuild_chain_from(2)

    assert whole_chain_checks_out()
    message = verify_fails()
    assert f"event #5 is now id {events[-1].pk + 1}, anchored as id {events[-1].pk}" in message


def test_an_anchor_that_is_not_one_fails_the_check_naming_it(db, private):
    write_events(1)
    private.save("anchors/20260101T000000.000000Z.json", ContentFile(b"not json"))

    assert verify_fails() == (
        "Anchor anchors/20260101T000000.000000Z.json can't be read as an anchor (JSONDecodeError). "
        "The chain itself is intact (1 event)."
    )


# Anchoring a changed chain ------------------------------------------------------------------------


def test_anchoring_refuses_a_chain_rebuilt_since_the_latest_anchor(db, caplog):
    write_events(4)
    anchor()
    rebuild_chain_from(3, message="Nothing happened")
    caplog.clear()

    with caplog.at_level(logging.INFO, logger="consent.anchors"):
        message = anchor_fails()

    assert message.startswith("Not anchored: the chain does not match the latest anchor anchors/")
    assert "event #4 now has hash" in message
    assert len(read_anchors()) == 1
    assert [record.levelname for record in caplog.records] == ["ERROR"]


def test_anchoring_refuses_a_chain_broken_after_the_latest_anchor(db):
    events = write_events(2)
    anchor()
    more = write_events(2)
    tamper("UPDATE consent_auditevent SET message = 'Nothing happened' WHERE id = %s", [more[0].pk])

    assert anchor_fails() == (
        f"Not anchored: the audit chain is broken at event #3 (id {more[0].pk}): "
        "content changed (its hash no longer matches what it holds)"
    )
    assert [a.event_id for a in read_anchors()] == [events[-1].pk]


def test_the_first_anchor_checks_the_whole_chain(db):
    events = write_events(3)
    tamper("UPDATE consent_auditevent SET message = 'Nothing happened' WHERE id = %s", [events[0].pk])

    assert anchor_fails().startswith(f"Not anchored: the audit chain is broken at event #1 (id {events[0].pk})")
    assert read_anchors() == []
