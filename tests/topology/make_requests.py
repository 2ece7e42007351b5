"""Make consent requests on the topology's database and print their links as JSON (test-only).

    python tests/topology/make_requests.py COUNT      (in the topology's environment)

What `manage.py create_consent_request` does for one patient (a request on the published lumbar
puncture, marked as given to the patient), for COUNT patients in one process; the last line of
output is {"patients": [{token, name, dob, request_id}], "content": {what each page asks}}.
"""

from __future__ import annotations

import datetime
import json
import secrets
import sys

import django

django.setup()

from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from consent import services  # noqa: E402
from procedures.models import Procedure  # noqa: E402

FIRST_NAMES = ["Alex", "Sam", "Jo", "Robin", "Kim", "Lee", "Chris", "Pat", "Morgan", "Jamie"]
LAST_NAMES = ["Morgan", "Patel", "Okafor", "Nowak", "Silva", "Lindqvist", "Haddad", "Byrne", "Tanaka", "Moreau"]


def main(count: int) -> None:
    procedure = Procedure.objects.get(slug="lumbar-puncture")
    content = procedure.current_version.content
    run = secrets.token_hex(3).upper()
    patients = []
    for number in range(count):
        name = f"{FIRST_NAMES[number % 10]} {LAST_NAMES[(number // 10 + number) % 10]}"
        dob = datetime.date(1940 + number % 50, 1 + number % 12, 1 + number % 28)
        with transaction.atomic():
            patient = services.find_or_create_patient(mrn=f"TOPO-{run}-{number}", full_name=name, date_of_birth=dob)
            consent_request, token = services.create_consent_request(
                patient=patient,
                procedure=procedure,
                appointment_at=timezone.now() + datetime.timedelta(days=3),
                clinician="Dr Rivera",
                created_by=None,
            )
        services.mark_invited(consent_request=consent_request, how="printed by the topology test")
        patients.append({"token": token, "name": name, "dob": dob.isoformat(), "request_id": consent_request.pk})
    answers = {
        "risks": [risk["key"] for risk in content["risks"] if risk["is_material"]],
        "steps": [step["key"] for step in content["preparation_steps"]],
        "checklist": {
            item["key"]: item["expected_answer"] for item in content["checklist_items"] if item["patient_question"]
        },
        "quiz": {question["key"]: question["correct_choice"] for question in content["questions"]},
    }
    print(json.dumps({"patients": patients, "content": answers}))


if __name__ == "__main__":
    main(int(sys.argv[1]))
