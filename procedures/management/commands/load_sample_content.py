from django.core.management.base import BaseCommand

from procedures.services import load_sample_procedures


class Command(BaseCommand):
    help = "Create and publish the four sample procedures (idempotent: existing ones are left as they are)."

    def handle(self, *args, **options):
        for procedure, created in load_sample_procedures():
            version = procedure.current_version
            state = "created and published" if created else "already present, left as it is"
            self.stdout.write(f"{procedure.name}: {state} (version {version.number if version else 'none'})")
        self.stdout.write(self.style.WARNING("Sample content must be reviewed by your clinic's clinicians before use."))
