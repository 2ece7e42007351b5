"""What the integrations keep: webhook endpoints, the deliveries queued for them and each attempt."""

from __future__ import annotations

from django.conf import settings
from django.db import models


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
