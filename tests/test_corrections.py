"""A mistyped name, date of birth or appointment can be corrected: with a reason, audited, nothing signed changed."""

from __future__ import annotations

import datetime

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consent import services
from consent.models import AuditEvent, Status
from records import documents


def correction_post(case, **changes) -> dict:
    patient, local = case.request.patient, timezone.localtime(case.request.appointment_at)
    data = {
        "full_name": patient.full_name,
        "date_of_birth": patient.date_of_birth.isoformat(),
        "email": patient.email,
        "phone": patient.phone,
        "preferred_language": patient.preferred_language,
        "could_be_pregnant": patient.could_be_pregnant,
        "appointment_date": local.date().isoformat(),
        "appointment_time": f"{local:%H:%M}",
        "clinician": case.request.clinician,
        "reason": "Mistyped; checked against the hospital record",
    }
    return {**data, **changes}


def test_a_wrong_date_of_birth_is_corrected_and_unlocks_the_link(client, nurse, case_a):
    for _ in range(services.MAX_IDENTITY_ATTEMPTS):
        services.verify_identity(consent_request=case_a.request, date_of_birth=datetime.date(1950, 3, 15), ip=None)
    case_a.refresh()
    assert case_a.request.status == Status.LOCKED
    client.force_login(nurse)
    url = reverse("staff:correct", args=[case_a.request.public_id])

    form = client.get(url).content.decode()
    response = client.post(url, correction_post(case_a, date_of_birth="1950-03-15"))

    assert 'value="1950-03-14"' in form
    assert response.status_code == 302
    case_a.refresh()
    assert case_a.request.patient.date_of_birth == datetime.date(1950, 3, 15)
    assert case_a.request.status == Status.INVITED and case_a.request.failed_identity_attempts == 0
    event = AuditEvent.objects.get(action="details_corrected")
    assert event.message == "Corrected date of birth" and "1950" not in event.message
    assert event.detail["changes"]["date_of_birth"] == ["1950-03-14", "1950-03-15"]
    patient = Client()
    assert patient.post(f"{case_a.url}identity/", {"day": 15, "month": 3, "year": 1950}).status_code == 302


def test_the_patients_other_locked_request_is_unlocked_and_says_so_in_its_own_trail(nurse, case_a, published_procedure):
    other = services.create_consent_request(
        patient=case_a.request.patient,
        procedure=published_procedure,
        appointment_at=case_a.request.appointment_at + datetime.timedelta(days=3),
        clinician="Dr Rivera",
        created_by=None,
        confirm_another=True,
    )[0]
    for request in (case_a.request, other):
        for _ in range(services.MAX_IDENTITY_ATTEMPTS):
            services.verify_identity(consent_request=request, date_of_birth=datetime.date(1950, 3, 15), ip=None)

    patient = case_a.request.patient
    services.correct_details(
        consent_request=case_a.request,
        patient_fields={"date_of_birth": datetime.date(1950, 3, 15)},
        appointment_at=case_a.request.appointment_at,
        clinician=case_a.request.clinician,
        reason="Referral had the wrong day",
        user=nurse,
    )

    other.refresh_from_db()
    assert patient.requests.filter(status=Status.LOCKED).count() == 0
    assert other.status == Status.INVITED and other.failed_identity_attempts == 0
    event = AuditEvent.objects.get(request=other, action="details_corrected")
    assert event.message == "The patient's date of birth was corrected on another request; the locked link works again"
    assert event.detail == {"corrected_on": str(case_a.request.public_id)} and event.user == nurse


def test_a_new_appointment_moves_the_link_and_a_correction_needs_a_reason(client, nurse, case_a):
    client.force_login(nurse)
    url = reverse("staff:correct", args=[case_a.request.public_id])
    later = timezone.localdate() + datetime.timedelta(days=20)

    no_reason = client.post(url, correction_post(case_a, appointment_date=later.isoformat(), reason=""))
    nothing = client.post(url, correction_post(case_a))
    client.post(url, correction_post(case_a, appointment_date=later.isoformat(), clinician="Dr Shah"))

    assert "Say why the details are corrected" in no_reason.content.decode()
    assert f'value="{later.isoformat()}"' in no_reason.content.decode(), "what was typed is kept"
    assert "Nothing was changed" in nothing.content.decode()
    case_a.refresh()
    assert timezone.localdate(case_a.request.appointment_at) == later
    assert case_a.request.expires_at > case_a.request.appointment_at and case_a.request.clinician == "Dr Shah"


def test_a_correction_after_signing_leaves_the_record_and_shows_beside_it(client, nurse, signed_case):
    document = documents.store_consent_document(signed_case.request.signature)
    sha = document.sha256
    client.force_login(nurse)
    client.post(
        reverse("staff:correct", args=[signed_case.request.public_id]),
        correction_post(signed_case, full_name="Ana Maria Lopez Garcia"),
    )
    document.refresh_from_db()
    assert document.sha256 == sha
    page = client.get(reverse("staff:case", args=[signed_case.request.public_id])).content.decode()
    assert "Corrected after signing: name, on" in page
