"""Integration clients for tests: a registered client, a token from the real token endpoint, a bearer header."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application

from integrations.models import IntegrationClient

ALL_SCOPES = "fhir.read requests.write webhooks"
SECRET = "a-long-test-secret-for-the-scheduler-0123456789"


@dataclass
class ApiClient:
    integration: IntegrationClient
    client_id: str
    secret: str

    def token(self, http: Client | None = None, *, scope: str | None = None) -> str:
        """An access token, asked for the way a client does: POST /o/token/ with its id and secret."""
        data = {"grant_type": "client_credentials", "client_id": self.client_id, "client_secret": self.secret}
        if scope is not None:
            data["scope"] = scope
        response = (http or Client()).post("/o/token/", data)
        assert response.status_code == 200, response.content
        return response.json()["access_token"]

    def issued_token(self, *, scope: str = ALL_SCOPES, hours: int = 24) -> str:
        """A token made directly (for tests that make many calls across a long run)."""
        token = AccessToken.objects.create(
            application=self.integration.application,
            token=f"test-token-{self.client_id}",
            scope=scope,
            expires=timezone.now() + datetime.timedelta(hours=hours),
        )
        return token.token


def make_integration_client(name="Scheduler", *, scopes=ALL_SCOPES, rate_limit=1000, active=True) -> ApiClient:
    application = Application.objects.create(
        name=name,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret=SECRET,
        hash_client_secret=True,
    )
    integration = IntegrationClient.objects.create(
        application=application, allowed_scopes=scopes, rate_limit_per_minute=rate_limit, active=active
    )
    return ApiClient(integration=integration, client_id=application.client_id, secret=SECRET)


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}
