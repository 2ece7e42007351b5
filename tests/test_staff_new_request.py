"""Nurses create a consent request from /staff/requests/new/ and get the patient's link once."""

from __future__ import annotations

import datetime
import html
import json
import logging
import re

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone

from consent import services
from consent.models import AuditEvent, ConsentRequest, Patient, Status
from tests.conftest import build_procedure

NEW_REQUEST_URL = "/staff/requests/new/"
LINK_PATTERN = re.compile(r"/c/([A-Za-z0-9_-]{20,})/")


@pytest.fixture
def appointment_day() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=7)


@pytest.fixture
def form_data(published_procedure, appointment_day) -> dict[str, str]:
    return {
        "mrn": "MRN-7788",
        "full_name": "Grace Okafor",
        "date_of_birth": "1961-09-23",
        "email": "",
        "phone": "07700 900123",
        "preferred_language": "en",
        "procedure": str(published_procedure.pk),
        "appointment_date": appointment_day.isoformat(),
        "appointment_time": "09:30",
        "clinician": "Dr Priya Shah",
    }


@pytest.fixture
def nurse_client(client, nurse):
    client.force_login(nurse)
    return client


def token_on_page(response) -> str:
    match = LINK_PATTERN.search(response.content.decode())
    assert match, "the result page should show the patient's link"
    return match.group(1)


@pytest.mark.parametrize("url", ["/staff/", NEW_REQUEST_URL])
def test_anonymous_visitor_is_sent_to_sign_in_and_back(client, db, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("url", ["/staff/", NEW_REQUEST_URL])
def test_content_admin_gets_a_plain_403(client, content_admin, url):
    client.force_login(content_admin)

    response = client.get(url)

    assert response.status_code == 403
    assert b"This page is for nurses" in response.content


def test_content_admin_cannot_create_a_request_by_posting(client, content_admin, form_data):
    client.force_login(content_admin)

    response = client.post(NEW_REQUEST_URL, form_data)

    assert response.status_code == 403
    assert not ConsentRequest.objects.exists()


@pytest.mark.parametrize("role", ["nurse", "superuser"])
def test_nurse_and_superuser_can_open_the_form(client, request, published_procedure, role):
    client.force_login(request.getfixturevalue(role))

    response = client.get(NEW_REQUEST_URL)

    assert response.status_code == 200
    text = response.content.decode()
    assert "Medical record number" in text
    assert 'type="date"' in text
    assert "Send the link by email now" in text
    assert published_procedure.name in text


def test_upcoming_requests_list_the_nearest_appointments(nurse_client, case_a, case_b):
    response = nurse_client.get("/staff/")

    assert response.status_code == 200
    text = response.content.decode()
    assert "Ana María López" in text
    assert "Bob Brown" in text
    assert "Test procedure" in text
    assert reverse("staff:new_request") in text


def test_valid_request_is_created_pinned_to_the_current_version_and_its_link_works(
    nurse_client, nurse, form_data, published_procedure, appointment_day
):
    response = nurse_client.post(NEW_REQUEST_URL, form_data, REMOTE_ADDR="198.51.100.7")

    assert response.status_code == 200
    patient = Patient.objects.get(mrn="MRN-7788")
    assert patient.full_name == "Grace Okafor"
    assert patient.date_of_birth == datetime.date(1961, 9, 23)
    consent_request = ConsentRequest.objects.get(patient=patient)
    assert consent_request.procedure_version == published_procedure.current_version
    assert consent_request.created_by == nurse
    assert consent_request.clinician == "Dr Priya Shah"
    assert timezone.localtime(consent_request.appointment_at).date() == appointment_day
    assert timezone.localtime(consent_request.appointment_at).time() == datetime.time(9, 30)

    text = response.content.decode()
    token = token_on_page(response)
    assert services.patient_link(token) in text
    assert "shown only once" in text
    assert "date of birth" in text
    assert services.find_request_by_token(token) == consent_request
    assert nurse_client.get(f"/c/{token}/").status_code == 200


def test_link_shown_to_staff_marks_the_request_invited(nurse_client, nurse, form_data):
    nurse_client.post(NEW_REQUEST_URL, form_data, REMOTE_ADDR="198.51.100.7")

    consent_request = ConsentRequest.objects.get()
    assert consent_request.status == Status.INVITED
    invited = AuditEvent.objects.get(request=consent_request, action="invited")
    assert invited.message == "Invitation shown to staff to give to the patient"
    assert invited.user == nurse
    assert invited.ip_address == "198.51.100.7"
    assert not mail.outbox


def test_token_is_never_in_the_audit_trail_the_logs_or_the_session(nurse_client, form_data, caplog):
    caplog.set_level(logging.DEBUG)
    form_data.update(email="grace@example.org", send_email="on")

    response = nurse_client.post(NEW_REQUEST_URL, form_data)

    token = token_on_page(response)
    assert not response.has_header("Location")
    for event in AuditEvent.objects.all():
        assert token not in event.message
        assert token not in json.dumps(event.detail)
    assert all(token not in record.getMessage() for record in caplog.records)
    assert all(token not in str(value) for value in nurse_client.session.values())
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"appointment_date": "yesterday"}, "appointment_date", "The appointment must be in the future."),
        ({"full_name": ""}, "full_name", "Enter the patient's full name."),
        ({"email": "grace.example.org"}, "email", "Enter a full email address, like name@example.org"),
        ({"send_email": "on"}, "email", "To send the link by email, enter the patient's email address"),
        ({"date_of_birth": "23/09/1961"}, "date_of_birth", "Enter the date of birth as a full date"),
        ({"appointment_time": ""}, "appointment_time", "Enter the time of the appointment."),
        ({"clinician": "  "}, "clinician", "Enter the name of the clinician responsible"),
    ],
)
def test_bad_input_re_renders_with_a_plain_message_and_keeps_the_rest(
    nurse_client, form_data, published_procedure, changes, field, message
):
    if changes.get("appointment_date") == "yesterday":
        changes = {"appointment_date": (timezone.localdate() - datetime.timedelta(days=1)).isoformat()}
    form_data.update(changes)

    response = nurse_client.post(NEW_REQUEST_URL, form_data)

    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    text = response.content.decode()
    assert html.escape(message) in text
    assert 'value="MRN-7788"' in text
    assert 'value="07700 900123"' in text
    assert f'<option value="{published_procedure.pk}" selected>' in text
    if field != "clinician":
        assert 'value="Dr Priya Shah"' in text
    assert not ConsentRequest.objects.exists()
    assert not Patient.objects.exists()


def test_record_number_of_another_patient_is_refused_and_keeps_the_input(nurse_client, form_data):
    services.find_or_create_patient(mrn="MRN-7788", full_name="Someone Else", date_of_birth=datetime.date(1970, 1, 1))

    response = nurse_client.post(NEW_REQUEST_URL, form_data)

    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert "already exists with a different name or date of birth" in errors[0]
    text = response.content.decode()
    assert "already exists with a different name or date of birth" in text
    assert 'value="Grace Okafor"' in text
    assert 'value="1961-09-23"' in text
    assert not ConsentRequest.objects.exists()


def test_existing_patient_with_matching_details_gets_a_new_request(nurse_client, form_data):
    patient = services.find_or_create_patient(
        mrn="MRN-7788", full_name="grace  okafor", date_of_birth=datetime.date(1961, 9, 23)
    )

    response = nurse_client.post(NEW_REQUEST_URL, form_data)

    assert response.status_code == 200
    assert ConsentRequest.objects.get().patient == patient
    assert Patient.objects.count() == 1


def test_submitting_the_same_request_twice_does_not_make_a_second_one(nurse_client, form_data):
    nurse_client.post(NEW_REQUEST_URL, form_data)

    response = nurse_client.post(NEW_REQUEST_URL, form_data)

    assert response.status_code == 200
    assert "already has an open request" in response.context["form"].non_field_errors()[0]
    assert ConsentRequest.objects.count() == 1


def test_procedure_with_no_published_version_is_not_offered(nurse_client, form_data):
    draft = build_procedure(slug="draft-procedure", name="Draft procedure")

    assert "Draft procedure" not in nurse_client.get(NEW_REQUEST_URL).content.decode()

    form_data["procedure"] = str(draft.pk)
    response = nurse_client.post(NEW_REQUEST_URL, form_data)
    assert "Choose one of the procedures in the list." in response.context["form"].errors["procedure"]
    assert not ConsentRequest.objects.exists()


def test_link_is_emailed_when_asked(nurse_client, nurse, form_data, settings):
    form_data.update(email="grace@example.org", send_email="on")

    response = nurse_client.post(NEW_REQUEST_URL, form_data)

    token = token_on_page(response)
    link = services.patient_link(token)
    assert "We emailed the link to" in response.content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == f"Getting ready for your appointment at {settings.CLINIC_NAME}"
    assert message.to == ["grace@example.org"]
    html_body, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    for body in (message.body, html_body):
        assert link in body
        assert "date of birth" in body
        assert "10 minutes" in body
        assert settings.CLINIC_PHONE in body
        for secret in ("MRN-7788", "1961-09-23", "23/09/1961", "23 September 1961", "September 23", "1961"):
            assert secret not in body
    consent_request = ConsentRequest.objects.get()
    assert consent_request.status == Status.INVITED
    invited = AuditEvent.objects.get(request=consent_request, action="invited")
    assert invited.message == "Invitation sent by email"
    assert invited.user == nurse


def test_a_new_email_address_for_a_known_patient_is_used(nurse_client, form_data):
    services.find_or_create_patient(mrn="MRN-7788", full_name="Grace Okafor", date_of_birth=datetime.date(1961, 9, 23))
    form_data.update(email="grace.new@example.org", send_email="on")

    nurse_client.post(NEW_REQUEST_URL, form_data)

    assert mail.outbox[0].to == ["grace.new@example.org"]
    assert Patient.objects.get().email == "grace.new@example.org"


class FailingEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("the mail server is down")


def test_a_failing_mail_server_still_shows_the_link(nurse_client, form_data, settings):
    settings.EMAIL_BACKEND = f"{__name__}.FailingEmailBackend"
    form_data.update(email="grace@example.org", send_email="on")

    response = nurse_client.post(NEW_REQUEST_URL, form_data)

    token = token_on_page(response)
    assert "The email could not be sent" in response.content.decode()
    consent_request = services.find_request_by_token(token)
    assert consent_request.status == Status.INVITED
    assert (
        consent_request.audit_events.get(action="invited").message == "Invitation shown to staff to give to the patient"
    )


def test_a_second_open_request_for_the_same_patient_and_procedure_needs_a_confirmation(nurse_client, form_data):
    from consent.models import ConsentRequest

    assert nurse_client.post(NEW_REQUEST_URL, form_data).status_code == 200
    later = {**form_data, "appointment_time": "15:45"}

    warned = nurse_client.post(NEW_REQUEST_URL, later)

    page = " ".join(warned.content.decode().split())
    assert "This patient already has an open request for Test procedure, for the appointment on" in page
    assert "Create another request anyway" in page
    assert 'value="Grace Okafor"' in page and 'value="15:45"' in page, "what was typed is kept"
    assert ConsentRequest.objects.count() == 1

    confirmed = nurse_client.post(NEW_REQUEST_URL, {**later, "confirm_another": "on"})
    assert token_on_page(confirmed)
    assert ConsentRequest.objects.count() == 2


def test_the_case_page_shows_the_patients_phone_and_email(nurse_client, form_data):
    from consent.models import ConsentRequest

    nurse_client.post(NEW_REQUEST_URL, {**form_data, "email": "grace@example.org"})
    request = ConsentRequest.objects.get()
    page = nurse_client.get(f"/staff/requests/{request.public_id}/").content.decode()
    assert 'href="tel:07700900123">07700 900123</a>' in page
    assert 'href="mailto:grace@example.org">grace@example.org</a>' in page
