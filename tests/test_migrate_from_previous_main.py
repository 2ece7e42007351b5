"""A database made before the apps were split (consent 0018, procedures 0008) migrates to today's
schema with nothing changed: the move renamed no table, and 0019 only names the audit codes."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from consent.models import AuditEvent, ConsentRequest, Signature
from tests.conftest import PATIENT_A, make_case, sign_case

BEFORE_THE_SPLIT = [("consent", "0018_request_assigned_to"), ("procedures", "0008_preparation_step_days_before")]


def snapshot():
    return {
        "requests": list(ConsentRequest.objects.order_by("pk").values()),
        "signatures": list(Signature.objects.order_by("pk").values()),
        "events": list(AuditEvent.objects.order_by("sequence").values("sequence", "action", "actor", "hash")),
    }


@pytest.mark.django_db(transaction=True)
def test_a_signed_records_database_from_before_the_split_migrates_with_nothing_lost(published_procedure):
    signed = make_case(published_procedure, PATIENT_A)
    sign_case(signed)
    before = snapshot()
    MigrationExecutor(connection).migrate(BEFORE_THE_SPLIT)  # back to the last migrations of the old layout

    call_command("migrate", verbosity=0)

    assert snapshot() == before
    codes = {code for code, _label in AuditEvent._meta.get_field("action").flatchoices}
    assert {row["action"] for row in before["events"]} <= codes, "every code written has a name"
