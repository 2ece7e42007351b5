"""Give back their status to signed cases that wrong dates of birth turned into "locked".

Before this release, five wrong dates of birth locked a link whatever its state, so a signed,
declined or withdrawn case could become "locked", and reissuing its link then made it "invited"
with its signature still there. The signature (and the withdrawal and confirmation times) say
what the status must be: each such case gets it back, with an audit event on the chain. Nothing
else changes; cases without a signature are left alone.
"""

import importlib

from django.db import migrations
from django.utils import timezone

FINISHED = {"signed", "declined", "withdrawn", "confirmed"}


def status_from_record(request, signature) -> str:
    if request.withdrawn_at:
        return "withdrawn"
    if request.confirmed_at:
        return "confirmed"
    return "signed" if signature.decision == "consent" else "declined"


def restore(apps, schema_editor):
    ConsentRequest = apps.get_model("consent", "ConsentRequest")
    Signature = apps.get_model("consent", "Signature")
    AuditEvent = apps.get_model("consent", "AuditEvent")
    event_hash = importlib.import_module("consent.migrations.0004_audit_event_chain").event_hash
    for signature in Signature.objects.order_by("pk").iterator():
        request = ConsentRequest.objects.get(pk=signature.request_id)
        if request.status in FINISHED:
            continue
        wrong, request.status = request.status, status_from_record(request, signature)
        ConsentRequest.objects.filter(pk=request.pk).update(status=request.status)
        last = AuditEvent.objects.order_by("-sequence").first()
        event = AuditEvent(
            request_id=request.pk,
            actor="system",
            action="status_restored",
            message=f"Status put back to “{request.status}” from “{wrong}”, as the signed record says "
            "(wrong dates of birth could change a finished case's status before this release)",
            detail={"from": wrong, "to": request.status},
            created_at=timezone.now(),
            sequence=(last.sequence + 1) if last else 1,
            previous_hash=last.hash if last else "0" * 64,
        )
        event.hash = event_hash(event)
        event.save()


class Migration(migrations.Migration):
    dependencies = [("consent", "0008_patient_language")]

    operations = [migrations.RunPython(restore, migrations.RunPython.noop)]
