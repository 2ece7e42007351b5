"""When the shared cache (Redis) can't be reached: a plain page, never a 500.

Only what counts in the cache needs it: the date-of-birth check on a patient's link, staff
sign-in and /verify/ count attempts per address (django-ratelimit). Without their counters
those limits can't be applied, so those pages refuse, with a page that says to try again in
a few minutes (503, Retry-After), rather than let unlimited guesses through. Sessions are in
the database, so everyone stays signed in and every other page keeps working.
"""

from __future__ import annotations

import logging

from django.shortcuts import render
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 120


class SharedCacheOutageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, RedisConnectionError | RedisTimeoutError):
            return None
        logger.error(
            "The shared cache could not be reached (%s); the page asked to try again.", type(exception).__name__
        )
        response = render(request, "cache_outage.html", status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
