"""How other systems are let in: OAuth 2.0 client credentials, scopes, rate limits and the audit.

A client (registered by a superuser in the admin: a DOT `Application`, confidential, grant "client
credentials", plus its `IntegrationClient` with the scopes it may hold) gets a short-lived access
token from `POST /o/token/` with its id and secret, then calls the API with
`Authorization: Bearer <token>`. `ClientCredentialsValidator` (DOT's OAUTH2_VALIDATOR_CLASS) grants
a client only the client-credentials grant and only its own allowed scopes.

Every API view is wrapped in `api_view` (see there): nothing else in this module is needed to write one.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.core import is_ratelimited
from oauth2_provider.models import AccessToken
from oauth2_provider.oauth2_backends import get_oauthlib_core
from oauth2_provider.oauth2_validators import OAuth2Validator

from config.client_ip import client_ip
from consent.audit import audit
from consent.models import AuditAction, AuditEvent, ConsentRequest
from integrations.models import IntegrationClient

MAX_BODY_BYTES = 64 * 1024  # no request to the API needs more; a bigger body is refused unread (413)
RATE_LIMIT_WINDOW_SECONDS = 60


def _integration(application) -> IntegrationClient | None:
    if application is None:
        return None
    return IntegrationClient.objects.filter(application=application, active=True).select_related("application").first()


class ClientCredentialsValidator(OAuth2Validator):
    """DOT's validator, narrowed: client credentials only, for active clients, and only their allowed scopes."""

    def validate_grant_type(self, client_id, grant_type, client, request, *args, **kwargs):
        if grant_type != "client_credentials" or _integration(client) is None:
            return False
        return super().validate_grant_type(client_id, grant_type, client, request, *args, **kwargs)

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        integration = _integration(client)
        return integration is not None and set(scopes) <= integration.scopes

    def get_default_scopes(self, client_id, request, *args, **kwargs):
        # A token asked for without `scope` carries every scope the client may hold.
        integration = _integration(request.client)
        return sorted(integration.scopes) if integration else []


# Responses ---------------------------------------------------------------------------------


def api_error(status: int, message: str, *, errors: dict | None = None, headers: dict | None = None) -> JsonResponse:
    """The API's one shape of error: {"error": "what happened and what to do", "errors": {field: [...]}}."""
    body: dict = {"error": message}
    if errors:
        body["errors"] = errors
    response = JsonResponse(body, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _unauthorised(message: str, *, error: str = "") -> JsonResponse:
    challenge = 'Bearer realm="proceed"' + (f', error="{error}"' if error else "")
    return api_error(401, message, headers={"WWW-Authenticate": challenge})


def read_json(request: HttpRequest) -> dict | JsonResponse:
    """The request's JSON object, or the 400 response saying what is wrong with it."""
    try:
        data = json.loads(request.body or b"null")
    except (UnicodeDecodeError, ValueError):
        return api_error(400, "The body isn't valid JSON. Send a JSON object with Content-Type: application/json.")
    if not isinstance(data, dict):
        return api_error(400, "The body must be a JSON object ({...}).")
    return data


# The decorator -------------------------------------------------------------------------------


def api_view(*, scope: str, methods: Iterable[str]) -> Callable:
    """Wrap an API view: bearer-token authentication, scope, rate limit, body size and one audit event.

    Usage::

        @api_view(scope="fhir.read", methods=["GET"])
        def patient(request, client: IntegrationClient, public_id): ...

    In this order, each answered in JSON (`api_error`):

    - No session, no CSRF: the view is csrf_exempt and `request.user` is anonymous even when a staff
      session cookie came along. Only `Authorization: Bearer <token>` counts: missing, unknown,
      expired or revoked gives 401 with `WWW-Authenticate: Bearer` (so does a deactivated client).
    - The client's own rate limit (`IntegrationClient.rate_limit_per_minute`, counted per client):
      429 with `Retry-After`. Not audited (a flood must not flood the audit chain).
    - The scope: a token without it gives 403 naming the scope.
    - The method: another one gives 405 with `Allow`.
    - A body over MAX_BODY_BYTES (64 KB) gives 413.
    - Then the view runs, called with `client=` the IntegrationClient. If the call concerns a consent
      request the view sets `request.api_consent_request` to it, so the audit event is linked to it.

    Every call that got past the token (refusals included, except 429) writes ONE audit event:
    actor "integration", no user, the client's id and name, method, path (never the query string)
    and status: nothing personal. The view itself must not log bodies or tokens.
    """
    allowed = [method.upper() for method in methods]

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            request.user = AnonymousUser()  # a staff session never reaches the API
            header = request.META.get("HTTP_AUTHORIZATION", "")
            if not header.lower().startswith("bearer "):
                return _unauthorised(
                    "Send an access token: Authorization: Bearer <token> (get one from /o/token/ with your "
                    "client id and secret)."
                )
            valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[])
            token: AccessToken | None = getattr(oauth_request, "access_token", None) if valid else None
            client = _integration(token.application) if token else None
            if client is None:
                return _unauthorised(
                    "The access token is unknown, expired or revoked. Get a new one from /o/token/.",
                    error="invalid_token",
                )
            if is_ratelimited(
                request,
                group="integrations.api",
                key=lambda group, request: f"client:{client.pk}",
                rate=f"{client.rate_limit_per_minute}/m",
                increment=True,
            ):
                return api_error(
                    429,
                    f"Too many calls: this client may make {client.rate_limit_per_minute} a minute. "
                    "Wait and try again.",
                    headers={"Retry-After": str(RATE_LIMIT_WINDOW_SECONDS)},
                )
            request.api_consent_request = None
            response = _checked_call(view, request, client, token, scope, allowed, *args, **kwargs)
            _audit_call(request, client, response)
            return response

        return csrf_exempt(never_cache(wrapper))

    return decorator


def _checked_call(view, request, client, token, scope, allowed, *args, **kwargs) -> HttpResponse:
    if scope not in token.scope.split():
        return api_error(
            403,
            f"This token doesn't carry the scope “{scope}”. Ask for a token with scope={scope}; if the client "
            "may not hold it, ask the clinic's administrator to allow it.",
        )
    if request.method not in allowed:
        return api_error(
            405,
            f"Use {' or '.join(allowed)} here.",
            headers={"Allow": ", ".join(allowed)},
        )
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES or len(request.body) > MAX_BODY_BYTES:
        return api_error(413, f"The body is too large: send at most {MAX_BODY_BYTES // 1024} KB.")
    return view(request, *args, client=client, **kwargs)


def _audit_call(request: HttpRequest, client: IntegrationClient, response: HttpResponse) -> None:
    consent_request: ConsentRequest | None = getattr(request, "api_consent_request", None)
    audit(
        consent_request=consent_request,
        action=AuditAction.API_CALL,
        message=f"{request.method} {request.path} by {client.name}: {response.status_code}"[:300],
        actor=AuditEvent.Actor.INTEGRATION,
        ip=client_ip(request),
        detail={
            "client": client.application.client_id,
            "client_name": client.name,
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
        },
    )
