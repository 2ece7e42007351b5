"""Sessions left idle end: staff are signed out, patients confirm their date of birth again.

A shared clinic computer or a phone left on a table should not stay open on
health data. Each request of a session that matters (a signed-in staff member,
or a patient who passed the identity check) stores the time; when the next one
comes too late:

- staff are signed out and sent to sign in, coming back to the page they asked for;
- a patient loses the identity check (their answers are saved on the server, so
  nothing is lost) and, once they give their date of birth again, goes back to
  the page they were on. Only that page's path is kept, never what was posted.

Limits: PROCEED_STAFF_IDLE_MINUTES and PROCEED_PATIENT_IDLE_MINUTES.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.urls import Resolver404, resolve
from django.utils.translation import gettext, ngettext

from accounts import views as account_views
from journey.identity_check import RETURN_TO_KEY
from journey.views import VERIFIED_SESSION_KEY

LAST_ACTIVITY_KEY = "last_activity"
RESOLUTION_SECONDS = 60


def _needs_watching(request) -> bool:
    """A signed-in staff member, or a patient who passed the identity check in this session."""
    return request.user.is_authenticated or bool(request.session.get(VERIFIED_SESSION_KEY))


def _page_area(request) -> str:
    """Which part of the site a request is for: "patient" (/c/...), "account" (sign-in, sign-out), or "other"."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return "other"
    if match.namespace == "journey":
        return "patient"
    if match.func.__module__ == account_views.__name__ or match.url_name == "logout":
        return "account"
    return "other"


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self._check(request)
        if response is not None:
            return response
        response = self.get_response(request)
        # Just signed in, or just passed the identity check: the clock starts now.
        if LAST_ACTIVITY_KEY not in request.session and _needs_watching(request):
            request.session[LAST_ACTIVITY_KEY] = int(time.time())
        return response

    def _check(self, request):
        session = request.session
        if not _needs_watching(request):
            # Nothing to protect: forget any old time, so a later sign-in starts afresh.
            if LAST_ACTIVITY_KEY in session:
                del session[LAST_ACTIVITY_KEY]
            return None
        now = int(time.time())
        last = session.get(LAST_ACTIVITY_KEY, now)
        # The time is stored at most once a minute (saving the session on every request costs a
        # write), so it may be up to a minute old: allow that minute, never end a session early.
        idle_seconds = now - last - RESOLUTION_SECONDS
        if request.user.is_authenticated and idle_seconds > settings.PROCEED_STAFF_IDLE_MINUTES * 60:
            return self._sign_out_staff(request)
        if session.get(VERIFIED_SESSION_KEY) and idle_seconds > settings.PROCEED_PATIENT_IDLE_MINUTES * 60:
            self._forget_identity_check(request)
        if now - last >= RESOLUTION_SECONDS or LAST_ACTIVITY_KEY not in session:
            session[LAST_ACTIVITY_KEY] = now
        return None

    def _sign_out_staff(self, request):
        logout(request)  # a new, empty session: patients' identity checks in it end too
        messages.info(
            request,
            ngettext(
                "You were signed out after %(count)s minute without activity. Sign in to carry on.",
                "You were signed out after %(count)s minutes without activity. Sign in to carry on.",
                settings.PROCEED_STAFF_IDLE_MINUTES,
            )
            % {"count": settings.PROCEED_STAFF_IDLE_MINUTES},
        )
        if _page_area(request) in {"patient", "account"}:
            return None  # the page itself decides (a patient page asks for the date of birth again)
        return redirect_to_login(request.get_full_path() if request.method == "GET" else request.path)

    def _forget_identity_check(self, request):
        session = request.session
        del session[VERIFIED_SESSION_KEY]
        if _page_area(request) == "patient":
            session[RETURN_TO_KEY] = request.path
        if request.method == "POST":
            text = gettext(
                "You were away for a while, so for your privacy please give your date of birth again. "
                "Your earlier answers are saved, but what you just sent was not: you may need to enter it again."
            )
        else:
            text = gettext(
                "You were away for a while, so for your privacy please give your date of birth again. "
                "Your answers so far are saved."
            )
        messages.info(request, text)
