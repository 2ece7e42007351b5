"""Requests from the scheduling system (scope `requests.write`): create, move, cancel.

Each view goes through the consent services, as the nurse's form does. The patient's link (its
token) is in the 201 response that created the request and nowhere else: not stored in clear, not
in a retry's answer, not in a log. A client sees and changes only the requests it created.
"""

from __future__ import annotations

import hashlib
import json
import logging
import smtplib

from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse

from config.client_ip import client_ip
from consent import services
from consent.models import AuditEvent, ConsentRequest, Language, Status
from integrations.models import SCOPE_REQUESTS_WRITE, ExternalRequestKey, IntegrationClient
from integrations.oauth import api_error, api_view, read_json
from integrations.scheduling_forms import CancelForm, MoveForm, NewRequestForm, errors_of

logger = logging.getLogger(__name__)

MAX_KEY_LENGTH = 150  # characters of an Idempotency-Key header or an external appointment id
INTEGRATION = AuditEvent.Actor.INTEGRATION  # the services' own events name an integration as their actor
LINK_NOT_AGAIN = (
    "The patient's link is shown only in the response that created the request. If it was lost, "
    "ask the clinic to reissue the link from the request."
)


def request_json(consent_request: ConsentRequest) -> dict:
    """A request as the API shows it: ids and status, nothing about the patient but an opaque reference."""
    version = consent_request.procedure_version
    return {
        "id": str(consent_request.public_id),
        "status": consent_request.status,
        "procedure": version.procedure.slug,
        "version": version.number,
        "appointment_at": consent_request.appointment_at.isoformat(),
        "link_expires_at": consent_request.expires_at.isoformat(),
        "fhir": {
            "consent": f"Consent/{consent_request.public_id}",
            "patient": f"Patient/{consent_request.patient.public_id}",
        },
    }


def _fields_error(form) -> JsonResponse:
    return api_error(400, "Some fields need attention: see “errors”.", errors=errors_of(form))


def _body_hash(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _idempotency_key(request: HttpRequest, data: dict) -> str:
    """The header's key, else the external appointment id (prefixed: the two never collide)."""
    key = request.headers.get("Idempotency-Key", "").strip()
    external = data.get("external_appointment_id")
    if not key and isinstance(external, str) and external.strip():
        return f"appointment:{external.strip()[:MAX_KEY_LENGTH]}"  # a longer id is refused by the form
    return key


def _replay(request: HttpRequest, existing: ExternalRequestKey, body_hash: str) -> JsonResponse:
    request.api_consent_request = existing.request
    if existing.body_hash != body_hash:
        return api_error(
            409,
            "This Idempotency-Key (or external appointment id) was already used for a request with a different "
            "body. Use a new key for a new request; to move or cancel the first one, use its id.",
        )
    consent_request = ConsentRequest.objects.select_related("patient", "procedure_version__procedure").get(
        pk=existing.request_id
    )
    return JsonResponse({**request_json(consent_request), "link": None, "link_note": LINK_NOT_AGAIN}, status=200)


@api_view(scope=SCOPE_REQUESTS_WRITE, methods=["POST"])
def create_request(request: HttpRequest, *, client: IntegrationClient) -> JsonResponse:
    """POST /api/v1/consent-requests: find or create the patient, make the request, answer 201 with the link."""
    data = read_json(request)
    if isinstance(data, JsonResponse):
        return data
    key = _idempotency_key(request, data)
    if not key:
        return api_error(
            400,
            "Send an Idempotency-Key header (or external_appointment_id in the body), so a retry can't make a "
            "second request.",
            errors={"Idempotency-Key": ["Required (or external_appointment_id)."]},
        )
    if len(request.headers.get("Idempotency-Key", "").strip()) > MAX_KEY_LENGTH:
        return api_error(
            400,
            f"The Idempotency-Key is too long: send at most {MAX_KEY_LENGTH} characters.",
            errors={"Idempotency-Key": [f"At most {MAX_KEY_LENGTH} characters."]},
        )
    body_hash = _body_hash(data)
    existing = ExternalRequestKey.objects.filter(client=client, key=key).first()
    if existing:
        return _replay(request, existing, body_hash)
    form = NewRequestForm(data)
    if not form.is_valid():
        return _fields_error(form)
    fields, ip = form.cleaned_data, client_ip(request)
    try:
        with transaction.atomic():
            try:
                patient = services.find_or_create_patient(
                    mrn=fields["record_number"],
                    full_name=fields["name"],
                    date_of_birth=fields["date_of_birth"],
                    email=fields["email"],
                    phone=fields["mobile"],
                    preferred_language=fields["language"] or Language.ENGLISH,
                    ip=ip,
                    actor=INTEGRATION,
                )
            except services.ConsentError as error:
                return api_error(409, str(error), errors={"record_number": [str(error)]})
            # A scheduling system books each appointment on purpose: a second open request for the same
            # procedure (another appointment) is made without the nurse's "create another anyway".
            consent_request, token = services.create_consent_request(
                patient=patient,
                procedure=fields["procedure"],
                appointment_at=fields["appointment_at"],
                clinician=fields["clinician"],
                created_by=None,
                ip=ip,
                confirm_another=True,
                actor=INTEGRATION,
            )
            ExternalRequestKey.objects.create(client=client, key=key, request=consent_request, body_hash=body_hash)
    except services.ConsentError as error:
        return api_error(409, str(error))
    except IntegrityError:
        # The same key sent twice at once: the other call made the request (this one's is rolled back).
        existing = ExternalRequestKey.objects.filter(client=client, key=key).first()
        if existing is None:
            raise
        return _replay(request, existing, body_hash)
    request.api_consent_request = consent_request
    body = {**request_json(consent_request), "link": services.patient_link(token), "invite_sent": False}
    if fields["send_invite"]:
        try:
            services.send_invite_email(consent_request=consent_request, token=token, ip=ip, actor=INTEGRATION)
            body["invite_sent"] = True
        except (smtplib.SMTPException, OSError):
            logger.warning("Invitation email for request %s could not be sent", consent_request.public_id)
            body["invite_note"] = "The invitation email could not be sent: give the patient the link another way."
        consent_request.refresh_from_db(fields=["status"])
        body["status"] = consent_request.status
    return JsonResponse(body, status=201)


def _own_request(client: IntegrationClient, public_id) -> ConsentRequest | None:
    """The request with this id, if this client created it (anything else is "not found")."""
    made = ExternalRequestKey.objects.filter(client=client, request__public_id=public_id).values("request_id")[:1]
    return ConsentRequest.objects.select_related("patient", "procedure_version__procedure").filter(pk__in=made).first()


def _not_found() -> JsonResponse:
    return api_error(404, "No consent request with this id was made by this client. Check the id.")


@api_view(scope=SCOPE_REQUESTS_WRITE, methods=["PATCH"])
def move_request(request: HttpRequest, public_id, *, client: IntegrationClient) -> JsonResponse:
    """PATCH /api/v1/consent-requests/<id>: a new appointment time; the link's expiry follows."""
    consent_request = _own_request(client, public_id)
    if consent_request is None:
        return _not_found()
    request.api_consent_request = consent_request
    data = read_json(request)
    if isinstance(data, JsonResponse):
        return data
    form = MoveForm(data)
    if not form.is_valid():
        return _fields_error(form)
    if consent_request.is_finished or consent_request.status == Status.CANCELLED:
        return api_error(
            409,
            f"This request is {consent_request.get_status_display().lower()}, so its appointment can't be moved "
            "here. For a new appointment after a decision, create a new request.",
        )
    fields = form.cleaned_data
    same_time = fields["appointment_at"].replace(second=0, microsecond=0) == consent_request.appointment_at.replace(
        second=0, microsecond=0
    )
    if not (same_time and fields["clinician"].strip() in ("", consent_request.clinician)):
        try:
            services.correct_details(
                consent_request=consent_request,
                patient_fields={},
                appointment_at=fields["appointment_at"],
                clinician=fields["clinician"],
                reason=fields["reason"] or f"Appointment moved by the scheduling system ({client.name})",
                user=None,
                ip=client_ip(request),
                actor=INTEGRATION,
                only_if_undecided=True,  # the check above, again under the request's lock
            )
        except services.ConsentError as error:
            return api_error(409, str(error))
        consent_request.refresh_from_db()
    return JsonResponse(request_json(consent_request))


@api_view(scope=SCOPE_REQUESTS_WRITE, methods=["POST"])
def cancel_request(request: HttpRequest, public_id, *, client: IntegrationClient) -> JsonResponse:
    """POST /api/v1/consent-requests/<id>/cancel: the link stops working."""
    consent_request = _own_request(client, public_id)
    if consent_request is None:
        return _not_found()
    request.api_consent_request = consent_request
    data = read_json(request) if request.body else {}
    if isinstance(data, JsonResponse):
        return data
    form = CancelForm(data)
    if not form.is_valid():
        return _fields_error(form)
    try:
        consent_request = services.cancel_request(
            consent_request=consent_request,
            user=None,
            ip=client_ip(request),
            reason=form.cleaned_data["reason"] or f"Cancelled by the scheduling system ({client.name})",
            actor=INTEGRATION,
        )
    except services.ConsentError as error:
        return api_error(409, str(error))
    return JsonResponse(request_json(consent_request))
