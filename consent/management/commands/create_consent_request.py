"""Create a consent request from the command line and print the patient's link.

    manage.py create_consent_request --mrn MRN-1001 --name "Alex Morgan" --dob 1958-04-12 \\
        --procedure lumbar-puncture --appointment "2030-06-21 09:30" --clinician "Dr Priya Shah"
"""

from __future__ import annotations

import datetime
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from consent import services
from consent.models import Language
from procedures.models import Procedure


def _published_slugs() -> list[str]:
    published = Procedure.objects.filter(versions__isnull=False).distinct().order_by("slug")
    return list(published.values_list("slug", flat=True))


class Command(BaseCommand):
    help = "Create a consent request for a patient and print their personal link (shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("--mrn", required=True, help="The patient's medical record number.")
        parser.add_argument("--name", required=True, help="The patient's full name, as on their record.")
        parser.add_argument("--dob", required=True, help="Date of birth, YYYY-MM-DD.")
        parser.add_argument("--procedure", required=True, help="The procedure's slug, e.g. lumbar-puncture.")
        parser.add_argument(
            "--appointment",
            required=True,
            help=f'Appointment date and time, "YYYY-MM-DD HH:MM", local time ({settings.TIME_ZONE}).',
        )
        parser.add_argument("--clinician", required=True, help="The responsible clinician.")
        parser.add_argument("--email", default="", help="The patient's email address (optional).")
        parser.add_argument("--phone", default="", help="The patient's phone number (optional).")
        parser.add_argument(
            "--language",
            default=Language.ENGLISH,
            choices=Language.values,
            help="Preferred language (default: en).",
        )
        parser.add_argument(
            "--another",
            action="store_true",
            help="Make it even if the patient already has an open request for this procedure.",
        )
        parser.add_argument("--send-email", action="store_true", help="Also email the link to --email.")

    def handle(self, *args, **options):
        date_of_birth = self._date_of_birth(options["dob"])
        appointment_at = self._appointment(options["appointment"])
        procedure = self._procedure(options["procedure"])
        name, clinician = options["name"].strip(), options["clinician"].strip()
        if not name:
            raise CommandError("--name is empty. Give the patient's full name, as on their record.")
        if not clinician:
            raise CommandError("--clinician is empty. Give the name of the responsible clinician.")
        email = options["email"].strip()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                raise CommandError("--email is not a valid email address, e.g. name@example.org.") from None
        if options["send_email"] and not email:
            raise CommandError("--send-email needs the patient's email address: add --email.")

        try:
            with transaction.atomic():
                patient = services.find_or_create_patient(
                    mrn=options["mrn"],
                    full_name=name,
                    date_of_birth=date_of_birth,
                    email=email,
                    phone=options["phone"].strip(),
                    preferred_language=options["language"],
                )
                request, token = services.create_consent_request(
                    patient=patient,
                    procedure=procedure,
                    appointment_at=appointment_at,
                    clinician=clinician,
                    created_by=None,
                    confirm_another=options["another"],
                )
        except services.AnotherOpenRequest as error:
            when = timezone.localtime(error.existing.appointment_at)
            raise CommandError(
                f"This patient already has an open request for this procedure, for {when:%Y-%m-%d %H:%M}. "
                "Add --another to make one more."
            ) from None
        except services.ConsentError as error:
            raise CommandError(str(error)) from None

        emailed = False
        if options["send_email"]:
            if patient.email != email:
                self.stderr.write(
                    "This patient's record has a different email address; the link was not emailed. "
                    "Give the patient the link below."
                )
            else:
                try:
                    services.send_invite_email(consent_request=request, token=token)
                    emailed = True
                except Exception as error:  # the link is printed below whatever the mail server did
                    self.stderr.write(
                        f"The email could not be sent ({type(error).__name__}). Give the patient the link below."
                    )
        if not emailed:
            services.mark_invited(consent_request=request, how="printed by the create_consent_request command")

        local = timezone.localtime(request.appointment_at)
        self.stdout.write(
            f"Created consent request {request.public_id}: {request.content['name']}, {local:%A %d %B %Y at %H:%M}."
        )
        if emailed:
            self.stdout.write(f"The link was emailed to {patient.email}.")
        self.stdout.write("Patient link (shown only once; only a hash of it is stored):")
        self.stdout.write(f"  {services.patient_link(token)}")
        self.stdout.write("The patient will be asked for their date of birth when they open it.")

    def _date_of_birth(self, value: str) -> datetime.date:
        try:
            date_of_birth = datetime.datetime.strptime(value.strip(), "%Y-%m-%d").date()
        except ValueError:
            raise CommandError("--dob must be a date written YYYY-MM-DD, e.g. 1958-04-12.") from None
        if date_of_birth > timezone.localdate():
            raise CommandError("--dob is in the future. Check the year.")
        return date_of_birth

    def _appointment(self, value: str) -> datetime.datetime:
        try:
            naive = datetime.datetime.strptime(value.strip(), "%Y-%m-%d %H:%M")
        except ValueError:
            raise CommandError('--appointment must be written "YYYY-MM-DD HH:MM", e.g. "2030-06-21 09:30".') from None
        appointment_at = naive.replace(tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))
        if appointment_at <= timezone.now():
            raise CommandError(
                f"The appointment {value.strip()} ({settings.TIME_ZONE}) is in the past. Give a future date and time."
            )
        return appointment_at

    def _procedure(self, slug: str) -> Procedure:
        procedure = Procedure.objects.filter(slug=slug.strip()).first()
        if procedure is None:
            valid = ", ".join(_published_slugs()) or "none yet: load or publish a procedure first"
            raise CommandError(f"There is no procedure with the slug “{slug}”. Valid slugs: {valid}.")
        return procedure
