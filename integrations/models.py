"""Integration clients (OAuth 2.0, client credentials) and the idempotency keys of their requests; webhook
endpoints, the deliveries queued for them and each attempt.

DOT's `Application` holds the client id and the hashed secret; `IntegrationClient` adds what DOT
has no place for: the scopes this client may be granted, its own rate limit, and whether it is on.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from consent.models import ConsentRequest

SCOPE_FHIR_READ = "fhir.read"
SCOPE_REQUESTS_WRITE = "requests.write"
SCOPE_WEBHOOKS = "webhooks"
SCOPES = {
    SCOPE_FHIR_READ: "Read patients, consents and documents (FHIR R4)",
    SCOPE_REQUESTS_WRITE: "Create, move and cancel consent requests (scheduling system)",
    SCOPE_WEBHOOKS: "Manage webhook endpoints",
}


def default_rate_limit() -> int:
    return settings.PROCEED_API_RATE_LIMIT


class IntegrationClient(models.Model):
    """One system allowed to call the API: which scopes it may hold, and how often it may call."""

    application = models.OneToOneField(
        "oauth2_provider.Application", on_delete=models.CASCADE, related_name="integration"
    )
    description = models.TextField(blank=True, help_text="What this system is and who looks after it.")
    allowed_scopes = models.CharField(
        max_length=200,
        help_text=f"Space-separated, from: {', '.join(SCOPES)}. A token is only ever granted these.",
    )
    rate_limit_per_minute = models.PositiveIntegerField(
        default=default_rate_limit, help_text="API calls this client may make per minute (then 429)."
    )
    active = models.BooleanField(default=True, help_text="Untick to stop this client at once, tokens included.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application__name"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.application.name or self.application.client_id

    @property
    def scopes(self) -> set[str]:
        return set(self.allowed_scopes.split()) & set(SCOPES)

    def clean(self):
        unknown = set(self.allowed_scopes.split()) - set(SCOPES)
        if unknown:
            raise ValidationError(
                {"allowed_scopes": f"Unknown scope(s): {', '.join(sorted(unknown))}. Use: {', '.join(SCOPES)}."}
            )
        if not self.allowed_scopes.split():
            raise ValidationError({"allowed_scopes": "Give this client at least one scope."})


class ExternalRequestKey(models.Model):
    """The key a client sent with a new request (Idempotency-Key, or its appointment id), so a retry finds it."""

    client = models.ForeignKey(IntegrationClient, on_delete=models.PROTECT, related_name="request_keys")
    key = models.CharField(max_length=200)
    request = models.ForeignKey(ConsentRequest, on_delete=models.PROTECT, related_name="+")
    body_hash = models.CharField(max_length=64, help_text="SHA-256 of the request body as first sent.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "key"], name="one_request_per_client_key")]
        indexes = [models.Index(fields=["client", "request"])]

    def __str__(self) -> str:
        return f"Request key {self.pk}"


class WebhookEvent(models.TextChoices):
    """The events an endpoint can subscribe to (Standard Webhooks' "type")."""

    REQUEST_CREATED = "request.created", "A request was created"
    CONSENT_SIGNED = "consent.signed", "Consent signed (by the patient, or recorded by staff)"
    CONSENT_DECLINED = "consent.declined", "Decision not to proceed (signed, or recorded by staff)"
    CONSENT_WITHDRAWN = "consent.withdrawn", "Consent withdrawn"
    CONSENT_CONFIRMED = "consent.confirmed", "Consent confirmed on the day"
    CHECKLIST_SIGNED_OFF = "checklist.signed_off", "Checklist signed off"
    DOCUMENT_READY = "document.ready", "A sealed PDF record is ready"


class WebhookEndpoint(models.Model):
    """Where Proceed sends signed events, registered by a superuser in the admin.

    `secret` signs every message (Standard Webhooks: "whsec_" and base64). It is shown once, on the
    page after registering, and never again: no list, log or audit event holds it.
    """

    url = models.URLField("URL", max_length=500)
    description = models.CharField(max_length=200, blank=True)
    secret = models.CharField(max_length=100, editable=False)
    event_types = models.JSONField("Events", default=list)
    active = models.BooleanField(default=True)
    disabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_reason = models.CharField(max_length=300, blank=True, editable=False)
    # Deliveries given up on in a row; a delivered one sets it back to 0.
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "webhook endpoint"

    def __str__(self) -> str:
        return f"Webhook endpoint {self.pk}"


class WebhookDelivery(models.Model):
    """One event for one endpoint: its message, signed afresh at each attempt."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        FAILED = "failed", "Failed, to be tried again"
        DELIVERED = "delivered", "Delivered"
        GIVEN_UP = "given_up", "Given up"

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.PROTECT, related_name="deliveries")
    event_id = models.CharField(max_length=40, unique=True)  # the webhook-id header: "msg_" + a UUID
    event_type = models.CharField(max_length=40, choices=WebhookEvent.choices)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"Webhook delivery {self.event_id}"


class WebhookAttempt(models.Model):
    """One try at sending a delivery: what came back (only the status code) and how long it took."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    attempted_at = models.DateTimeField()
    status_code = models.PositiveIntegerField(null=True, blank=True)  # none: no answer (network error, timeout)
    error = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["attempted_at", "id"]

    def __str__(self) -> str:
        return f"Webhook attempt {self.pk}"
