"""Patients' opaque public id (FHIR `Patient/<id>`): filled for patients made before it existed, one each."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from consent.models import Patient
from tests.conftest import PATIENT_A, PATIENT_B, make_case


@pytest.mark.django_db(transaction=True)
def test_patients_from_before_the_public_id_get_distinct_ids(published_procedure):
    make_case(published_procedure, PATIENT_A)
    make_case(published_procedure, PATIENT_B)
    MigrationExecutor(connection).migrate([("consent", "0025_audit_action_choices_for_issue_17")])

    call_command("migrate", verbosity=0)

    ids = list(Patient.objects.values_list("public_id", flat=True))
    assert len(ids) == 2 and None not in ids
    assert len(set(ids)) == 2
