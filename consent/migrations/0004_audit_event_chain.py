"""Hash-chain the audit events: number them, link each to the one before and hash it.

Existing events are chained in the order they happened (created_at, then id).
The sequence is required and unique from the next migration on, once every row
has one.
"""

import datetime
import hashlib
import json

from django.db import migrations, models
from django.utils import timezone

GENESIS_HASH = "0" * 64
BATCH_SIZE = 1000


def event_hash(event) -> str:
    """A frozen copy of `AuditEvent.canonical_content()` + `compute_hash()` as they were when the chain began."""
    created_at = event.created_at
    if timezone.is_naive(created_at):
        created_at = timezone.make_aware(created_at, timezone.get_default_timezone())
    content = {
        "sequence": event.sequence,
        "previous_hash": event.previous_hash,
        "request": event.request_id,
        "actor": event.actor,
        "user": event.user_id,
        "action": event.action,
        "message": event.message,
        "detail": json.loads(json.dumps(event.detail)),
        "ip": event._meta.get_field("ip_address").get_prep_value(event.ip_address) or None,
        "created_at": created_at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def chain_existing_events(apps, schema_editor):
    AuditEvent = apps.get_model("consent", "AuditEvent")
    events = AuditEvent.objects.using(schema_editor.connection.alias)
    # Ids first, then rows a batch at a time: never writing to a table while a cursor reads it.
    ids = list(events.order_by("created_at", "id").values_list("id", flat=True))
    previous_hash = GENESIS_HASH
    for start in range(0, len(ids), BATCH_SIZE):
        batch_ids = ids[start : start + BATCH_SIZE]
        rows = events.in_bulk(batch_ids)
        batch = []
        for sequence, event_id in enumerate(batch_ids, start=start + 1):
            event = rows[event_id]
            event.sequence = sequence
            event.previous_hash = previous_hash
            event.hash = previous_hash = event_hash(event)
            batch.append(event)
        events.bulk_update(batch, ["sequence", "previous_hash", "hash"])


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0003_content_update_notice"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="sequence",
            field=models.PositiveBigIntegerField(editable=False, null=True, help_text="Place in the audit chain."),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="previous_hash",
            field=models.CharField(
                default="", editable=False, help_text="The hash of the event before.", max_length=64
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(
                default="", editable=False, help_text="SHA-256 of this event's canonical content.", max_length=64
            ),
            preserve_default=False,
        ),
        migrations.RunPython(chain_existing_events, migrations.RunPython.noop),
    ]
