"""The integration API under /api/v1/ (bearer tokens only: see integrations.oauth.api_view)."""

from django.urls import path

from integrations import scheduling

app_name = "api"

urlpatterns = [
    path("consent-requests", scheduling.create_request, name="consent_requests"),
    path("consent-requests/<uuid:public_id>", scheduling.move_request, name="consent_request"),
    path("consent-requests/<uuid:public_id>/cancel", scheduling.cancel_request, name="cancel_consent_request"),
]
