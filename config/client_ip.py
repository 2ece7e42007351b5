"""The client's address, for audit events, sign-in lockout and rate limits.

Behind a reverse proxy every request comes from the proxy's address, which
would turn a per-address lockout into one that anyone can trip for everyone.
With PROCEED_TRUSTED_PROXY_COUNT = N, the address N steps from the right of
X-Forwarded-For is used: each trusted proxy appends the address it received
the request from, so entries further left are whatever the client claimed and
are never trusted. With 0 (the default, no proxy) REMOTE_ADDR is used.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    proxies = settings.PROCEED_TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            candidate = forwarded[-proxies]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR")


def ratelimit_key(group: str, request) -> str:
    """django-ratelimit's key: the client's address as above."""
    return client_ip(request) or ""
