"""Record numbers in one spelling (upper case, no spaces), as `consent.models.normalise_mrn` makes them.

Patients whose numbers would become the same ("seed-000297" and "SEED-000297") are near-duplicates:
they are left exactly as they are and reported (by internal id only), for the clinic to merge by hand.
"""

from collections import defaultdict

from django.db import migrations


def normalise(value: str) -> str:
    """A frozen copy of `consent.models.normalise_mrn` as it was when this migration was written."""
    return "".join(value.split()).upper()


def normalise_record_numbers(apps, schema_editor):
    Patient = apps.get_model("consent", "Patient")
    groups = defaultdict(list)
    for pk, mrn in Patient.objects.values_list("pk", "mrn").order_by("pk"):
        groups[normalise(mrn)].append((pk, mrn))
    for normal, patients in groups.items():
        if len(patients) > 1:
            ids = ", ".join(str(pk) for pk, _mrn in patients)
            print(
                f"\n  Near-duplicate patients (ids {ids}): their record numbers differ only in case or spaces. "
                "Left as they are: check them and merge by hand."
            )
            continue
        (pk, mrn) = patients[0]
        if mrn != normal:
            Patient.objects.filter(pk=pk).update(mrn=normal)


class Migration(migrations.Migration):
    dependencies = [("consent", "0013_step_shown_after_its_day")]

    operations = [migrations.RunPython(normalise_record_numbers, migrations.RunPython.noop)]
