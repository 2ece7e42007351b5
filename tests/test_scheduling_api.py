"""Requests from the scheduling system: POST /api/v1/consent-requests, PATCH it, POST …/cancel.

Every test goes the way an integrator does: a token from /o/token/ with the client's id and secret,
then JSON calls with it.
"""

from __future__ import annotations

import datetime
import json

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from consent import services
from consent.models import AuditAction, AuditEvent, ConsentRequest, Patient, Status
from procedures.models import Procedure
from procedures.services import publish_procedure
from tests.conftest import PATIENT_A, Case, build_procedure, make_case, sign_case
from tests.integration_clients import bearer, make_integration_client

API = "/api/v1/consent-requests"
PERSONAL = ("Ana María López", "MRN-A-1001", "1950-03-14", "ana@example.org", "+44 7700 900123")


def in_days(days: int, hour: int = 9) -> str:
    when = (timezone.now() + datetime.timedelta(days=days)).astimezone(datetime.timezone(datetime.timedelta(hours=1)))
    return when.replace(hour=hour, minute=30, second=0, microsecond=0).isoformat()


def new_body(**changes) -> dict:
    body = {
        "record_number": "MRN-A-1001",
        "name": "Ana María López",
        "date_of_birth": "1950-03-14",
        "email": "ana@example.org",
        "mobile": "+44 7700 900123",
        "procedure": "test-procedure",
        "appointment_at": in_days(10),
        "clinician": "Dr Rivera",
        "language": "es",
        "send_invite": False,
    }
    body.update(changes)
    return {name: value for name, value in body.items() if value is not ...}


class Api:
    """The scheduling system: its client, its token, its calls."""

    def __init__(self, name="Scheduler", scopes="requests.write"):
        self.client = make_integration_client(name, scopes=scopes)
        self.http = Client()
        self.token = self.client.token(self.http)

    def create(self, body, *, key: str | None = "appt-1", raw: bytes | None = None, **headers):
        if key is not None:
            headers["HTTP_IDEMPOTENCY_KEY"] = key
        data = raw if raw is not None else json.dumps(body)
        return self.http.post(API, data, content_type="application/json", **bearer(self.token), **headers)

    def move(self, public_id, body):
        return self.http.patch(
            f"{API}/{public_id}", json.dumps(body), content_type="application/json", **bearer(self.token)
        )

    def cancel(self, public_id, body=None):
        data = json.dumps(body) if body is not None else b""
        return self.http.post(f"{API}/{public_id}/cancel", data, content_type="application/json", **bearer(self.token))


@pytest.fixture
def api(published_procedure):
    return Api()


def created(api, **changes) -> dict:
    response = api.create(new_body(**changes))
    assert response.status_code == 201, response.content
    return response.json()


# Creating ----------------------------------------------------------------------------------


def test_a_new_request_answers_201_with_its_ids_and_the_patient_link(api):
    response = api.create(new_body())

    assert response.status_code == 201
    body = response.json()
    consent_request = ConsentRequest.objects.get()
    patient = Patient.objects.get()
    assert body["id"] == str(consent_request.public_id)
    assert body["status"] == "created"
    assert body["procedure"] == "test-procedure"
    assert body["version"] == 1
    assert datetime.datetime.fromisoformat(body["appointment_at"]) == datetime.datetime.fromisoformat(
        new_body()["appointment_at"]
    )
    assert body["fhir"] == {
        "consent": f"Consent/{consent_request.public_id}",
        "patient": f"Patient/{patient.public_id}",
    }
    # The link is the patient's real link; only its hash is stored.
    token = body["link"].rsplit("/c/", 1)[1].strip("/")
    assert services.find_request_by_token(token) == consent_request
    assert token not in consent_request.token_hash
    assert (patient.mrn, patient.full_name, patient.phone, patient.preferred_language) == (
        "MRN-A-1001",
        "Ana María López",
        "+44 7700 900123",
        "es",
    )
    assert consent_request.language == "en"  # the procedure has no Spanish: English, as for the nurse's form
    assert consent_request.created_by is None


def test_creating_is_audited_naming_the_client_and_nothing_personal(api):
    body = created(api)

    consent_request = ConsentRequest.objects.get(public_id=body["id"])
    call = AuditEvent.objects.get(action=AuditAction.API_CALL)
    assert call.request == consent_request
    assert call.detail["client_name"] == "Scheduler"
    assert call.detail["status"] == 201
    made = AuditEvent.objects.get(request=consent_request, action=AuditAction.CREATED)
    assert (made.actor, made.user) == (AuditEvent.Actor.INTEGRATION, None)
    for event in AuditEvent.objects.all():
        text = event.message + json.dumps(event.detail, ensure_ascii=False)
        assert not [value for value in PERSONAL if value in text], event.action
        assert body["link"] not in text


def test_the_invitation_is_emailed_when_asked(api):
    body = created(api, send_invite=True)

    assert body["invite_sent"] is True
    assert body["status"] == "invited"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ana@example.org"]
    assert body["link"] in mail.outbox[0].body
    assert AuditEvent.objects.get(action=AuditAction.INVITED).actor == AuditEvent.Actor.INTEGRATION


def test_an_existing_patient_is_found_not_duplicated(api):
    make_case(Procedure.objects.get(), PATIENT_A, days_ahead=3)

    created(api, record_number="mrn-a-1001 ")  # spelled another way: the same record

    assert Patient.objects.count() == 1
    assert ConsentRequest.objects.count() == 2


@pytest.mark.parametrize("changes", [{"name": "Anna Lopes"}, {"date_of_birth": "1951-03-14"}])
def test_a_record_number_held_under_another_name_or_birth_date_is_refused_not_merged(api, changes):
    make_case(Procedure.objects.get(), PATIENT_A, days_ahead=3)

    response = api.create(new_body(**changes))

    assert response.status_code == 409
    assert "different name or date of birth" in response.json()["errors"]["record_number"][0]
    assert ConsentRequest.objects.count() == 1
    assert Patient.objects.get().full_name == "Ana María López"


# Idempotency -------------------------------------------------------------------------------


def test_a_retry_with_the_same_key_returns_the_same_request_without_the_link(api):
    first = created(api)

    again = api.create(new_body())

    assert again.status_code == 200
    body = again.json()
    assert body["id"] == first["id"]
    assert body["link"] is None
    assert "reissue" in body["link_note"]
    assert ConsentRequest.objects.count() == 1


def test_the_external_appointment_id_is_a_key_too(api):
    first = api.create(new_body(external_appointment_id="EPIC-42"), key=None)

    again = api.create(new_body(external_appointment_id="EPIC-42"), key=None)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert ConsentRequest.objects.count() == 1


def test_a_key_replayed_with_a_different_body_is_refused_and_changes_nothing(api):
    first = created(api)

    response = api.create(new_body(appointment_at=in_days(12)))

    assert response.status_code == 409
    assert "different body" in response.json()["error"]
    assert ConsentRequest.objects.get().public_id.hex == first["id"].replace("-", "")


def test_a_new_request_needs_a_key(api):
    response = api.create(new_body(), key=None)

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]
    assert not ConsentRequest.objects.exists()


def test_keys_belong_to_their_client(api):
    created(api)
    other = Api("Other scheduler")

    response = other.create(new_body(appointment_at=in_days(20)))

    assert response.status_code == 201
    assert ConsentRequest.objects.count() == 2


# Bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"date_of_birth": "2999-01-01"}, "date_of_birth", "in the future"),
        ({"date_of_birth": "14/03/1950"}, "date_of_birth", "YYYY-MM-DD"),
        ({"appointment_at": "2020-01-01T09:00:00+00:00"}, "appointment_at", "in the past"),
        ({"appointment_at": "2031-01-01T09:00:00"}, "appointment_at", "offset"),
        ({"appointment_at": "next tuesday"}, "appointment_at", "ISO 8601"),
        ({"procedure": "no-such-thing"}, "procedure", "No procedure has the slug"),
        ({"email": "not-an-email"}, "email", "full email"),
        ({"email": "", "mobile": ""}, "email", "email or mobile"),
        ({"email": "", "send_invite": True}, "email", "invitation is sent by email"),
        ({"mobile": "call me"}, "mobile", "digits"),
        ({"language": "fr"}, "language", "en, es"),
        ({"send_invite": "yes"}, "send_invite", "true or false"),
        ({"name": 42}, "name", "string"),
        ({"date_of_birth": 19500314}, "date_of_birth", "string"),
        ({"colour": "blue"}, "body", "Unknown field “colour”"),
    ],
)
def test_each_bad_field_is_named_and_nothing_is_made(api, changes, field, words):
    response = api.create(new_body(**changes))

    assert response.status_code == 400
    body = response.json()
    assert words in " ".join(body["errors"][field]), body
    assert not Patient.objects.exists()
    assert not ConsentRequest.objects.exists()


def test_every_missing_field_is_listed_at_once(api):
    response = api.create({})

    assert response.status_code == 400
    assert {"record_number", "name", "date_of_birth", "procedure", "appointment_at", "clinician", "email"} <= set(
        response.json()["errors"]
    )


def test_a_retired_procedure_is_refused(api):
    Procedure.objects.update(retired_at=timezone.now())

    response = api.create(new_body())

    assert response.status_code == 400
    assert "retired" in response.json()["errors"]["procedure"][0]


def test_a_procedure_never_published_is_refused(api):
    build_procedure(slug="draft-only", name="Draft only")

    response = api.create(new_body(procedure="draft-only"))

    assert response.status_code == 400
    assert "no published version" in response.json()["errors"]["procedure"][0]


def test_a_new_request_uses_the_current_version(api):
    procedure = Procedure.objects.get()
    Procedure.objects.update(summary="A clearer summary.")
    publish_procedure(procedure=procedure, published_by=None, change_summary="Second", is_material=False)

    assert created(api)["version"] == 2


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b"\xff\xfe", b""])
def test_a_body_that_is_not_a_json_object_is_refused(api, raw):
    response = api.create(None, raw=raw)

    assert response.status_code == 400
    assert "JSON" in response.json()["error"]
    assert not ConsentRequest.objects.exists()


def test_an_oversized_body_is_refused(api):
    response = api.create(new_body(clinician="x" * 70_000))

    assert response.status_code == 413
    assert "64 KB" in response.json()["error"]
    assert not ConsentRequest.objects.exists()
    assert AuditEvent.objects.get(action=AuditAction.API_CALL).detail["status"] == 413


def test_the_same_appointment_twice_under_two_keys_is_refused(api):
    created(api)

    response = api.create(new_body(), key="appt-2")

    assert response.status_code == 409
    assert "already has an open request" in response.json()["error"]
    assert ConsentRequest.objects.count() == 1


# Moving ------------------------------------------------------------------------------------


def test_moving_the_appointment_moves_the_links_expiry_and_shows_no_link(api):
    body = created(api)
    new_time = in_days(15)

    response = api.move(body["id"], {"appointment_at": new_time})

    assert response.status_code == 200
    answer = response.json()
    assert "link" not in answer
    consent_request = ConsentRequest.objects.get()
    assert consent_request.appointment_at == datetime.datetime.fromisoformat(new_time)
    assert consent_request.expires_at == services.link_expiry(consent_request.appointment_at)
    assert answer["link_expires_at"] == consent_request.expires_at.isoformat()
    corrected = AuditEvent.objects.get(action=AuditAction.DETAILS_CORRECTED)
    assert "Scheduler" in corrected.detail["reason"]
    assert corrected.actor == AuditEvent.Actor.INTEGRATION
    assert AuditEvent.objects.filter(action=AuditAction.API_CALL, request=consent_request).count() == 2


def test_moving_to_the_same_time_again_changes_nothing(api):
    body = created(api)

    response = api.move(body["id"], {"appointment_at": body["appointment_at"]})

    assert response.status_code == 200
    assert not AuditEvent.objects.filter(action=AuditAction.DETAILS_CORRECTED).exists()


@pytest.mark.parametrize(
    ("move", "field"),
    [
        ({"appointment_at": "2020-01-01T09:00:00Z"}, "appointment_at"),
        ({}, "appointment_at"),
        ({"appointment_at": in_days(15), "status": "signed"}, "body"),
    ],
)
def test_a_bad_move_is_refused_naming_the_field(api, move, field):
    body = created(api)

    response = api.move(body["id"], move)

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert ConsentRequest.objects.get().appointment_at == datetime.datetime.fromisoformat(body["appointment_at"])


def test_a_finished_or_cancelled_request_cant_be_moved(api):
    body = created(api)
    consent_request = ConsentRequest.objects.get()
    token = body["link"].rsplit("/c/", 1)[1].strip("/")
    sign_case(Case(request=consent_request, token=token))

    response = api.move(body["id"], {"appointment_at": in_days(15)})

    assert response.status_code == 409
    assert "consented" in response.json()["error"]
    consent_request.refresh_from_db()
    assert consent_request.appointment_at == datetime.datetime.fromisoformat(body["appointment_at"])


def test_a_decision_made_while_the_move_is_on_its_way_is_never_moved(api, monkeypatch):
    """The view's check passes, then the patient signs before the move takes the request's lock: the
    service checks again under the lock and refuses."""
    body = created(api)
    consent_request = ConsentRequest.objects.get()
    token = body["link"].rsplit("/c/", 1)[1].strip("/")
    move = services.correct_details

    def sign_first(**kwargs):
        sign_case(Case(request=consent_request, token=token))
        return move(**kwargs)

    monkeypatch.setattr(services, "correct_details", sign_first)
    response = api.move(body["id"], {"appointment_at": in_days(15)})

    assert response.status_code == 409
    assert "can't be moved" in response.json()["error"]
    consent_request.refresh_from_db()
    assert consent_request.appointment_at == datetime.datetime.fromisoformat(body["appointment_at"])


# Cancelling --------------------------------------------------------------------------------


def test_cancelling_stops_the_link_and_cancelling_twice_is_refused(api):
    body = created(api)

    first = api.cancel(body["id"], {"reason": "Appointment cancelled in the scheduling system"})
    second = api.cancel(body["id"])

    assert first.status_code == 200
    assert first.json()["status"] == "cancelled"
    consent_request = ConsentRequest.objects.get()
    assert consent_request.status == Status.CANCELLED
    assert consent_request.cancel_reason == "Appointment cancelled in the scheduling system"
    assert second.status_code == 409
    assert "can't be cancelled" in second.json()["error"]
    assert AuditEvent.objects.get(action=AuditAction.CANCELLED).actor == AuditEvent.Actor.INTEGRATION
    moved = api.move(body["id"], {"appointment_at": in_days(15)})
    assert moved.status_code == 409


def test_a_cancel_without_a_body_uses_a_default_reason(api):
    body = created(api)

    assert api.cancel(body["id"]).status_code == 200
    assert "Scheduler" in ConsentRequest.objects.get().cancel_reason


# Someone else's request ------------------------------------------------------------------


def test_an_unknown_id_or_a_request_the_client_didnt_make_is_not_found(api):
    nurse_made = make_case(Procedure.objects.get(), PATIENT_A, days_ahead=3).request
    body = created(Api("Other scheduler"), record_number="MRN-B-2002", name="Bob Brown", date_of_birth="1962-11-02")

    for public_id in ("00000000-0000-0000-0000-000000000000", str(nurse_made.public_id), body["id"]):
        moved = api.move(public_id, {"appointment_at": in_days(15)})
        cancelled = api.cancel(public_id)
        assert moved.status_code == cancelled.status_code == 404
        assert "Bob" not in moved.content.decode() + cancelled.content.decode()
    assert not ConsentRequest.objects.filter(status=Status.CANCELLED).exists()


def test_nothing_personal_and_no_link_reaches_the_logs(api, caplog):
    caplog.set_level("DEBUG")

    body = created(api, send_invite=True)
    api.create(new_body())  # a retry
    api.create(new_body(appointment_at=in_days(12)))  # a replay with another body: 409
    api.create(new_body(date_of_birth="2999-01-01"), key="appt-3")  # 400
    api.move(body["id"], {"appointment_at": in_days(15)})

    token = body["link"].rsplit("/c/", 1)[1].strip("/")
    logged = caplog.text
    assert "/api/v1/consent-requests" in logged  # the refusals were logged (by path): the search sees them
    assert not [value for value in (*PERSONAL, token, api.token) if value in logged]


def test_an_overlong_idempotency_key_is_refused(api):
    response = api.create(new_body(), key="k" * 151)

    assert response.status_code == 400
    assert "150" in response.json()["errors"]["Idempotency-Key"][0]
    assert not ConsentRequest.objects.exists()
