"""Audit events form a hash chain, and `verify_audit_chain` finds the first broken link."""

import contextlib
import datetime
import importlib
import threading
import zoneinfo
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader

from consent import services
from consent.models import AuditEvent
from tests.conftest import sign_case

GENESIS = "0" * 64


@contextlib.contextmanager
def trigger_disabled():
    """Let a test tamper with audit events as an attacker with database access could.

    On PostgreSQL, triggers are switched off for the block the way a superuser
    can (replication role; `ALTER TABLE ... DISABLE TRIGGER` would clash with
    the test's pending foreign-key checks). SQLite has no trigger.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        try:
            yield
        finally:
            cursor.execute("SET LOCAL session_replication_role = origin")


def tamper(sql, params=()):
    with trigger_disabled(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def write_events(count):
    return [
        services.audit(consent_request=None, action="test", message=f"Event {n}", detail={"n": n})
        for n in range(1, count + 1)
    ]


def verify():
    out = StringIO()
    call_command("verify_audit_chain", stdout=out)
    return out.getvalue()


def verify_fails():
    with pytest.raises(CommandError) as error:
        call_command("verify_audit_chain", stdout=StringIO())
    return str(error.value)


# Writing the chain ------------------------------------------------------------------------


def test_events_are_numbered_and_each_links_to_the_one_before(db):
    first, second, third = write_events(3)

    assert [first.sequence, second.sequence, third.sequence] == [1, 2, 3]
    assert first.previous_hash == GENESIS
    assert second.previous_hash == first.hash
    assert third.previous_hash == second.hash
    assert len({first.hash, second.hash, third.hash}) == 3


def test_the_stored_hash_matches_the_event_read_back_from_the_database(db):
    """Values the database normalises (IPv6 case, JSON key order, time zone) hash the same after the round trip."""
    event = services.audit(
        consent_request=None,
        action="test",
        message="Ünïcode and “quotes”",
        ip="2001:DB8::0:1",
        detail={"b": 2, "a": [1, "two", None, True], "nested": {"z": 1.5, "é": "ü"}},
        at=datetime.datetime(2026, 3, 29, 1, 30, 0, 123456, tzinfo=zoneinfo.ZoneInfo("America/New_York")),
    )

    stored = AuditEvent.objects.get(pk=event.pk)

    assert stored.hash == event.hash == stored.compute_hash()


def test_every_event_of_a_whole_case_is_chained(case_a, nurse):
    sign_case(case_a)
    services.record_checklist_entry(
        consent_request=case_a.request,
        item_key=case_a.request.content["checklist_items"][0]["key"],
        state="done",
        note="",
        user=nurse,
    )
    events = list(AuditEvent.objects.order_by("sequence"))

    assert [event.sequence for event in events] == list(range(1, len(events) + 1))
    assert len(events) > 5
    assert verify().startswith(
        f"Audit chain intact: {len(events)} events (last #{len(events)}, hash {events[-1].hash})"
    )


def test_an_empty_chain_is_intact(db):
    assert verify() == "Audit chain intact: 0 events\n"


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Writers wait for each other on PostgreSQL's advisory lock; SQLite lets one writer in at a time anyway.",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_writers_at_the_same_time_never_fork_the_chain():
    writers, events_each = 4, 15
    start = threading.Barrier(writers)
    errors = []

    def write(writer):
        try:
            start.wait()
            for n in range(events_each):
                with transaction.atomic():
                    services.audit(consent_request=None, action="test", message=f"Writer {writer} event {n}")
        except Exception as error:  # reported below, with the writer that failed
            errors.append((writer, error))
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(writer,)) for writer in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert verify().startswith(f"Audit chain intact: {writers * events_each} events")


# Finding tampering --------------------------------------------------------------------------


def test_a_changed_event_is_the_first_broken_link(db):
    events = write_events(4)
    tamper("UPDATE consent_auditevent SET message = 'Nothing happened' WHERE id = %s", [events[1].pk])

    assert verify_fails() == (
        f"Audit chain broken at event #2 (id {events[1].pk}): "
        "content changed (its hash no longer matches what it holds)"
    )


def test_a_changed_detail_is_found(db):
    events = write_events(3)
    tamper("UPDATE consent_auditevent SET detail = %s WHERE id = %s", ['{"n": 99}', events[2].pk])

    assert "broken at event #3" in verify_fails()


def test_a_changed_event_with_its_hash_recomputed_breaks_the_next_link(db):
    events = write_events(4)
    forged = AuditEvent.objects.get(pk=events[1].pk)
    forged.message = "Nothing happened"
    tamper(
        "UPDATE consent_auditevent SET message = %s, hash = %s WHERE id = %s",
        [forged.message, forged.compute_hash(), forged.pk],
    )

    assert verify_fails() == (
        f"Audit chain broken at event #3 (id {events[2].pk}): "
        "link to previous broken (previous_hash is not the hash of the event before)"
    )


def test_a_deleted_event_leaves_a_gap(db):
    events = write_events(4)
    tamper("DELETE FROM consent_auditevent WHERE id = %s", [events[1].pk])

    message = verify_fails()

    assert message.startswith(f"Audit chain broken at event #3 (id {events[2].pk}): ")
    assert "sequence gap (expected #2, found #3: events are missing)" in message
    assert "link to previous broken" in message


def test_deleting_the_first_event_is_found(db):
    events = write_events(2)
    tamper("DELETE FROM consent_auditevent WHERE id = %s", [events[0].pk])

    assert "broken at event #2" in verify_fails()


def test_only_the_first_of_several_broken_links_is_named(db):
    events = write_events(5)
    tamper("UPDATE consent_auditevent SET message = 'x' WHERE id IN (%s, %s)", [events[3].pk, events[1].pk])

    assert verify_fails().startswith(f"Audit chain broken at event #2 (id {events[1].pk}): content changed")


def test_the_command_exits_non_zero_when_the_chain_is_broken(db):
    events = write_events(2)
    tamper("UPDATE consent_auditevent SET action = 'nothing' WHERE id = %s", [events[0].pk])

    with pytest.raises(CommandError) as error:
        call_command("verify_audit_chain", stdout=StringIO())

    assert error.value.returncode == 1


# Seeded data and the migration ---------------------------------------------------------------


def test_seeded_demo_data_continues_the_chain(db):
    write_events(2)

    call_command("seed_demo_requests", count=40, seed=5, force=True, stdout=StringIO())
    call_command("seed_demo_requests", count=10, seed=6, force=True, stdout=StringIO())

    count = AuditEvent.objects.count()
    assert count > 40
    assert AuditEvent.objects.get(sequence=3).previous_hash == AuditEvent.objects.get(sequence=2).hash
    assert verify().startswith(f"Audit chain intact: {count} events")


def test_the_migration_chains_existing_events_in_the_order_they_happened(db):
    """consent 0004 numbers and links events that were written before the chain existed."""
    migration = importlib.import_module("consent.migrations.0004_audit_event_chain")
    apps = MigrationLoader(connection).project_state(("consent", "0004_audit_event_chain")).apps
    OldAuditEvent = apps.get_model("consent", "AuditEvent")
    at = datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.UTC)
    # Written out of order, with placeholder chain fields the migration replaces.
    for n, minutes in enumerate([30, 10, 20, 10]):
        OldAuditEvent.objects.create(
            actor="system",
            action="old",
            message=f"Written {n}",
            detail={"n": n},
            ip_address="203.0.113.9",
            created_at=at + datetime.timedelta(minutes=minutes),
            sequence=1_000_000 + n,
        )

    with trigger_disabled():
        migration.chain_existing_events(apps, SimpleNamespace(connection=connection))

    messages = list(AuditEvent.objects.order_by("sequence").values_list("message", flat=True))
    assert messages == ["Written 1", "Written 3", "Written 2", "Written 0"]  # by time, then id
    assert verify().startswith("Audit chain intact: 4 events")
