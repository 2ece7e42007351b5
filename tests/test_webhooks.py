"""Signed event webhooks, received by a real HTTP server on 127.0.0.1 that checks each signature.

What an integrator notices: each event arrives once committed, signed per Standard Webhooks, with ids
and FHIR-style references but nothing personal; a failed delivery is tried again and then delivered;
a receiver that keeps failing gets its endpoint disabled, with the reason in the admin; endpoints on
private addresses are refused (server-side request forgery), at registration and again at each send.
"""

from __future__ import annotations

import datetime
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from consent import services
from consent.models import AuditAction, AuditEvent, ConsentRequest, Patient
from consent.staff_record import record_consent_by_staff
from integrations import webhooks
from integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from tests.conftest import PASSWORD, PATIENT_A, sign_case

ALL_EVENTS = [event.value for event in WebhookEvent]


class Receiver:
    """An HTTP server on a free local port that records what it is sent and answers as told."""

    def __init__(self):
        self.received: list[dict] = []
        self.answers: list[int] = []  # status codes to give first (then 204)
        self.redirect_to = ""
        self.delay = 0.0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append({"headers": dict(self.headers), "body": body, "path": self.path})
                if receiver.delay:
                    time.sleep(receiver.delay)
                if receiver.redirect_to:
                    self.send_response(302)
                    self.send_header("Location", receiver.redirect_to)
                else:
                    self.send_response(receiver.answers.pop(0) if receiver.answers else 204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/proceed"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def verified(self, secret: str) -> list[dict]:
        """Each message received, checked as an integrator's receiver would (raises if one fails)."""
        return [Webhook(secret).verify(message["body"], message["headers"]) for message in self.received]


@pytest.fixture
def receiver(settings):
    settings.PROCEED_WEBHOOKS_ALLOW_PRIVATE = True  # the receiver is on 127.0.0.1, over http
    settings.PROCEED_WEBHOOKS_READ_TIMEOUT_SECONDS = 0.5
    server = Receiver()
    yield server
    server.close()


def register(superuser, url, events=ALL_EVENTS) -> tuple[WebhookEndpoint, str]:
    return webhooks.register_endpoint(url=url, description="EHR", event_types=events, user=superuser)


@pytest.fixture
def endpoint(receiver, superuser):
    return register(superuser, receiver.url)


def types(receiver, secret) -> list[str]:
    return [message["type"] for message in receiver.verified(secret)]


# Delivery, signature, retries ------------------------------------------------------------------------


def test_a_signed_consent_arrives_signed_and_a_failed_delivery_is_retried_then_delivered(
    receiver, endpoint, case_a, django_capture_on_commit_callbacks
):
    endpoint, secret = endpoint
    receiver.answers = [500]  # the receiver fails once
    with django_capture_on_commit_callbacks(execute=True):
        signature = sign_case(case_a)

    delivery = WebhookDelivery.objects.get(event_type="consent.signed")
    assert delivery.status == WebhookDelivery.Status.FAILED and delivery.attempts == 1
    assert delivery.next_attempt_at > timezone.now()
    assert webhooks.send_due() == 0, "not due yet: the retry waits"

    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=webhooks.RETRY_DELAYS[0] + 1)):
        assert webhooks.send_due() >= 1
        signed = [m for m in receiver.verified(secret) if m["type"] == "consent.signed"]

    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED and delivery.attempts == 2
    assert [a.status_code for a in delivery.attempt_log.all()] == [500, 204]
    # The same message both times: the same id (a receiver can drop a repeat), signed afresh.
    tries = [m for m in receiver.received if m["headers"]["webhook-id"] == delivery.event_id]
    assert len(tries) == 2 and tries[0]["body"] == tries[1]["body"]
    assert len(signed) == 2 and signed[1] == delivery.payload
    data = signed[1]["data"]
    request = case_a.refresh()
    assert data["request_id"] == str(request.public_id)
    assert data["status"] == "signed" and data["document_id"] == signature.document_id
    assert data["procedure"] == request.procedure_version.procedure.slug
    assert data["version"] == request.procedure_version.number
    assert data["fhir"] == {
        "consent": f"Consent/{request.public_id}",
        "patient": f"Patient/{request.patient.public_id}",
        "document_reference": f"DocumentReference/{signature.document_id}",
    }
    headers = tries[1]["headers"]
    assert headers["User-Agent"] == "Proceed-Webhooks/1" and headers["Content-Type"] == "application/json"
    assert tries[1]["path"] == "/hooks/proceed"


def test_the_receiving_side_refuses_a_tampered_body_a_wrong_secret_and_a_replay(receiver, endpoint, case_a):
    endpoint, secret = endpoint
    webhooks.emit(WebhookEvent.REQUEST_CREATED, case_a.request)
    message = receiver.received[-1]
    Webhook(secret).verify(message["body"], message["headers"])  # the genuine one passes

    tampered = message["body"].replace(b'"request.created"', b'"consent.signed"')
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        Webhook(secret).verify(tampered, message["headers"])
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        Webhook(webhooks.new_secret()).verify(message["body"], message["headers"])
    # Replayed ten minutes later: the timestamp is too old (Standard Webhooks' tolerance is five minutes).
    with (
        time_machine.travel(timezone.now() + datetime.timedelta(minutes=10)),
        pytest.raises(WebhookVerificationError, match="too old"),
    ):
        Webhook(secret).verify(message["body"], message["headers"])


def test_a_receiver_that_times_out_or_redirects_is_a_failure_and_the_redirect_is_not_followed(
    receiver, endpoint, case_a
):
    receiver.delay = 1.0  # longer than the read timeout (0.5 s here)
    [slow] = webhooks.emit(WebhookEvent.REQUEST_CREATED, case_a.request)
    receiver.delay = 0
    receiver.redirect_to = receiver.url + "/elsewhere"
    [moved] = webhooks.emit(WebhookEvent.REQUEST_CREATED, case_a.request)

    slow.refresh_from_db()
    moved.refresh_from_db()
    assert slow.status == moved.status == WebhookDelivery.Status.FAILED
    assert slow.attempt_log.get().status_code is None
    assert "timed out" in slow.attempt_log.get().error
    assert moved.attempt_log.get().status_code == 302
    assert "not followed" in moved.attempt_log.get().error
    assert [m["path"] for m in receiver.received] == ["/hooks/proceed", "/hooks/proceed"], "nothing went elsewhere"


def test_each_attempt_is_logged_with_its_status_code_and_time(receiver, endpoint, case_a, caplog):
    receiver.answers = [503]
    caplog.set_level("INFO", logger="integrations.webhooks")
    [delivery] = webhooks.emit(WebhookEvent.REQUEST_CREATED, case_a.request)

    attempt = WebhookAttempt.objects.get(delivery=delivery)
    assert attempt.status_code == 503 and attempt.error == "HTTP 503"
    assert attempt.attempted_at <= timezone.now() and attempt.duration_ms >= 0
    assert f"Webhook {delivery.event_id} (request.created) to endpoint {delivery.endpoint_id}, attempt 1: HTTP 503" in (
        caplog.text
    )


# Each event ---------------------------------------------------------------------------------------


def test_every_event_is_sent_once_committed(
    receiver, endpoint, published_procedure, nurse, django_capture_on_commit_callbacks
):
    endpoint, secret = endpoint
    from tests.conftest import make_case

    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(published_procedure, PATIENT_A)
    assert types(receiver, secret) == ["request.created"]

    with django_capture_on_commit_callbacks(execute=True):
        sign_case(case)
    assert types(receiver, secret)[1:] == ["consent.signed", "document.ready"]
    ready = receiver.verified(secret)[2]["data"]
    assert ready["document_kind"] == "consent"
    assert ready["fhir"]["document_reference"] == f"DocumentReference/{ready['document_id']}"

    with django_capture_on_commit_callbacks(execute=True):
        for key in services.checklist_items(case.request):
            services.record_checklist_entry(
                consent_request=case.request, item_key=key, state="done", user=nurse, override_reason="ok"
            )
        services.sign_off_checklist(consent_request=case.request, user=nurse, password=PASSWORD)
    assert types(receiver, secret)[3:] == ["checklist.signed_off"]

    with time_machine.travel(case.refresh().appointment_at - datetime.timedelta(hours=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            services.confirm_on_the_day(
                consent_request=case.request,
                user=nurse,
                acknowledged=[m.key for m in services.open_matters(case.refresh())],
            )
        assert len(receiver.received) == 5
        confirmed = Webhook(secret).verify(receiver.received[4]["body"], receiver.received[4]["headers"])
    assert confirmed["type"] == "consent.confirmed" and confirmed["data"]["status"] == "confirmed"


def test_declining_and_withdrawing_are_sent(receiver, endpoint, case_a, case_b, django_capture_on_commit_callbacks):
    endpoint, secret = endpoint
    with django_capture_on_commit_callbacks(execute=True):
        sign_case(case_b, decision="decline")
        sign_case(case_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_consent(consent_request=case_a.refresh(), reason="Changed my mind", ip=None)
    sent = receiver.verified(secret)
    by_type = {}
    for message in sent:
        by_type.setdefault(message["type"], []).append(message["data"])
    assert by_type["consent.declined"][0]["request_id"] == str(case_b.request.public_id)
    assert by_type["consent.declined"][0]["status"] == "declined"
    assert by_type["consent.withdrawn"] == [
        {
            "request_id": str(case_a.request.public_id),
            "status": "withdrawn",
            "procedure": case_a.request.procedure_version.procedure.slug,
            "version": case_a.request.procedure_version.number,
            "fhir": {
                "consent": f"Consent/{case_a.request.public_id}",
                "patient": f"Patient/{case_a.request.patient.public_id}",
            },
        }
    ]
    assert "withdrawal" in [m["document_kind"] for m in by_type["document.ready"]]


def test_a_decision_recorded_by_staff_is_sent_as_signed_with_recorded_by_staff(
    receiver, endpoint, case_a, nurse, django_capture_on_commit_callbacks
):
    endpoint, secret = endpoint
    # The request was made days before the decision was obtained (as in a clinic).
    ConsentRequest.objects.filter(pk=case_a.request.pk).update(created_at=timezone.now() - datetime.timedelta(days=3))
    with django_capture_on_commit_callbacks(execute=True):
        record = record_consent_by_staff(
            consent_request=case_a.refresh(),
            user=nurse,
            decision="consent",
            method="in_person_device",
            obtained_by_name="Dr Priya Shah",
            obtained_by_role="Consultant",
            obtained_at=timezone.now() - datetime.timedelta(hours=1),
            scan=None,
            ip=None,
        )
    [signed] = [m for m in receiver.verified(secret) if m["type"] == "consent.signed"]
    assert signed["data"]["recorded_by_staff"] is True
    assert signed["data"]["document_id"] == record.document_id


def test_an_endpoint_gets_only_the_events_it_subscribed_to(
    receiver, superuser, case_a, django_capture_on_commit_callbacks
):
    register(superuser, receiver.url, events=["consent.withdrawn"])
    with django_capture_on_commit_callbacks(execute=True):
        sign_case(case_a)
    assert receiver.received == []
    assert not WebhookDelivery.objects.exists()


# Nothing personal -----------------------------------------------------------------------------------


def test_no_personal_data_in_any_payload_header_attempt_or_audit(
    receiver, endpoint, case_a, nurse, django_capture_on_commit_callbacks
):
    endpoint, secret = endpoint
    with django_capture_on_commit_callbacks(execute=True):
        sign_case(case_a)
        services.withdraw_consent(consent_request=case_a.refresh(), reason="Ana López changed her mind", ip=None)
    assert len(receiver.received) >= 4
    patient = case_a.request.patient
    dob = patient.date_of_birth
    personal = [
        "Ana",
        "López",
        "Lopez",
        "MRN-A-1001",
        "ana@example.org",
        dob.isoformat(),
        dob.strftime("%d/%m/%Y"),
        "1950",
        "changed her mind",
        "Can I drive",  # the patient's question
        "Dr Rivera",
        case_a.token,
    ]
    for message in receiver.received:
        text = message["body"].decode() + json.dumps(message["headers"])
        assert [value for value in personal if value in text] == []
        assert "Patient/" + str(patient.pk) + '"' not in text
    stored = json.dumps([d.payload for d in WebhookDelivery.objects.all()])
    stored += json.dumps([a.error for a in WebhookAttempt.objects.all()])
    assert [value for value in personal if value in stored] == []
    # The secret is in no audit event.
    assert not AuditEvent.objects.filter(message__contains=secret[6:20]).exists()
    assert secret[6:20] not in json.dumps(list(AuditEvent.objects.values_list("detail", flat=True)))


# Disabling after repeated failure ------------------------------------------------------------------


def test_an_endpoint_that_keeps_failing_is_disabled_with_the_reason_shown_and_can_be_reenabled(
    receiver, endpoint, case_a, superuser, client, django_capture_on_commit_callbacks
):
    endpoint, secret = endpoint
    receiver.answers = [500] * 1000
    now = timezone.now()
    deliveries = [webhooks.emit(WebhookEvent.REQUEST_CREATED, case_a.request)[0] for _ in range(5)]
    with time_machine.travel(now, tick=False) as clock:
        for delay in webhooks.RETRY_DELAYS:
            clock.shift(datetime.timedelta(seconds=delay + 1))
            webhooks.send_due()

    assert {d.status for d in WebhookDelivery.objects.all()} == {WebhookDelivery.Status.GIVEN_UP}
    assert all(d.attempt_log.count() == len(webhooks.RETRY_DELAYS) + 1 for d in deliveries)
    endpoint.refresh_from_db()
    assert not endpoint.active and endpoint.disabled_at is not None
    assert endpoint.disabled_reason.startswith("Disabled after 5 failed deliveries in a row")
    assert "the last answer was HTTP 500 at" in endpoint.disabled_reason
    assert AuditEvent.objects.filter(action=AuditAction.WEBHOOK_ENDPOINT_DISABLED).count() == 1

    # A disabled endpoint gets nothing new, and its state says why in the admin.
    assert webhooks.emit(WebhookEvent.REQUEST_CREATED, case_a.request) == []
    client.force_login(superuser)
    listing = client.get(reverse("admin:integrations_webhookendpoint_changelist")).content.decode()
    page = client.get(reverse("admin:integrations_webhookendpoint_change", args=[endpoint.pk])).content.decode()
    assert "Disabled because: Disabled after 5 failed deliveries in a row" in listing
    assert "Disabled because: Disabled after 5 failed deliveries in a row" in page
    assert secret not in listing + page

    # Re-enabled (ticking Active), audited; a delivery waiting for it is sent then.
    receiver.answers = []
    waiting = WebhookDelivery.objects.create(
        endpoint=endpoint, event_id="msg_waiting", event_type="request.created", payload={"type": "x"}
    )
    form = {
        "url": endpoint.url,
        "description": "EHR",
        "event_types": ALL_EVENTS,
        "active": "on",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:integrations_webhookendpoint_change", args=[endpoint.pk]), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    endpoint.refresh_from_db()
    assert endpoint.active and endpoint.disabled_reason == "" and endpoint.consecutive_failures == 0
    reenabled = AuditEvent.objects.get(action=AuditAction.WEBHOOK_ENDPOINT_REENABLED)
    assert reenabled.user == superuser and "it had been disabled: Disabled after 5" in reenabled.message
    waiting.refresh_from_db()
    assert waiting.status == WebhookDelivery.Status.DELIVERED


# Server-side request forgery ------------------------------------------------------------------------


def fake_dns(monkeypatch, addresses: list[str]):
    def getaddrinfo(host, port, *args, **kwargs):
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses
        ]

    monkeypatch.setattr(webhooks.socket, "getaddrinfo", getaddrinfo)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "192.168.0.10",
        "172.16.5.5",
        "169.254.169.254",
        "100.100.100.200",
        "0.0.0.0",  # noqa: S104 — an address the endpoint resolves to, not one bound to
        "::1",
        "fd00:ec2::254",
        "::ffff:127.0.0.1",
        "224.0.0.1",
        "fe80::1",
    ],
)
def test_an_endpoint_resolving_to_an_internal_address_is_refused(monkeypatch, superuser, address):
    fake_dns(monkeypatch, ["93.184.215.14", address])  # one bad address is enough
    with pytest.raises(webhooks.UnsafeEndpoint, match="server-side request forgery"):
        register(superuser, "https://ehr.example.org/hooks")
    assert not WebhookEndpoint.objects.exists()


def test_a_public_https_endpoint_is_accepted_and_http_is_refused(monkeypatch, superuser):
    fake_dns(monkeypatch, ["93.184.215.14"])
    endpoint, secret = register(superuser, "https://ehr.example.org/hooks")
    assert secret.startswith("whsec_") and len(Webhook(secret)._whsecret) >= 24
    assert endpoint.secret == secret
    with pytest.raises(webhooks.UnsafeEndpoint, match="must use https"):
        register(superuser, "http://ehr.example.org/hooks")
    with pytest.raises(webhooks.UnsafeEndpoint, match="user name or password"):
        register(superuser, "https://user:pw@ehr.example.org/hooks")
    registered = AuditEvent.objects.get(action=AuditAction.WEBHOOK_ENDPOINT_REGISTERED)
    assert registered.user == superuser and registered.request is None
    assert registered.detail["where"] == "https://ehr.example.org" and secret not in registered.message


def test_the_address_is_checked_again_at_send_time(monkeypatch, superuser, case_a):
    """DNS rebinding: the host was public when registered, and now points at the metadata service."""
    fake_dns(monkeypatch, ["93.184.215.14"])
    register(superuser, "https://ehr.example.org/hooks")
    fake_dns(monkeypatch, ["169.254.169.254"])
    connected = []
    monkeypatch.setattr(webhooks.socket, "create_connection", lambda *a, **k: connected.append(a))

    [delivery] = webhooks.emit(WebhookEvent.REQUEST_CREATED, case_a.request)

    delivery.refresh_from_db()
    attempt = delivery.attempt_log.get()
    assert connected == [], "no connection was made"
    assert delivery.status == WebhookDelivery.Status.FAILED and attempt.status_code is None
    assert attempt.error.startswith("Not sent:") and "169.254.169.254" in attempt.error


def test_without_the_setting_the_local_receiver_is_refused(settings, superuser):
    settings.PROCEED_WEBHOOKS_ALLOW_PRIVATE = False
    with pytest.raises(webhooks.UnsafeEndpoint, match="must use https"):
        register(superuser, "http://127.0.0.1:8080/hooks")
    with pytest.raises(webhooks.UnsafeEndpoint, match="server-side request forgery"):
        register(superuser, "https://localhost:8443/hooks")


# The admin -----------------------------------------------------------------------------------------


def test_a_superuser_registers_an_endpoint_in_the_admin_and_sees_the_secret_once(receiver, superuser, client):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:integrations_webhookendpoint_add"),
        {
            "url": receiver.url,
            "description": "Our EHR",
            "event_types": ["consent.signed", "document.ready"],
            "active": "on",
        },
    )
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert endpoint.secret in response.content.decode()
    assert endpoint.event_types == ["consent.signed", "document.ready"] and endpoint.created_by == superuser
    assert AuditEvent.objects.filter(action=AuditAction.WEBHOOK_ENDPOINT_REGISTERED, user=superuser).count() == 1
    for page in (
        reverse("admin:integrations_webhookendpoint_changelist"),
        reverse("admin:integrations_webhookendpoint_change", args=[endpoint.pk]),
    ):
        assert endpoint.secret not in client.get(page).content.decode()

    changed = client.post(
        reverse("admin:integrations_webhookendpoint_change", args=[endpoint.pk]),
        {"url": receiver.url, "description": "Our EHR", "event_types": ["consent.signed"]},  # Active unticked
    )
    assert changed.status_code == 302
    endpoint.refresh_from_db()
    assert not endpoint.active and endpoint.disabled_reason == ""
    change = AuditEvent.objects.get(action=AuditAction.WEBHOOK_ENDPOINT_CHANGED)
    assert "events" in change.message and "switched off" in change.message


def test_the_admin_refuses_an_internal_url_with_a_plain_message(settings, superuser, client):
    settings.PROCEED_WEBHOOKS_ALLOW_PRIVATE = False
    client.force_login(superuser)
    response = client.post(
        reverse("admin:integrations_webhookendpoint_add"),
        {"url": "https://127.0.0.1/hooks", "description": "", "event_types": ["consent.signed"], "active": "on"},
    )
    assert response.status_code == 200
    assert "server-side request forgery" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_content_admins_do_not_see_webhooks(content_admin, client, superuser, receiver):
    register(superuser, receiver.url)
    client.force_login(content_admin)
    assert client.get(reverse("admin:integrations_webhookendpoint_changelist")).status_code == 403
    assert "Webhook" not in client.get(reverse("admin:index")).content.decode()


# The patient's opaque id --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_patients_from_before_the_opaque_id_each_get_their_own_when_migrating():
    before = [("consent", "0025_audit_action_choices_for_issue_17")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_patient = executor.loader.project_state(before).apps.get_model("consent", "Patient")
    for mrn in ("MRN-1", "MRN-2", "MRN-3"):
        old_patient.objects.create(full_name="Test", date_of_birth=datetime.date(1970, 1, 1), mrn=mrn)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    ids = list(Patient.objects.values_list("public_id", flat=True))
    assert len(ids) == 3 and len(set(ids)) == 3 and None not in ids


def test_with_the_worker_queue_the_send_and_each_retry_wait_in_the_queue(settings, receiver, endpoint, case_a):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    receiver.answers = [500]
    queue = DBTaskResult.objects.filter(task_path="integrations.webhooks.deliver_webhook")

    [delivery] = webhooks.emit(WebhookEvent.REQUEST_CREATED, case_a.request)
    assert receiver.received == [], "nothing is sent in the request that made the change"
    assert queue.count() == 1 and queue.get().args_kwargs["args"] == [delivery.pk]

    webhooks.deliver(delivery.pk)  # what the worker runs
    delivery.refresh_from_db()
    retry = queue.order_by("-enqueued_at").first()
    assert delivery.status == WebhookDelivery.Status.FAILED and queue.count() == 2
    assert retry.run_after == delivery.next_attempt_at
    assert retry.run_after >= timezone.now() + datetime.timedelta(seconds=webhooks.RETRY_DELAYS[0] - 1)


def test_an_unknown_event_is_refused(receiver, superuser):
    with pytest.raises(ValueError, match=r"No such webhook events: consent\.maybe\."):
        register(superuser, receiver.url, events=["consent.signed", "consent.maybe"])
    assert not WebhookEndpoint.objects.exists()
