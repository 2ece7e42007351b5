"""manage.py create_consent_request: a request from the command line, and its link printed once."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from consent import services
from consent.models import AuditEvent, ConsentRequest, Patient, Status
from tests.conftest import build_procedure

LINK_PATTERN = re.compile(r"/c/([A-Za-z0-9_-]{20,})/")


@pytest.fixture
def appointment_day() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=10)


@pytest.fixture
def arguments(published_procedure, appointment_day) -> dict[str, str]:
    return {
        "--mrn": "MRN-5150",
        "--name": "Tomás Silva",
        "--dob": "1949-02-28",
        "--procedure": published_procedure.slug,
        "--appointment": f"{appointment_day.isoformat()} 14:15",
        "--clinician": "Dr Priya Shah",
    }


def run(arguments: dict[str, str], *flags: str) -> str:
    out = io.StringIO()
    argv = [item for pair in arguments.items() for item in pair]
    call_command("create_consent_request", *argv, *flags, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_prints_a_working_link_for_a_new_request(arguments, published_procedure, appointment_day, client):
    output = run(arguments)

    token = LINK_PATTERN.search(output).group(1)
    assert services.patient_link(token) in output
    assert "shown only once" in output
    consent_request = services.find_request_by_token(token)
    assert consent_request.patient.mrn == "MRN-5150"
    assert consent_request.patient.date_of_birth == datetime.date(1949, 2, 28)
    assert consent_request.procedure_version == published_procedure.current_version
    assert timezone.localtime(consent_request.appointment_at) == datetime.datetime.combine(
        appointment_day, datetime.time(14, 15), tzinfo=timezone.get_current_timezone()
    )
    assert consent_request.status == Status.INVITED
    invited = AuditEvent.objects.get(request=consent_request, action="invited")
    assert invited.message == "Invitation printed by the create_consent_request command"
    assert client.get(f"/c/{token}/").status_code == 200
    assert not mail.outbox


def test_send_email_emails_the_link(arguments):
    output = run({**arguments, "--email": "tomas@example.org", "--language": "es"}, "--send-email")

    token = LINK_PATTERN.search(output).group(1)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["tomas@example.org"]
    assert services.patient_link(token) in mail.outbox[0].body
    consent_request = services.find_request_by_token(token)
    assert consent_request.patient.preferred_language == "es"
    assert consent_request.audit_events.get(action="invited").message == "Invitation sent by email"


def test_unknown_procedure_lists_the_valid_slugs(arguments):
    build_procedure(slug="not-published-yet", name="Not published yet")

    with pytest.raises(CommandError, match="no procedure with the slug “knee-scope”") as error:
        run({**arguments, "--procedure": "knee-scope"})

    assert "Valid slugs: test-procedure." in str(error.value)
    assert not ConsentRequest.objects.exists()


@pytest.mark.parametrize(
    ("changes", "flags", "message"),
    [
        ({"--dob": "28/02/1949"}, (), "--dob must be a date written YYYY-MM-DD"),
        ({"--appointment": "2030-06-21T09:30"}, (), '--appointment must be written "YYYY-MM-DD HH:MM"'),
        ({"--appointment": "2020-01-06 09:00"}, (), "is in the past. Give a future date and time."),
        ({"--email": "tomas.example.org"}, (), "--email is not a valid email address"),
        ({}, ("--send-email",), "--send-email needs the patient's email address"),
        ({"--name": "  "}, (), "--name is empty"),
    ],
)
def test_bad_input_is_refused_with_a_plain_message(arguments, changes, flags, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        run({**arguments, **changes}, *flags)

    assert not ConsentRequest.objects.exists()
    assert not Patient.objects.exists()


def test_record_number_of_another_patient_is_refused(arguments):
    services.find_or_create_patient(mrn="MRN-5150", full_name="Someone Else", date_of_birth=datetime.date(1949, 2, 28))

    with pytest.raises(CommandError, match="already exists with a different name or date of birth"):
        run(arguments)

    assert not ConsentRequest.objects.exists()


def test_procedure_without_a_published_version_is_refused(arguments):
    draft = build_procedure(slug="draft-procedure", name="Draft procedure")

    with pytest.raises(CommandError, match="Draft procedure has no published version yet"):
        run({**arguments, "--procedure": draft.slug})

    assert not Patient.objects.exists()


def test_a_second_open_request_needs_another(published_procedure):
    args = ["--mrn", "C-2", "--name", "Cam Doe", "--dob", "1970-01-01", "--procedure", published_procedure.slug]
    later = (timezone.localdate() + datetime.timedelta(days=9)).isoformat()
    call_command("create_consent_request", *args, "--appointment", f"{later} 09:00", "--clinician", "Dr A")
    with pytest.raises(CommandError, match="Add --another to make one more"):
        call_command("create_consent_request", *args, "--appointment", f"{later} 14:00", "--clinician", "Dr A")
    call_command("create_consent_request", *args, "--appointment", f"{later} 14:00", "--clinician", "Dr A", "--another")
