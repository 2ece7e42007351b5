"""Guards around the patient's identity check (date of birth), beyond the per-link lock.

- One connection may try only so many dates of birth, across all links
  (PROCEED_IDENTITY_CHECKS_PER_IP per PROCEED_RATE_LIMIT_MINUTES), counted in
  the cache by django-ratelimit.
- After an idle timeout (config.idle_timeout) the patient goes back to the page
  they were on once they have confirmed their date of birth again.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from django_ratelimit.core import is_ratelimited

# The patient page to go back to after confirming the date of birth again: a path, never posted data.
RETURN_TO_KEY = "identity_return_to"
RATE_LIMIT_GROUP = "patient-identity-checks"


def _identity_rate(group, request) -> str:
    return f"{settings.PROCEED_IDENTITY_CHECKS_PER_IP}/{settings.PROCEED_RATE_LIMIT_MINUTES}m"


def limit_identity_checks(view):
    """Count every date of birth sent from this connection; past the limit, a plain 429 page instead."""

    @functools.wraps(view)
    def wrapper(request, token, *args, **kwargs):
        limited = is_ratelimited(
            request,
            group=RATE_LIMIT_GROUP,
            key="config.client_ip.ratelimit_key",
            rate=_identity_rate,
            method="POST",
            increment=True,
        )
        if limited:
            minutes = settings.PROCEED_RATE_LIMIT_MINUTES
            return render(
                request,
                "consent/too_many_attempts.html",
                {"wait": ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}},
                status=429,
            )
        return view(request, token, *args, **kwargs)

    return wrapper


def page_to_return_to(request, token: str) -> str | None:
    """The page of this link the patient was on when their session timed out, if any (used once)."""
    path = request.session.pop(RETURN_TO_KEY, None)
    link_root = reverse("journey:welcome", args=[token])
    if (
        not path
        or not path.startswith(link_root)
        or path == reverse("journey:identity", args=[token])
        or not url_has_allowed_host_and_scheme(path, allowed_hosts={request.get_host()})
    ):
        return None
    return path
