"""Integration clients (OAuth 2.0, client credentials) and the idempotency keys of their requests.

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
