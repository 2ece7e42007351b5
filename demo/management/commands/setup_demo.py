"""Set up the local demo: sample content, four demo staff accounts and a demo patient.

Only for `make run` on a developer's machine: the demo passwords are public, so
this refuses to run unless DEBUG is on. Migrations never create accounts.

Only a hash of each patient link is stored, so every run prints fresh links:
the demo patient's open request for each procedure gets a new link (the old
one stops working), and a new request is made only where none is open.
"""

from __future__ import annotations

import datetime
import zoneinfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import save_profile
from consent import services, state
from consent.models import ConsentRequest, Patient
from procedures.models import Procedure
from procedures.roles import CLINICIANS, CONTENT_ADMINS, NURSES
from procedures.sample_content import SAMPLE_PROCEDURES

DEMO_PASSWORD = "proceed-demo"  # noqa: S105  (public on purpose: demo accounts only, DEBUG only)
DEMO_ACCOUNTS = [
    # username, what they can do, group, is_staff (admin site), is_superuser
    ("nurse", "Nurse: patients' requests and checklists", NURSES, False, False),
    ("clinician", "Clinician: the staff workspace, and countersigns consent", CLINICIANS, False, False),
    ("editor", "Content admin: edits and publishes procedure content", CONTENT_ADMINS, True, False),
    ("admin", "Superuser: everything", None, True, True),
]

DEMO_PATIENT = {
    "mrn": "DEMO-0001",
    "full_name": "Alex Morgan",
    "date_of_birth": datetime.date(1958, 4, 12),
    "email": "alex.morgan@example.org",
}
DEMO_CLINICIAN = "Dr Priya Shah"
# The demo clinician account is her: named as a countersignature records it.
DEMO_CLINICIAN_ACCOUNT = {
    "first_name": "Priya",
    "last_name": "Shah",
    "job_title": "Consultant in pain medicine",
    "registration": "GMC 7654321",
}
FIRST_APPOINTMENT_IN_DAYS = 3  # then one more day for each further sample procedure
APPOINTMENT_TIME = datetime.time(9, 0)


class Command(BaseCommand):
    help = (
        "Load the sample content, create the demo staff accounts and print fresh links for the demo patient "
        "(development only)."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "setup_demo creates accounts with public passwords, so it only runs with DJANGO_DEBUG=1. "
                "For a real deployment create staff with `manage.py createsuperuser` and the admin."
            )
        call_command("load_sample_content", stdout=self.stdout)
        User = get_user_model()
        for username, _, group_name, is_staff, is_superuser in DEMO_ACCOUNTS:
            user, _ = User.objects.get_or_create(username=username)
            user.is_staff, user.is_superuser = is_staff, is_superuser
            if not user.check_password(DEMO_PASSWORD):
                user.set_password(DEMO_PASSWORD)
            user.save()
            if group_name:
                user.groups.add(Group.objects.get(name=group_name))
            if group_name == CLINICIANS:
                user.first_name, user.last_name = (
                    DEMO_CLINICIAN_ACCOUNT["first_name"],
                    DEMO_CLINICIAN_ACCOUNT["last_name"],
                )
                user.save(update_fields=["first_name", "last_name"])
                save_profile(
                    user,
                    job_title=DEMO_CLINICIAN_ACCOUNT["job_title"],
                    registration=DEMO_CLINICIAN_ACCOUNT["registration"],
                )
        self.stdout.write(f"\nDemo staff accounts (password for each: {DEMO_PASSWORD}):")
        for username, role, *_ in DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:<9} {role}")
        self.stdout.write(
            "Sign-in takes two steps: the password, then a 6-digit code from an authenticator app.\n"
            "An account's first sign-in shows a QR code to scan with any authenticator app (Microsoft or\n"
            "Google Authenticator, FreeOTP, ...), then ten recovery codes to keep. To set an account up\n"
            "afresh, sign in as admin and delete its device under 'TOTP devices' in the admin."
        )

        links = self._demo_patient_links(nurse=User.objects.get(username="nurse"))
        date_of_birth = DEMO_PATIENT["date_of_birth"]
        self.stdout.write(f"\nDemo patient links (date of birth: {date_of_birth.day} {date_of_birth:%B %Y}):")
        for name, link in links:
            self.stdout.write(f"  {name}: {link}")

    def _demo_patient_links(self, *, nurse) -> list[tuple[str, str]]:
        """One open request per sample procedure for the demo patient, each with a fresh link."""
        try:
            patient = services.find_or_create_patient(**DEMO_PATIENT)
        except services.ConsentError as error:
            raise CommandError(f"The demo patient {DEMO_PATIENT['mrn']} can't be used: {error}") from None
        local_zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        today = timezone.localdate(timezone=local_zone)
        procedures = Procedure.objects.in_bulk([data["slug"] for data in SAMPLE_PROCEDURES], field_name="slug")
        links = []
        for days_ahead, data in enumerate(SAMPLE_PROCEDURES, start=FIRST_APPOINTMENT_IN_DAYS):
            procedure = procedures.get(data["slug"])
            if procedure is None or procedure.current_version is None:
                continue
            appointment_at = datetime.datetime.combine(
                today + datetime.timedelta(days=days_ahead), APPOINTMENT_TIME, tzinfo=local_zone
            )
            token = self._fresh_link(patient=patient, procedure=procedure, appointment_at=appointment_at, nurse=nurse)
            links.append((procedure.current_version.content["name"], services.patient_link(token)))
        return links

    def _fresh_link(self, *, patient: Patient, procedure: Procedure, appointment_at, nurse) -> str:
        with transaction.atomic():
            open_request = (
                ConsentRequest.objects.filter(
                    patient=patient, procedure_version__procedure=procedure, status__in=state.OPEN
                )
                .order_by("-created_at")
                .first()
            )
            if open_request is not None:
                if open_request.appointment_at > timezone.now():
                    return services.reissue_link(consent_request=open_request, user=nurse)
                # Its appointment has passed (an old demo): make way for a new one.
                services.cancel_request(consent_request=open_request, user=nurse)
            request, token = services.create_consent_request(
                patient=patient,
                procedure=procedure,
                appointment_at=appointment_at,
                clinician=DEMO_CLINICIAN,
                created_by=nurse,
            )
            services.mark_invited(consent_request=request, how="printed by the setup_demo command", user=nurse)
        return token
