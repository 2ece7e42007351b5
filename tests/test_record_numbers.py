"""Record numbers match whatever their case or spacing; existing near-duplicates are reported, never merged."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps

from consent import services
from consent.models import Patient, normalise_mrn

BORN = datetime.date(1950, 1, 1)


@pytest.mark.parametrize("typed", ["seed-000297", " SEED-000297 ", "Seed - 000297", "SEED-000297"])
def test_a_record_number_in_another_case_or_spacing_finds_the_same_patient(db, typed):
    first = services.find_or_create_patient(mrn="SEED-000297", full_name="Ann Lee", date_of_birth=BORN)
    assert services.find_or_create_patient(mrn=typed, full_name="Ann Lee", date_of_birth=BORN) == first
    assert Patient.objects.count() == 1 and first.mrn == "SEED-000297"


def test_another_name_under_the_same_number_in_lower_case_is_refused(db):
    services.find_or_create_patient(mrn="SEED-000297", full_name="Ann Lee", date_of_birth=BORN)
    with pytest.raises(services.ConsentError, match="already exists with a different name"):
        services.find_or_create_patient(mrn="seed-000297", full_name="Bo Kim", date_of_birth=BORN)


def test_the_migration_normalises_and_reports_near_duplicates_without_merging(db, capsys):
    Patient.objects.create(mrn="abc 1", full_name="A", date_of_birth=BORN)
    one = Patient.objects.create(mrn="seed-000297", full_name="B", date_of_birth=BORN)
    two = Patient.objects.create(mrn="SEED-000297", full_name="C", date_of_birth=BORN)
    migration = importlib.import_module("consent.migrations.0014_normalise_record_numbers")

    migration.normalise_record_numbers(apps, None)

    assert Patient.objects.filter(mrn="ABC1").exists()
    assert set(Patient.objects.filter(pk__in=[one.pk, two.pk]).values_list("mrn", flat=True)) == {
        "seed-000297",
        "SEED-000297",
    }
    report = capsys.readouterr().out
    assert f"ids {one.pk}, {two.pk}" in report and "merge by hand" in report and "SEED" not in report
    assert migration.normalise("x y-1") == normalise_mrn("x y-1"), "the frozen copy agrees with the app"
