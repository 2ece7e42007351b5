"""OAuth 2.0 client credentials for integrations: the token endpoint, and what every API call goes through."""

from __future__ import annotations

import base64
import datetime

import pytest
from django.conf import settings
from django.contrib.auth.hashers import identify_hasher
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application

from consent.models import AuditAction, AuditEvent
from integrations.models import SCOPES, IntegrationClient
from tests.conftest import make_user
from tests.integration_clients import SECRET, bearer, make_integration_client

API = "/api/v1/consent-requests"


@pytest.fixture
def scheduler(db):
    return make_integration_client(scopes="requests.write")


def token_response(client_id, secret, scope=None):
    data = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    if scope:
        data["scope"] = scope
    return Client().post("/o/token/", data)


def test_a_client_gets_a_short_lived_token_with_its_scopes_and_calls_the_api_with_it(scheduler):
    response = token_response(scheduler.client_id, SECRET)

    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == settings.PROCEED_API_TOKEN_SECONDS
    assert body["scope"] == "requests.write"
    assert "refresh_token" not in body
    # The token opens the API (an empty body: the API's own 400, not a 401).
    api = Client().post(API, b"{}", content_type="application/json", **bearer(body["access_token"]))
    assert api.status_code == 400


def test_the_token_lifetime_is_short_by_default():
    assert 300 <= settings.PROCEED_API_TOKEN_SECONDS <= 900
    assert settings.OAUTH2_PROVIDER["ACCESS_TOKEN_EXPIRE_SECONDS"] == settings.PROCEED_API_TOKEN_SECONDS


def test_the_scopes_offered_are_the_ones_clients_are_given():
    assert set(settings.OAUTH2_PROVIDER["SCOPES"]) == set(SCOPES) == {"fhir.read", "requests.write", "webhooks"}


def test_the_client_secret_is_stored_hashed(scheduler):
    stored = Application.objects.get(client_id=scheduler.client_id).client_secret

    assert stored != SECRET
    assert identify_hasher(stored)


@pytest.mark.parametrize(
    ("secret", "scope", "status", "error"),
    [
        ("not the secret", None, 401, "invalid_client"),
        (SECRET, "fhir.read", 400, "invalid_scope"),  # a scope this client may not hold
        (SECRET, "requests.write admin", 400, "invalid_scope"),
    ],
)
def test_the_token_endpoint_refuses_a_wrong_secret_and_scopes_the_client_may_not_hold(
    scheduler, secret, scope, status, error
):
    response = token_response(scheduler.client_id, secret, scope)

    assert response.status_code == status
    assert response.json()["error"] == error
    assert not AccessToken.objects.exists()


def test_a_deactivated_client_gets_no_token_and_its_tokens_stop_working(scheduler):
    token = scheduler.token()
    scheduler.integration.active = False
    scheduler.integration.save()

    assert token_response(scheduler.client_id, SECRET).status_code in (400, 401)
    response = Client().post(API, b"{}", content_type="application/json", **bearer(token))
    assert response.status_code == 401


def test_only_the_client_credentials_grant_is_offered(scheduler):
    response = Client().post(
        "/o/token/",
        {
            "grant_type": "password",
            "username": "x",
            "password": "y",
            "client_id": scheduler.client_id,
            "client_secret": SECRET,
        },
    )

    assert response.status_code in (400, 401)
    assert not AccessToken.objects.exists()
    assert Client().get("/o/authorize/").status_code == 404


def test_a_call_without_a_token_is_refused_with_a_bearer_challenge(db):
    response = Client().post(API, b"{}", content_type="application/json")

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "Authorization: Bearer" in response.json()["error"]


def test_a_staff_session_cookie_never_reaches_the_api(db, client, django_user_model):
    superuser = make_user(django_user_model, "api.super", is_staff=True, is_superuser=True)
    client.force_login(superuser)

    response = client.post(API, b"{}", content_type="application/json")

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("problem", ["unknown", "expired", "revoked"])
def test_an_unknown_expired_or_revoked_token_is_refused(scheduler, problem):
    token = scheduler.token()
    if problem == "unknown":
        token = "not-a-token"
    elif problem == "expired":
        AccessToken.objects.update(expires=timezone.now() - datetime.timedelta(seconds=1))
    else:
        response = Client().post(
            "/o/revoke_token/", {"token": token, "client_id": scheduler.client_id, "client_secret": SECRET}
        )
        assert response.status_code == 200

    response = Client().post(API, b"{}", content_type="application/json", **bearer(token))

    assert response.status_code == 401
    assert 'error="invalid_token"' in response["WWW-Authenticate"]
    assert "Get a new one" in response.json()["error"]


def test_a_token_without_the_scope_is_refused_naming_the_scope(db):
    reader = make_integration_client("Reader", scopes="fhir.read")
    token = reader.token()

    response = Client().post(API, b"{}", content_type="application/json", **bearer(token))

    assert response.status_code == 403
    assert "requests.write" in response.json()["error"]
    event = AuditEvent.objects.get(action=AuditAction.API_CALL)
    assert event.detail["status"] == 403


def test_each_client_has_its_own_rate_limit(db):
    slow = make_integration_client("Slow", rate_limit=2)
    fast = make_integration_client("Fast", rate_limit=100)
    slow_token, fast_token = slow.issued_token(), fast.issued_token()

    answers = [Client().post(API, b"{}", content_type="application/json", **bearer(slow_token)) for _ in range(3)]

    assert [answer.status_code for answer in answers] == [400, 400, 429]
    assert answers[2]["Retry-After"] == "60"
    assert "2 a minute" in answers[2].json()["error"]
    # Another client is counted on its own.
    assert Client().post(API, b"{}", content_type="application/json", **bearer(fast_token)).status_code == 400


def test_the_wrong_method_is_refused_after_the_token(scheduler):
    token = scheduler.token()

    assert Client().get(API).status_code == 401
    response = Client().get(API, **bearer(token))
    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_no_csrf_token_is_needed_with_a_bearer_token(scheduler):
    http = Client(enforce_csrf_checks=True)

    response = http.post(API, b"{}", content_type="application/json", **bearer(scheduler.token(http)))

    assert response.status_code == 400


def test_every_call_is_audited_naming_the_client_and_not_the_query_string(scheduler):
    token = scheduler.token()

    Client().post(f"{API}?mrn=MRN-123", b"{}", content_type="application/json", **bearer(token))

    event = AuditEvent.objects.get(action=AuditAction.API_CALL)
    assert event.actor == AuditEvent.Actor.INTEGRATION
    assert event.user is None
    assert event.detail == {
        "client": scheduler.client_id,
        "client_name": "Scheduler",
        "method": "POST",
        "path": API,
        "status": 400,
    }
    assert "MRN-123" not in event.message


def test_calls_without_a_valid_token_name_no_client_and_write_nothing(db):
    Client().post(API, b"{}", content_type="application/json", **bearer("nope"))

    assert not AuditEvent.objects.filter(action=AuditAction.API_CALL).exists()


def test_clients_are_registered_by_superusers_only(db, client, django_user_model):
    content_admin = make_user(django_user_model, "api.content", group="Content admins", is_staff=True)
    superuser = make_user(django_user_model, "api.super", is_staff=True, is_superuser=True)

    client.force_login(content_admin)
    assert client.get("/admin/oauth2_provider/application/add/").status_code == 403
    assert client.get("/admin/integrations/integrationclient/").status_code in (403, 404)

    client.force_login(superuser)
    page = client.get("/admin/oauth2_provider/application/add/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Copy and store this secret now" in text
    assert "Allowed scopes" in text


def test_the_client_may_authenticate_with_http_basic_as_in_the_readme(scheduler):
    credentials = base64.b64encode(f"{scheduler.client_id}:{SECRET}".encode()).decode()

    response = Client().post(
        "/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {credentials}"
    )

    assert response.status_code == 200
    assert response.json()["scope"] == "requests.write"


def test_a_superuser_registers_a_client_in_the_admin_and_it_gets_a_token(db, client, django_user_model):
    superuser = make_user(django_user_model, "api.super", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    page = client.get("/admin/oauth2_provider/application/add/")
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    secret = data["client_secret"]  # shown on the page, once
    data.update(
        name="Theatre scheduling",
        client_type="confidential",
        authorization_grant_type="client-credentials",
        **{
            "integration-TOTAL_FORMS": "1",
            "integration-INITIAL_FORMS": "0",
            "integration-MIN_NUM_FORMS": "1",
            "integration-MAX_NUM_FORMS": "1",
            "integration-0-allowed_scopes": "requests.write",
            "integration-0-rate_limit_per_minute": "60",
            "integration-0-active": "on",
        },
    )

    response = client.post("/admin/oauth2_provider/application/add/", data)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    application = Application.objects.get(name="Theatre scheduling")
    assert application.client_secret != secret and identify_hasher(application.client_secret)
    assert application.integration.scopes == {"requests.write"}
    assert secret not in client.get(f"/admin/oauth2_provider/application/{application.pk}/change/").content.decode()
    assert token_response(application.client_id, secret).json()["scope"] == "requests.write"


def test_an_unknown_scope_is_refused_when_registering(db):
    with pytest.raises(ValidationError, match="Unknown scope"):
        IntegrationClient(application=Application(), allowed_scopes="requests.write admin").clean()
