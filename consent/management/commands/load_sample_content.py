from django.core.management.base import BaseCommand

from consent.services import update_untouched_samples
from procedures.blood_thinners import classify_sample_procedures, load_sample_blood_thinners
from procedures.services import load_sample_procedures


class Command(BaseCommand):
    help = (
        "Create and publish the four sample procedures. Idempotent: a procedure the clinic has made its own "
        "(edited or published by a person) is left as it is; one still as an earlier release shipped it gets "
        "the sample as shipped now, published as a material change."
    )

    def handle(self, *args, **options):
        updated = {result.version.procedure_id: result for result in update_untouched_samples()}
        for procedure, created in load_sample_procedures():
            version = procedure.current_version
            if created:
                state = "created and published"
            elif procedure.pk in updated:
                result = updated[procedure.pk]
                state = (
                    f"updated to the sample shipped now, as a material change ({result.moved} unsigned requests "
                    f"moved to it, {result.flagged} signed ones flagged for the nurses)"
                )
            else:
                state = "already present, left as it is"
            self.stdout.write(f"{procedure.name}: {state} (version {version.number if version else 'none'})")
        for procedure in classify_sample_procedures():
            self.stdout.write(f"{procedure.name}: bleeding-risk class set to {procedure.get_bleeding_risk_display()}")
        drugs = load_sample_blood_thinners()
        self.stdout.write(
            f"Blood thinners: {len(drugs)} sample rows added to the clinic's table"
            if drugs
            else "Blood thinners: the clinic's table already has every sample row, left as it is"
        )
        self.stdout.write(self.style.WARNING("Sample content must be reviewed by your clinic's clinicians before use."))
