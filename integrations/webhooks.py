"""Signed event webhooks: what happens to a request, sent to the clinic's other systems (an EHR).

A superuser registers an endpoint (a URL, the events it wants) in the admin and is shown its secret
once. When the domain announces a change (its signals, sent once the change is committed), each
active endpoint subscribed to that event gets a `WebhookDelivery`, sent by a background task:

- The body is JSON with ids and FHIR-style references only: no names, dates of birth, record numbers,
  emails, phone numbers or free text (`payload_for_request`).
- Each attempt is signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`:
  HMAC-SHA256 with the endpoint's secret, by the `standardwebhooks` library) and logged as a
  `WebhookAttempt` (status code, time taken; never the answer's body).
- A 2xx answer delivers it. Anything else (an error, a timeout, a redirect, which is never followed) is
  tried again after `RETRY_DELAYS`, then given up; `DISABLE_AFTER_GIVEN_UP` deliveries given up in a
  row disable the endpoint, with the reason shown in the admin. Re-enabling it sends what waited.
- Server-side request forgery: an endpoint must be https and every address its host resolves to must
  be public, both when it is registered and at each send (the connection goes to the address that
  was checked, so a DNS answer that changes in between can't point it inside the network).
  `PROCEED_WEBHOOKS_ALLOW_PRIVATE` lifts both rules (tests, a receiver on the clinic's own network).

Changing endpoints (`register_endpoint`, `change_endpoint`, `disable_endpoint`, `reenable_endpoint`)
is audited on the audit chain, without the secret; attempts are not (there are too many).
"""

from __future__ import annotations

import base64
import datetime
import http.client
import ipaddress
import json
import logging
import secrets
import socket
import ssl
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task
from standardwebhooks import Webhook

from consent import signals as consent_signals
from consent.audit import audit
from consent.models import (
    AuditAction,
    ClinicianDocument,
    ConsentDocument,
    ConsentRequest,
    Decision,
    Signature,
    StaffRecordDocument,
    StaffRecordedConsent,
    WithdrawalDocument,
)
from integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from records import signals as records_signals

logger = logging.getLogger(__name__)

USER_AGENT = "Proceed-Webhooks/1"
# Seconds to wait before the 2nd, 3rd, ... attempt; after the last, the delivery is given up (about 7 hours).
RETRY_DELAYS = (5, 30, 2 * 60, 10 * 60, 60 * 60, 6 * 60 * 60)
# Deliveries given up in a row after which the endpoint is disabled.
DISABLE_AFTER_GIVEN_UP = 5
# A sender holds a delivery this long (a worker killed mid-send lets it go again after that).
CLAIM_SECONDS = 120
DOCUMENT_KINDS = {
    ConsentDocument: "consent",
    WithdrawalDocument: "withdrawal",
    StaffRecordDocument: "staff_record",
    ClinicianDocument: "clinician",
}


class UnsafeEndpoint(ValueError):
    """An endpoint URL Proceed won't send to; the message says why and what to do."""


# Registering and changing endpoints ---------------------------------------------------------------


def new_secret() -> str:
    """A Standard Webhooks secret: "whsec_" and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _where(url: str) -> str:
    """The scheme and host of an endpoint's URL, for the audit: its path or query may hold a receiver's token."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def _events(event_types: Iterable[str]) -> list[str]:
    events = sorted(set(event_types))
    unknown = [event for event in events if event not in WebhookEvent.values]
    if unknown:
        raise ValueError(f"No such webhook events: {', '.join(unknown)}. Choose from {', '.join(WebhookEvent.values)}.")
    return events


def register_endpoint(
    *, url: str, description: str, event_types: Iterable[str], user: AbstractBaseUser
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint (its URL checked: `check_endpoint_url`); returns it and its secret, to show once."""
    check_endpoint_url(url)
    secret = new_secret()
    events = _events(event_types)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            url=url, description=description, secret=secret, event_types=events, created_by=user
        )
        audit(
            consent_request=None,
            action=AuditAction.WEBHOOK_ENDPOINT_REGISTERED,
            message=f"Webhook endpoint {endpoint.pk} registered ({_where(url)}) for {', '.join(events) or 'no events'}",
            user=user,
            detail={"endpoint": endpoint.pk, "where": _where(url), "events": events},
        )
    return endpoint, secret


def change_endpoint(
    *,
    endpoint: WebhookEndpoint,
    url: str,
    description: str,
    event_types: Iterable[str],
    active: bool,
    user: AbstractBaseUser,
) -> WebhookEndpoint:
    """Change an endpoint's URL, description, events or whether it is active; ticking "active" on a
    disabled endpoint re-enables it (`reenable_endpoint`)."""
    events = _events(event_types)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        if url != endpoint.url:
            check_endpoint_url(url)
        reenabling = active and not endpoint.active
        changed = [
            name
            for name, old, new in (
                ("url", endpoint.url, url),
                ("description", endpoint.description, description),
                ("events", endpoint.event_types, events),
            )
            if old != new
        ]
        if endpoint.active and not active:
            changed.append("switched off")
        endpoint.url, endpoint.description, endpoint.event_types = url, description, events
        endpoint.active = endpoint.active and active
        if changed:
            endpoint.save(update_fields=["url", "description", "event_types", "active"])
            audit(
                consent_request=None,
                action=AuditAction.WEBHOOK_ENDPOINT_CHANGED,
                message=f"Webhook endpoint {endpoint.pk} changed: {', '.join(changed)}",
                user=user,
                detail={"endpoint": endpoint.pk, "changed": changed, "where": _where(url), "events": events},
            )
    if reenabling:
        endpoint = reenable_endpoint(endpoint=endpoint, user=user)
    return endpoint


def disable_endpoint(*, endpoint: WebhookEndpoint, reason: str) -> WebhookEndpoint:
    """Stop sending to an endpoint (the system, after repeated failure), saying why in the admin."""
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        if not endpoint.active:
            return endpoint
        endpoint.active, endpoint.disabled_at, endpoint.disabled_reason = False, timezone.now(), reason[:300]
        endpoint.save(update_fields=["active", "disabled_at", "disabled_reason"])
        audit(
            consent_request=None,
            action=AuditAction.WEBHOOK_ENDPOINT_DISABLED,
            message=f"Webhook endpoint {endpoint.pk} disabled: {reason}",
            detail={"endpoint": endpoint.pk},
        )
    logger.warning("Webhook endpoint %s disabled: %s", endpoint.pk, reason)
    return endpoint


def reenable_endpoint(*, endpoint: WebhookEndpoint, user: AbstractBaseUser) -> WebhookEndpoint:
    """Send to an endpoint again; the deliveries that waited while it was off are sent now."""
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        if endpoint.active:
            return endpoint
        was = endpoint.disabled_reason
        endpoint.active, endpoint.disabled_at, endpoint.disabled_reason = True, None, ""
        endpoint.consecutive_failures = 0
        endpoint.save(update_fields=["active", "disabled_at", "disabled_reason", "consecutive_failures"])
        waiting = WebhookDelivery.objects.filter(endpoint=endpoint, status__in=UNSENT)
        waiting.update(next_attempt_at=timezone.now())
        waiting_ids = list(waiting.values_list("pk", flat=True))
        audit(
            consent_request=None,
            action=AuditAction.WEBHOOK_ENDPOINT_REENABLED,
            message=f"Webhook endpoint {endpoint.pk} re-enabled"
            + (f" (it had been disabled: {was})" if was else "")
            + (f"; {len(waiting_ids)} waiting deliveries will be sent" if waiting_ids else ""),
            user=user,
            detail={"endpoint": endpoint.pk, "waiting": len(waiting_ids)},
        )
        transaction.on_commit(lambda: [_enqueue(pk) for pk in waiting_ids], robust=True)
    return endpoint


# Server-side request forgery: where Proceed will send ------------------------------------------------


def _allow_private() -> bool:
    return settings.PROCEED_WEBHOOKS_ALLOW_PRIVATE


def forbidden_address(address: str) -> bool:
    """Private, loopback, link-local (the cloud metadata address 169.254.169.254 among them), multicast,
    reserved, unspecified or otherwise not on the public internet."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        not ip.is_global
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str  # the checked address the connection goes to


def check_endpoint_url(url: str) -> Target:
    """The endpoint's URL, resolved and checked; raises `UnsafeEndpoint` with what to do instead."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise UnsafeEndpoint(
            "This is not a valid URL. Give the full address, e.g. https://ehr.example.org/hooks."
        ) from error
    allow_private = _allow_private()
    if parts.scheme != "https" and not (parts.scheme == "http" and allow_private):
        raise UnsafeEndpoint(
            "Webhook endpoints must use https:// (events are signed, but only https keeps them private in transit)."
        )
    if not parts.hostname:
        raise UnsafeEndpoint("This URL has no host. Give the full address, e.g. https://ehr.example.org/hooks.")
    if parts.username or parts.password:
        raise UnsafeEndpoint("Don't put a user name or password in the URL: the receiver checks the signature instead.")
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        found = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise UnsafeEndpoint(
            f"The host {parts.hostname} could not be found. Check the URL, or try again if its DNS is down."
        ) from error
    addresses = list(dict.fromkeys(info[4][0] for info in found))
    if not addresses:
        raise UnsafeEndpoint(f"The host {parts.hostname} could not be found. Check the URL.")
    if not allow_private:
        refused = [address for address in addresses if forbidden_address(address)]
        if refused:
            raise UnsafeEndpoint(
                f"{parts.hostname} points to a private, loopback, link-local or otherwise internal address "
                f"({', '.join(refused)}), which Proceed doesn't send to (server-side request forgery). Use the "
                "receiver's public https address, or ask whoever runs Proceed to set PROCEED_WEBHOOKS_ALLOW_PRIVATE."
            )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, parts.hostname, port, path, addresses[0])


# Events and their payloads ---------------------------------------------------------------------------


def payload_for_request(event_type: str, consent_request: ConsentRequest, **data) -> dict:
    """The message for an event about a request: ids and FHIR-style references, nothing personal."""
    consent_request = ConsentRequest.objects.select_related("patient", "procedure_version__procedure").get(
        pk=consent_request.pk
    )
    version = consent_request.procedure_version
    fhir = {
        "consent": f"Consent/{consent_request.public_id}",
        "patient": f"Patient/{consent_request.patient.public_id}",
    }
    if data.get("document_id"):
        fhir["document_reference"] = f"DocumentReference/{data['document_id']}"
    return {
        "type": event_type,
        "timestamp": timezone.now().isoformat(),
        "data": {
            "request_id": str(consent_request.public_id),
            "status": consent_request.status,
            "procedure": version.procedure.slug,
            "version": version.number,
            **data,
            "fhir": fhir,
        },
    }


def emit(event_type: str, consent_request: ConsentRequest, **data) -> list[WebhookDelivery]:
    """Queue the event for every active endpoint subscribed to it, and enqueue their sending.

    Called once the domain's change is committed. Never raises: a webhook must not undo or break what
    the patient or nurse just did (a failure here is logged; nothing about the request is lost).
    """
    try:
        endpoints = [e for e in WebhookEndpoint.objects.filter(active=True) if event_type in e.event_types]
        if not endpoints:
            return []
        payload = payload_for_request(event_type, consent_request, **data)
        now = timezone.now()
        deliveries = [
            WebhookDelivery.objects.create(
                endpoint=endpoint,
                event_id=f"msg_{uuid.uuid4().hex}",
                event_type=event_type,
                payload=payload,
                next_attempt_at=now,
            )
            for endpoint in endpoints
        ]
    except Exception:
        logger.exception("Could not queue the %s webhooks of request %s.", event_type, consent_request.pk)
        return []
    for delivery in deliveries:
        _enqueue(delivery.pk)
    return deliveries


def _enqueue(delivery_id: int, run_after: datetime.datetime | None = None) -> None:
    try:
        if run_after is None:
            deliver_webhook.enqueue(delivery_id)
        else:
            deliver_webhook.using(run_after=run_after).enqueue(delivery_id)
    except Exception:
        # `send_due_webhooks` sends it later.
        logger.exception("Could not enqueue webhook delivery %s; send_due_webhooks will send it.", delivery_id)


def _decision_event(decision: str) -> str:
    return WebhookEvent.CONSENT_SIGNED if decision == Decision.CONSENT else WebhookEvent.CONSENT_DECLINED


def on_request_created(sender, *, consent_request: ConsentRequest, **kwargs) -> None:
    emit(WebhookEvent.REQUEST_CREATED, consent_request)


def on_consent_signed(sender, *, signature: Signature, **kwargs) -> None:
    emit(_decision_event(signature.decision), signature.request, document_id=signature.document_id)


def on_consent_recorded_by_staff(sender, *, record: StaffRecordedConsent, **kwargs) -> None:
    emit(_decision_event(record.decision), record.request, document_id=record.document_id, recorded_by_staff=True)


def on_consent_withdrawn(sender, *, consent_request: ConsentRequest, **kwargs) -> None:
    emit(WebhookEvent.CONSENT_WITHDRAWN, consent_request)


def on_consent_confirmed(sender, *, consent_request: ConsentRequest, **kwargs) -> None:
    emit(WebhookEvent.CONSENT_CONFIRMED, consent_request)


def on_checklist_signed_off(sender, *, consent_request: ConsentRequest, **kwargs) -> None:
    emit(WebhookEvent.CHECKLIST_SIGNED_OFF, consent_request)


def on_document_stored(sender, *, document, document_id: str, consent_request: ConsentRequest, **kwargs) -> None:
    kind = DOCUMENT_KINDS.get(type(document), "other")
    emit(WebhookEvent.DOCUMENT_READY, consent_request, document_id=document_id, document_kind=kind)


def connect_signals() -> None:
    """Listen to the domain's and the records' signals (from `IntegrationsConfig.ready`)."""
    for signal, receiver in (
        (consent_signals.request_created, on_request_created),
        (consent_signals.consent_signed, on_consent_signed),
        (consent_signals.consent_recorded_by_staff, on_consent_recorded_by_staff),
        (consent_signals.consent_withdrawn, on_consent_withdrawn),
        (consent_signals.consent_confirmed, on_consent_confirmed),
        (consent_signals.checklist_signed_off, on_checklist_signed_off),
        (records_signals.document_stored, on_document_stored),
    ):
        signal.connect(receiver, dispatch_uid=f"integrations.webhooks.{receiver.__name__}")


# Sending --------------------------------------------------------------------------------------------

UNSENT = (WebhookDelivery.Status.PENDING, WebhookDelivery.Status.FAILED)


@dataclass(frozen=True)
class Answer:
    status_code: int | None
    error: str
    duration_ms: int

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address that was checked, not to whatever the host resolves to a moment later."""

    def __init__(self, target: Target, *, connect_timeout: float, read_timeout: float):
        super().__init__(target.host, target.port, timeout=read_timeout)
        self._target, self._connect_timeout = target, connect_timeout

    def connect(self):
        self.sock = socket.create_connection((self._target.address, self.port), timeout=self._connect_timeout)
        self.sock.settimeout(self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """The same over TLS: the certificate is checked against the host's name (SNI too)."""

    def __init__(self, target: Target, *, connect_timeout: float, read_timeout: float):
        super().__init__(target.host, target.port, timeout=read_timeout, context=ssl.create_default_context())
        self._target, self._connect_timeout = target, connect_timeout

    def connect(self):
        sock = socket.create_connection((self._target.address, self.port), timeout=self._connect_timeout)
        sock.settimeout(self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def signed_headers(endpoint: WebhookEndpoint, delivery: WebhookDelivery, body: bytes) -> dict[str, str]:
    """The Standard Webhooks headers for this body, signed now."""
    now = timezone.now()
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": delivery.event_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(endpoint.secret).sign(delivery.event_id, now, body),
    }


def post(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> Answer:
    """Send one attempt: checked again at send time (the host's DNS may have changed), never redirected."""
    started = time.monotonic()

    def answer(status_code: int | None, error: str = "") -> Answer:
        return Answer(status_code, error, int((time.monotonic() - started) * 1000))

    try:
        target = check_endpoint_url(endpoint.url)
    except UnsafeEndpoint as refusal:
        return answer(None, f"Not sent: {refusal}")
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(
        target,
        connect_timeout=settings.PROCEED_WEBHOOKS_CONNECT_TIMEOUT_SECONDS,
        read_timeout=settings.PROCEED_WEBHOOKS_READ_TIMEOUT_SECONDS,
    )
    try:
        connection.request("POST", target.path, body=body, headers=signed_headers(endpoint, delivery, body))
        response = connection.getresponse()
        status_code = response.status
        response.close()  # the body is neither read nor kept
    except TimeoutError:
        return answer(None, "No answer in time (timed out)")
    except ssl.SSLError as error:
        return answer(None, f"TLS failed ({error.reason or type(error).__name__})")
    except ConnectionRefusedError:
        return answer(None, "Connection refused")
    except (OSError, http.client.HTTPException) as error:
        return answer(None, f"Network error ({type(error).__name__})")
    finally:
        connection.close()
    if 300 <= status_code < 400:
        return answer(status_code, f"Redirect (HTTP {status_code}) not followed: register the URL it points to instead")
    if not 200 <= status_code < 300:
        return answer(status_code, f"HTTP {status_code}")
    return answer(status_code)


def _claim(delivery_id: int) -> bool:
    """Take a due delivery for this sender (no other sender sends it for CLAIM_SECONDS)."""
    now = timezone.now()
    return bool(
        WebhookDelivery.objects.filter(pk=delivery_id, status__in=UNSENT, endpoint__active=True)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(next_attempt_at=now + datetime.timedelta(seconds=CLAIM_SECONDS))
    )


def deliver(delivery_id: int) -> str | None:
    """Send a delivery if it is due (and its endpoint active); record the attempt; returns its status.

    None: not due, already delivered or given up, or its endpoint is off (its deliveries wait).
    """
    if not _claim(delivery_id):
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    attempted_at = timezone.now()
    answer = post(delivery.endpoint, delivery)
    retry_at = None
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
        WebhookAttempt.objects.create(
            delivery=delivery,
            attempted_at=attempted_at,
            status_code=answer.status_code,
            error=answer.error[:300],
            duration_ms=answer.duration_ms,
        )
        delivery.attempts += 1
        if answer.delivered:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
                WebhookDelivery.Status.DELIVERED,
                timezone.now(),
                None,
            )
            endpoint.consecutive_failures = 0
        elif delivery.attempts > len(RETRY_DELAYS):
            delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.GIVEN_UP, None
            endpoint.consecutive_failures += 1
        else:
            retry_at = timezone.now() + datetime.timedelta(seconds=RETRY_DELAYS[delivery.attempts - 1])
            delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.FAILED, retry_at
        delivery.save(update_fields=["status", "attempts", "delivered_at", "next_attempt_at"])
        endpoint.save(update_fields=["consecutive_failures"])
    logger.info(
        "Webhook %s (%s) to endpoint %s, attempt %s: %s in %s ms.",
        delivery.event_id,
        delivery.event_type,
        endpoint.pk,
        delivery.attempts,
        f"HTTP {answer.status_code}" if answer.status_code else answer.error,
        answer.duration_ms,
    )
    if delivery.status == WebhookDelivery.Status.GIVEN_UP and endpoint.consecutive_failures >= DISABLE_AFTER_GIVEN_UP:
        last = f"HTTP {answer.status_code}" if answer.status_code else answer.error
        when = timezone.localtime(attempted_at)
        disable_endpoint(
            endpoint=endpoint,
            reason=f"Disabled after {endpoint.consecutive_failures} failed deliveries in a row (each tried "
            f"{len(RETRY_DELAYS) + 1} times): the last answer was {last} at {when:%-d %b %Y %H:%M %Z}. "
            "Fix the receiver, then tick Active to send again.",
        )
    if retry_at is not None and deliver_webhook.get_backend().supports_defer:
        _enqueue(delivery.pk, run_after=retry_at)
    return delivery.status


@task()
def deliver_webhook(delivery_id: int) -> str | None:
    """The background task that sends one delivery (`deliver`)."""
    return deliver(delivery_id)


def send_due() -> int:
    """Send every delivery that is due (for a backend that can't wait, and after a worker died); returns
    how many were tried."""
    due = WebhookDelivery.objects.filter(
        status__in=UNSENT, endpoint__active=True, next_attempt_at__lte=timezone.now()
    ).values_list("pk", flat=True)
    return sum(deliver(pk) is not None for pk in list(due))
